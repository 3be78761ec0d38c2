"""Local operations on managed policies, their versions, attachments and inline policies (the
policies part of LocalBackend).

Each function is one IAM action (see iamconsole/backends/base.py for the calling convention).
Documents are checked by policies/grammar.py; what is checked here is existence, ownership (AWS
managed policies are read-only and shared by every account), quotas and preconditions, with
AWS's wording (aws-recorded scenarios, topics policies, managed_policies, policy_versions,
attachments, inline_policies; reference/aws-iam-facts.md §4, §6).

Policy documents are returned as the JSON text that was stored (botocore's `policyDocumentType`
is a string; boto3 alone decodes it into a dict after the call).
"""

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from groups.models import Group
from iamconsole import ids
from iamconsole.backends.base import group_resource, operation, policy_resource, user_resource
from iamconsole.backends.errors import (
    AccessDenied,
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    NoSuchEntity,
    PolicyNotAttachable,
    ValidationError,
)
from iamconsole.backends.paging import (
    DEFAULT_MAX_ITEMS,
    decode_marker,
    encode_marker,
    keyset_page,
    offset_page,
    under_path,
)
from iamconsole.backends.rows import lock_account, save_new
from iamconsole.backends.tagging import check_tags, merge_tags, remove_tags, sorted_tags
from users.models import IAMUser
from users.ops import get_user_or_404

from . import policy_cache
from .documents import output_document
from .grammar import GROUP_INLINE_SIZE, USER_INLINE_SIZE, policy_size, validate_policy_document
from .lookup import check_arn, find_policy
from .models import InlinePolicy, ManagedPolicy, PolicyAttachment, PolicyVersion

POLICIES_PER_ACCOUNT = 1500  # customer managed policies (facts §4)
VERSIONS_PER_POLICY = 5
POLICIES_PER_USER = 10  # AttachedPoliciesPerUserQuota
POLICIES_PER_GROUP = 10  # AttachedPoliciesPerGroupQuota
TAGS_PER_POLICY = 50  # tags follow iamconsole/backends/tagging.py, keys case-sensitive

# The messages for AWS managed policies, which no account may change (recorded answers).
_AWS_DELETE = "Cannot delete policies outside your own account."
_AWS_DELETE_VERSION = "Cannot delete policy versions for policies outside your own account."
_AWS_UPDATE = "Cannot update policies outside your own account."


# -- lookups and shapes ---------------------------------------------------------------------------


def _not_found(arn: str) -> NoSuchEntity:
    return NoSuchEntity(f"Policy {arn} was not found.")


def _version_not_found(arn: str, version_id: str) -> NoSuchEntity:
    return NoSuchEntity(f"Policy {arn} version {version_id} does not exist or is not attachable.")


def _is_aws_arn(arn: str) -> bool:
    """`arn:aws:iam::aws:policy/...`: the account segment of AWS managed policies is `aws`."""
    parts = arn.split(":")
    return len(parts) > 4 and parts[4] == "aws"


def policy_or_404(ctx, arn: str) -> ManagedPolicy:
    """An AWS managed or this account's policy, or AWS's "Policy <arn> was not found."."""
    policy = find_policy(ctx, arn)
    if policy is None:
        raise _not_found(arn)
    return policy


def own_policy(ctx, arn: str, *, denied: str, missing=None, lock: bool = False) -> ManagedPolicy:
    """This account's customer managed policy for a change: AccessDenied(`denied`) for an AWS
    managed ARN, `missing` (default "was not found") when there is no such policy. `lock` takes
    the policy's row lock, so version and tag quotas hold under concurrent calls."""
    check_arn(arn)
    if _is_aws_arn(arn):
        raise AccessDenied(denied)
    queryset = ManagedPolicy.objects.filter(account=ctx.account, arn=arn)
    if lock:
        queryset = queryset.select_for_update()
    policy = queryset.first()
    if policy is None:
        raise missing or _not_found(arn)
    return policy


