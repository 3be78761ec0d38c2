"""Local operations on the account itself: its alias, its summary, its authorization details and its
credential report (the accounts part of LocalBackend).

Each function is one IAM action (see iamconsole/backends/base.py for the calling convention). The
reads run a fixed number of queries whatever the number of users, groups or policies: counts are
scalar subqueries, and related rows are prefetched.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, Value

from credentials.models import (
    AccessKey,
    CredentialReport,
    ServerCertificate,
    SigningCertificate,
    VirtualMFADevice,
)
from groups.models import Group, GroupMembership
from iamconsole.backends.base import account_resource, operation
from iamconsole.backends.errors import (
    CredentialReportNotPresent,
    EntityAlreadyExists,
    NoSuchEntity,
    ValidationError,
)
from iamconsole.backends.paging import DEFAULT_MAX_ITEMS, decode_marker, encode_marker, offset_page
from iamconsole.backends.rows import count_subquery, lock_account
from policies.documents import output_document
from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment, PolicyVersion
from users.models import IAMUser
from users.ops import BOUNDARY_TYPE

from .models import Account
from .report import build_credential_report

# GetAccountSummary's quotas (reference/aws-iam-facts.md §4, as the recorded AWS answer gives them).
QUOTAS = {
    "UsersQuota": 5000,
    "GroupsQuota": 300,
    "ServerCertificatesQuota": 20,
    "UserPolicySizeQuota": 2048,
    "GroupPolicySizeQuota": 5120,
    "GroupsPerUserQuota": 10,
    "SigningCertificatesPerUserQuota": 2,
    "AccessKeysPerUserQuota": 2,
    "AttachedPoliciesPerGroupQuota": 10,
    "AttachedPoliciesPerRoleQuota": 10,
    "AttachedPoliciesPerUserQuota": 10,
    "PoliciesQuota": 1500,
    "PolicySizeQuota": 6144,
    "PolicyVersionsInUseQuota": 10000,
    "VersionsPerPolicyQuota": 5,
    "GlobalEndpointTokenVersion": 1,
    "AssumeRolePolicySizeQuota": 2048,
    "InstanceProfilesQuota": 1000,
    "RolePolicySizeQuota": 10240,
    "RolesQuota": 1000,
}

# A credential report younger than this is returned as is; an older one is regenerated (AWS's rule).
REPORT_REUSE_AGE = datetime.timedelta(hours=4)
REPORT_STARTED = "No report exists. Starting a new report generation task"

ENTITY_TYPES = ("User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")
AUTHORIZATION_DETAILS = "GetAccountAuthorizationDetails"  # the marker kind of its pages


# ---------------------------------------------------------------------------------------------------
# Account alias


@operation("CreateAccountAlias", resource=account_resource)
def create_account_alias(ctx, *, AccountAlias):
    """Give the account `AccountAlias`, replacing its current alias (an account has at most one).

    Aliases are unique across every account: one already taken, by this account or another, is
    EntityAlreadyExists with AWS's message. The account row is locked so concurrent calls serialise.
    """
    account = Account.objects.select_for_update().get(pk=ctx.account.pk)
    taken = EntityAlreadyExists(f"The account alias {AccountAlias} already exists.")
    if Account.objects.filter(alias=AccountAlias).exists():
        raise taken
    account.alias = AccountAlias
    try:
        with transaction.atomic():
            account.save(update_fields=["alias"])
    except IntegrityError:
        raise taken
    ctx.account.alias = AccountAlias
    return {}


@operation("DeleteAccountAlias", resource=account_resource)
def delete_account_alias(ctx, *, AccountAlias):
    """Remove the account's alias; naming any other alias is NoSuchEntity (nothing is cleared)."""
    account = Account.objects.select_for_update().get(pk=ctx.account.pk)
    if account.alias != AccountAlias:
        raise NoSuchEntity(f"The account alias {AccountAlias} cannot be found.")
    account.alias = None
    account.save(update_fields=["alias"])
    ctx.account.alias = None
    return {}


