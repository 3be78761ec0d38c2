"""GenerateCredentialReport and GetCredentialReport through the contract.

The byte-exact fixture follows reference/aws-iam-facts.md §2 (22 columns in AWS's order, the
`<root_account>` row first, `2017-06-10T02:35:07+00:00` timestamps, lowercase booleans, N/A,
no_information, not_supported) and the recorded AWS report (scenarios.json, topic credential_report).
Users are created through the backend; their credentials directly with the models.
"""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account, AuditEvent
from credentials.models import (
    AccessKey,
    CredentialReport,
    LoginProfile,
    PasswordPolicy,
    SigningCertificate,
    VirtualMFADevice,
)
from iamconsole.backends import errors, get_backend
from users.models import IAMUser

HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    "cert_2_active,cert_2_last_rotated"
)
STARTED = {"State": "STARTED", "Description": "No report exists. Starting a new report generation task"}


def at(day, hour=0, minute=0, second=0):
    return datetime.datetime(2025, 3, day, hour, minute, second, tzinfo=datetime.UTC)


@pytest.fixture
def clock(monkeypatch):
    """Sets the time every backend call reads (`ctx.now`): `clock.now = datetime`."""

    class Clock:
        now = at(20, 12)

    monkeypatch.setattr(timezone, "now", lambda: Clock.now)
    return Clock


def make_user(iam, name, *, path="/", created):
    iam.create_user(UserName=name, Path=path)
    IAMUser.objects.filter(name=name).update(created=created)
    return IAMUser.objects.get(name=name)


def make_key(account, user, key_id, *, created, status="Active", used=None, region="", service=""):
    return AccessKey.objects.create(
        account=account,
        user=user,
        access_key_id=key_id,
        secret_encrypted="x",
        status=status,
        created=created,
        last_used_date=used,
        last_used_region=region,
        last_used_service=service,
    )


def make_mfa(account, name, *, user=None, enabled):
    return VirtualMFADevice.objects.create(
        account=account,
        serial_number=f"arn:aws:iam::{account.account_id}:mfa/{name}",
        name=name,
        seed_encrypted="x",
        user=user,
        enable_date=enabled,
        created=enabled or at(1),
    )


def report_text(iam) -> str:
    return iam.get_credential_report()["Content"].decode("utf-8")


def report_rows(iam) -> dict:
    return {row["user"]: row for row in csv.DictReader(io.StringIO(report_text(iam)))}


# --------------------------------------------------------------------------------------------------
# Generate / Get lifecycle


def test_get_before_any_generation_is_report_not_present_with_no_message(iam):
    with pytest.raises(errors.CredentialReportNotPresent) as exc:
        iam.get_credential_report()

    # AWS answers 410 ReportNotPresent with an empty message (botocore prints "Unknown").
    assert exc.value.code == "ReportNotPresent"
    assert exc.value.message == ""
    assert exc.value.http_status == 410


def test_the_first_generation_starts_and_the_report_is_ready_at_once(iam, clock):
    assert iam.generate_credential_report() == STARTED

    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv"
    assert report["GeneratedTime"] == at(20, 12)
    assert report["Content"].decode().splitlines()[0] == HEADER


def test_a_report_younger_than_four_hours_is_complete_and_kept(iam, clock):
    iam.generate_credential_report()
    before = iam.get_credential_report()
    iam.create_user(UserName="late-comer")
    clock.now = at(20, 15, 59, 59)

    assert iam.generate_credential_report() == {"State": "COMPLETE"}

    after = iam.get_credential_report()
    assert after == before
    assert "late-comer" not in report_rows(iam)


def test_a_report_four_hours_old_is_regenerated(iam, clock):
    iam.generate_credential_report()
    iam.create_user(UserName="late-comer")
    clock.now = at(20, 16)

    assert iam.generate_credential_report() == STARTED

    assert iam.get_credential_report()["GeneratedTime"] == at(20, 16)
    assert "late-comer" in report_rows(iam)
    assert CredentialReport.objects.count() == 1


def test_each_account_has_its_own_report(iam, other_account):
    iam.generate_credential_report()

    with pytest.raises(errors.CredentialReportNotPresent):
        get_backend(other_account).get_credential_report()
    assert get_backend(other_account).generate_credential_report() == STARTED
    other_rows = report_rows(get_backend(other_account))
    assert other_rows["<root_account>"]["arn"] == "arn:aws:iam::210987654321:root"