def _with_counts(queryset, ctx):
    """Annotate AttachmentCount and PermissionsBoundaryUsageCount as seen from `ctx.account`
    (AWS managed policies are shared, so their counts are per account): two subqueries, so a
    list costs one query whatever its length."""
    attachments = (
        PolicyAttachment.objects.filter(policy=OuterRef("pk"), account=ctx.account)
        .order_by()
        .values("policy")
        .annotate(n=Count("pk"))
        .values("n")
    )
    boundaries = (
        IAMUser.objects.filter(permissions_boundary=OuterRef("pk"), account=ctx.account)
        .order_by()
        .values("permissions_boundary")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        attachment_count=Coalesce(Subquery(attachments, output_field=IntegerField()), Value(0)),
        boundary_count=Coalesce(Subquery(boundaries, output_field=IntegerField()), Value(0)),
    )


def _counted(ctx, policy: ManagedPolicy) -> ManagedPolicy:
    return _with_counts(ManagedPolicy.objects.filter(pk=policy.pk), ctx).get()


def policy_dict(policy: ManagedPolicy, *, description: bool = False, tags: bool = False) -> dict:
    """The `Policy` shape. ListPolicies and CreatePolicy leave out Description; GetPolicy adds it
    (when set) and always the Tags, sorted as ListPolicyTags sorts them."""
    out = {
        "PolicyName": policy.name,
        "PolicyId": policy.policy_id,
        "Arn": policy.arn,
        "Path": policy.path,
        "DefaultVersionId": policy.default_version_id,
        "AttachmentCount": getattr(policy, "attachment_count", 0),
        "PermissionsBoundaryUsageCount": getattr(policy, "boundary_count", 0),
        "IsAttachable": True,
        "CreateDate": policy.created,
        "UpdateDate": policy.updated,
    }
    if description and policy.description:
        out["Description"] = policy.description
    if tags:
        out["Tags"] = sorted_tags(policy.tags, shorter_first=True)
    return out


def version_dict(version: PolicyVersion, *, document: bool = False) -> dict:
    out = {
        "VersionId": version.version_id,
        "IsDefaultVersion": version.is_default,
        "CreateDate": version.created,
    }
    if document:
        out = {"Document": output_document(version.document), **out}
    return out


def _composite_page(queryset, *, kind: str, keys: tuple[str, ...], Marker=None, MaxItems=None):
    """Keyset pagination over ascending columns whose last one is unique: one query per page."""
    if Marker is not None:
        position = decode_marker(kind, Marker, list)
        if len(position) != len(keys) or not all(isinstance(value, str | int) for value in position):
            raise ValidationError("Invalid Marker.")
        # (k1, k2, k3) > (v1, v2, v3), spelled out: k1 > v1, or k1 = v1 and k2 > v2, or ...
        after = Q(pk__in=[])
        for index, key in enumerate(keys):
            equal = {keys[i]: position[i] for i in range(index)}
            after |= Q(**equal, **{f"{key}__gt": position[index]})
        queryset = queryset.filter(after)
    limit = MaxItems or DEFAULT_MAX_ITEMS
    rows = list(queryset.order_by(*keys)[: limit + 1])
    page = rows[:limit]
    more = {"IsTruncated": len(rows) > limit}
    if more["IsTruncated"]:
        more["Marker"] = encode_marker(kind, [getattr(page[-1], key) for key in keys])
    return page, more


def _id_page(queryset, *, kind: str, descending: bool = False, Marker=None, MaxItems=None):
    """Keyset pagination on the primary key (insertion order, or newest first)."""
    if Marker is not None:
        position = decode_marker(kind, Marker, int)
        queryset = queryset.filter(**{"pk__lt" if descending else "pk__gt": position})
    limit = MaxItems or DEFAULT_MAX_ITEMS
    rows = list(queryset.order_by("-pk" if descending else "pk")[: limit + 1])
    page = rows[:limit]
    more = {"IsTruncated": len(rows) > limit}
    if more["IsTruncated"]:
        more["Marker"] = encode_marker(kind, page[-1].pk)
    return page, more


# -- managed policies -----------------------------------------------------------------------------


