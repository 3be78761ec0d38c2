"""IAM-user sign-in, step 3: a required reset or an expired password is changed before anything else;
HardExpiry leaves no way forward; the expiry warning in the last 15 days."""

import datetime

import pytest
from django.utils import timezone

from accounts import signin_iam
from credentials.models import LoginProfile
from iamconsole.backends import get_backend

from .conftest import PASSWORD, sign_in

NEW = "Brand-new-pass-5678"


@pytest.fixture
def may_change(account):
    """The account lets users change their own password (iam:ChangePassword on themselves)."""
    get_backend(account).update_account_password_policy(
        MinimumPasswordLength=8, AllowUsersToChangePassword=True
    )


@pytest.fixture
def reset_required(account, alice):
    get_backend(account).update_login_profile(UserName="alice", PasswordResetRequired=True)


def _age_password(days: int) -> None:
    LoginProfile.objects.filter(user__name="alice").update(
        password_changed=timezone.now() - datetime.timedelta(days=days)
    )


def test_a_first_sign_in_with_a_required_reset_asks_for_a_new_password(client, may_change, reset_required):
    response = sign_in(client)

    assert response["Location"] == "/signin/session/password"
    page = client.get("/signin/session/password").content.decode()
    assert "Minimum password length is 8 characters" in page  # the rules, before they type
    assert signin_iam.SIGNED_IN not in client.session


def test_the_required_reset_blocks_every_other_page(client, may_change, reset_required):
    sign_in(client)

    assert client.get("/self/security-credentials")["Location"] == "/signin/session/continue"
    assert client.get("/signin/session/continue")["Location"] == "/signin/session/password"
    assert client.get("/signin/session/mfa")["Location"] == "/signin/session/continue"


def test_changing_the_password_signs_the_user_in(client, account, may_change, reset_required):
    sign_in(client)

    response = client.post(
        "/signin/session/password",
        {"old_password": PASSWORD, "new_password": NEW, "confirm_password": NEW},
    )

    assert response["Location"] == "/self/security-credentials"
    assert client.session[signin_iam.SIGNED_IN]["user"]
    profile = get_backend(account).get_login_profile(UserName="alice")["LoginProfile"]
    assert profile["PasswordResetRequired"] is False
    client.post("/signout")
    assert sign_in(client, password=NEW)["Location"] == "/self/security-credentials"


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"old_password": "Wrong-pass-0000", "new_password": NEW, "confirm_password": NEW}, "incorrect"),
        (
            {"old_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
            "minimum length of 8",
        ),
        ({"old_password": PASSWORD, "new_password": NEW, "confirm_password": NEW + "x"}, "do not match"),
    ],
)
def test_a_bad_change_is_refused_with_the_reason(client, may_change, reset_required, data, field_error):
    sign_in(client)

    response = client.post("/signin/session/password", data)

    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert signin_iam.SIGNED_IN not in client.session


def test_reusing_a_remembered_password_is_refused(client, account, reset_required):
    get_backend(account).update_account_password_policy(
        MinimumPasswordLength=8, AllowUsersToChangePassword=True, PasswordReusePrevention=3
    )
    sign_in(client)

    response = client.post(
        "/signin/session/password",
        {"old_password": PASSWORD, "new_password": PASSWORD, "confirm_password": PASSWORD},
    )

    assert "Password does not conform to the account password policy." in response.content.decode()


def test_without_permission_to_change_the_user_is_told_to_ask_an_administrator(client, reset_required):
    sign_in(client)

    response = client.post(
        "/signin/session/password", {"old_password": PASSWORD, "new_password": NEW, "confirm_password": NEW}
    )

    assert "Ask your administrator" in response.content.decode()
    assert "iam:ChangePassword" in response.content.decode()
    assert signin_iam.SIGNED_IN not in client.session


def test_an_expired_password_must_be_changed_at_sign_in(client, account, alice):
    get_backend(account).update_account_password_policy(
        MinimumPasswordLength=8, AllowUsersToChangePassword=True, MaxPasswordAge=30
    )
    _age_password(31)

    assert sign_in(client)["Location"] == "/signin/session/password"


def test_hard_expiry_leaves_no_way_forward(client, account, alice):
    get_backend(account).update_account_password_policy(
        MinimumPasswordLength=8, AllowUsersToChangePassword=True, MaxPasswordAge=30, HardExpiry=True
    )
    _age_password(31)

    response = sign_in(client)

    assert response.status_code == 403
    assert "Ask your administrator" in response.content.decode()
    assert client.get("/signin/session/password")["Location"] == "/signin"
    assert client.get("/self/security-credentials").status_code == 302


def test_the_expiry_warning_shows_in_the_last_15_days(client, account, alice):
    get_backend(account).update_account_password_policy(MinimumPasswordLength=8, MaxPasswordAge=30)
    _age_password(20)

    response = sign_in(client)
    page = client.get(response["Location"]).content.decode()

    assert "Your password expires in 9 days" in page or "Your password expires in 10 days" in page


def test_no_expiry_warning_earlier(client, account, alice):
    get_backend(account).update_account_password_policy(MinimumPasswordLength=8, MaxPasswordAge=30)
    _age_password(5)

    sign_in(client)

    assert "expires" not in client.get("/self/security-credentials").content.decode()
