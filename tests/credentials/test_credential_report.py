"""The Credential report page: download (generate + get, the bytes untouched), the 4-hour rule, the
table and its filters."""

import csv
import datetime
import io
import time

import pyotp
import pytest

from accounts.report import COLUMNS
from credentials.models import AccessKey, LoginProfile
from credentials.views import filter_rows, parse_report, report_filename
from iamconsole.backends import errors, get_backend


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    return get_backend(account)


@pytest.fixture
def people(iam):
    """alice: password + MFA; bob: password (set 200 days ago), an active key 200 days old; carol: nothing."""
    for name in ("alice", "bob", "carol"):
        iam.create_user(UserName=name)
    iam.create_login_profile(UserName="alice", Password="Alice-pass-1234")
    iam.create_login_profile(UserName="bob", Password="Bob-pass-12345")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-mfa")["VirtualMFADevice"]
    totp = pyotp.TOTP(device["Base32StringSeed"].decode())
    now = time.time()
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=totp.at(now - 30),
        AuthenticationCode2=totp.at(now),
    )
    key = iam.create_access_key(UserName="bob")["AccessKey"]["AccessKeyId"]
    # Test data only: age bob's credentials (the API has no way to backdate them).
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=200)
    AccessKey.objects.filter(access_key_id=key).update(created=old)
    LoginProfile.objects.filter(user__name="bob").update(password_changed=old, created=old)
    return iam


def _users(body: str) -> list[str]:
    return [name for name in ("alice", "bob", "carol") if f'href="/users/details/{name}"' in body]


# -- the page -------------------------------------------------------------------------------------


def test_without_a_report_the_page_offers_to_generate_one(signed_in):
    response = signed_in.get("/credential-report")

    body = response.content.decode()
    assert response.status_code == 200
    assert "No credential report exists yet." in body
    assert ">Generate report</button>" in body
    assert ">Download report</button>" in body