@operation("CreatePolicy", resource=policy_resource)
def create_policy(ctx, *, PolicyName, PolicyDocument, Path="/", Description=None, Tags=None):
    """A customer managed policy with its document as default version v1.

    The answer leaves out the Description (IAM shows it only from GetPolicy) and echoes the tags
    in the order given.
    """
    tags = [{"Key": tag["Key"], "Value": tag["Value"]} for tag in Tags or []]
    # Policy tag keys are case-sensitive; a repeated one gets the bare duplicate message.
    check_tags(tags, case_insensitive=False, note_case=False)
    validate_policy_document(PolicyDocument, kind="managed")
    lock_account(ctx)
    exists = f"A policy called {PolicyName} already exists. Duplicate names are not allowed."
    if ManagedPolicy.objects.filter(account=ctx.account, name_lower=PolicyName.lower()).exists():
        raise EntityAlreadyExists(exists)
    if ManagedPolicy.objects.filter(account=ctx.account).count() >= POLICIES_PER_ACCOUNT:
        raise LimitExceeded(f"Cannot exceed quota for PoliciesPerAccount: {POLICIES_PER_ACCOUNT}")
    policy = ManagedPolicy(
        account=ctx.account,
        arn=ctx.arn(f"policy{Path}{PolicyName}"),
        policy_id=ids.unique_id("ANPA"),
        name=PolicyName,
        name_lower=PolicyName.lower(),
        path=Path,
        description=Description or "",
        default_version_id="v1",
        next_version=2,
        created=ctx.now,
        updated=ctx.now,
        tags=tags,
    )
    save_new(policy, exists_message=exists)
    PolicyVersion.objects.create(
        policy=policy, version_id="v1", document=PolicyDocument, is_default=True, created=ctx.now
    )
    out = policy_dict(policy)
    if tags:
        out["Tags"] = tags
    return {"Policy": out}


@operation("GetPolicy", resource=policy_resource)
def get_policy(ctx, *, PolicyArn):
    """A managed policy (AWS or this account's) with this account's attachment counts and its tags."""
    policy = policy_or_404(ctx, PolicyArn)
    return {"Policy": policy_dict(_counted(ctx, policy), description=True, tags=True)}


@operation("ListPolicies")
def list_policies(
    ctx,
    *,
    Scope="All",
    OnlyAttached=False,
    PathPrefix=None,
    PolicyUsageFilter=None,
    Marker=None,
    MaxItems=None,
):
    """AWS managed and/or this account's policies by name, with this account's counts, paginated.

    `OnlyAttached` keeps the policies attached to a user or group of the account;
    `PolicyUsageFilter` keeps those used as permissions policy, or as permissions boundary.
    """
    if Scope == "AWS":
        queryset = ManagedPolicy.objects.filter(account__isnull=True)
    elif Scope == "Local":
        queryset = ManagedPolicy.objects.filter(account=ctx.account)
    else:
        queryset = ManagedPolicy.objects.filter(Q(account__isnull=True) | Q(account=ctx.account))
    queryset = _with_counts(under_path(queryset, PathPrefix), ctx)
    if OnlyAttached or PolicyUsageFilter == "PermissionsPolicy":
        queryset = queryset.filter(attachment_count__gt=0)
    if PolicyUsageFilter == "PermissionsBoundary":
        queryset = queryset.filter(boundary_count__gt=0)
    # The account's own policies come first (AWS answered a new customer policy on page one of
    # Scope=All), then AWS's, each by name.
    queryset = queryset.annotate(aws_managed=Case(When(account__isnull=True, then=1), default=0))
    policies, more = _composite_page(
        queryset,
        kind="ListPolicies",
        keys=("aws_managed", "name_lower", "id"),
        Marker=Marker,
        MaxItems=MaxItems,
    )
    return {"Policies": [policy_dict(policy) for policy in policies], **more}


@operation("DeletePolicy", resource=policy_resource)
def delete_policy(ctx, *, PolicyArn):
    """Delete a customer managed policy that is attached to nothing, used as no boundary, and has
    only its default version left."""
    policy = own_policy(ctx, PolicyArn, denied=_AWS_DELETE, lock=True)
    counted = _counted(ctx, policy)
    if counted.attachment_count or counted.boundary_count:
        raise DeleteConflict("Cannot delete a policy attached to entities.")
    if policy.versions.count() > 1:
        raise DeleteConflict(
            "This policy has more than one version. Before you delete a policy, you must delete the "
            "policy's versions. The default version is deleted with the policy."
        )
    policy.delete()
    return {}


# -- versions -------------------------------------------------------------------------------------


