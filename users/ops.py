"""Local operations on IAM users (the users part of LocalBackend).

Each function is one IAM action (see iamconsole/backends/base.py for the calling convention). The
request members arrive already checked against botocore's input shape; what is checked here is
what the model cannot express: existence, unique names, quotas, tag rules and the preconditions
of DeleteUser, with AWS's wording (reference/aws-iam-facts.md §4-§6, aws-recorded scenarios).

List pagination comes from iamconsole/backends/paging.py, the tag rules from
iamconsole/backends/tagging.py (user tag keys are case-insensitive, the new casing wins).
"""

import functools

from django.db import connection
from django.db.models import Exists, OuterRef

from credentials.models import (
    AccessKey,
    LoginProfile,
    ServiceSpecificCredential,
    SigningCertificate,
    SSHPublicKey,
    VirtualMFADevice,
)
from groups.models import GroupMembership
from iamconsole import ids
from iamconsole.backends import authz
from iamconsole.backends.base import operation, user_resource
from iamconsole.backends.errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity
from iamconsole.backends.paging import keyset_page, offset_page, under_path
from iamconsole.backends.rows import insert_new, lock_account_counting, save_renamed
from iamconsole.backends.tagging import check_tags, merge_tags, remove_tags, sorted_tags
from policies.lookup import attachable_policy_or_404, check_arn
from policies.models import InlinePolicy, PolicyAttachment

from .models import IAMUser

USERS_PER_ACCOUNT = 5000  # UsersQuota, not adjustable (facts §4)
TAGS_PER_USER = 50

# AWS's PermissionsBoundaryType on the wire is "Policy" (CLI examples, recorded answers), although
# botocore's enum lists "PermissionsBoundaryPolicy".
BOUNDARY_TYPE = "Policy"


# -- lookups and shapes ---------------------------------------------------------------------------


def get_user_or_404(ctx, name: str, *, lock: bool = False) -> IAMUser:
    """The account's user called `name` (case-insensitively), or AWS's NoSuchEntity.

    `lock` takes the user's row lock (SELECT ... FOR UPDATE) so that checks made afterwards
    (quotas, DeleteUser's preconditions, tag merges) hold until the transaction ends.
    """
    # The account is the caller's (no join for it); a permissions boundary, which few users have, is
    # loaded on first use.
    found = IAMUser.objects.raw(_user_by_name_sql(lock), [ctx.account.pk, name.lower()])
    user = next(iter(found), None)
    if user is None:
        raise NoSuchEntity(f"The user with name {name} cannot be found.")
    user.account = ctx.account
    return user


