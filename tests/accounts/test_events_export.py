"""Event history export: the filtered events as CSV or JSON Lines attachments, with no secret in them and
no cell a spreadsheet would run."""

import csv
import io
import json

import pytest

from iamconsole.backends import get_backend
from iamconsole.backends.errors import PasswordPolicyViolation

PASSWORD = "Very-secret-pass-1234"
WEAK = "Wk-pw-9"  # shorter than the default policy's 8 characters: refused, and audited


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def secrets(account):
    """A user with a console password and an access key (and a refused weak password): their secrets."""
    iam = get_backend(account)
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password=PASSWORD)
    with pytest.raises(PasswordPolicyViolation):
        iam.update_login_profile(UserName="alice", Password=WEAK)
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    iam.create_user(UserName="bob")
    return [PASSWORD, WEAK, key["SecretAccessKey"]]


def body_of(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body_of(response).removeprefix("\ufeff"))))


def test_the_csv_export_is_an_attachment_of_the_filtered_events(signed_in, secrets):
    response = signed_in.get("/events/export", {"format": "csv", "user": "alice"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="event-history-123456789012-')
    assert disposition.endswith('.csv"')
    assert response["Cache-Control"] == "no-store"
    rows = csv_rows(response)
    assert [(r["Event name"], r["Resource name"], r["Error code"]) for r in rows] == [
        ("CreateAccessKey", "alice", ""),
        ("UpdateLoginProfile", "alice", "PasswordPolicyViolation"),
        ("CreateLoginProfile", "alice", ""),
        ("CreateUser", "alice", ""),
    ]
    assert rows[-1]["User name"] == "root" and rows[-1]["AWS region"] == "us-east-1"
    assert json.loads(rows[-1]["Request parameters"]) == {"UserName": "alice"}


def test_the_json_lines_export_holds_one_cloudtrail_record_per_line(signed_in, secrets):
    response = signed_in.post("/events/export", {"format": "jsonl", "event_name": "CreateUser"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert response["Content-Disposition"].endswith('.jsonl"')
    lines = body_of(response).splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["requestParameters"]["UserName"] for r in records] == ["bob", "alice"]
    assert all(r["eventType"] == "AwsApiCall" and r["awsRegion"] == "us-east-1" for r in records)


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_no_secret_reaches_an_export(signed_in, secrets, kind):
    content = body_of(signed_in.get("/events/export", {"format": kind}))

    assert "CreateLoginProfile" in content and "CreateAccessKey" in content
    assert "HIDDEN_DUE_TO_SECURITY_REASONS" in content
    for secret in secrets:
        assert secret not in content


def test_cells_a_spreadsheet_would_run_are_quoted(signed_in, account):
    iam = get_backend(account, user_agent="=cmd|' /C calc'!A0")
    for name in ["=1+1", "@SUM", "+cmd", "-2", "plain"]:
        iam.create_user(UserName=name)

    rows = csv_rows(signed_in.get("/events/export", {"format": "csv"}))

    assert [r["Resource name"] for r in rows] == ["plain", "'-2", "'+cmd", "'@SUM", "'=1+1"]
    assert {r["User agent"] for r in rows} == {"'=cmd|' /C calc'!A0"}


def test_an_export_of_an_empty_selection_has_only_the_header(signed_in, secrets):
    rows = csv_rows(signed_in.get("/events/export", {"format": "csv", "event_name": "DeleteRole"}))

    assert rows == []


def test_invalid_filters_or_format_rerender_the_list_with_the_error(signed_in, secrets):
    bad_format = signed_in.get("/events/export", {"format": "xlsx"})
    bad_filter = signed_in.post("/events/export", {"format": "csv", "user": "a b"})

    assert bad_format.status_code == 200 and "format" in bad_format.context["form"].errors
    assert bad_filter.status_code == 200 and "user" in bad_filter.context["form"].errors
    assert "Check the filters" in bad_filter.content.decode()


def test_it_needs_sign_in_and_get_or_post(client, signed_in, db):
    assert signed_in.put("/events/export").status_code == 405
    signed_in.logout()
    assert client.get("/events/export").status_code == 302
