"""Query-protocol request parsing, driven by botocore's input shape of the action.

The wire is a flat form (`reference/aws-iam-facts.md` §8): structures use dotted names, lists
`Name.member.N` (from 1), maps `Name.entry.N.key` / `Name.entry.N.value`, and an empty list is `Name=`.
`parse_params` turns the form into the keyword arguments a backend call takes (`Tags=[{"Key": ...}]`),
converting scalars by the shape's type. What the shape cannot place (an unknown member, a list index
that is not a number, a value of the wrong type) is a `ValidationError`; the members' constraints
(required, lengths, patterns) are checked afterwards by the backend itself (iamconsole/backends/model.py).
"""

import base64
import binascii
import datetime
import re
from urllib.parse import parse_qsl

from iamconsole.backends.errors import ValidationError

from .errors import MalformedQueryString

# Members every Query request carries besides the action's own.
PROTOCOL_KEYS = ("Action", "Version")
# Query-string SigV4 members (a presigned URL): authentication, not input.
PRESIGN_PREFIX = "X-Amz-"
MAX_FIELDS = 10_000
MAX_DEPTH = 32  # dotted segments in one name; IAM's deepest inputs need 7
_INDEX = re.compile(r"[1-9][0-9]{0,5}")
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_EPOCH = re.compile(r"[0-9]{1,12}(\.[0-9]{1,9})?")


def form_pairs(text: str) -> list[tuple[str, str]]:
    """`a=1&b=2` -> [("a", "1"), ("b", "2")], as application/x-www-form-urlencoded decodes it."""
    try:
        return parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        # UNVERIFIED: AWS's exact answer to an undecodable form was not found; the code is the one its
        # Query services use for a query string they cannot read.
        raise MalformedQueryString("The request's query string or form body is malformed.")


class _Node:
    """One dotted name segment: the value sent for exactly this name, and the longer names below it."""

    __slots__ = ("children", "value")

    def __init__(self):
        self.value: str | None = None
        self.children: dict[str, _Node] = {}


def _tree(pairs) -> _Node:
    root = _Node()
    for name, value in pairs:
        parts = name.split(".")
        if len(parts) > MAX_DEPTH or "" in parts:
            raise _invalid(name, value, "Member must be a valid parameter name")
        node = root
        for part in parts:
            node = node.children.setdefault(part, _Node())
        node.value = value  # a repeated name: the last value wins, as a form decoder keeps it
    return root


def split_protocol(pairs: list[tuple[str, str]]) -> tuple[dict, list[tuple[str, str]]]:
    """The protocol members (Action, Version) and the action's own members, in that order."""
    protocol, members = {}, []
    for name, value in pairs:
        if name in PROTOCOL_KEYS:
            protocol[name] = value
        else:
            members.append((name, value))
    return protocol, members


def parse_params(input_shape, pairs: list[tuple[str, str]]) -> dict:
    """The keyword arguments of the backend call for the action whose input shape is `input_shape`."""
    root = _tree(pairs)
    if input_shape is None:
        if root.children:
            raise _unknown(next(iter(root.children)), [])
        return {}
    if root.value is not None:
        raise _unknown("", list(input_shape.members))
    params = {}
    for name, node in root.children.items():
        member = input_shape.members.get(name)
        if member is None:
            raise _unknown(name, list(input_shape.members))
        params[name] = _value(member, node, _camel(name))
    return params


def _value(shape, node: _Node, where: str):
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, node, where)
    if kind == "list":
        return _list(shape, node, where)
    if kind == "map":
        return _map(shape, node, where)
    if node.children:
        child = next(iter(node.children))
        raise _invalid(f"{where}.{child}", None, f"Member must be a {_TYPE_WORDS.get(kind, kind)}")
    return _scalar(shape, node.value, where)


def _structure(shape, node: _Node, where: str) -> dict:
    if node.value not in (None, "") or not node.children:
        raise _invalid(where, node.value, "Member must be a structure")
    out = {}
    for name, child in node.children.items():
        member = shape.members.get(name)
        if member is None:
            raise _invalid(f"{where}.{_camel(name)}", None, "Member is not known")
        out[name] = _value(member, child, f"{where}.{_camel(name)}")
    return out