@operation("ListAccountAliases", resource=account_resource)
def list_account_aliases(ctx, *, Marker=None, MaxItems=None):
    """The account's alias as a one-item list (empty without an alias)."""
    alias = Account.objects.filter(pk=ctx.account.pk).values_list("alias", flat=True).first()
    page, more = offset_page(
        [alias] if alias else [], kind="ListAccountAliases", Marker=Marker, MaxItems=MaxItems
    )
    return {"AccountAliases": page, **more}


# ---------------------------------------------------------------------------------------------------
# Account summary


@operation("GetAccountSummary", resource=account_resource)
def get_account_summary(ctx):
    """Every SummaryMap key botocore lists: AWS's default quotas and this account's counts, in one query.

    - Policies counts customer managed policies; PolicyVersionsInUse counts managed-policy
      attachments in the account (AWS's counter moves by one when a policy is attached).
    - MFADevices counts the account's virtual MFA devices; MFADevicesInUse the assigned ones.
    - The `Account*` flags are the root's: an access key, an MFA device, a password (the root always
      has one), a signing certificate.
    - Roles, instance profiles and identity providers do not exist in a sandbox: 0.
    """
    account = ctx.account
    counts = (
        Account.objects.filter(pk=account.pk)
        .values("pk")
        .annotate(
            Users=count_subquery(IAMUser.objects.filter(account=account)),
            Groups=count_subquery(Group.objects.filter(account=account)),
            Policies=count_subquery(ManagedPolicy.objects.filter(account=account)),
            PolicyVersionsInUse=count_subquery(PolicyAttachment.objects.filter(account=account)),
            ServerCertificates=count_subquery(ServerCertificate.objects.filter(account=account)),
            MFADevices=count_subquery(VirtualMFADevice.objects.filter(account=account)),
            MFADevicesInUse=count_subquery(
                VirtualMFADevice.objects.filter(
                    Q(user__isnull=False) | Q(enable_date__isnull=False), account=account
                )
            ),
            RootKeys=count_subquery(AccessKey.objects.filter(account=account, user__isnull=True)),
            RootCertificates=count_subquery(
                SigningCertificate.objects.filter(account=account, user__isnull=True)
            ),
            RootMFA=count_subquery(
                VirtualMFADevice.objects.filter(account=account, user__isnull=True, enable_date__isnull=False)
            ),
        )
        .get()
    )
    summary = dict(QUOTAS)
    for key in ("Users", "Groups", "Policies", "PolicyVersionsInUse", "ServerCertificates", "MFADevices"):
        summary[key] = counts[key]
    summary["MFADevicesInUse"] = counts["MFADevicesInUse"]
    summary.update(
        {
            "AccountMFAEnabled": int(counts["RootMFA"] > 0),
            "AccountAccessKeysPresent": int(counts["RootKeys"] > 0),
            "AccountPasswordPresent": 1,
            "AccountSigningCertificatesPresent": int(counts["RootCertificates"] > 0),
            "Roles": 0,
            "InstanceProfiles": 0,
            "Providers": 0,
        }
    )
    return {"SummaryMap": summary}


# ---------------------------------------------------------------------------------------------------
# Authorization details


def is_attachable(policy: ManagedPolicy) -> bool:
    """AWS service-linked role policies (`/aws-service-role/`) cannot be attached to users or groups."""
    return not policy.path.startswith("/aws-service-role/")


def _attached(attachments) -> list[dict]:
    return [{"PolicyName": a.policy.name, "PolicyArn": a.policy.arn} for a in attachments]


def _inline(policies) -> list[dict]:
    return [{"PolicyName": p.name, "PolicyDocument": output_document(p.document)} for p in policies]


def _user_detail(ctx, user: IAMUser) -> dict:
    """One UserDetailList item, with AWS's member set: UserPolicyList only when there is one, and
    GroupList, AttachedManagedPolicies and Tags always (empty lists included)."""
    out = {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.user_id,
        "Arn": ctx.arn(f"user{user.path}{user.name}"),
        "CreateDate": user.created,
    }
    inline = _inline(user.inline_policies.all())
    if inline:
        out["UserPolicyList"] = inline
    out["GroupList"] = [m.group.name for m in user.memberships.all()]
    out["AttachedManagedPolicies"] = _attached(user.policy_attachments.all())
    if user.permissions_boundary_id:
        out["PermissionsBoundary"] = {
            "PermissionsBoundaryType": BOUNDARY_TYPE,
            "PermissionsBoundaryArn": user.permissions_boundary.arn,
        }
    out["Tags"] = list(user.tags)
    return out


