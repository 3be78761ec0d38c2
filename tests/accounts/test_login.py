"""Root sign-in (email + password), sign-out and the account switcher."""

import pytest

from accounts.models import AuditEvent
from accounts.services import create_account


@pytest.fixture
def operator_account(db):
    return create_account(
        account_id="123456789012", root_email="Root@Example.com", root_password="Root-pass-1234"
    )


def test_the_sign_in_page_is_public(client, db):
    response = client.get("/login")

    assert response.status_code == 200
    assert b"Root user email address" in response.content
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_root_operator_signs_in_with_email_and_password(client, operator_account):
    response = client.post("/login", {"email": "root@example.com", "password": "Root-pass-1234"})

    assert response.status_code == 302 and response["Location"] == "/"
    event = AuditEvent.objects.get(event_name="ConsoleLogin")
    assert event.response_elements == {"ConsoleLogin": "Success"}
    assert event.principal_arn == "arn:aws:iam::123456789012:root"


def test_the_session_key_changes_at_sign_in(client, operator_account):
    client.get("/login")
    client.cookies["sessionid"] = "fixated-session-key-0123456789"

    client.post("/login", {"email": "root@example.com", "password": "Root-pass-1234"})

    assert client.cookies["sessionid"].value != "fixated-session-key-0123456789"


@pytest.mark.parametrize(
    "email,password",
    [("root@example.com", "wrong-password"), ("nobody@example.com", "Root-pass-1234"), ("", "")],
)
def test_every_failure_gets_the_same_generic_error(client, operator_account, email, password):
    response = client.post("/login", {"email": email, "password": password})

    assert response.status_code == 200
    assert b"Your authentication information is incorrect. Please try again." in response.content
    assert "_auth_user_id" not in client.session


def test_a_failed_attempt_on_a_known_operator_is_audited(client, operator_account):
    client.post("/login", {"email": "root@example.com", "password": "nope"})

    assert AuditEvent.objects.get(event_name="ConsoleLogin").response_elements == {"ConsoleLogin": "Failure"}


def test_next_is_followed_only_within_the_site(client, operator_account):
    response = client.post(
        "/login", {"email": "root@example.com", "password": "Root-pass-1234", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_sign_out_is_post_only_and_ends_the_session(client, operator_account):
    client.post("/login", {"email": "root@example.com", "password": "Root-pass-1234"})

    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_the_account_switcher_only_offers_the_operators_accounts(client, operator_account):
    second = create_account(account_id="111122223333", root_email="root@example.com", root_password="x")
    stranger = create_account(account_id="999988887777", root_email="other@example.com", root_password="x")
    client.post("/login", {"email": "root@example.com", "password": "Root-pass-1234"})

    client.post("/account/switch", {"account_id": second.account_id})
    assert b"111122223333" in client.get("/").content

    response = client.post("/account/switch", {"account_id": stranger.account_id}, follow=True)
    assert b"That account is not one of yours." in response.content
    assert client.session["account_id"] == "111122223333"
