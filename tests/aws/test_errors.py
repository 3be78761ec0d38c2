"""AWS-side error paths of AwsBackend that a moto server cannot produce.

Gaps of moto 5.2 as an IAM stand-in (for the README), each covered here with botocore's Stubber or a
`before-send` hook instead:

- user, group and policy names are case-sensitive in moto ("Alice" and "alice" can both exist); AWS
  refuses the second with EntityAlreadyExists;
- no password policy is enforced: CreateLoginProfile accepts "x" (AWS: PasswordPolicyViolation);
- DeleteUser succeeds on a user with a login profile, keys or group memberships (AWS: DeleteConflict);
- nothing is ever denied: moto authorizes every call (AWS: AccessDenied);
- List* actions ignore MaxItems and never answer a Marker, so paging is tested with the Stubber;
- GetLoginProfile answers PasswordResetRequired false whatever was set;
- SimulatePrincipalPolicy fails with an HTTP 500 (`account test` falls back to trying the reads);
- no throttling: the retry mode is exercised with a hook that answers Throttling before moto does.
"""

import datetime

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from iamconsole.backends import errors
from iamconsole.backends.aws import CLIENT_CONFIG, AwsBackend

NOW = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


@pytest.fixture
def stubbed(account):
    """(backend, stubber): an AwsBackend whose client answers only what the test queues."""
    client = boto3.client("iam", region_name="us-east-1", config=CLIENT_CONFIG)
    backend = AwsBackend(account, client=client)
    backend.consistency_delays = (0.01, 0.01)
    with Stubber(client) as stubber:
        yield backend, stubber
        stubber.assert_no_pending_responses()


def user(name="alice"):
    return {
        "UserName": name,
        "Path": "/",
        "UserId": "AIDAEXAMPLEEXAMPLE123",
        "Arn": f"arn:aws:iam::123456789012:user/{name}",
        "CreateDate": NOW,
    }


class _Raw:
    def __init__(self, body: bytes):
        self.body = body

    def stream(self, **kwargs):
        yield self.body


THROTTLING = (
    b"<ErrorResponse xmlns='https://iam.amazonaws.com/doc/2010-05-08/'><Error><Type>Sender</Type>"
    b"<Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>"
)


def test_throttling_is_retried_then_the_call_succeeds(backend):
    answered = []

    def throttle_once(request, **kwargs):
        answered.append(request.url)
        if len(answered) == 1:
            return AWSResponse(request.url, 400, {}, _Raw(THROTTLING))
        return None  # the request goes on to moto

    backend.client.meta.events.register("before-send.iam.CreateUser", throttle_once)
    try:
        created = backend.create_user(UserName="alice")
    finally:
        backend.client.meta.events.unregister("before-send.iam.CreateUser", throttle_once)

    assert created["User"]["UserName"] == "alice"
    assert len(answered) == 2


def test_the_client_retries_in_standard_mode_with_bounded_attempts_and_timeouts(backend):
    config = backend.client.meta.config

    assert config.retries == {"mode": "standard", "total_max_attempts": 5}
    assert config.connect_timeout == 5 and config.read_timeout == 30


def test_an_unknown_error_code_keeps_its_code_status_and_message(stubbed):
    backend, stubber = stubbed
    stubber.add_client_error("list_users", "Throttling", "Rate exceeded", http_status_code=400)

    with pytest.raises(errors.IAMError) as exc:
        backend.list_users()

    assert (exc.value.code, exc.value.http_status, exc.value.message) == ("Throttling", 400, "Rate exceeded")


def test_delete_conflict_becomes_the_contract_error(stubbed):
    backend, stubber = stubbed
    message = "Cannot delete entity, must delete login profile first."
    stubber.add_client_error("delete_user", "DeleteConflict", message, http_status_code=409)

    with pytest.raises(errors.DeleteConflict) as exc:
        backend.delete_user(UserName="alice")

    assert (exc.value.code, exc.value.http_status, exc.value.message) == ("DeleteConflict", 409, message)


def test_password_policy_violation_becomes_the_contract_error(stubbed):
    backend, stubber = stubbed
    message = "Password should have a minimum length of 8"
    stubber.add_client_error("create_login_profile", "PasswordPolicyViolation", message, http_status_code=400)

    with pytest.raises(errors.PasswordPolicyViolation) as exc:
        backend.create_login_profile(UserName="alice", Password="x")

    assert exc.value.message == message
    assert exc.value.http_status == 400