def _group_detail(ctx, group: Group) -> dict:
    """One GroupDetailList item (GroupPolicyList and AttachedManagedPolicies always present)."""
    return {
        "Path": group.path,
        "GroupName": group.name,
        "GroupId": group.group_id,
        "Arn": ctx.arn(f"group{group.path}{group.name}"),
        "CreateDate": group.created,
        "GroupPolicyList": _inline(group.inline_policies.all()),
        "AttachedManagedPolicies": _attached(group.policy_attachments.all()),
    }


def _policy_detail(policy: ManagedPolicy) -> dict:
    """One Policies item: the managed policy with every version's document, newest first."""
    out = {
        "PolicyName": policy.name,
        "PolicyId": policy.policy_id,
        "Arn": policy.arn,
        "Path": policy.path,
        "DefaultVersionId": policy.default_version_id,
        "AttachmentCount": policy.attachment_count,
        "PermissionsBoundaryUsageCount": policy.boundary_count,
        "IsAttachable": is_attachable(policy),
    }
    if policy.description:
        out["Description"] = policy.description
    out.update(
        {
            "CreateDate": policy.created,
            "UpdateDate": policy.updated,
            "PolicyVersionList": [
                {
                    "Document": output_document(v.document),
                    "VersionId": v.version_id,
                    "IsDefaultVersion": v.is_default,
                    "CreateDate": v.created,
                }
                for v in policy.versions.all()
            ],
        }
    )
    return out


def _policies(ctx, Filter):
    """The managed policies GetAccountAuthorizationDetails reports (unannotated, for counting).

    Customer managed policies are all listed (LocalManagedPolicy). AWS managed policies: every one
    when the Filter names AWSManagedPolicy (AWS's recorded answer lists AmazonS3FullAccess then);
    without a Filter only those this account uses (attached, or as a permissions boundary), so the
    unfiltered snapshot stays about the account and not the 1,500-policy catalog.
    """
    account = ctx.account
    scope = Q(pk__in=[])
    if not Filter or "LocalManagedPolicy" in Filter:
        scope |= Q(account=account)
    if Filter and "AWSManagedPolicy" in Filter:
        scope |= Q(account__isnull=True)
    elif not Filter:
        in_use = Exists(PolicyAttachment.objects.filter(account=account, policy=OuterRef("pk"))) | Exists(
            IAMUser.objects.filter(account=account, permissions_boundary=OuterRef("pk"))
        )
        scope |= Q(account__isnull=True) & Q(in_use)
    return ManagedPolicy.objects.filter(scope).order_by("name_lower", "id")


def _with_usage(ctx, policies):
    """`policies` annotated with this account's AttachmentCount and PermissionsBoundaryUsageCount."""
    account = ctx.account
    return policies.annotate(
        attachment_count=count_subquery(
            PolicyAttachment.objects.filter(account=account, policy=OuterRef("pk"))
        ),
        boundary_count=count_subquery(
            IAMUser.objects.filter(account=account, permissions_boundary=OuterRef("pk"))
        ),
    )


