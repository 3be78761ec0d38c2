"""Console extensions for user groups (ARCHITECTURE.md §1): the groups list with its member and policy
counts in a fixed number of queries (ListGroups alone would need GetGroup, ListAttachedGroupPolicies and
ListGroupPolicies for every group)."""

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from iamconsole.backends.base import console_extension
from policies.models import InlinePolicy, PolicyAttachment

from .models import Group, GroupMembership

# Sort keys of the groups list -> the fields they order by (the name breaks ties).
SORTS = {
    "name": "name_lower",
    "users": "user_count",
    "permissions": "policy_count",
    "created": "created",
}


def _count(model):
    """The number of `model` rows of the outer group, as a subquery (0 when none)."""
    rows = model.objects.filter(group=OuterRef("pk")).values("group").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


@console_extension("list_groups_overview", authorized_as="ListGroups")
def list_groups_overview(
    ctx, *, search: str = "", sort: str = "name", descending: bool = False, page: int = 1, per_page: int = 50
) -> dict:
    """One page of the groups list with what the console shows per group, in two queries.

    `search` matches group names (case-insensitive substring). Returns {"Groups": [...], "Total", "Page",
    "Pages", "PerPage"}; each group carries GroupName, Path, Arn, GroupId, CreateDate, UserCount,
    AttachedPolicyCount and InlinePolicyCount.
    """
    groups = Group.objects.filter(account=ctx.account).annotate(
        user_count=_count(GroupMembership),
        attached_count=_count(PolicyAttachment),
        inline_count=_count(InlinePolicy),
    )
    groups = groups.annotate(policy_count=F("attached_count") + F("inline_count"))
    term = search.strip().lower()
    if term:
        groups = groups.filter(name_lower__contains=term)
    ordering = [SORTS.get(sort, "name_lower"), "name_lower"]
    if descending:
        ordering = [f"-{field}" for field in ordering]
    total = groups.count()
    per_page = max(1, min(per_page, 100))
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    rows = groups.order_by(*ordering)[(page - 1) * per_page : page * per_page]
    return {
        "Groups": [
            {
                "GroupName": row.name,
                "Path": row.path,
                "Arn": f"arn:aws:iam::{ctx.account_id}:group{row.path}{row.name}",
                "GroupId": row.group_id,
                "CreateDate": row.created,
                "UserCount": row.user_count,
                "AttachedPolicyCount": row.attached_count,
                "InlinePolicyCount": row.inline_count,
            }
            for row in rows
        ],
        "Total": total,
        "Page": page,
        "Pages": pages,
        "PerPage": per_page,
    }