@functools.cache
def _user_by_name_sql(lock: bool) -> str:
    """get_user_or_404's statement, built once from the model: it is the hottest lookup of nearly every
    user action, and the ORM would compile the same SQL again on each call (about half its cost)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in IAMUser._meta.concrete_fields)
    # Only the model's own (quoted) names are formatted in; the values are parameters.
    table = quote(IAMUser._meta.db_table)
    sql = f"SELECT {columns} FROM {table} WHERE account_id = %s AND name_lower = %s"  # noqa: S608
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql


def user_dict(user: IAMUser, *, full: bool = False) -> dict:
    """The `User` shape; `full` adds PermissionsBoundary and Tags as GetUser/CreateUser return them."""
    out = {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.user_id,
        "Arn": user.arn,
        "CreateDate": user.created,
    }
    if user.password_last_used:
        out["PasswordLastUsed"] = user.password_last_used
    if full:
        if user.permissions_boundary_id:
            out["PermissionsBoundary"] = {
                "PermissionsBoundaryType": BOUNDARY_TYPE,
                "PermissionsBoundaryArn": user.permissions_boundary.arn,
            }
        if user.tags:
            out["Tags"] = [{"Key": tag["Key"], "Value": tag["Value"]} for tag in user.tags]
    return out


# -- users ----------------------------------------------------------------------------------------


@operation("CreateUser", resource=user_resource)
def create_user(ctx, *, UserName, Path="/", PermissionsBoundary=None, Tags=None):
    """A new user, optionally with a permissions boundary (a managed policy ARN) and tags.

    The response lists the tags in the order they were given, as IAM echoes them; they are stored
    sorted by key, the order of GetUser and ListUserTags.
    """
    tags = [{"Key": tag["Key"], "Value": tag["Value"]} for tag in Tags or []]
    check_tags(tags, case_insensitive=True)
    if PermissionsBoundary is not None:
        check_arn(PermissionsBoundary)
    # One round trip for the lock and both checks (the name is free, the quota is not reached).
    counts = lock_account_counting(ctx, IAMUser, total={}, taken={"name_lower": UserName.lower()})
    if counts["taken"]:
        raise EntityAlreadyExists(f"User with name {UserName} already exists.")
    boundary = attachable_policy_or_404(ctx, PermissionsBoundary) if PermissionsBoundary is not None else None
    if counts["total"] >= USERS_PER_ACCOUNT:
        raise LimitExceeded(f"Cannot exceed quota for UsersPerAccount: {USERS_PER_ACCOUNT}")
    user = IAMUser(
        account=ctx.account,
        user_id=ids.unique_id("AIDA"),
        name=UserName,
        name_lower=UserName.lower(),
        path=Path,
        created=ctx.now,
        tags=sorted_tags(tags),
        permissions_boundary=boundary,
    )
    insert_new(user, exists_message=f"User with name {UserName} already exists.")
    out = user_dict(user, full=True)
    if tags:
        out["Tags"] = tags
    return {"User": out}


@operation("GetUser", resource=user_resource)
def get_user(ctx, *, UserName=None):
    """One user with its boundary and tags; without UserName, the caller (root has no IAM user)."""
    if UserName is None:
        if ctx.principal.is_root:
            return {
                "User": {
                    "UserId": ctx.account_id,
                    "Arn": ctx.account.root_arn,
                    "CreateDate": ctx.account.created,
                }
            }
        UserName = ctx.principal.user_name
    return {"User": user_dict(get_user_or_404(ctx, UserName), full=True)}


@operation("ListUsers", resource=lambda ctx, params: ctx.arn(f"user{params.get('PathPrefix') or '/'}"))
def list_users(ctx, *, PathPrefix=None, Marker=None, MaxItems=None):
    """The account's users by name (case-insensitive order), without tags or boundary, paginated."""
    queryset = under_path(IAMUser.objects.filter(account=ctx.account), PathPrefix)
    users, more = keyset_page(queryset, kind="ListUsers", key="name_lower", Marker=Marker, MaxItems=MaxItems)
    for user in users:
        user.account = ctx.account  # the ARN needs the account ID; spare the join
    return {"Users": [user_dict(user) for user in users], **more}


@operation("UpdateUser", resource=user_resource)
def update_user(ctx, *, UserName, NewPath=None, NewUserName=None):
    """Rename a user and/or move it to another path; its unique ID and everything attached stay.

    As in IAM, renaming also needs permission on the new name.
    """
    user = get_user_or_404(ctx, UserName, lock=True)
    if NewUserName is not None and NewUserName != user.name:
        authz.authorize(ctx, "UpdateUser", ctx.arn(f"user/{NewUserName}"))
        taken = IAMUser.objects.filter(account=ctx.account, name_lower=NewUserName.lower()).exclude(
            pk=user.pk
        )
        if taken.exists():
            raise EntityAlreadyExists(f"User with name {NewUserName} already exists.")
        user.name, user.name_lower = NewUserName, NewUserName.lower()
    if NewPath is not None:
        user.path = NewPath
    save_renamed(
        user,
        exists_message=f"User with name {NewUserName} already exists.",
        update_fields=["name", "name_lower", "path"],
    )
    return {}


