"""SigV4 at `/aws`: requests signed by botocore, then broken on purpose, sent over real HTTP.

Each refusal is AWS's answer (code, message, status) and leaves no trace: nothing written, no key use.
"""

import datetime
import hashlib
import re

import pytest
import urllib3

from accounts.models import AuditEvent
from credentials.models import AccessKey
from iamconsole.backends import get_backend
from users.models import IAMUser

from .signing import error_parts, sign

BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)
INVALID_TOKEN = "The security token included in the request is invalid."
CREATE_ALICE = "Action=CreateUser&Version=2010-05-08&UserName=alice"


@pytest.fixture
def http():
    return urllib3.PoolManager(retries=False)


@pytest.fixture
def send(http, endpoint):
    def send(request, body=None, drop=(), **extra_headers):
        headers = {k: v for k, v in request.headers.items() if k not in drop} | extra_headers
        data = request.body if body is None else body
        return http.request(request.method, request.url, body=data, headers=headers)

    return send


def assert_untouched(account, key_id):
    assert not IAMUser.objects.filter(account=account).exists()
    assert not AuditEvent.objects.filter(account=account, event_name="CreateUser").exists()
    assert AccessKey.objects.get(access_key_id=key_id).last_used_date is None


def test_a_correctly_signed_request_is_served(send, endpoint, root_key, account):
    response = send(sign(endpoint, root_key, CREATE_ALICE))

    assert response.status == 200
    assert b"<CreateUserResponse" in response.data
    assert IAMUser.objects.filter(account=account, name="alice").exists()
    assert AccessKey.objects.get(access_key_id=root_key[0]).last_used_date is not None


def test_a_get_with_the_form_in_the_query_string_is_served(send, endpoint, root_key):
    request = sign(endpoint + "?Action=ListUsers&Version=2010-05-08&MaxItems=5", root_key, method="GET")

    response = send(request)

    assert response.status == 200
    assert b"<ListUsersResult><Users></Users><IsTruncated>false</IsTruncated>" in response.data


def test_a_wrong_secret_is_signature_does_not_match(send, endpoint, root_key, account):
    response = send(sign(endpoint, (root_key[0], "x" * 40), CREATE_ALICE))

    assert response.status == 403
    assert error_parts(response.data) == ("Sender", "SignatureDoesNotMatch", BAD_SIGNATURE)
    assert_untouched(account, root_key[0])


def test_a_tampered_body_is_signature_does_not_match(send, endpoint, root_key, account):
    request = sign(endpoint, root_key, CREATE_ALICE)

    response = send(request, body=CREATE_ALICE.replace("alice", "mallo").encode())

    assert response.status == 403
    assert error_parts(response.data)[1:] == ("SignatureDoesNotMatch", BAD_SIGNATURE)
    assert not IAMUser.objects.filter(account=account).exists()


def test_a_signed_body_hash_that_is_not_the_bodys_is_refused(send, endpoint, root_key, account):
    claimed = hashlib.sha256(CREATE_ALICE.encode()).hexdigest()
    request = sign(endpoint, root_key, CREATE_ALICE, headers={"X-Amz-Content-SHA256": claimed})

    other = "Action=CreateUser&Version=2010-05-08&UserName=mallory"
    response = send(request, body=other.encode())

    assert response.status == 403
    assert error_parts(response.data)[1] == "SignatureDoesNotMatch"
    assert not IAMUser.objects.filter(account=account).exists()


def test_a_signature_older_than_fifteen_minutes_has_expired(send, endpoint, root_key, account):
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)

    response = send(sign(endpoint, root_key, CREATE_ALICE, when=old))

    assert response.status == 403
    kind, code, message = error_parts(response.data)
    assert code == "SignatureDoesNotMatch"
    signed = old.strftime("%Y%m%dT%H%M%SZ")
    assert re.fullmatch(
        rf"Signature expired: {signed} is now earlier than (\d{{8}}T\d{{6}}Z) \((\d{{8}}T\d{{6}}Z) - 15 min\.\)",
        message,
    )
    earliest, now = re.findall(r"\d{8}T\d{6}Z", message)[1:]
    parse = lambda t: datetime.datetime.strptime(t, "%Y%m%dT%H%M%SZ")  # noqa: E731
    assert parse(now) - parse(earliest) == datetime.timedelta(minutes=15)
    assert_untouched(account, root_key[0])


def test_a_signature_fourteen_minutes_old_is_still_good(send, endpoint, root_key):
    recent = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=14)

    assert send(sign(endpoint, root_key, CREATE_ALICE, when=recent)).status == 200


def test_a_signature_from_the_future_is_not_yet_current(send, endpoint, root_key, account):
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=20)

    response = send(sign(endpoint, root_key, CREATE_ALICE, when=later))

    assert response.status == 403
    _, code, message = error_parts(response.data)
    assert code == "SignatureDoesNotMatch"
    assert message.startswith(f"Signature not yet current: {later:%Y%m%dT%H%M%SZ} is still later than ")
    assert_untouched(account, root_key[0])


