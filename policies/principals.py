"""What the evaluation engine needs about an IAM user: its policies and its request context.

`user_policies(user)` loads, in a fixed number of queries, every identity policy that applies to the
user (its inline and attached managed policies, and each of its groups' inline and attached ones) as
the engine's (source id, source type, document) triples, and its permissions boundary; the account's
password policy adds the grants AllowUsersToChangePassword gives (ChangePassword on oneself and
GetAccountPasswordPolicy), as AWS does, as one more identity policy.
"""

import datetime
import functools
import json

from django.db import connection

from credentials.models import PasswordPolicy
from groups.models import GroupMembership

from .models import InlinePolicy, ManagedPolicy, PolicyAttachment, PolicyVersion

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
    """(identity policies, boundary) of `user`, as (source id, source type, document text) triples.

    One query (`_policy_rows_sql`): the user's and its groups' inline policies, the default versions of
    the managed policies attached to it or its groups and of its boundary, and whether the password policy
    lets users change their password. Managed documents come from `_DOCUMENTS` (versions are immutable).
    """
    params = [user.pk, user.pk, user.pk, user.pk, user.permissions_boundary_id, user.account_id]
    with connection.cursor() as cursor:
        cursor.execute(_policy_rows_sql(), params)
        rows = cursor.fetchall()
    inline, attached, boundary_row, self_service = [], {}, None, False
    for kind, name, document, first, second, third in rows:
        if kind == _INLINE:  # (user_id, group_id, -)
            source_type = "user" if first is not None else "group"
            inline.append(((first is not None, second or 0, name), (name, source_type, document)))
        elif kind == _ATTACHED:  # (policy_id, version pk, the policy's account_id)
            attached[first] = (second, name, "aws-managed" if third is None else "user-managed")
        elif kind == _BOUNDARY:
            boundary_row = (second, name, "aws-managed" if third is None else "user-managed")
        else:
            self_service = True
    documents = _version_documents(
        [pk for pk, _, _ in attached.values()] + ([boundary_row[0]] if boundary_row else [])
    )
    # Group policies, then the user's, by name: the order the ORM gave on SQLite, kept for the simulator.
    identity = [policy for _key, policy in sorted(inline, key=lambda item: item[0])]
    for policy_id in sorted(attached):
        version_pk, arn, source_type = attached[policy_id]
        identity.append((arn, source_type, documents[version_pk]))
    if self_service:
        identity.append((SELF_SERVICE_SOURCE, "none", SELF_SERVICE_DOCUMENT))
    boundary = None
    if boundary_row is not None:
        version_pk, arn, source_type = boundary_row
        boundary = (arn, source_type, documents[version_pk])
    return identity, boundary


_INLINE, _ATTACHED, _BOUNDARY, _SELF_SERVICE = 0, 1, 2, 3


@functools.cache
def _policy_rows_sql() -> str:
    """Everything `user_policies` reads, as one UNION ALL of (kind, name, document, three ids); parameters:
    the user's pk four times, its boundary's policy pk (or None), its account's pk. Only table names (from
    the models) are formatted in; every value is a parameter."""
    tables = {
        "inline": InlinePolicy._meta.db_table,
        "membership": GroupMembership._meta.db_table,
        "attachment": PolicyAttachment._meta.db_table,
        "version": PolicyVersion._meta.db_table,
        "policy": ManagedPolicy._meta.db_table,
        "password_policy": PasswordPolicy._meta.db_table,
        "inline_kind": _INLINE,
        "attached_kind": _ATTACHED,
        "boundary_kind": _BOUNDARY,
        "self_service_kind": _SELF_SERVICE,
    }
    return _POLICY_ROWS.format(**tables)


_POLICY_ROWS = """
SELECT {inline_kind}, i.name, i.document, i.user_id, i.group_id, NULL FROM {inline} i
 WHERE i.user_id = %s OR i.group_id IN (SELECT m.group_id FROM {membership} m WHERE m.user_id = %s)
UNION ALL
SELECT {attached_kind}, p.arn, NULL, v.policy_id, v.id, p.account_id FROM {version} v
  JOIN {policy} p ON p.id = v.policy_id
 WHERE v.is_default AND v.policy_id IN (
   SELECT a.policy_id FROM {attachment} a
    WHERE a.user_id = %s OR a.group_id IN (SELECT m.group_id FROM {membership} m WHERE m.user_id = %s))
UNION ALL
SELECT {boundary_kind}, p.arn, NULL, v.policy_id, v.id, p.account_id FROM {version} v
  JOIN {policy} p ON p.id = v.policy_id
 WHERE v.is_default AND v.policy_id = %s
UNION ALL
SELECT {self_service_kind}, NULL, NULL, NULL, NULL, NULL FROM {password_policy} pp
 WHERE pp.account_id = %s AND pp.allow_users_to_change_password
"""


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
