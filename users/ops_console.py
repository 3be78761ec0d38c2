"""Console extensions for users (ARCHITECTURE.md §1): the users list in a fixed number of queries."""

import datetime

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from credentials.models import AccessKey, LoginProfile, VirtualMFADevice
from groups.models import GroupMembership
from iamconsole.backends.base import console_extension

from .models import IAMUser

# A date older than any IAM activity, so that "never" sorts first without NULL ordering differences.
_NEVER = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)

# Sort keys of the users list -> the annotation or field they order by.
SORTS = {
    "name": "name_lower",
    "path": "path",
    "groups": "group_count",
    "last_activity": "last_activity",
    "mfa": "has_mfa",
    "password_age": "password_changed_sort",
    "console_last_sign_in": "password_last_used_sort",
    "access_key_id": "first_key_id",
    "active_key_age": "oldest_active_key_sort",
    "access_key_last_used": "key_last_used_sort",
    "arn": "arn_sort",
    "created": "created",
}


def _annotated(account):
    keys = AccessKey.objects.filter(user=OuterRef("pk"))
    return IAMUser.objects.filter(account=account).annotate(
        group_count=Coalesce(
            Subquery(
                GroupMembership.objects.filter(user=OuterRef("pk"))
                .values("user")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            Value(0),
        ),
        has_mfa=Exists(VirtualMFADevice.objects.filter(user=OuterRef("pk"))),
        password_enabled=Exists(LoginProfile.objects.filter(user=OuterRef("pk"))),
        password_changed_sort=Coalesce(
            Subquery(LoginProfile.objects.filter(user=OuterRef("pk")).values("password_changed")[:1]),
            Value(_NEVER),
        ),
        password_last_used_sort=Coalesce(F("password_last_used"), Value(_NEVER)),
        key_last_used_sort=Coalesce(
            Subquery(keys.values("user").annotate(m=Max("last_used_date")).values("m")[:1]), Value(_NEVER)
        ),
        oldest_active_key_sort=Coalesce(
            Subquery(keys.filter(status="Active").values("user").annotate(m=Min("created")).values("m")[:1]),
            Value(_NEVER),
        ),
        first_key_id=Coalesce(
            Subquery(keys.order_by("access_key_id").values("access_key_id")[:1]), Value("")
        ),
        last_activity=Greatest("password_last_used_sort", "key_last_used_sort"),
        arn_sort=F("path"),
    )


def _when(value):
    return None if value is None or value == _NEVER else value


@console_extension("list_users_overview", authorized_as="ListUsers")
def list_users_overview(
    ctx, *, search: str = "", sort: str = "name", descending: bool = False, page: int = 1, per_page: int = 50
) -> dict:
    """One page of the users list with what the console shows per user, in a fixed number of queries.

    `search` matches user names (case-insensitive substring) or an access key ID (finds its owner).
    Returns {"Users": [...], "Total", "Page", "Pages", "PerPage"}; each user carries UserName, Path,
    Arn, UserId, CreateDate, Groups (names), MFA (bool), PasswordEnabled, PasswordLastChanged,
    PasswordLastUsed, AccessKeys ([{AccessKeyId, Status, CreateDate, LastUsedDate}]) and LastActivity.
    """
    users = _annotated(ctx.account)
    term = search.strip()
    if term:
        users = users.filter(
            Q(name_lower__contains=term.lower())
            | Exists(AccessKey.objects.filter(user=OuterRef("pk"), access_key_id=term.upper()))
        )
    order = SORTS.get(sort, "name_lower")
    if sort == "arn":
        ordering = ["path", "name_lower"]
    else:
        ordering = [order, "name_lower"]
    if descending:
        ordering = [f"-{field}" for field in ordering]
    total = users.count()
    per_page = max(1, min(per_page, 100))
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    rows = list(users.order_by(*ordering)[(page - 1) * per_page : page * per_page])

    ids = [row.pk for row in rows]
    keys: dict[int, list] = {pk: [] for pk in ids}
    for key in AccessKey.objects.filter(user_id__in=ids).order_by("created", "id"):
        keys[key.user_id].append(
            {
                "AccessKeyId": key.access_key_id,
                "Status": key.status,
                "CreateDate": key.created,
                "LastUsedDate": key.last_used_date,
            }
        )
    groups: dict[int, list] = {pk: [] for pk in ids}
    for user_id, name in (
        GroupMembership.objects.filter(user_id__in=ids)
        .order_by("group__name_lower")
        .values_list("user_id", "group__name")
    ):
        groups[user_id].append(name)

    return {
        "Users": [
            {
                "UserName": row.name,
                "Path": row.path,
                "Arn": f"arn:aws:iam::{ctx.account_id}:user{row.path}{row.name}",
                "UserId": row.user_id,
                "CreateDate": row.created,
                "Groups": groups[row.pk],
                "MFA": row.has_mfa,
                "PasswordEnabled": row.password_enabled,
                "PasswordLastChanged": _when(row.password_changed_sort),
                "PasswordLastUsed": row.password_last_used,
                "AccessKeys": keys[row.pk],
                "LastActivity": _when(row.last_activity),
            }
            for row in rows
        ],
        "Total": total,
        "Page": page,
        "Pages": pages,
        "PerPage": per_page,
    }