# What blocks DeleteUser, in the order IAM reports it (facts §6). The messages are AWS's as
# recorded or seen in real output; signing certificates' is the only one not seen from AWS itself.
_REFERENCED = "Cannot delete entity, must remove referenced objects first."
_DELETE_USER_BLOCKERS = (
    ("login_profile", LoginProfile, "Cannot delete entity, must delete login profile first."),
    ("access_keys", AccessKey, "Cannot delete entity, must delete access keys first."),
    (
        "signing_certificates",
        SigningCertificate,
        "Cannot delete entity, must delete signing certificates first.",
    ),
    ("ssh_public_keys", SSHPublicKey, _REFERENCED),
    ("service_credentials", ServiceSpecificCredential, _REFERENCED),
    ("mfa_devices", VirtualMFADevice, "Cannot delete entity, must delete MFA device first."),
    ("inline_policies", InlinePolicy, "Cannot delete entity, must delete policies first."),
    ("attached_policies", PolicyAttachment, "Cannot delete entity, must detach all policies first."),
    ("memberships", GroupMembership, "Cannot delete entity, must remove users from group first."),
)


def delete_user_blocker(user: IAMUser) -> str | None:
    """AWS's DeleteConflict message for the first thing still attached to `user`, or None (one query)."""
    found = (
        IAMUser.objects.filter(pk=user.pk)
        .annotate(
            **{
                f"has_{name}": Exists(model.objects.filter(user=OuterRef("pk")))
                for name, model, _ in _DELETE_USER_BLOCKERS
            }
        )
        .values(*(f"has_{name}" for name, _, _ in _DELETE_USER_BLOCKERS))
        .get()
    )
    return next((message for name, _, message in _DELETE_USER_BLOCKERS if found[f"has_{name}"]), None)


@operation("DeleteUser", resource=user_resource)
def delete_user(ctx, *, UserName):
    """Delete a user that has nothing attached any more (tags and the boundary do not block)."""
    user = get_user_or_404(ctx, UserName, lock=True)
    blocker = delete_user_blocker(user)
    if blocker:
        raise DeleteConflict(blocker)
    user.delete()
    return {}


# -- tags -----------------------------------------------------------------------------------------


@operation("TagUser", resource=user_resource)
def tag_user(ctx, *, UserName, Tags):
    """Add or overwrite tags; at most 50 in all afterwards, else nothing changes."""
    check_tags(Tags, case_insensitive=True)
    user = get_user_or_404(ctx, UserName, lock=True)
    merged = merge_tags(user.tags, Tags, case_insensitive=True, quota=TAGS_PER_USER, quota_name="TagsPerUser")
    user.tags = sorted_tags(merged)
    user.save(update_fields=["tags"])
    return {}


@operation("UntagUser", resource=user_resource)
def untag_user(ctx, *, UserName, TagKeys):
    """Remove tags by key (case-insensitively); keys the user does not have are ignored."""
    user = get_user_or_404(ctx, UserName, lock=True)
    kept = remove_tags(user.tags, TagKeys, case_insensitive=True)
    if len(kept) != len(user.tags):
        user.tags = kept
        user.save(update_fields=["tags"])
    return {}


@operation("ListUserTags", resource=user_resource)
def list_user_tags(ctx, *, UserName, Marker=None, MaxItems=None):
    """The user's tags sorted by key, paginated."""
    user = get_user_or_404(ctx, UserName)
    page, more = offset_page(sorted_tags(user.tags), kind="ListUserTags", Marker=Marker, MaxItems=MaxItems)
    return {"Tags": page, **more}


# -- permissions boundary -------------------------------------------------------------------------


@operation("PutUserPermissionsBoundary", resource=user_resource)
def put_user_permissions_boundary(ctx, *, UserName, PermissionsBoundary):
    """Set (or replace) the managed policy that caps the user's permissions."""
    check_arn(PermissionsBoundary)
    user = get_user_or_404(ctx, UserName, lock=True)
    user.permissions_boundary = attachable_policy_or_404(ctx, PermissionsBoundary)
    user.save(update_fields=["permissions_boundary"])
    return {}


@operation("DeleteUserPermissionsBoundary", resource=user_resource)
def delete_user_permissions_boundary(ctx, *, UserName):
    """Remove the user's boundary (no error when there is none)."""
    user = get_user_or_404(ctx, UserName, lock=True)
    if user.permissions_boundary_id is not None:
        user.permissions_boundary = None
        user.save(update_fields=["permissions_boundary"])
    return {}
