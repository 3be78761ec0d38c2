"""The IAM credential report (GenerateCredentialReport / GetCredentialReport), built as AWS writes it.

Format (reference/aws-iam-facts.md §2 and the recorded AWS answers):

- 22 columns in AWS's order (`COLUMNS`), one header line, then the `<root_account>` row, then one row
  per IAM user; lines end with `\\n`;
- timestamps are ISO 8601 in UTC with an offset and no fraction (`2017-06-10T02:35:07+00:00`);
- booleans are lowercase `true` / `false`; `N/A` when a value does not apply (no password, no key,
  key never used, no certificate); `no_information` for a password that was never used;
  `not_supported` for the root's password columns (AWS does not report them).

The builder reads every table once (a fixed number of queries, whatever the number of users) and
works on plain tuples, so an account with 5,000 users takes a fraction of a second.
"""

import csv
import datetime
import io
from collections import defaultdict

from accounts.models import AuditEvent
from credentials.models import AccessKey, LoginProfile, PasswordPolicy, SigningCertificate, VirtualMFADevice
from users.models import IAMUser

COLUMNS = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)

ROOT_USER = "<root_account>"
NA = "N/A"
NO_INFORMATION = "no_information"
NOT_SUPPORTED = "not_supported"
# The audit event a successful console sign-in writes (CloudTrail's name for it); the root's
# `password_last_used` is the newest one.
CONSOLE_LOGIN_EVENT = "ConsoleLogin"

_NO_KEY = ("false", NA, NA, NA, NA)
_NO_CERT = ("false", NA)


def timestamp(value: datetime.datetime | None) -> str:
    """AWS's report timestamp (`2017-06-10T02:35:07+00:00`), or N/A when there is none."""
    if value is None:
        return NA
    return value.astimezone(datetime.UTC).replace(microsecond=0).isoformat()


def boolean(value: bool) -> str:
    return "true" if value else "false"


def _key_columns(key) -> tuple:
    """The five access-key columns for one (status, created, last_used_date, region, service) row."""
    status, created, used_date, used_region, used_service = key
    if used_date is None:
        return (boolean(status == "Active"), timestamp(created), NA, NA, NA)
    # A non-regional service (S3, IAM) has no region: AWS writes N/A there.
    return (
        boolean(status == "Active"),
        timestamp(created),
        timestamp(used_date),
        used_region or NA,
        used_service or NA,
    )


def _keys_columns(keys: list) -> tuple:
    """Columns for access keys 1 and 2.

    AWS's slot order is not documented. The recorded AWS report (a first key made Inactive, then a
    second key created) lists the Active key as key 1, so active keys come first, then by creation.
    """
    ordered = sorted(keys, key=lambda k: k[0] != "Active")  # stable: creation order within a status
    first = _key_columns(ordered[0]) if ordered else _NO_KEY
    second = _key_columns(ordered[1]) if len(ordered) > 1 else _NO_KEY
    return first + second


def _certs_columns(certs: list) -> tuple:
    """Columns for signing certificates 1 and 2, in upload order."""
    out = ()
    for index in range(2):
        if index < len(certs):
            status, uploaded = certs[index]
            out += (boolean(status == "Active"), timestamp(uploaded))
        else:
            out += _NO_CERT
    return out


def build_credential_report(account) -> bytes:
    """The CSV bytes of `account`'s credential report as the data stands, in a fixed number of queries."""
    policy = PasswordPolicy.objects.filter(account=account).values_list("max_password_age", flat=True).first()
    max_age = datetime.timedelta(days=policy) if policy else None

    profiles = dict(
        LoginProfile.objects.filter(user__account=account).values_list("user_id", "password_changed")
    )
    keys = defaultdict(list)
    for owner, *key in (
        AccessKey.objects.filter(account=account)
        .order_by("created", "id")
        .values_list(
            "user_id", "status", "created", "last_used_date", "last_used_region", "last_used_service"
        )
    ):
        keys[owner].append(tuple(key))
    certs = defaultdict(list)
    for owner, status, uploaded in (
        SigningCertificate.objects.filter(account=account)
        .order_by("uploaded", "id")
        .values_list("user_id", "status", "uploaded")
    ):
        certs[owner].append((status, uploaded))
    # A device is in use when it is assigned: to a user (`user`), or to the root (no user, enabled).
    mfa_owners = set()
    for owner, enabled in VirtualMFADevice.objects.filter(account=account).values_list(
        "user_id", "enable_date"
    ):
        if owner is not None or enabled is not None:
            mfa_owners.add(owner)
    root_last_login = (
        AuditEvent.objects.filter(
            account=account, event_name=CONSOLE_LOGIN_EVENT, principal_type="Root", error_code=""
        )
        .order_by("-event_time")
        .values_list("event_time", flat=True)
        .first()
    )

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerow(
        (
            ROOT_USER,
            account.root_arn,
            timestamp(account.created),
            NOT_SUPPORTED,
            timestamp(root_last_login) if root_last_login else NO_INFORMATION,
            NOT_SUPPORTED,
            NOT_SUPPORTED,
            boolean(None in mfa_owners),
        )
        + _keys_columns(keys.get(None, []))
        + _certs_columns(certs.get(None, []))
    )
    prefix = f"arn:aws:iam::{account.account_id}:user"
    users = (
        IAMUser.objects.filter(account=account)
        .order_by("name_lower", "id")
        .values_list("id", "name", "path", "created", "password_last_used")
    )
    for pk, name, path, created, last_used in users:
        changed = profiles.get(pk)
        if pk in profiles:
            password = (
                "true",
                timestamp(last_used) if last_used else NO_INFORMATION,
                timestamp(changed),
                timestamp(changed + max_age) if max_age else NA,
            )
        else:
            password = ("false", NA, NA, NA)
        writer.writerow(
            (name, f"{prefix}{path}{name}", timestamp(created))
            + password
            + (boolean(pk in mfa_owners),)
            + _keys_columns(keys.get(pk, []))
            + _certs_columns(certs.get(pk, []))
        )
    return out.getvalue().encode("utf-8")