def test_the_page_shows_when_the_report_was_generated_and_the_4_hour_rule(signed_in, people):
    people.generate_credential_report()
    generated = people.get_credential_report()["GeneratedTime"]

    body = signed_in.get("/credential-report").content.decode()

    assert f'title="{generated.strftime("%Y-%m-%dT%H:%M:%SZ")}"' in body
    later = (generated + datetime.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f'title="{later}"' in body
    assert "at most once every 4 hours" in body


def test_the_table_links_every_user_and_the_root(signed_in, people):
    people.generate_credential_report()

    body = signed_in.get("/credential-report").content.decode()

    assert _users(body) == ["alice", "bob", "carol"]
    assert '<a href="/account/security-credentials"><strong>Root user</strong></a>' in body
    assert 'Users <span class="counter">(4)</span>' in body


def test_htmx_gets_only_the_table(signed_in, people):
    people.generate_credential_report()

    body = signed_in.get(
        "/credential-report", {"no_mfa": "on"}, headers={"HX-Request": "true"}
    ).content.decode()

    assert body.lstrip().startswith('<section class="container" id="report-table"')
    assert "<html" not in body


def test_the_page_needs_sign_in(client, account):
    response = client.get("/credential-report")

    assert response.status_code == 302 and response["Location"].startswith("/login?next=")


def test_the_page_refuses_a_post_and_the_download_a_get(signed_in):
    assert signed_in.post("/credential-report").status_code == 405
    assert signed_in.get("/credential-report/download").status_code == 405
    assert signed_in.get("/credential-report/generate").status_code == 405


def test_the_query_count_does_not_grow_with_users(signed_in, iam, django_assert_max_num_queries):
    iam.create_user(UserName="first")
    iam.generate_credential_report()
    with django_assert_max_num_queries(12):
        signed_in.get("/credential-report")
    for n in range(10):
        iam.create_user(UserName=f"user-{n}")
    iam.delete_user(UserName="first")  # not in the stored report: the page reads the report, not the users
    with django_assert_max_num_queries(12):
        body = signed_in.get("/credential-report").content.decode()
    assert 'href="/users/details/first"' in body


# -- filters --------------------------------------------------------------------------------------


def test_no_mfa_keeps_users_without_a_device(signed_in, people):
    people.generate_credential_report()

    body = signed_in.get("/credential-report", {"no_mfa": "on"}).content.decode()

    assert _users(body) == ["bob", "carol"]
    assert "(3 of 4)" in body  # the root has no MFA either


def test_password_unused_keeps_old_unused_passwords(signed_in, people):
    people.generate_credential_report()

    body = signed_in.get("/credential-report", {"password_unused": "90"}).content.decode()

    assert _users(body) == ["bob"]


def test_key_age_keeps_users_with_an_old_active_key(signed_in, people):
    people.generate_credential_report()

    old = signed_in.get("/credential-report", {"key_age": "90"}).content.decode()
    older = signed_in.get("/credential-report", {"key_age": "365"}).content.decode()

    assert _users(old) == ["bob"]
    assert _users(older) == []
    assert "No user in the report matches these filters." in older


def test_an_inactive_old_key_does_not_count(signed_in, people):
    key = people.list_access_keys(UserName="bob")["AccessKeyMetadata"][0]["AccessKeyId"]
    people.update_access_key(UserName="bob", AccessKeyId=key, Status="Inactive")
    people.generate_credential_report()

    assert _users(signed_in.get("/credential-report", {"key_age": "90"}).content.decode()) == []


@pytest.mark.parametrize(("field", "value"), [("key_age", "0"), ("password_unused", "abc")])
def test_an_invalid_filter_comes_back_with_its_error(signed_in, people, field, value):
    people.generate_credential_report()

    response = signed_in.get("/credential-report", {field: value})

    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error" role="alert"' in body
    assert f'aria-invalid="true" aria-describedby="id_{field}_error"' in body
    assert _users(body) == ["alice", "bob", "carol"]  # an invalid filter filters nothing


def _report(*users: dict) -> bytes:
    """A credential report with AWS's columns; unspecified columns are N/A (or false)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for user in users:
        writer.writerow({c: "false" if c.endswith("_active") else "N/A" for c in COLUMNS} | user)
    return out.getvalue().encode()


def test_filter_rows_counts_a_never_used_password_from_when_it_was_set():
    content = _report(
        {
            "user": "new",
            "password_enabled": "true",
            "password_last_used": "no_information",
            "password_last_changed": "2026-03-01T00:00:00+00:00",
        },
        {
            "user": "used",
            "password_enabled": "true",
            "password_last_used": "2026-03-30T00:00:00+00:00",
            "password_last_changed": "2026-01-01T00:00:00+00:00",
        },
        {"user": "none", "password_enabled": "false"},
    )
    rows = parse_report(content)
    as_of = datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC)

    assert [r["user"] for r in filter_rows(rows, {"password_unused": 20}, as_of)] == ["new"]
    assert [r["user"] for r in filter_rows(rows, {"password_unused": 40}, as_of)] == []
    assert [r["user"] for r in filter_rows(rows, {"no_mfa": True}, as_of)] == ["new", "used", "none"]


# -- download -------------------------------------------------------------------------------------


def test_download_generates_then_serves_the_backends_bytes_as_an_attachment(signed_in, people):
    response = signed_in.post("/credential-report/download")

    report = people.get_credential_report()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response.content == report["Content"]
    stamp = report["GeneratedTime"].strftime("%Y-%m-%dT%H_%M_%S+00_00")
    assert response["Content-Disposition"] == f'attachment; filename="status_reports_{stamp}.csv"'
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["user"] for row in rows] == ["<root_account>", "alice", "bob", "carol"]


def test_download_within_4_hours_returns_the_same_report(signed_in, people):
    first = signed_in.post("/credential-report/download")
    people.create_user(UserName="dave")

    second = signed_in.post("/credential-report/download")

    assert second.content == first.content
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert b"dave" not in second.content


def test_download_needs_sign_in(client, account):
    response = client.post("/credential-report/download")

    assert response.status_code == 302
    with pytest.raises(errors.CredentialReportNotPresent):
        get_backend(account).get_credential_report()


def test_the_file_name_is_status_reports_with_the_generation_time():
    generated = datetime.datetime(2026, 11, 28, 18, 5, 9, tzinfo=datetime.UTC)

    assert report_filename(generated) == "status_reports_2026-11-28T18_05_09+00_00.csv"


# -- generate -------------------------------------------------------------------------------------


def test_generate_creates_the_report_then_keeps_it_for_4_hours(signed_in, people):
    first = signed_in.post("/credential-report/generate", follow=True).content.decode()
    second = signed_in.post("/credential-report/generate", follow=True).content.decode()

    assert "Credential report generated." in first
    assert "The current report is less than 4 hours old, so IAM kept it." in second
    assert people.get_credential_report()["ReportFormat"] == "text/csv"


def test_htmx_generate_answers_a_client_redirect(signed_in, iam):
    response = signed_in.post("/credential-report/generate", headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == "/credential-report"
    assert iam.get_credential_report()["Content"].startswith(b"user,arn,")


def test_the_side_navigation_offers_the_credential_report(signed_in):
    body = signed_in.get("/credential-report").content.decode()

    assert '<a href="/credential-report" aria-current="page">Credential report</a>' in body