@operation("CreatePolicyVersion", resource=policy_resource)
def create_policy_version(ctx, *, PolicyArn, PolicyDocument, SetAsDefault=False):
    """A new version (v2, v3, ... never reused); a policy keeps at most five."""
    policy = own_policy(ctx, PolicyArn, denied=_AWS_UPDATE, lock=True)
    validate_policy_document(PolicyDocument, kind="managed")
    if policy.versions.count() >= VERSIONS_PER_POLICY:
        raise LimitExceeded(
            f"A managed policy can have up to {VERSIONS_PER_POLICY} versions. "
            "Before you create a new version, you must delete an existing version."
        )
    version = PolicyVersion(
        policy=policy,
        version_id=f"v{policy.next_version}",
        document=PolicyDocument,
        is_default=SetAsDefault,
        created=ctx.now,
    )
    if SetAsDefault:
        policy.versions.update(is_default=False)
        policy.default_version_id = version.version_id
    version.save(force_insert=True)
    # UpdateDate is the creation time of the most recent version (botocore's Policy docs).
    policy.next_version += 1
    policy.updated = ctx.now
    policy.save(update_fields=["next_version", "default_version_id", "updated"])
    return {"PolicyVersion": version_dict(version)}


def _version_or_404(ctx, policy: ManagedPolicy | None, arn: str, version_id: str) -> PolicyVersion:
    version = None if policy is None else policy.versions.filter(version_id=version_id).first()
    if version is None:
        raise _version_not_found(arn, version_id)
    return version


@operation("GetPolicyVersion", resource=policy_resource)
def get_policy_version(ctx, *, PolicyArn, VersionId):
    """One version with its document, as the JSON text stored."""
    policy = find_policy(ctx, PolicyArn)
    return {"PolicyVersion": version_dict(_version_or_404(ctx, policy, PolicyArn, VersionId), document=True)}


@operation("ListPolicyVersions", resource=policy_resource)
def list_policy_versions(ctx, *, PolicyArn, Marker=None, MaxItems=None):
    """The versions, newest first, without their documents."""
    policy = policy_or_404(ctx, PolicyArn)
    versions, more = _id_page(
        policy.versions.all(), kind="ListPolicyVersions", descending=True, Marker=Marker, MaxItems=MaxItems
    )
    return {"Versions": [version_dict(version) for version in versions], **more}


@operation("DeletePolicyVersion", resource=policy_resource)
def delete_policy_version(ctx, *, PolicyArn, VersionId):
    """Delete a version other than the default one."""
    missing = _version_not_found(PolicyArn, VersionId)
    policy = own_policy(ctx, PolicyArn, denied=_AWS_DELETE_VERSION, missing=missing, lock=True)
    version = _version_or_404(ctx, policy, PolicyArn, VersionId)
    if version.is_default:
        raise DeleteConflict("Cannot delete the default version of a policy.")
    version.delete()
    return {}


@operation("SetDefaultPolicyVersion", resource=policy_resource)
def set_default_policy_version(ctx, *, PolicyArn, VersionId):
    """Make an existing version the one in force."""
    missing = _version_not_found(PolicyArn, VersionId)
    policy = own_policy(ctx, PolicyArn, denied=_AWS_UPDATE, missing=missing, lock=True)
    version = _version_or_404(ctx, policy, PolicyArn, VersionId)
    policy.versions.exclude(pk=version.pk).update(is_default=False)
    if not version.is_default:
        version.is_default = True
        version.save(update_fields=["is_default"])
    policy.default_version_id = version.version_id
    policy.save(update_fields=["default_version_id"])
    return {}


# -- who uses a policy ----------------------------------------------------------------------------