def test_generation_is_audited_and_reading_is_not(iam, account):
    iam.generate_credential_report()
    iam.get_credential_report()

    names = list(AuditEvent.objects.filter(account=account).values_list("event_name", flat=True))
    assert names == ["GenerateCredentialReport"]


# --------------------------------------------------------------------------------------------------
# Format


def test_the_report_matches_aws_format_byte_for_byte(iam, account, clock):
    Account.objects.filter(pk=account.pk).update(created=at(1, 8, 30))
    account.refresh_from_db()
    # Root: an access key used in us-east-1, a second (inactive) one never used, and an MFA device.
    make_key(
        account,
        None,
        "AKIAROOT000000000001",
        created=at(2),
        used=at(3, 4, 5, 6),
        region="us-east-1",
        service="ec2",
    )
    make_key(account, None, "AKIAROOT000000000002", created=at(4), status="Inactive")
    make_mfa(account, "root-account-mfa-device", enabled=at(2))
    PasswordPolicy.objects.create(account=account, max_password_age=90)
    # alice: password used, MFA, an old inactive key and a newer active key used on S3 (no region),
    # one active signing certificate.
    alice = make_user(iam, "alice", created=at(5, 9))
    LoginProfile.objects.create(user=alice, password_hash="x", created=at(5, 10), password_changed=at(6, 11))
    IAMUser.objects.filter(pk=alice.pk).update(password_last_used=at(7, 12, 0, 1))
    make_mfa(account, "alice", user=alice, enabled=at(5, 10))
    make_key(account, alice, "AKIAALICE00000000001", created=at(5, 11), status="Inactive")
    make_key(account, alice, "AKIAALICE00000000002", created=at(8), used=at(9), region="", service="s3")
    SigningCertificate.objects.create(
        account=alice.account, user=alice, certificate_id="ALICECERT" + "0" * 19, body="-", uploaded=at(10)
    )
    # bob (with a path): nothing but two certificates, the first inactive.
    bob = make_user(iam, "bob", path="/team/", created=at(11))
    SigningCertificate.objects.create(
        account=bob.account,
        user=bob,
        certificate_id="BOBCERT1" + "0" * 20,
        body="-",
        status="Inactive",
        uploaded=at(12),
    )
    SigningCertificate.objects.create(
        account=bob.account, user=bob, certificate_id="BOBCERT2" + "0" * 20, body="-", uploaded=at(13)
    )
    # carol: a password never used.
    carol = make_user(iam, "carol", created=at(14))
    LoginProfile.objects.create(user=carol, password_hash="x", created=at(15), password_changed=at(15))

    iam.generate_credential_report()

    assert report_text(iam) == (
        HEADER + "\n"
        "<root_account>,arn:aws:iam::123456789012:root,2025-03-01T08:30:00+00:00,not_supported,no_information,"
        "not_supported,not_supported,true,"
        "true,2025-03-02T00:00:00+00:00,2025-03-03T04:05:06+00:00,us-east-1,ec2,"
        "false,2025-03-04T00:00:00+00:00,N/A,N/A,N/A,"
        "false,N/A,false,N/A\n"
        "alice,arn:aws:iam::123456789012:user/alice,2025-03-05T09:00:00+00:00,true,2025-03-07T12:00:01+00:00,"
        "2025-03-06T11:00:00+00:00,2025-06-04T11:00:00+00:00,true,"
        "true,2025-03-08T00:00:00+00:00,2025-03-09T00:00:00+00:00,N/A,s3,"
        "false,2025-03-05T11:00:00+00:00,N/A,N/A,N/A,"
        "true,2025-03-10T00:00:00+00:00,false,N/A\n"
        "bob,arn:aws:iam::123456789012:user/team/bob,2025-03-11T00:00:00+00:00,false,N/A,N/A,N/A,false,"
        "false,N/A,N/A,N/A,N/A,"
        "false,N/A,N/A,N/A,N/A,"
        "false,2025-03-12T00:00:00+00:00,true,2025-03-13T00:00:00+00:00\n"
        "carol,arn:aws:iam::123456789012:user/carol,2025-03-14T00:00:00+00:00,true,no_information,"
        "2025-03-15T00:00:00+00:00,2025-06-13T00:00:00+00:00,false,"
        "false,N/A,N/A,N/A,N/A,"
        "false,N/A,N/A,N/A,N/A,"
        "false,N/A,false,N/A\n"
    )


