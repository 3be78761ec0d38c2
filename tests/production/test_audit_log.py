"""The audit log's JSON lines: one per audit event, written once the event is committed, with who did
what to which account and the outcome; never a request member (a password, a secret, a seed)."""

import io
import json
import logging

import pytest
from django.test import Client

from accounts.models import AuditEvent
from iamconsole.backends import get_backend
from iamconsole.backends.errors import EntityAlreadyExists
from tests.api.signing import FORM, sign

FIELDS = {"time", "type", "request_id", "account", "principal", "action", "via", "outcome", "duration_ms"}


@pytest.fixture
def audit_lines():
    """The lines the `iamconsole.audit` logger writes during the test (it is off outside production)."""
    logger = logging.getLogger("iamconsole.audit")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.mark.django_db
def test_a_mutation_writes_one_line_once_committed_and_never_its_secrets(
    audit_lines, account, django_capture_on_commit_callbacks
):
    iam = get_backend(account, via="command")
    with django_capture_on_commit_callbacks(execute=True) as pending:
        iam.create_user(UserName="carol")
        assert audit_lines() == []  # not before the commit
        iam.create_login_profile(UserName="carol", Password="Carol-pass-1234!")
        secret = iam.create_access_key(UserName="carol")["AccessKey"]["SecretAccessKey"]

    assert len(pending) == 3
    lines = audit_lines()
    assert [line["action"] for line in lines] == ["CreateUser", "CreateLoginProfile", "CreateAccessKey"]
    first = lines[0]
    assert set(first) == FIELDS
    assert first["type"] == "audit" and first["outcome"] == "success" and first["via"] == "command"
    assert (first["account"], first["principal"]) == ("123456789012", "arn:aws:iam::123456789012:root")
    event = AuditEvent.objects.get(event_name="CreateUser")
    assert first["request_id"] == event.request_id
    assert first["time"] == event.event_time.isoformat()
    text = json.dumps(lines)
    assert "Carol-pass-1234!" not in text and secret not in text


@pytest.mark.django_db
def test_a_refused_mutation_writes_its_error_code_as_the_outcome(
    audit_lines, account, django_capture_on_commit_callbacks
):
    iam = get_backend(account)
    iam.create_user(UserName="carol")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(EntityAlreadyExists):
        iam.create_user(UserName="Carol")

    assert [(line["action"], line["outcome"]) for line in audit_lines()] == [
        ("CreateUser", "EntityAlreadyExists")
    ]


@pytest.mark.django_db
def test_a_rolled_back_batch_writes_no_line(audit_lines, account, django_capture_on_commit_callbacks):
    iam = get_backend(account)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), iam.batch():
        iam.create_user(UserName="carol")
        raise RuntimeError("the wizard's next step failed")

    assert audit_lines() == []
    assert not AuditEvent.objects.filter(event_name="CreateUser").exists()


@pytest.mark.django_db
def test_an_api_calls_event_and_line_carry_the_request_id_the_client_got(
    audit_lines, account, django_capture_on_commit_callbacks
):
    key = get_backend(account).create_access_key()["AccessKey"]
    signed = sign(
        "http://testserver/aws",
        (key["AccessKeyId"], key["SecretAccessKey"]),
        "Action=CreateUser&Version=2010-05-08&UserName=dave",
    )
    with django_capture_on_commit_callbacks(execute=True):
        headers = {"Host": "testserver", **{k: v for k, v in signed.headers.items() if k != "Content-Type"}}
        response = Client().post("/aws", data=signed.body, content_type=FORM, headers=headers)

    assert response.status_code == 200
    request_id = response["x-amzn-RequestId"]
    (line,) = [line for line in audit_lines() if line["action"] == "CreateUser"]
    assert (line["request_id"], line["via"]) == (request_id, "api")
    assert AuditEvent.objects.get(event_name="CreateUser", via="api").request_id == request_id


@pytest.mark.django_db
def test_a_console_actions_events_carry_the_pages_request_id(account):
    client = Client()
    client.force_login(account.root_operator)

    response = client.post(
        "/groups/create",
        {"group_name": "ops", "path": "", "action": "create"},
        headers={"X-Request-ID": "req-42"},
    )

    assert response.status_code == 302
    assert AuditEvent.objects.get(event_name="CreateGroup").request_id == "req-42"