@operation("ListEntitiesForPolicy", resource=policy_resource)
def list_entities_for_policy(
    ctx, *, PolicyArn, EntityFilter=None, PathPrefix=None, PolicyUsageFilter=None, Marker=None, MaxItems=None
):
    """The account's groups, then users, that have the policy attached (or, for users, use it as
    permissions boundary), by name. This account has no roles, so PolicyRoles is always empty."""
    policy = find_policy(ctx, PolicyArn)
    if policy is None:
        raise NoSuchEntity(f"Policy {PolicyArn} does not exist or is not attachable.")
    wanted = {"User": ("user",), "Group": ("group",), "Role": ()}.get(EntityFilter, ("group", "user"))
    if EntityFilter == "LocalManagedPolicy" and policy.is_aws_managed:
        wanted = ()
    if EntityFilter == "AWSManagedPolicy" and not policy.is_aws_managed:
        wanted = ()
    as_policy = PolicyUsageFilter in (None, "PermissionsPolicy")
    as_boundary = PolicyUsageFilter in (None, "PermissionsBoundary")
    entities = []  # (kind, name_lower, row): groups first, then users, each by name
    if "group" in wanted and as_policy:
        groups = Group.objects.filter(account=ctx.account, policy_attachments__policy=policy)
        entities += [
            ("group", g.name_lower, g) for g in under_path(groups, PathPrefix).order_by("name_lower")
        ]
    if "user" in wanted and (as_policy or as_boundary):
        used = Q(pk__in=[]) if not as_policy else Q(policy_attachments__policy=policy)
        if as_boundary:
            used |= Q(permissions_boundary=policy)
        users = IAMUser.objects.filter(used, account=ctx.account).distinct()
        entities += [("user", u.name_lower, u) for u in under_path(users, PathPrefix).order_by("name_lower")]
    page, more = offset_page(entities, kind="ListEntitiesForPolicy", Marker=Marker, MaxItems=MaxItems)
    return {
        "PolicyGroups": [
            {"GroupName": row.name, "GroupId": row.group_id} for kind, _, row in page if kind == "group"
        ],
        "PolicyUsers": [
            {"UserName": row.name, "UserId": row.user_id} for kind, _, row in page if kind == "user"
        ],
        "PolicyRoles": [],
        **more,
    }


# -- policy tags ----------------------------------------------------------------------------------


@operation("TagPolicy", resource=policy_resource)
def tag_policy(ctx, *, PolicyArn, Tags):
    """Add tags or replace the values of existing keys (case-sensitive); at most 50 in all."""
    check_tags(Tags, case_insensitive=False, note_case=False)
    policy = own_policy(ctx, PolicyArn, denied=_AWS_UPDATE, lock=True)
    # Stored in insertion order; GetPolicy and ListPolicyTags sort on the way out.
    policy.tags = merge_tags(
        policy.tags, Tags, case_insensitive=False, quota=TAGS_PER_POLICY, quota_name="TagsPerPolicy"
    )
    policy.save(update_fields=["tags"])
    return {}


@operation("UntagPolicy", resource=policy_resource)
def untag_policy(ctx, *, PolicyArn, TagKeys):
    """Remove the named tags; keys the policy does not have are ignored."""
    policy = own_policy(ctx, PolicyArn, denied=_AWS_UPDATE, lock=True)
    policy.tags = remove_tags(policy.tags, TagKeys, case_insensitive=False)
    policy.save(update_fields=["tags"])
    return {}


@operation("ListPolicyTags", resource=policy_resource)
def list_policy_tags(ctx, *, PolicyArn, Marker=None, MaxItems=None):
    """The policy's tags, shorter keys first then by key (the order IAM answers with)."""
    policy = policy_or_404(ctx, PolicyArn)
    tags, more = offset_page(
        sorted_tags(policy.tags, shorter_first=True), kind="ListPolicyTags", Marker=Marker, MaxItems=MaxItems
    )
    return {"Tags": tags, **more}


# -- attachments ----------------------------------------------------------------------------------


def _group_or_404(ctx, name: str, *, lock: bool = False) -> Group:
    queryset = Group.objects.select_related("account")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    group = queryset.filter(account=ctx.account, name_lower=name.lower()).first()
    if group is None:
        raise NoSuchEntity(f"The group with name {name} cannot be found.")
    return group


def _attach(ctx, arn: str, *, entity, field: str, quota_name: str, quota: int, label: str) -> None:
    """Attach the policy to a (locked) user or group; attaching twice is a no-op, as in IAM."""
    policy = find_policy(ctx, arn)
    if policy is None:
        raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
    if policy.is_aws_managed and policy.path.startswith("/aws-service-role/"):
        # Policies of service-linked roles attach to those roles only.
        raise PolicyNotAttachable(f"Cannot attach a Service Role Policy to a {label}.")
    # At most the quota's few: one query for both checks.
    attached = set(PolicyAttachment.objects.filter(**{field: entity}).values_list("policy_id", flat=True))
    if policy.pk in attached:
        return
    if len(attached) >= quota:
        raise LimitExceeded(f"Cannot exceed quota for {quota_name}: {quota}")
    PolicyAttachment.objects.create(account=ctx.account, policy=policy, created=ctx.now, **{field: entity})


