"""Local operations on IAM users (the users part of LocalBackend).

Each function is one IAM action (see iamconsole/backends/base.py for the calling convention). The
request members arrive already checked against botocore's input shape; what is checked here is
what the model cannot express: existence, unique names, quotas, tag rules and the preconditions
of DeleteUser, with AWS's wording (reference/aws-iam-facts.md §4-§6, aws-recorded scenarios).

The list helpers (`keyset_page`, `offset_page`, `under_path`, markers) and the tag helpers are
shared with groups/ops.py.
"""

import base64
import binascii
import json

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Substr

from accounts.models import Account
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
from iamconsole.backends.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
    ValidationError,
)
from policies.lookup import attachable_policy_or_404, check_arn
from policies.models import InlinePolicy, PolicyAttachment

from .models import IAMUser

USERS_PER_ACCOUNT = 5000  # UsersQuota, not adjustable (facts §4)
TAGS_PER_USER = 50
DEFAULT_MAX_ITEMS = 100  # what IAM's List* actions return without MaxItems

# AWS's PermissionsBoundaryType on the wire is "Policy" (CLI examples, recorded answers), although
# botocore's enum lists "PermissionsBoundaryPolicy".
BOUNDARY_TYPE = "Policy"


# -- lookups and shapes ---------------------------------------------------------------------------


def get_user_or_404(ctx, name: str, *, lock: bool = False) -> IAMUser:
    """The account's user called `name` (case-insensitively), or AWS's NoSuchEntity.

    `lock` takes the user's row lock (SELECT ... FOR UPDATE) so that checks made afterwards
    (quotas, DeleteUser's preconditions, tag merges) hold until the transaction ends.
    """
    queryset = IAMUser.objects.select_related("account", "permissions_boundary")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(account=ctx.account, name_lower=name.lower())
    except IAMUser.DoesNotExist:
        raise NoSuchEntity(f"The user with name {name} cannot be found.")


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


def lock_account(ctx) -> None:
    """Take the account row's lock, so that per-account quotas hold under concurrent creations."""
    list(Account.objects.select_for_update().filter(pk=ctx.account.pk).values_list("pk", flat=True))


# -- pagination -----------------------------------------------------------------------------------
# Markers are opaque to callers: base64 of [action, position], where the position is the last
# row's sort key (keyset pagination, stable under inserts and deletes) or an offset (small
# in-memory lists such as tags). A marker of another action is refused.


def encode_marker(kind: str, position) -> str:
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
    """One page of an in-memory list: (items, {"IsTruncated", "Marker"?})."""
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


# -- tags -----------------------------------------------------------------------------------------


def check_tags(tags: list[dict]) -> None:
    """The tag rules botocore's model cannot express; any bad tag fails the whole request.

    Keys may not start with `aws:` (any case), and a request may not name a key twice; keys on
    users are case-insensitive, so `Team` and `team` are the same key.
    """
    seen = set()
    for tag in tags:
        key = tag["Key"].lower()
        if key.startswith("aws:"):
            raise InvalidInput(
                "Tag keys cannot start with 'aws:' because the prefix is reserved for AWS use."
            )
        if key in seen:
            raise InvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
        seen.add(key)


def merge_tags(current: list[dict], new: list[dict]) -> list[dict]:
    """`current` with `new` applied, sorted by key: a key matching case-insensitively is replaced
    (key and value, so the new casing wins), others are added."""
    merged = {tag["Key"].lower(): tag for tag in current}
    for tag in new:
        merged[tag["Key"].lower()] = {"Key": tag["Key"], "Value": tag["Value"]}
    return sorted(merged.values(), key=lambda tag: tag["Key"])


def save_renamed(obj, *, exists_message: str, update_fields: list[str]) -> None:
    """Save a renamed user or group; a concurrent rename to the same name becomes EntityAlreadyExists."""
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError:
        raise EntityAlreadyExists(exists_message)


# -- users ----------------------------------------------------------------------------------------


@operation("CreateUser", resource=user_resource)
def create_user(ctx, *, UserName, Path="/", PermissionsBoundary=None, Tags=None):
    """A new user, optionally with a permissions boundary (a managed policy ARN) and tags.

    The response lists the tags in the order they were given, as IAM echoes them; they are stored
    sorted by key, the order of GetUser and ListUserTags.
    """
    tags = [{"Key": tag["Key"], "Value": tag["Value"]} for tag in Tags or []]
    check_tags(tags)
    if PermissionsBoundary is not None:
        check_arn(PermissionsBoundary)
    lock_account(ctx)
    if IAMUser.objects.filter(account=ctx.account, name_lower=UserName.lower()).exists():
        raise EntityAlreadyExists(f"User with name {UserName} already exists.")
    boundary = attachable_policy_or_404(ctx, PermissionsBoundary) if PermissionsBoundary is not None else None
    if IAMUser.objects.filter(account=ctx.account).count() >= USERS_PER_ACCOUNT:
        raise LimitExceeded(f"Cannot exceed quota for UsersPerAccount: {USERS_PER_ACCOUNT}")
    user = IAMUser(
        account=ctx.account,
        user_id=ids.unique_id("AIDA"),
        name=UserName,
        name_lower=UserName.lower(),
        path=Path,
        created=ctx.now,
        tags=sorted(tags, key=lambda tag: tag["Key"]),
        permissions_boundary=boundary,
    )
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError:
        raise EntityAlreadyExists(f"User with name {UserName} already exists.")
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


@operation("ListUsers")
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
    check_tags(Tags)
    user = get_user_or_404(ctx, UserName, lock=True)
    merged = merge_tags(user.tags, Tags)
    if len(merged) > TAGS_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for TagsPerUser: {TAGS_PER_USER}")
    user.tags = merged
    user.save(update_fields=["tags"])
    return {}


@operation("UntagUser", resource=user_resource)
def untag_user(ctx, *, UserName, TagKeys):
    """Remove tags by key (case-insensitively); keys the user does not have are ignored."""
    user = get_user_or_404(ctx, UserName, lock=True)
    doomed = {key.lower() for key in TagKeys}
    kept = [tag for tag in user.tags if tag["Key"].lower() not in doomed]
    if len(kept) != len(user.tags):
        user.tags = kept
        user.save(update_fields=["tags"])
    return {}


@operation("ListUserTags", resource=user_resource)
def list_user_tags(ctx, *, UserName, Marker=None, MaxItems=None):
    """The user's tags sorted by key, paginated."""
    user = get_user_or_404(ctx, UserName)
    tags = sorted(user.tags, key=lambda tag: tag["Key"])
    page, more = offset_page(tags, kind="ListUserTags", Marker=Marker, MaxItems=MaxItems)
    return {"Tags": [{"Key": tag["Key"], "Value": tag["Value"]} for tag in page], **more}


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
