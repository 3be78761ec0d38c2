"""What the evaluation engine needs about an IAM user: its policies and its request context.

`user_policies(user)` loads, in a fixed number of queries, every identity policy that applies to the
user (its inline and attached managed policies, and each of its groups' inline and attached ones) as
the engine's (source id, source type, document) triples, and its permissions boundary; the account's
password policy adds the grants AllowUsersToChangePassword gives (ChangePassword on oneself and
GetAccountPasswordPolicy), as AWS does, as one more identity policy.
"""

import datetime
import json

from django.db.models import Q

from credentials.models import PasswordPolicy
from groups.models import GroupMembership

from .models import InlinePolicy, PolicyAttachment, PolicyVersion

# AllowUsersToChangePassword's grants, as a policy document (source id shown by the simulator).
SELF_SERVICE_SOURCE = "AccountPasswordPolicy"
SELF_SERVICE_DOCUMENT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:ChangePassword",
                "Resource": "arn:aws:iam::*:user/${aws:username}",
            },
            {
                "Effect": "Allow",
                "Action": "iam:ChangePassword",
                "Resource": "arn:aws:iam::*:user/*/${aws:username}",
            },
            {"Effect": "Allow", "Action": "iam:GetAccountPasswordPolicy", "Resource": "*"},
        ],
    }
)


def user_policies(user) -> tuple[list[tuple[str, str, str]], tuple[str, str, str] | None]:
    """(identity policies, boundary) of `user`, as (source id, source type, document text) triples."""
    group_ids = list(GroupMembership.objects.filter(user=user).values_list("group_id", flat=True))
    mine = Q(user=user) | Q(group_id__in=group_ids)
    identity = [
        (p.name, "user" if p.user_id else "group", p.document)
        for p in InlinePolicy.objects.filter(mine).order_by("user_id", "group_id", "name")
    ]
    attached = set(PolicyAttachment.objects.filter(mine).values_list("policy_id", flat=True))
    boundary_id = user.permissions_boundary_id
    versions = {
        policy_id: (version_pk, arn, "aws-managed" if account_id is None else "user-managed")
        for policy_id, version_pk, arn, account_id in PolicyVersion.objects.filter(
            policy_id__in=attached | {boundary_id}, is_default=True
        ).values_list("policy_id", "pk", "policy__arn", "policy__account_id")
    }
    documents = _version_documents([pk for pk, _, _ in versions.values()])
    for policy_id in sorted(attached):
        version_pk, arn, kind = versions[policy_id]
        identity.append((arn, kind, documents[version_pk]))
    if PasswordPolicy.objects.filter(
        account_id=user.account_id, allow_users_to_change_password=True
    ).exists():
        identity.append((SELF_SERVICE_SOURCE, "none", SELF_SERVICE_DOCUMENT))
    boundary = None
    if boundary_id in versions:
        version_pk, arn, kind = versions[boundary_id]
        boundary = (arn, kind, documents[version_pk])
    return identity, boundary


# A policy version's document never changes (IAM versions are immutable: an edit is a new version), so
# documents are kept by version row, read from the database once per process. The same string objects
# then come back on every call, which also keeps the engine's policy-set cache cheap to look up.
_DOCUMENTS: dict[int, str] = {}
_DOCUMENTS_KEPT = 20_000


def _version_documents(pks: list[int]) -> dict[int, str]:
    missing = [pk for pk in pks if pk not in _DOCUMENTS]
    if missing:
        if len(_DOCUMENTS) > _DOCUMENTS_KEPT:
            _DOCUMENTS.clear()
        _DOCUMENTS.update(PolicyVersion.objects.filter(pk__in=missing).values_list("pk", "document"))
    return {pk: _DOCUMENTS[pk] for pk in pks}


def request_context(
    user, *, now: datetime.datetime, source_ip: str = "", secure: bool = True, mfa: bool = False
) -> dict:
    """The global condition keys the console and the API can know for a request by `user`."""
    context = {
        "aws:username": user.name,
        "aws:userid": user.user_id,
        "aws:PrincipalArn": user.arn,
        "aws:PrincipalAccount": user.account.account_id,
        "aws:PrincipalType": "User",
        "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:SecureTransport": "true" if secure else "false",
        "aws:MultiFactorAuthPresent": "true" if mfa else "false",
        "aws:RequestedRegion": "us-east-1",
    }
    if source_ip:
        context["aws:SourceIp"] = source_ip
    for tag in user.tags or []:
        context[f"aws:PrincipalTag/{tag['Key']}"] = tag["Value"]
    return context