def _detach(ctx, arn: str, *, entity, field: str) -> None:
    removed, _ = PolicyAttachment.objects.filter(**{field: entity}, policy__arn=arn).delete()
    if not removed:
        raise NoSuchEntity(f"Policy {arn} was not found.")


def _attached_page(
    ctx, entity, *, field: str, kind: str, PathPrefix=None, Marker=None, MaxItems=None
) -> dict:
    attachments = PolicyAttachment.objects.filter(**{field: entity}).select_related("policy")
    if PathPrefix:
        policies = under_path(ManagedPolicy.objects.all(), PathPrefix)
        attachments = attachments.filter(policy__in=policies)
    page, more = _id_page(attachments, kind=kind, Marker=Marker, MaxItems=MaxItems)
    return {
        "AttachedPolicies": [{"PolicyName": a.policy.name, "PolicyArn": a.policy.arn} for a in page],
        **more,
    }


@operation("AttachUserPolicy", resource=user_resource)
def attach_user_policy(ctx, *, UserName, PolicyArn):
    """Attach a managed policy to a user (at most 10 per user)."""
    check_arn(PolicyArn)
    user = get_user_or_404(ctx, UserName, lock=True)
    _attach(
        ctx,
        PolicyArn,
        entity=user,
        field="user",
        quota_name="PoliciesPerUser",
        quota=POLICIES_PER_USER,
        label="User",
    )
    return {}


@operation("DetachUserPolicy", resource=user_resource)
def detach_user_policy(ctx, *, UserName, PolicyArn):
    """Detach a managed policy from a user; NoSuchEntity when it was not attached."""
    check_arn(PolicyArn)
    _detach(ctx, PolicyArn, entity=get_user_or_404(ctx, UserName), field="user")
    return {}


@operation("ListAttachedUserPolicies", resource=user_resource)
def list_attached_user_policies(ctx, *, UserName, PathPrefix=None, Marker=None, MaxItems=None):
    """The managed policies attached to a user, in the order they were attached."""
    user = get_user_or_404(ctx, UserName)
    return _attached_page(
        ctx,
        user,
        field="user",
        kind="ListAttachedUserPolicies",
        PathPrefix=PathPrefix,
        Marker=Marker,
        MaxItems=MaxItems,
    )


@operation("AttachGroupPolicy", resource=group_resource)
def attach_group_policy(ctx, *, GroupName, PolicyArn):
    """Attach a managed policy to a group (at most 10 per group)."""
    check_arn(PolicyArn)
    group = _group_or_404(ctx, GroupName, lock=True)
    _attach(
        ctx,
        PolicyArn,
        entity=group,
        field="group",
        quota_name="PoliciesPerGroup",
        quota=POLICIES_PER_GROUP,
        label="Group",
    )
    return {}


@operation("DetachGroupPolicy", resource=group_resource)
def detach_group_policy(ctx, *, GroupName, PolicyArn):
    """Detach a managed policy from a group; NoSuchEntity when it was not attached."""
    check_arn(PolicyArn)
    _detach(ctx, PolicyArn, entity=_group_or_404(ctx, GroupName), field="group")
    return {}


@operation("ListAttachedGroupPolicies", resource=group_resource)
def list_attached_group_policies(ctx, *, GroupName, PathPrefix=None, Marker=None, MaxItems=None):
    """The managed policies attached to a group, in the order they were attached."""
    group = _group_or_404(ctx, GroupName)
    return _attached_page(
        ctx,
        group,
        field="group",
        kind="ListAttachedGroupPolicies",
        PathPrefix=PathPrefix,
        Marker=Marker,
        MaxItems=MaxItems,
    )


# -- inline policies ------------------------------------------------------------------------------


