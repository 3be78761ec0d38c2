"""Local operations on IAM groups and memberships (the groups part of LocalBackend).

Each function is one IAM action (see iamconsole/backends/base.py for the calling convention);
messages are AWS's as recorded (aws-recorded scenarios, topic `groups`) or as in facts §6.
Pagination and path filtering come from iamconsole/backends/paging.py, user lookups from users/ops.py.
"""

from django.db.models import Exists, OuterRef

from iamconsole import ids
from iamconsole.backends import authz
from iamconsole.backends.base import group_resource, operation, user_resource
from iamconsole.backends.errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity
from iamconsole.backends.paging import keyset_page, under_path
from iamconsole.backends.rows import lock_account, save_new, save_renamed
from policies.models import InlinePolicy, PolicyAttachment
from users.models import IAMUser
from users.ops import get_user_or_404, user_dict

from .models import Group, GroupMembership

GROUPS_PER_ACCOUNT = 300  # GroupsQuota default (facts §4)
GROUPS_PER_USER = 10  # GroupsPerUserQuota, fixed


def get_group_or_404(ctx, name: str, *, lock: bool = False) -> Group:
    """The account's group called `name` (case-insensitively), or AWS's NoSuchEntity.

    `lock` takes the group's row lock so membership and policy checks hold until the commit.
    """
    queryset = Group.objects.select_related("account")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(account=ctx.account, name_lower=name.lower())
    except Group.DoesNotExist:
        raise NoSuchEntity(f"The group with name {name} cannot be found.")


def group_dict(group: Group) -> dict:
    """The `Group` shape as IAM returns it everywhere."""
    return {
        "Path": group.path,
        "GroupName": group.name,
        "GroupId": group.group_id,
        "Arn": group.arn,
        "CreateDate": group.created,
    }


@operation("CreateGroup", resource=group_resource)
def create_group(ctx, *, GroupName, Path="/"):
    """A new, empty group (groups cannot be tagged)."""
    lock_account(ctx)
    if Group.objects.filter(account=ctx.account, name_lower=GroupName.lower()).exists():
        raise EntityAlreadyExists(f"Group with name {GroupName} already exists.")
    if Group.objects.filter(account=ctx.account).count() >= GROUPS_PER_ACCOUNT:
        raise LimitExceeded(f"Cannot exceed quota for GroupsPerAccount: {GROUPS_PER_ACCOUNT}")
    group = Group(
        account=ctx.account,
        group_id=ids.unique_id("AGPA"),
        name=GroupName,
        name_lower=GroupName.lower(),
        path=Path,
        created=ctx.now,
    )
    save_new(group, exists_message=f"Group with name {GroupName} already exists.")
    return {"Group": group_dict(group)}


@operation("GetGroup", resource=group_resource)
def get_group(ctx, *, GroupName, Marker=None, MaxItems=None):
    """The group and its members by name, paginated (two queries whatever the size)."""
    group = get_group_or_404(ctx, GroupName)
    members = IAMUser.objects.filter(memberships__group=group)
    users, more = keyset_page(members, kind="GetGroup", key="name_lower", Marker=Marker, MaxItems=MaxItems)
    for user in users:
        user.account = ctx.account  # the ARN needs the account ID; spare the join
    return {"Group": group_dict(group), "Users": [user_dict(user) for user in users], **more}


@operation("ListGroups")
def list_groups(ctx, *, PathPrefix=None, Marker=None, MaxItems=None):
    """The account's groups by name (case-insensitive order), paginated."""
    queryset = under_path(Group.objects.filter(account=ctx.account), PathPrefix)
    groups, more = keyset_page(
        queryset, kind="ListGroups", key="name_lower", Marker=Marker, MaxItems=MaxItems
    )
    for group in groups:
        group.account = ctx.account
    return {"Groups": [group_dict(group) for group in groups], **more}