def test_access_denied_becomes_the_contract_error(stubbed):
    backend, stubber = stubbed
    message = (
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:ListUsers on resource: "
        "arn:aws:iam::123456789012:user/ because no identity-based policy allows the iam:ListUsers action"
    )
    stubber.add_client_error("list_users", "AccessDenied", message, http_status_code=403)

    with pytest.raises(errors.AccessDenied) as exc:
        backend.list_users()

    assert exc.value.message == message
    assert exc.value.http_status == 403


def test_a_case_variant_name_is_entity_already_exists(stubbed):
    backend, stubber = stubbed
    message = "User with name alice already exists."
    stubber.add_client_error("create_user", "EntityAlreadyExists", message, http_status_code=409)

    with pytest.raises(errors.EntityAlreadyExists) as exc:
        backend.create_user(UserName="alice")

    assert exc.value.message == message


def test_marker_and_max_items_pass_through(stubbed):
    backend, stubber = stubbed
    stubber.add_response(
        "list_users", {"Users": [user("a")], "IsTruncated": True, "Marker": "opaque"}, {"MaxItems": 1}
    )
    stubber.add_response(
        "list_users", {"Users": [user("b")], "IsTruncated": False}, {"MaxItems": 1, "Marker": "opaque"}
    )

    first = backend.list_users(MaxItems=1)
    second = backend.list_users(MaxItems=1, Marker=first["Marker"])

    assert (first["IsTruncated"], first["Marker"]) == (True, "opaque")
    assert [u["UserName"] for u in first["Users"] + second["Users"]] == ["a", "b"]


def test_a_read_right_after_a_write_is_retried_on_no_such_entity(stubbed):
    backend, stubber = stubbed
    stubber.add_response("create_user", {"User": user()}, {"UserName": "alice"})
    stubber.add_client_error("get_user", "NoSuchEntity", "The user with name alice cannot be found.", 404)
    stubber.add_response("get_user", {"User": user()}, {"UserName": "alice"})

    backend.create_user(UserName="alice")

    assert backend.get_user(UserName="alice")["User"]["UserName"] == "alice"


def test_a_read_without_a_recent_write_is_not_retried(stubbed):
    backend, stubber = stubbed
    stubber.add_client_error("get_user", "NoSuchEntity", "The user with name alice cannot be found.", 404)

    with pytest.raises(errors.NoSuchEntity):
        backend.get_user(UserName="alice")


def test_the_retry_after_a_write_gives_up_after_a_few_tries(stubbed):
    backend, stubber = stubbed
    stubber.add_response("create_user", {"User": user()}, {"UserName": "alice"})
    for _ in range(3):  # the first try and two retries (the fixture's two delays)
        stubber.add_client_error("get_user", "NoSuchEntity", "The user with name alice cannot be found.", 404)
    backend.create_user(UserName="alice")

    with pytest.raises(errors.NoSuchEntity) as exc:
        backend.get_user(UserName="alice")

    assert exc.value.message == "The user with name alice cannot be found."


def test_a_read_after_a_deletion_is_not_retried(stubbed):
    backend, stubber = stubbed
    stubber.add_response("delete_user", {}, {"UserName": "alice"})
    stubber.add_client_error("get_user", "NoSuchEntity", "The user with name alice cannot be found.", 404)
    backend.delete_user(UserName="alice")

    with pytest.raises(errors.NoSuchEntity):  # one answer queued: a retry would find none
        backend.get_user(UserName="alice")


def test_an_unreachable_endpoint_is_a_service_failure(account):
    account.endpoint_url = "http://127.0.0.1:9"  # discard port: nothing listens
    client = boto3.client(
        "iam",
        region_name="us-east-1",
        endpoint_url=account.endpoint_url,
        config=CLIENT_CONFIG.merge(
            boto3.session.Config(retries={"total_max_attempts": 1}, connect_timeout=1)
        ),
    )

    with pytest.raises(errors.ServiceFailure) as exc:
        AwsBackend(account, client=client).list_users()

    assert exc.value.message.startswith("The call to the IAM endpoint failed: Could not connect")


def test_local_only_extensions_say_so(backend):
    with pytest.raises(errors.NotImplementedOperation) as exc:
        backend.list_events()

    assert exc.value.message == "list_events is available for local accounts only."