def test_an_unsigned_request_is_missing_its_authentication_token(http, endpoint, account):
    response = http.request(
        "POST", endpoint, body=CREATE_ALICE, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )

    assert response.status == 403
    assert error_parts(response.data) == (
        "Sender",
        "MissingAuthenticationToken",
        "Request is missing Authentication Token",
    )
    assert response.headers["x-amzn-RequestId"]
    assert not IAMUser.objects.filter(account=account).exists()


def test_a_request_without_its_date_header_is_an_incomplete_signature(send, endpoint, root_key, account):
    request = sign(endpoint, root_key, CREATE_ALICE)

    response = send(request, drop=("X-Amz-Date",))

    assert response.status == 400
    _, code, message = error_parts(response.data)
    assert code == "IncompleteSignature"
    assert message == (
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        f"Authorization={request.headers['Authorization']}"
    )
    assert_untouched(account, root_key[0])


def test_an_authorization_header_without_its_parts_is_an_incomplete_signature(send, endpoint, root_key):
    request = sign(endpoint, root_key, CREATE_ALICE)
    header = f"AWS4-HMAC-SHA256 Credential={root_key[0]}/20260101/us-east-1/iam/aws4_request"

    response = send(request, Authorization=header)

    assert response.status == 400
    assert error_parts(response.data)[1:] == (
        "IncompleteSignature",
        "Authorization header requires 'Signature' parameter. "
        f"Authorization header requires 'SignedHeaders' parameter. Authorization={header}",
    )


def test_a_credential_without_five_parts_is_an_incomplete_signature(send, endpoint, root_key):
    request = sign(endpoint, root_key, CREATE_ALICE)
    header = request.headers["Authorization"].replace("/us-east-1/iam/", "/iam/")

    response = send(request, Authorization=header)

    assert response.status == 400
    _, code, message = error_parts(response.data)
    assert code == "IncompleteSignature"
    assert message.startswith(
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/"
    )


def test_an_unknown_key_is_an_invalid_client_token(send, endpoint, root_key, account):
    response = send(sign(endpoint, ("AKIAIOSFODNN7EXAMPLE", root_key[1]), CREATE_ALICE))

    assert response.status == 403
    assert error_parts(response.data) == ("Sender", "InvalidClientTokenId", INVALID_TOKEN)
    assert_untouched(account, root_key[0])


def test_an_inactive_key_is_an_invalid_client_token(send, endpoint, root_key, account):
    get_backend(account).update_access_key(AccessKeyId=root_key[0], Status="Inactive")

    response = send(sign(endpoint, root_key, CREATE_ALICE))

    assert response.status == 403
    assert error_parts(response.data)[1:] == ("InvalidClientTokenId", INVALID_TOKEN)


def test_a_session_token_is_an_invalid_client_token(send, endpoint, root_key):
    request = sign(endpoint, root_key, CREATE_ALICE, headers={"X-Amz-Security-Token": "FwoGZXIvYXdzEJr"})

    response = send(request)

    assert response.status == 403
    assert error_parts(response.data)[1] == "InvalidClientTokenId"


def test_another_accounts_key_id_with_this_accounts_secret_does_not_match(
    send, endpoint, root_key, other_account
):
    other_id = get_backend(other_account).create_access_key()["AccessKey"]["AccessKeyId"]

    response = send(sign(endpoint, (other_id, root_key[1]), CREATE_ALICE))

    assert response.status == 403
    assert error_parts(response.data)[1] == "SignatureDoesNotMatch"
    assert not IAMUser.objects.exists()


def test_a_scope_for_another_service_is_refused(send, endpoint, root_key, account):
    response = send(sign(endpoint, root_key, CREATE_ALICE, service="s3"))

    assert response.status == 403
    assert error_parts(response.data)[1:] == (
        "SignatureDoesNotMatch",
        "Credential should be scoped to correct service: 'iam'.",
    )
    assert_untouched(account, root_key[0])


def test_a_scope_date_other_than_the_request_date_is_refused(send, endpoint, root_key):
    request = sign(endpoint, root_key, CREATE_ALICE)
    header = re.sub(r"/\d{8}/", "/20200101/", request.headers["Authorization"])

    response = send(request, Authorization=header)

    assert response.status == 403
    _, code, message = error_parts(response.data)
    assert code == "SignatureDoesNotMatch"
    assert message.startswith(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date"
    )


def test_the_host_header_must_be_signed(send, endpoint, root_key):
    request = sign(endpoint, root_key, CREATE_ALICE)
    header = request.headers["Authorization"].replace(
        "SignedHeaders=content-type;host;x-amz-date", "SignedHeaders=content-type;x-amz-date"
    )

    response = send(request, Authorization=header)

    assert response.status == 400
    assert error_parts(response.data)[1:] == (
        "IncompleteSignature",
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    )