def _list(shape, node: _Node, where: str) -> list:
    if not node.children:
        if node.value == "":  # `Name=`: botocore's way of sending an empty list
            return []
        raise _invalid(where, node.value, "Member must be a list")
    if node.value not in (None, "") or set(node.children) != {"member"}:
        raise _invalid(where, node.value, "Member must be a list")
    items = _indexed(node.children["member"], f"{where}.member")
    return [_value(shape.member, item, f"{where}.{index}.member") for index, item in items]


def _map(shape, node: _Node, where: str) -> dict:
    if node.value not in (None, "") or set(node.children) - {"entry"}:
        raise _invalid(where, node.value, "Member must be a map")
    out = {}
    if not node.children:
        return out
    for _index, entry in _indexed(node.children["entry"], f"{where}.entry"):
        if entry.value is not None or set(entry.children) - {"key", "value"} or "key" not in entry.children:
            raise _invalid(f"{where}.entry", entry.value, "Member must be a map entry with a key")
        key = _value(shape.key, entry.children["key"], f"{where}.key")
        value_node = entry.children.get("value")
        if value_node is None:
            raise _invalid(f"{where}.value", None, "Member must not be null")
        out[key] = _value(shape.value, value_node, f"{where}.value")
    return out


def _indexed(node: _Node, where: str) -> list[tuple[int, _Node]]:
    """The numbered children of `X.member` / `X.entry`, in index order (the wire numbers from 1)."""
    if node.value is not None:
        raise _invalid(where, node.value, "Member must be numbered from 1")
    items = []
    for index, child in node.children.items():
        if not _INDEX.fullmatch(index):
            raise _invalid(f"{where}.{index}", None, "Member must be numbered from 1")
        items.append((int(index), child))
    return sorted(items, key=lambda item: item[0])


def _scalar(shape, value: str, where: str):
    kind = shape.type_name
    if kind == "string":
        return value
    if kind in ("integer", "long"):
        if not _INTEGER.fullmatch(value):
            raise _invalid(where, value, "Member must be a number")
        return int(value)
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise _invalid(where, value, "Member must be a boolean")
        return value.lower() == "true"
    if kind in ("double", "float"):
        try:
            return float(value)
        except ValueError:
            raise _invalid(where, value, "Member must be a number")
    if kind == "timestamp":
        return _timestamp(value, where)
    if kind == "blob":
        try:
            return base64.b64decode(value.encode("ascii"), validate=True)
        except (UnicodeError, binascii.Error):
            raise _invalid(where, value, "Member must be base64-encoded binary")
    raise _invalid(where, value, f"Member has the unsupported type {kind}")


def _timestamp(value: str, where: str) -> datetime.datetime:
    """ISO 8601 (botocore's Query timestamp format), or seconds since the epoch."""
    try:
        if _EPOCH.fullmatch(value):
            return datetime.datetime.fromtimestamp(float(value), tz=datetime.UTC)
        parsed = datetime.datetime.fromisoformat(value)
    except (ValueError, OverflowError, OSError):
        raise _invalid(where, value, "Member must be a timestamp")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


_TYPE_WORDS = {"integer": "number", "long": "number", "double": "number", "float": "number"}


def _camel(name: str) -> str:
    # AWS names members in lowerCamel in its validation messages ('userName', 'tags.1.member.key').
    return name[:1].lower() + name[1:]


def _invalid(where: str, value: str | None, constraint: str) -> ValidationError:
    # The shape of AWS's own validation messages (iamconsole/backends/model.py); the wording for
    # wire-level type errors is UNVERIFIED against real AWS answers.
    shown = "" if value is None else f" '{value[:256]}'"
    return ValidationError(
        f"1 validation error detected: Value{shown} at '{where}' failed to satisfy constraint: {constraint}"
    )


def _unknown(name: str, members: list[str]) -> ValidationError:
    # The backend's wording for an unknown member (iamconsole/backends/model.py validate_input).
    if not members:  # the action takes no input
        return ValidationError(f'Unknown parameter in input: "{name[:256]}"')
    return ValidationError(
        f'Unknown parameter in input: "{name[:256]}", must be one of: {", ".join(members)}'
    )