def test_an_empty_account_reports_the_header_and_the_root_row(iam, account, clock):
    Account.objects.filter(pk=account.pk).update(created=at(1))
    account.refresh_from_db()

    iam.generate_credential_report()

    content = iam.get_credential_report()["Content"]
    assert (
        content
        == (
            f"{HEADER}\n"
            "<root_account>,arn:aws:iam::123456789012:root,2025-03-01T00:00:00+00:00,not_supported,no_information,"
            "not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        ).encode()
    )
    assert b"\r" not in content


def test_without_max_password_age_there_is_no_next_rotation(iam, account, clock):
    user = make_user(iam, "dana", created=at(1))
    LoginProfile.objects.create(user=user, password_hash="x", created=at(2), password_changed=at(2))
    PasswordPolicy.objects.create(account=account, minimum_password_length=12)

    iam.generate_credential_report()

    row = report_rows(iam)["dana"]
    assert (row["password_enabled"], row["password_last_changed"], row["password_next_rotation"]) == (
        "true",
        "2025-03-02T00:00:00+00:00",
        "N/A",
    )


def test_the_root_password_last_used_is_its_last_console_sign_in(iam, account, clock):
    common = {"account": account, "principal_arn": account.root_arn, "request_id": "r"}
    AuditEvent.objects.create(event_name="ConsoleLogin", principal_type="Root", event_time=at(3), **common)
    AuditEvent.objects.create(event_name="ConsoleLogin", principal_type="Root", event_time=at(5), **common)
    AuditEvent.objects.create(
        event_name="ConsoleLogin", principal_type="Root", event_time=at(6), error_code="Failed", **common
    )

    iam.generate_credential_report()

    assert report_rows(iam)["<root_account>"]["password_last_used"] == "2025-03-05T00:00:00+00:00"


def test_it_reports_the_recorded_aws_user_like_aws(iam, account):
    # scenarios.json credential_report: a password, a first key made Inactive, a second key Active.
    user = make_user(iam, "test-user-5f1b2c3d", created=at(1))
    LoginProfile.objects.create(user=user, password_hash="x", created=at(1), password_changed=at(1))
    make_key(account, user, "AKIARECORDED00000001", created=at(1, 0, 0, 1), status="Inactive")
    make_key(account, user, "AKIARECORDED00000002", created=at(1, 0, 0, 2))

    iam.generate_credential_report()

    row = report_rows(iam)["test-user-5f1b2c3d"]
    assert row == {
        "user": "test-user-5f1b2c3d",
        "arn": "arn:aws:iam::123456789012:user/test-user-5f1b2c3d",
        "user_creation_time": "2025-03-01T00:00:00+00:00",
        "password_enabled": "true",
        "password_last_used": "no_information",
        "password_last_changed": "2025-03-01T00:00:00+00:00",
        "password_next_rotation": "N/A",
        "mfa_active": "false",
        "access_key_1_active": "true",
        "access_key_1_last_rotated": "2025-03-01T00:00:02+00:00",
        "access_key_1_last_used_date": "N/A",
        "access_key_1_last_used_region": "N/A",
        "access_key_1_last_used_service": "N/A",
        "access_key_2_active": "false",
        "access_key_2_last_rotated": "2025-03-01T00:00:01+00:00",
        "access_key_2_last_used_date": "N/A",
        "access_key_2_last_used_region": "N/A",
        "access_key_2_last_used_service": "N/A",
        "cert_1_active": "false",
        "cert_1_last_rotated": "N/A",
        "cert_2_active": "false",
        "cert_2_last_rotated": "N/A",
    }


def test_two_keys_of_the_same_status_keep_their_creation_order(iam, account):
    user = make_user(iam, "erin", created=at(1))
    make_key(account, user, "AKIAERIN000000000002", created=at(3))
    make_key(account, user, "AKIAERIN000000000001", created=at(2))

    iam.generate_credential_report()

    row = report_rows(iam)["erin"]
    assert row["access_key_1_last_rotated"] == "2025-03-02T00:00:00+00:00"
    assert row["access_key_2_last_rotated"] == "2025-03-03T00:00:00+00:00"


def test_other_accounts_credentials_stay_out_of_the_report(iam, account, other_account):
    stranger = IAMUser.objects.create(
        account=other_account,
        user_id="AIDASTRANGER00000001",
        name="stranger",
        name_lower="stranger",
        created=at(1),
    )
    make_key(other_account, None, "AKIAOTHERROOT0000001", created=at(1))
    make_key(other_account, stranger, "AKIASTRANGER00000001", created=at(1))

    iam.generate_credential_report()

    rows = report_rows(iam)
    assert list(rows) == ["<root_account>"]
    assert rows["<root_account>"]["access_key_1_active"] == "false"


# --------------------------------------------------------------------------------------------------
# Cost


def _generation_queries(iam) -> int:
    CredentialReport.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        iam.generate_credential_report()
    return len(queries)


def test_generation_takes_the_same_number_of_queries_for_5_and_50_users(iam, account):
    def add_users(start, stop):
        for index in range(start, stop):
            user = make_user(iam, f"user{index:02d}", created=at(1))
            LoginProfile.objects.create(user=user, password_hash="x", created=at(1), password_changed=at(1))
            make_key(
                account,
                user,
                f"AKIAUSER{index:012d}",
                created=at(2),
                used=at(3),
                region="eu-west-1",
                service="s3",
            )
            make_mfa(account, f"user{index}", user=user, enabled=at(2))
            SigningCertificate.objects.create(
                account=user.account, user=user, certificate_id=f"CERT{index:024d}", body="-", uploaded=at(4)
            )

    add_users(0, 5)
    with_5 = _generation_queries(iam)
    add_users(5, 50)
    with_50 = _generation_queries(iam)

    assert with_5 == with_50
    assert with_50 <= 14  # 8 reads, the lock, the write, the audit event, the transaction
    assert len(report_rows(iam)) == 51


def test_it_replays_the_recorded_aws_scenario_through_the_backend(iam):
    # scenarios.json credential_report, step by step: a user with a password, a first key made
    # Inactive, a second key; Generate answers STARTED then COMPLETE; the report has AWS's row.
    iam.create_user(UserName="test-user-1a2b3c4d")
    iam.create_login_profile(
        UserName="test-user-1a2b3c4d", Password="TestPassword123!", PasswordResetRequired=False
    )
    first = iam.create_access_key(UserName="test-user-1a2b3c4d")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="test-user-1a2b3c4d", AccessKeyId=first, Status="Inactive")
    iam.create_access_key(UserName="test-user-1a2b3c4d")

    assert iam.generate_credential_report() == STARTED
    assert iam.generate_credential_report() == {"State": "COMPLETE"}

    text = report_text(iam)
    assert text.splitlines()[0] == HEADER
    row = report_rows(iam)["test-user-1a2b3c4d"]
    stamps = {k: v for k, v in row.items() if k.endswith(("_time", "_changed", "_rotated")) and v != "N/A"}
    assert set(stamps) == {
        "user_creation_time",
        "password_last_changed",
        "access_key_1_last_rotated",
        "access_key_2_last_rotated",
    }
    assert all(
        datetime.datetime.fromisoformat(v).utcoffset() == datetime.timedelta(0) for v in stamps.values()
    )
    assert {k: v for k, v in row.items() if k not in stamps} == {
        "user": "test-user-1a2b3c4d",
        "arn": "arn:aws:iam::123456789012:user/test-user-1a2b3c4d",
        "password_enabled": "true",
        "password_last_used": "no_information",
        "password_next_rotation": "N/A",
        "mfa_active": "false",
        "access_key_1_active": "true",
        "access_key_1_last_used_date": "N/A",
        "access_key_1_last_used_region": "N/A",
        "access_key_1_last_used_service": "N/A",
        "access_key_2_active": "false",
        "access_key_2_last_used_date": "N/A",
        "access_key_2_last_used_region": "N/A",
        "access_key_2_last_used_service": "N/A",
        "cert_1_active": "false",
        "cert_1_last_rotated": "N/A",
        "cert_2_active": "false",
        "cert_2_last_rotated": "N/A",
    }