@operation("UpdateGroup", resource=group_resource)
def update_group(ctx, *, GroupName, NewPath=None, NewGroupName=None):
    """Rename a group and/or change its path; members and policies stay. Renaming also needs
    permission on the new name, as in IAM."""
    group = get_group_or_404(ctx, GroupName, lock=True)
    if NewGroupName is not None and NewGroupName != group.name:
        authz.authorize(ctx, "UpdateGroup", ctx.arn(f"group/{NewGroupName}"))
        taken = Group.objects.filter(account=ctx.account, name_lower=NewGroupName.lower()).exclude(
            pk=group.pk
        )
        if taken.exists():
            raise EntityAlreadyExists(f"Group with name {NewGroupName} already exists.")
        group.name, group.name_lower = NewGroupName, NewGroupName.lower()
    if NewPath is not None:
        group.path = NewPath
    save_renamed(
        group,
        exists_message=f"Group with name {NewGroupName} already exists.",
        update_fields=["name", "name_lower", "path"],
    )
    return {}


# What blocks DeleteGroup, in IAM's order (facts §6): members, inline policies, attached policies.
_DELETE_GROUP_BLOCKERS = (
    ("members", GroupMembership, "Cannot delete entity, must remove users from group first."),
    ("inline_policies", InlinePolicy, "Cannot delete entity, must delete policies first."),
    ("attached_policies", PolicyAttachment, "Cannot delete entity, must detach all policies first."),
)


@operation("DeleteGroup", resource=group_resource)
def delete_group(ctx, *, GroupName):
    """Delete a group with no members and no policies."""
    group = get_group_or_404(ctx, GroupName, lock=True)
    found = (
        Group.objects.filter(pk=group.pk)
        .annotate(
            **{
                f"has_{name}": Exists(model.objects.filter(group=OuterRef("pk")))
                for name, model, _ in _DELETE_GROUP_BLOCKERS
            }
        )
        .values(*(f"has_{name}" for name, _, _ in _DELETE_GROUP_BLOCKERS))
        .get()
    )
    for name, _, message in _DELETE_GROUP_BLOCKERS:
        if found[f"has_{name}"]:
            raise DeleteConflict(message)
    group.delete()
    return {}


@operation("AddUserToGroup", resource=group_resource)
def add_user_to_group(ctx, *, GroupName, UserName):
    """Make the user a member; adding a member again is a no-op, as in IAM. A user is in at most
    10 groups: the user's row lock makes the count hold under concurrent adds."""
    user = get_user_or_404(ctx, UserName, lock=True)
    group = get_group_or_404(ctx, GroupName, lock=True)
    memberships = GroupMembership.objects.filter(user=user)
    if memberships.filter(group=group).exists():
        return {}
    if memberships.count() >= GROUPS_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for GroupsPerUser: {GROUPS_PER_USER}")
    GroupMembership.objects.create(group=group, user=user, created=ctx.now)
    return {}


@operation("RemoveUserFromGroup", resource=group_resource)
def remove_user_from_group(ctx, *, GroupName, UserName):
    """End a membership; removing a user who is not a member succeeds, as in IAM (recorded)."""
    user = get_user_or_404(ctx, UserName, lock=True)
    group = get_group_or_404(ctx, GroupName, lock=True)
    GroupMembership.objects.filter(group=group, user=user).delete()
    return {}


@operation("ListGroupsForUser", resource=user_resource)
def list_groups_for_user(ctx, *, UserName, Marker=None, MaxItems=None):
    """The groups the user is in, by name, paginated."""
    user = get_user_or_404(ctx, UserName)
    queryset = Group.objects.filter(memberships__user=user)
    groups, more = keyset_page(
        queryset, kind="ListGroupsForUser", key="name_lower", Marker=Marker, MaxItems=MaxItems
    )
    for group in groups:
        group.account = ctx.account
    return {"Groups": [group_dict(group) for group in groups], **more}
