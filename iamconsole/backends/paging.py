"""Marker/MaxItems pagination and path filtering for the local backend's List* actions.

Markers are opaque to callers: base64 of [action, position], where the position is the last row's
sort key (keyset pagination, stable under inserts and deletes) or an offset (small in-memory lists
such as tags). A marker of another action is refused with AWS's ValidationError "Invalid Marker.".

`keyset_page` and `offset_page` return (page, more), where `more` is `{"IsTruncated": ...}` plus
`"Marker"` when another page follows, ready to be spread into the action's output.
"""

import base64
import binascii
import json

from django.db.models.functions import Substr

from .errors import ValidationError

DEFAULT_MAX_ITEMS = 100  # what IAM's List* actions return without MaxItems


def encode_marker(kind: str, position) -> str:
    """The opaque Marker that resumes the listing `kind` (an action name) after `position`.

    `position` is anything JSON can hold: a sort key, a list of sort keys, or an offset.
    """
    raw = json.dumps([kind, position], separators=(",", ":"), ensure_ascii=True)
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_marker(kind: str, marker: str, expected_type: type):
    """The position stored in `marker`, or a ValidationError when it is not one of ours for `kind`."""
    try:
        found_kind, position = json.loads(base64.urlsafe_b64decode(marker.encode("latin-1")))
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise ValidationError("Invalid Marker.")
    if found_kind != kind or not isinstance(position, expected_type) or isinstance(position, bool):
        raise ValidationError("Invalid Marker.")
    return position


def keyset_page(queryset, *, kind: str, key: str, Marker=None, MaxItems=None):
    """One page of `queryset` ordered by the unique column `key`: (rows, {"IsTruncated", "Marker"?}).

    One query whatever the page: rows after the marker's key, plus one to know if more follow.
    """
    if Marker is not None:
        queryset = queryset.filter(**{f"{key}__gt": decode_marker(kind, Marker, str)})
    limit = MaxItems or DEFAULT_MAX_ITEMS
    rows = list(queryset.order_by(key)[: limit + 1])
    page = rows[:limit]
    more = {"IsTruncated": len(rows) > limit}
    if more["IsTruncated"]:
        more["Marker"] = encode_marker(kind, getattr(page[-1], key))
    return page, more


def offset_page(items: list, *, kind: str, Marker=None, MaxItems=None):
    """One page of an in-memory list: (items, {"IsTruncated", "Marker"?}); the marker holds an offset."""
    start = decode_marker(kind, Marker, int) if Marker is not None else 0
    if start < 0:
        raise ValidationError("Invalid Marker.")
    limit = MaxItems or DEFAULT_MAX_ITEMS
    page = items[start : start + limit]
    more = {"IsTruncated": start + limit < len(items)}
    if more["IsTruncated"]:
        more["Marker"] = encode_marker(kind, start + limit)
    return page, more


def under_path(queryset, prefix: str | None):
    """Rows whose path starts with `prefix`, case-sensitively on every database.

    SQLite's LIKE (Django's `startswith`) ignores case, so compare the path's head instead.
    """
    if not prefix or prefix == "/":
        return queryset
    return queryset.annotate(path_head=Substr("path", 1, len(prefix))).filter(path_head=prefix)
