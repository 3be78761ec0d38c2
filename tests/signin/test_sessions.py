"""IAM-user console sessions: idle timeout, absolute lifetime, and the events that end every session of
the user (password changed, console access removed, user deleted, "Sign out everywhere")."""

import pytest
from django.test import Client

from accounts import signin_iam
from iamconsole.backends import get_backend

from .conftest import PASSWORD, sign_in

PAGE = "/self/security-credentials"


@pytest.fixture
def clock(monkeypatch):
    now = [2_000_000_000.0]
    monkeypatch.setattr(signin_iam, "clock", lambda: now[0])
    return now


def _signed_in(alice) -> Client:
    client = Client()
    assert sign_in(client)["Location"] == PAGE
    return client


def test_a_session_ends_after_15_idle_minutes(alice, clock):
    client = _signed_in(alice)
    clock[0] += signin_iam.IDLE_TIMEOUT - 5
    assert client.get(PAGE).status_code == 200

    clock[0] += signin_iam.IDLE_TIMEOUT + 1
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"] == "/signin/123456789012?ended=1"
    assert b"Your session has ended" in client.get(response["Location"]).content
    assert client.get(PAGE).status_code == 302  # flushed: no way back


def test_activity_keeps_a_session_alive_until_its_absolute_lifetime(alice, clock):
    client = _signed_in(alice)
    for _ in range(signin_iam.ABSOLUTE_LIFETIME // (10 * 60)):
        clock[0] += 10 * 60
        assert client.get(PAGE).status_code == 200
    clock[0] += 10 * 60

    assert client.get(PAGE).status_code == 302


def test_max_signin_session_duration_shortens_the_lifetime(account, alice, clock):
    get_backend(account).update_login_profile(UserName="alice", MaxSigninSessionDuration=3600)
    client = _signed_in(alice)
    for _ in range(6):
        clock[0] += 10 * 60
        assert client.get(PAGE).status_code == 200
    clock[0] += 10 * 60 + 1

    assert client.get(PAGE).status_code == 302


def test_an_administrator_resetting_the_password_ends_the_session(account, alice):
    client = _signed_in(alice)

    get_backend(account).update_login_profile(UserName="alice", Password="Reset-by-admin-123")

    assert client.get(PAGE).status_code == 302


def test_removing_console_access_ends_the_session(account, alice):
    client = _signed_in(alice)

    get_backend(account).delete_login_profile(UserName="alice")

    assert client.get(PAGE).status_code == 302


def test_deleting_the_user_ends_the_session(account, alice):
    client = _signed_in(alice)
    iam = get_backend(account)
    iam.delete_login_profile(UserName="alice")
    iam.delete_user(UserName="alice")

    assert client.get(PAGE).status_code == 302


def test_sign_out_everywhere_ends_every_session_of_the_user(account, alice):
    phone, laptop = _signed_in(alice), _signed_in(alice)
    iam = get_backend(account)
    iam.create_user(UserName="bob")
    iam.create_login_profile(UserName="bob", Password="Bob-pass-123456")
    bob = Client()
    sign_in(bob, username="bob", password="Bob-pass-123456")

    response = phone.post("/signout/everywhere")

    assert response["Location"] == "/signin/123456789012"
    assert phone.get(PAGE).status_code == 302
    assert laptop.get(PAGE).status_code == 302
    assert bob.get(PAGE).status_code == 200


def test_sign_out_everywhere_is_post_only_and_for_iam_users(client, account, alice):
    laptop = _signed_in(alice)
    assert laptop.get("/signout/everywhere").status_code == 405
    client.force_login(account.root_operator)
    assert client.post("/signout/everywhere").status_code == 404


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(account, alice):
    get_backend(account).update_account_password_policy(
        MinimumPasswordLength=8, AllowUsersToChangePassword=True
    )
    this, other = _signed_in(alice), _signed_in(alice)
    key_before = this.cookies["sessionid"].value
    new = "Changed-pass-9876"

    response = this.post(
        "/self/security-credentials/password",
        {"old_password": PASSWORD, "new_password": new, "confirm_password": new},
    )

    assert response.status_code == 302
    assert this.get(PAGE).status_code == 200
    assert this.cookies["sessionid"].value != key_before
    assert other.get(PAGE).status_code == 302


def test_a_root_session_and_an_iam_session_do_not_mix(client, account, alice):
    client.force_login(account.root_operator)

    sign_in(client)

    page = client.get(PAGE).content.decode()
    assert "alice@123456789012" in page
    assert "· root" not in page


def test_an_htmx_request_of_an_ended_session_gets_a_full_page_redirect(account, alice):
    client = _signed_in(alice)
    get_backend(account).delete_login_profile(UserName="alice")

    response = client.get(PAGE, headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"] == "/signin/123456789012?ended=1"