@operation("GetAccountAuthorizationDetails", resource=account_resource)
def get_account_authorization_details(ctx, *, Filter=None, MaxItems=None, Marker=None):
    """Users, groups, roles (none in a sandbox) and managed policies with their relationships.

    `Filter` keeps the named entity types (all of them when omitted or empty). Pagination runs over
    the concatenation users → groups → policies, so one page may hold several lists; every list is
    present in every page, empty when it has nothing. Only the page's rows are loaded, with their
    memberships, attachments, inline policies and versions prefetched: a fixed number of queries.
    """
    wanted = set(Filter) if Filter else set(ENTITY_TYPES)
    account = ctx.account
    users = IAMUser.objects.filter(account=account).order_by("name_lower", "id") if "User" in wanted else None
    groups = Group.objects.filter(account=account).order_by("name_lower", "id") if "Group" in wanted else None
    policies = _policies(ctx, Filter) if wanted & {"LocalManagedPolicy", "AWSManagedPolicy"} else None

    totals = (
        Account.objects.filter(pk=account.pk)
        .values("pk")
        .annotate(
            users=count_subquery(users) if users is not None else Value(0),
            groups=count_subquery(groups) if groups is not None else Value(0),
            policies=count_subquery(policies) if policies is not None else Value(0),
        )
        .get()
    )
    start = decode_marker(AUTHORIZATION_DETAILS, Marker, int) if Marker is not None else 0
    if start < 0:
        raise ValidationError("Invalid Marker.")
    stop = start + (MaxItems or DEFAULT_MAX_ITEMS)  # items [start, stop) of the concatenated lists
    total = totals["users"] + totals["groups"] + totals["policies"]

    def window(queryset, first: int, size: int):
        """The part of one list (which starts at `first` overall) inside [start, stop)."""
        lo, hi = max(start - first, 0), min(stop - first, size)
        return list(queryset[lo:hi]) if queryset is not None and lo < hi else []

    memberships = GroupMembership.objects.select_related("group").order_by("group__name_lower", "group_id")
    attachments = PolicyAttachment.objects.select_related("policy").order_by("id")
    inline = InlinePolicy.objects.order_by("name")
    if users is not None:
        users = users.select_related("permissions_boundary").prefetch_related(
            Prefetch("memberships", queryset=memberships),
            Prefetch("policy_attachments", queryset=attachments),
            Prefetch("inline_policies", queryset=inline),
        )
    if groups is not None:
        groups = groups.prefetch_related(
            Prefetch("policy_attachments", queryset=attachments), Prefetch("inline_policies", queryset=inline)
        )
    if policies is not None:
        policies = _with_usage(ctx, policies).prefetch_related(
            Prefetch("versions", queryset=PolicyVersion.objects.order_by("-created", "-id"))
        )
    user_rows = window(users, 0, totals["users"])
    group_rows = window(groups, totals["users"], totals["groups"])
    policy_rows = window(policies, totals["users"] + totals["groups"], totals["policies"])
    out = {
        "UserDetailList": [_user_detail(ctx, u) for u in user_rows],
        "GroupDetailList": [_group_detail(ctx, g) for g in group_rows],
        "RoleDetailList": [],
        "Policies": [_policy_detail(p) for p in policy_rows],
    }
    if stop < total:
        out.update({"IsTruncated": True, "Marker": encode_marker(AUTHORIZATION_DETAILS, stop)})
    else:
        out["IsTruncated"] = False
    return out


# ---------------------------------------------------------------------------------------------------
# Credential report


@operation("GenerateCredentialReport", resource=account_resource)
def generate_credential_report(ctx):
    """Generate the account's credential report unless one younger than 4 hours exists.

    Generation is synchronous: the report is built (a fixed number of queries, well under a second
    for 5,000 users) and stored before this call returns. So the first call answers, as AWS does,
    `STARTED` with "No report exists. Starting a new report generation task", and the report is
    already there for GetCredentialReport; a call within 4 hours answers `COMPLETE` and leaves the
    stored report untouched. An older report is replaced and the answer is `STARTED` again (AWS treats
    a stale report as absent). `INPROGRESS` never happens here. The account row is locked so two
    concurrent calls build one report.
    """
    lock_account(ctx)
    generated = (
        CredentialReport.objects.filter(account=ctx.account).values_list("generated", flat=True).first()
    )
    if generated is not None and ctx.now - generated < REPORT_REUSE_AGE:
        return {"State": "COMPLETE"}
    content = build_credential_report(ctx.account)
    if generated is None:
        CredentialReport.objects.create(account=ctx.account, generated=ctx.now, content=content)
    else:
        CredentialReport.objects.filter(account=ctx.account).update(generated=ctx.now, content=content)
    return {"State": "STARTED", "Description": REPORT_STARTED}


@operation("GetCredentialReport", resource=account_resource)
def get_credential_report(ctx):
    """The stored report: its CSV bytes, `text/csv` and its generation time.

    Without one, AWS answers ReportNotPresent (410) with no message text at all.
    """
    report = CredentialReport.objects.filter(account=ctx.account).first()
    if report is None:
        raise CredentialReportNotPresent("")
    return {"Content": bytes(report.content), "ReportFormat": "text/csv", "GeneratedTime": report.generated}
