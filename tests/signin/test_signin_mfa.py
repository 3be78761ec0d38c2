"""IAM-user sign-in, step 2: the MFA code (pyotp), replay refused, half-signed-in sessions blocked."""

from accounts import signin_iam
from accounts.models import AuditEvent

from .conftest import code_at, current_step, sign_in

GENERIC = "Your authentication information is incorrect. Please try again."


def test_a_user_with_a_device_is_asked_for_a_code_after_the_password(client, alice_mfa):
    response = sign_in(client)

    assert response["Location"] == "/signin/session/mfa"
    assert b"MFA code" in client.get("/signin/session/mfa").content
    assert signin_iam.SIGNED_IN not in client.session


def test_the_next_code_signs_the_user_in_with_mfa(client, alice_mfa):
    sign_in(client)

    response = client.post("/signin/session/mfa", {"code": code_at(alice_mfa, current_step() + 1)})

    assert response["Location"] == "/self/security-credentials"
    assert client.session[signin_iam.SIGNED_IN]["mfa"] is True
    event = AuditEvent.objects.filter(event_name="ConsoleLogin").latest("pk")
    assert event.response_elements == {"ConsoleLogin": "Success", "MFAUsed": "Yes"}


def test_a_wrong_or_malformed_code_gets_the_generic_message(client, alice_mfa):
    sign_in(client)

    for code in ("000000", "12ab"):
        response = client.post("/signin/session/mfa", {"code": code})
        assert GENERIC in response.content.decode()
    assert signin_iam.SIGNED_IN not in client.session


def test_a_code_replayed_after_its_use_is_refused(client, alice_mfa):
    code = code_at(alice_mfa, current_step() + 1)
    sign_in(client)
    client.post("/signin/session/mfa", {"code": code})
    client.post("/signout")

    sign_in(client)
    response = client.post("/signin/session/mfa", {"code": code})

    assert GENERIC in response.content.decode()
    assert signin_iam.SIGNED_IN not in client.session


def test_the_session_key_changes_after_the_password_step_and_after_the_mfa_step(client, alice_mfa):
    client.get("/signin")
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else ""
    sign_in(client)
    after_password = client.cookies["sessionid"].value

    client.post("/signin/session/mfa", {"code": code_at(alice_mfa, current_step() + 1)})

    assert after_password != before
    assert client.cookies["sessionid"].value != after_password


def test_a_half_signed_in_session_reaches_no_other_page(client, alice_mfa):
    sign_in(client)

    for path in ("/", "/users", "/self/security-credentials", "/signin/session/password"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/signin/session/"), path
    assert client.post("/users/alice/delete").status_code == 302


def test_a_half_signed_in_session_can_start_over(client, alice_mfa):
    sign_in(client)

    response = client.post("/signin/session/cancel")

    assert response["Location"] == "/signin"
    assert client.get("/signin/session/mfa")["Location"] == "/signin"


def test_a_code_two_steps_ahead_is_outside_the_window(client, alice_mfa):
    sign_in(client)

    response = client.post("/signin/session/mfa", {"code": code_at(alice_mfa, current_step() + 3)})

    assert GENERIC in response.content.decode()
