"""IAM-user sign-in, step 1: account, user name, password; one generic error; audit; sessions."""

import pytest

from accounts import signin_iam
from accounts.models import AuditEvent
from iamconsole.backends import get_backend

from .conftest import PASSWORD, sign_in

GENERIC = "Your authentication information is incorrect. Please try again."


def test_the_sign_in_page_is_public_and_not_cached(client, db):
    response = client.get("/signin")

    assert response.status_code == 200
    assert b"Sign in as IAM user" in response.content
    assert "no-cache" in response["Cache-Control"] or response["Cache-Control"].startswith("max-age=0")


def test_the_account_in_the_url_fills_the_account_field(client, account):
    response = client.get("/signin/123456789012")

    assert b'value="123456789012"' in response.content


def test_a_user_signs_in_with_account_id_user_name_and_password(client, alice):
    response = sign_in(client)

    assert response.status_code == 302 and response["Location"] == "/self/security-credentials"
    page = client.get("/self/security-credentials")
    assert page.status_code == 200
    assert b"alice@123456789012" in page.content


def test_the_account_alias_and_a_case_variant_of_the_name_work_too(client, account, alice):
    get_backend(account).create_account_alias(AccountAlias="acme")

    response = sign_in(client, username="ALICE", account="acme")

    assert response.status_code == 302
    assert b"alice@acme" in client.get("/self/security-credentials").content


@pytest.mark.parametrize(
    ("username", "password", "account_text"),
    [
        ("alice", "Wrong-pass-1234", "123456789012"),
        ("nobody", PASSWORD, "123456789012"),
        ("alice", PASSWORD, "999999999999"),
        ("alice", PASSWORD, "no-such-alias"),
    ],
)
def test_every_failure_gets_the_same_generic_message(client, alice, username, password, account_text):
    response = sign_in(client, username=username, password=password, account=account_text)

    assert response.status_code == 200
    assert GENERIC in response.content.decode()
    assert signin_iam.SIGNED_IN not in client.session


def test_a_user_without_a_console_password_cannot_sign_in(client, account):
    get_backend(account).create_user(UserName="bob")

    response = sign_in(client, username="bob", password="anything")

    assert GENERIC in response.content.decode()


def test_success_and_failure_are_audited_as_console_login(client, alice):
    sign_in(client, password="Wrong-pass-1234")
    sign_in(client, username="ghost")
    sign_in(client)

    events = list(AuditEvent.objects.filter(event_name="ConsoleLogin").order_by("pk"))
    assert [e.response_elements["ConsoleLogin"] for e in events] == ["Failure", "Failure", "Success"]
    assert events[0].principal_arn == "arn:aws:iam::123456789012:user/alice"
    assert events[1].principal_arn.endswith("user/HIDDEN_DUE_TO_SECURITY_REASONS")
    assert events[2].response_elements["MFAUsed"] == "No"
    assert events[2].event_source == "signin.amazonaws.com"


def test_the_password_is_never_written_to_the_audit_log(client, alice):
    sign_in(client, password="Wrong-pass-1234")
    sign_in(client)

    for event in AuditEvent.objects.all():
        assert PASSWORD not in str(event.request_parameters) + str(event.response_elements)
        assert "Wrong-pass-1234" not in str(event.request_parameters)


def test_a_sign_in_records_password_last_used(client, account, alice):
    assert "PasswordLastUsed" not in get_backend(account).get_user(UserName="alice")["User"]

    sign_in(client)

    assert "PasswordLastUsed" in get_backend(account).get_user(UserName="alice")["User"]


def test_the_session_key_changes_at_sign_in(client, alice):
    client.get("/signin")
    client.cookies["sessionid"] = "fixated-session-key-0123456789"

    sign_in(client)

    assert client.cookies["sessionid"].value != "fixated-session-key-0123456789"


def test_a_safe_next_url_is_followed_and_an_offsite_one_ignored(client, alice):
    assert sign_in(client, next="/users")["Location"] == "/users"
    client.post("/signout")
    assert sign_in(client, next="https://evil.example/")["Location"] == "/self/security-credentials"


def test_signing_out_ends_the_session_server_side(client, alice):
    sign_in(client)
    old_key = client.cookies["sessionid"].value

    response = client.post("/signout")

    assert response["Location"] == "/signin/123456789012"
    client.cookies["sessionid"] = old_key
    assert client.get("/self/security-credentials").status_code == 302


def test_sign_out_is_post_only(client, alice):
    sign_in(client)

    assert client.get("/signout").status_code == 405


def test_the_top_bar_names_the_user_at_the_alias_and_offers_their_pages(client, account, alice):
    get_backend(account).create_account_alias(AccountAlias="acme")
    sign_in(client)

    page = client.get("/self/security-credentials").content.decode()

    assert "alice@acme" in page
    assert 'href="/self/security-credentials">My security credentials' in page
    assert 'action="/signout"' in page
    assert "· root" not in page
