"""Event history detail: the event in CloudTrail's shape, pretty-printed and escaped; 404 elsewhere."""

import json
import uuid

import pytest

from accounts.models import AuditEvent
from accounts.ops_events import event_id
from iamconsole.backends import get_backend


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


def record_of(response) -> dict:
    return json.loads(response.context["record"])


def latest(account) -> AuditEvent:
    return AuditEvent.objects.filter(account=account).order_by("-id").first()


def test_it_shows_an_api_call_as_cloudtrail_records_it(signed_in, account):
    iam = get_backend(account, source_ip="203.0.113.9", user_agent="aws-cli/2.15 Python/3.13")
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "red"}])
    event = latest(account)

    response = signed_in.get(f"/events/{event.pk}")

    assert response.status_code == 200
    record = record_of(response)
    assert list(record) == [
        "eventVersion",
        "userIdentity",
        "eventTime",
        "eventSource",
        "eventName",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "requestParameters",
        "responseElements",
        "requestID",
        "eventID",
        "readOnly",
        "eventType",
        "managementEvent",
        "recipientAccountId",
        "eventCategory",
    ]
    assert record["userIdentity"] == {
        "type": "Root",
        "principalId": "123456789012",
        "arn": "arn:aws:iam::123456789012:root",
        "accountId": "123456789012",
    }
    assert record["eventTime"] == event.event_time.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert record["eventSource"] == "iam.amazonaws.com"
    assert record["eventName"] == "CreateUser"
    assert record["awsRegion"] == "us-east-1"
    assert record["sourceIPAddress"] == "203.0.113.9"
    assert record["userAgent"] == "aws-cli/2.15 Python/3.13"
    assert record["requestParameters"] == {"UserName": "alice", "Tags": [{"Key": "team", "Value": "red"}]}
    assert record["responseElements"]["User"]["UserName"] == "alice"
    assert record["requestID"] == event.request_id
    assert record["eventID"] == event_id("123456789012", event.pk)
    assert uuid.UUID(record["eventID"]).version == 5
    assert record["readOnly"] is False
    assert record["eventType"] == "AwsApiCall"
    assert record["recipientAccountId"] == "123456789012"
    body = response.content.decode()
    assert "&quot;eventName&quot;: &quot;CreateUser&quot;," in body  # indented, escaped JSON
    assert "\n  &quot;awsRegion&quot;: &quot;us-east-1&quot;," in body


def test_a_failed_call_by_an_iam_user_carries_the_error_and_user_name(signed_in, account):
    AuditEvent.objects.create(
        account=account,
        event_time="2026-03-01T12:00:00Z",
        event_name="DeleteUser",
        principal_arn="arn:aws:iam::123456789012:user/ops/carol",
        principal_type="IAMUser",
        principal_id="AIDAEXAMPLECAROL",
        request_id="req-1",
        request_parameters={"UserName": "bob"},
        error_code="AccessDenied",
        error_message="User: arn:aws:iam::123456789012:user/ops/carol is not authorized",
    )

    record = record_of(signed_in.get(f"/events/{latest(account).pk}"))

    assert record["userIdentity"]["userName"] == "carol"
    assert record["userIdentity"]["type"] == "IAMUser"
    assert record["errorCode"] == "AccessDenied"
    assert record["errorMessage"].startswith("User: arn:aws:iam::123456789012:user/ops/carol")
    assert record["responseElements"] is None
    assert list(record).index("errorCode") == list(record).index("userAgent") + 1


def test_a_console_sign_in_is_an_aws_console_sign_in_event(client, signed_in, account):
    client.logout()
    client.post("/login", {"email": "root@example.com", "password": "Root-pass-1234"})

    record = record_of(client.get(f"/events/{latest(account).pk}"))

    assert record["eventName"] == "ConsoleLogin"
    assert record["eventType"] == "AwsConsoleSignIn"
    assert record["eventSource"] == "signin.amazonaws.com"
    assert record["responseElements"] == {"ConsoleLogin": "Success"}
    assert "errorCode" not in record and "errorMessage" not in record


def test_another_accounts_event_is_not_found(signed_in, account, other_account):
    get_backend(other_account).create_user(UserName="stranger")
    theirs = latest(other_account)

    assert signed_in.get(f"/events/{theirs.pk}").status_code == 404
    assert signed_in.get("/events/999999999").status_code == 404
    assert signed_in.get("/events/not-a-number").status_code == 404


def test_it_needs_sign_in_and_get(client, signed_in, account):
    get_backend(account).create_user(UserName="alice")
    url = f"/events/{latest(account).pk}"

    assert signed_in.post(url).status_code == 405
    signed_in.logout()
    assert client.get(url).status_code == 302
