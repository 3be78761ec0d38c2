"""Import a connected AWS account's IAM shape into a new local sandbox (issue 6: training on the real
shape of an account).

Copied, through the two backends' contract only: customer managed policies (their default version),
groups with their inline and attached policies, users with their path, tags, permissions boundary,
inline and attached policies and group memberships. Never copied: passwords, access keys, MFA devices,
SSH keys, certificates or any other secret. One GetAccountAuthorizationDetails read on the AWS side,
one transaction on the local side.
"""

import json
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from iamconsole.backends import get_backend

from .services import create_account


@dataclass
class ImportSummary:
    account_id: str
    counts: Counter = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)


def _all_details(source) -> dict:
    """Every page of GetAccountAuthorizationDetails for users, groups and customer managed policies."""
    merged = {"UserDetailList": [], "GroupDetailList": [], "Policies": []}
    marker = None
    while True:
        page = source.get_account_authorization_details(
            Filter=["User", "Group", "LocalManagedPolicy"], **({"Marker": marker} if marker else {})
        )
        for key in merged:
            merged[key].extend(page.get(key, []))
        if not page.get("IsTruncated"):
            return merged
        marker = page["Marker"]


def _text(document) -> str:
    return document if isinstance(document, str) else json.dumps(document)


def _local_arn(arn: str, source_id: str, target_id: str) -> str:
    """A customer managed policy's ARN in the sandbox (AWS managed policies keep theirs)."""
    return arn.replace(f"arn:aws:iam::{source_id}:", f"arn:aws:iam::{target_id}:", 1)


def import_into_sandbox(
    source_account, *, root_email: str, root_password: str, account_id=None
) -> ImportSummary:
    """Create a sandbox and copy `source_account`'s IAM users, groups and customer managed policies into it."""
    details = _all_details(get_backend(source_account, via="command"))
    with transaction.atomic():  # the new sandbox and everything in it, or nothing
        target = create_account(account_id=account_id, root_email=root_email, root_password=root_password)
        summary = _copy(details, source_account.account_id, target)
    return summary


def _copy(details: dict, source_id: str, target) -> ImportSummary:
    iam = get_backend(target, via="command")
    summary = ImportSummary(target.account_id)
    for policy in details["Policies"]:
        default = next(v for v in policy["PolicyVersionList"] if v["IsDefaultVersion"])
        request = {
            # The name is also the ARN's last segment (moto leaves PolicyName out of this answer).
            "PolicyName": policy.get("PolicyName") or policy["Arn"].rsplit("/", 1)[-1],
            "Path": policy["Path"],
            "PolicyDocument": _text(default["Document"]),
        }
        if policy.get("Description"):
            request["Description"] = policy["Description"]
        iam.create_policy(**request)
        summary.counts["customer managed policies"] += 1
    for group in details["GroupDetailList"]:
        iam.create_group(GroupName=group["GroupName"], Path=group["Path"])
        for inline in group.get("GroupPolicyList", []):
            iam.put_group_policy(
                GroupName=group["GroupName"],
                PolicyName=inline["PolicyName"],
                PolicyDocument=_text(inline["PolicyDocument"]),
            )
            summary.counts["inline policies"] += 1
        for attached in group.get("AttachedManagedPolicies", []):
            arn = _local_arn(attached["PolicyArn"], source_id, target.account_id)
            iam.attach_group_policy(GroupName=group["GroupName"], PolicyArn=arn)
            summary.counts["policy attachments"] += 1
        summary.counts["groups"] += 1
    for user in details["UserDetailList"]:
        request = {"UserName": user["UserName"], "Path": user["Path"]}
        if user.get("Tags"):
            request["Tags"] = user["Tags"]
        boundary = user.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
        if boundary:
            request["PermissionsBoundary"] = _local_arn(boundary, source_id, target.account_id)
        iam.create_user(**request)
        for inline in user.get("UserPolicyList", []):
            iam.put_user_policy(
                UserName=user["UserName"],
                PolicyName=inline["PolicyName"],
                PolicyDocument=_text(inline["PolicyDocument"]),
            )
            summary.counts["inline policies"] += 1
        for attached in user.get("AttachedManagedPolicies", []):
            arn = _local_arn(attached["PolicyArn"], source_id, target.account_id)
            iam.attach_user_policy(UserName=user["UserName"], PolicyArn=arn)
            summary.counts["policy attachments"] += 1
        for group_name in user.get("GroupList", []):
            iam.add_user_to_group(UserName=user["UserName"], GroupName=group_name)
            summary.counts["group memberships"] += 1
        summary.counts["users"] += 1
    return summary