def _put_inline(ctx, *, entity, field: str, label: str, quota: int, name: str, document: str) -> None:
    """Add or replace the (locked) entity's inline policy `name`. The entity's inline policies
    share one size quota, whitespace not counted; the document is checked after the size."""
    others = (
        InlinePolicy.objects.filter(**{field: entity}).exclude(name=name).values_list("document", flat=True)
    )
    if sum(map(policy_size, others)) + policy_size(document) > quota:
        raise LimitExceeded(f"Maximum policy size of {quota} bytes exceeded for {label} {entity.name}")
    validate_policy_document(document, kind="inline")
    updated = InlinePolicy.objects.filter(**{field: entity}, name=name).update(document=document)
    if updated:  # an update sends no signal: tell the authorization cache as the signal would
        policy_cache.forget_on_change(InlinePolicy, InlinePolicy(**{field: entity}))
    else:
        InlinePolicy.objects.create(
            account=ctx.account, name=name, document=document, created=ctx.now, **{field: entity}
        )


def _inline_or_404(entity, *, field: str, label: str, name: str) -> InlinePolicy:
    policy = InlinePolicy.objects.filter(**{field: entity}, name=name).first()
    if policy is None:
        raise NoSuchEntity(f"The {label} policy with name {name} cannot be found.")
    return policy


@operation("PutUserPolicy", resource=user_resource)
def put_user_policy(ctx, *, UserName, PolicyName, PolicyDocument):
    """Add or replace an inline policy of a user (2,048 characters for all of them together)."""
    user = get_user_or_404(ctx, UserName, lock=True)
    _put_inline(
        ctx,
        entity=user,
        field="user",
        label="user",
        quota=USER_INLINE_SIZE,
        name=PolicyName,
        document=PolicyDocument,
    )
    return {}


@operation("GetUserPolicy", resource=user_resource)
def get_user_policy(ctx, *, UserName, PolicyName):
    """One inline policy of a user, with its document as stored."""
    user = get_user_or_404(ctx, UserName)
    policy = _inline_or_404(user, field="user", label="user", name=PolicyName)
    return {
        "UserName": user.name,
        "PolicyName": policy.name,
        "PolicyDocument": output_document(policy.document),
    }


@operation("ListUserPolicies", resource=user_resource)
def list_user_policies(ctx, *, UserName, Marker=None, MaxItems=None):
    """The names of a user's inline policies, sorted."""
    user = get_user_or_404(ctx, UserName)
    policies, more = keyset_page(
        InlinePolicy.objects.filter(user=user),
        kind="ListUserPolicies",
        key="name",
        Marker=Marker,
        MaxItems=MaxItems,
    )
    return {"PolicyNames": [policy.name for policy in policies], **more}


@operation("DeleteUserPolicy", resource=user_resource)
def delete_user_policy(ctx, *, UserName, PolicyName):
    """Delete one inline policy of a user."""
    user = get_user_or_404(ctx, UserName)
    _inline_or_404(user, field="user", label="user", name=PolicyName).delete()
    return {}


@operation("PutGroupPolicy", resource=group_resource)
def put_group_policy(ctx, *, GroupName, PolicyName, PolicyDocument):
    """Add or replace an inline policy of a group (5,120 characters for all of them together)."""
    group = _group_or_404(ctx, GroupName, lock=True)
    _put_inline(
        ctx,
        entity=group,
        field="group",
        label="group",
        quota=GROUP_INLINE_SIZE,
        name=PolicyName,
        document=PolicyDocument,
    )
    return {}


@operation("GetGroupPolicy", resource=group_resource)
def get_group_policy(ctx, *, GroupName, PolicyName):
    """One inline policy of a group, with its document as stored."""
    group = _group_or_404(ctx, GroupName)
    policy = _inline_or_404(group, field="group", label="group", name=PolicyName)
    return {
        "GroupName": group.name,
        "PolicyName": policy.name,
        "PolicyDocument": output_document(policy.document),
    }


@operation("ListGroupPolicies", resource=group_resource)
def list_group_policies(ctx, *, GroupName, Marker=None, MaxItems=None):
    """The names of a group's inline policies, sorted."""
    group = _group_or_404(ctx, GroupName)
    policies, more = keyset_page(
        InlinePolicy.objects.filter(group=group),
        kind="ListGroupPolicies",
        key="name",
        Marker=Marker,
        MaxItems=MaxItems,
    )
    return {"PolicyNames": [policy.name for policy in policies], **more}


@operation("DeleteGroupPolicy", resource=group_resource)
def delete_group_policy(ctx, *, GroupName, PolicyName):
    """Delete one inline policy of a group."""
    group = _group_or_404(ctx, GroupName)
    _inline_or_404(group, field="group", label="group", name=PolicyName).delete()
    return {}
