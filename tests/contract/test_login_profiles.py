"""CreateLoginProfile, GetLoginProfile, UpdateLoginProfile, DeleteLoginProfile and ChangePassword.

Error wordings come from real AWS answers (reference/aws-recorded, topic login_profiles); the ones
AWS has not been seen to give (ChangePassword's InvalidUserType texts) are the module's constants.
"""

import json

import pytest

from accounts.models import AuditEvent
from credentials import ops_passwords
from credentials.models import LoginProfile, PasswordHistory
from iamconsole.backends import errors, get_backend
from tests.contract.conftest import CheckedBackend, allow
from users.models import IAMUser

GOOD = "TestPassword123!"
OTHER_GOOD = "NewPassword456!"


@pytest.fixture
def alice(iam):
    iam.create_user(UserName="alice")
    return IAMUser.objects.get(name="alice")


@pytest.fixture
def as_alice(account, alice, monkeypatch):
    """alice's own backend, allowed every IAM action by an inline policy."""
    allow(get_backend(account), alice.name)
    return CheckedBackend(get_backend(account, alice))


def audit_text() -> str:
    return json.dumps(
        [[e.request_parameters, e.response_elements, e.error_message] for e in AuditEvent.objects.all()]
    )


def test_it_creates_a_login_profile_without_returning_the_password(iam, alice):
    out = iam.create_login_profile(UserName="alice", Password=GOOD)["LoginProfile"]

    assert set(out) == {"UserName", "CreateDate", "PasswordResetRequired"}
    assert out["UserName"] == "alice"
    assert out["PasswordResetRequired"] is False
    assert iam.get_login_profile(UserName="alice")["LoginProfile"] == out


def test_it_stores_an_argon2_hash_never_the_password(iam, alice):
    iam.create_login_profile(UserName="alice", Password=GOOD)

    stored = LoginProfile.objects.get(user=alice).password_hash
    assert stored.startswith("argon2")
    assert GOOD not in stored


def test_it_keeps_password_reset_required(iam, alice):
    out = iam.create_login_profile(UserName="alice", Password=GOOD, PasswordResetRequired=True)

    assert out["LoginProfile"]["PasswordResetRequired"] is True
    assert iam.get_login_profile(UserName="alice")["LoginProfile"]["PasswordResetRequired"] is True


def test_it_refuses_a_login_profile_for_an_unknown_user(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.create_login_profile(UserName="nonexistent-user", Password=GOOD)

    assert exc.value.message == "The user with name nonexistent-user cannot be found."
    assert exc.value.http_status == 404


def test_it_refuses_a_second_login_profile_and_keeps_the_first_password(iam, alice):
    iam.create_login_profile(UserName="alice", Password=GOOD)

    with pytest.raises(errors.EntityAlreadyExists) as exc:
        iam.create_login_profile(UserName="alice", Password="AnotherPassword123!")

    assert exc.value.message == "Login Profile for user alice already exists."
    assert exc.value.http_status == 409
    assert ops_passwords.verify_password(LoginProfile.objects.get(user=alice), GOOD)


def test_it_requires_a_password_outside_an_assume_root_session(iam, alice):
    with pytest.raises(errors.ValidationError) as exc:
        iam.create_login_profile(UserName="alice")

    assert "Value null at 'password'" in exc.value.message
    assert not LoginProfile.objects.exists()


def test_root_must_name_the_user(iam, alice):
    with pytest.raises(errors.ValidationError) as exc:
        iam.get_login_profile()

    assert exc.value.message == "Must specify userName when calling with non-User credentials"


def test_an_iam_user_omitting_user_name_acts_on_itself(as_alice, iam):
    iam.create_login_profile(UserName="alice", Password=GOOD)

    assert as_alice.get_login_profile()["LoginProfile"]["UserName"] == "alice"


def test_get_login_profile_answers_no_such_entity_without_a_password(iam, alice):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.get_login_profile(UserName="alice")

    assert exc.value.message == "Login Profile for User alice cannot be found."
    assert exc.value.http_status == 404


def test_update_changes_the_password_and_keeps_the_creation_date(iam, alice):
    created = iam.create_login_profile(UserName="alice", Password=GOOD)["LoginProfile"]["CreateDate"]

    assert iam.update_login_profile(UserName="alice", Password=OTHER_GOOD) == {}

    profile = LoginProfile.objects.get(user=alice)
    assert ops_passwords.verify_password(profile, OTHER_GOOD)
    assert not ops_passwords.verify_password(profile, GOOD)
    assert iam.get_login_profile(UserName="alice")["LoginProfile"]["CreateDate"] == created


def test_update_of_the_reset_flag_alone_keeps_the_password(iam, alice):
    iam.create_login_profile(UserName="alice", Password=GOOD)

    iam.update_login_profile(UserName="alice", PasswordResetRequired=True)

    assert iam.get_login_profile(UserName="alice")["LoginProfile"]["PasswordResetRequired"] is True
    assert ops_passwords.verify_password(LoginProfile.objects.get(user=alice), GOOD)


def test_update_without_a_login_profile_is_no_such_entity(iam, alice):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.update_login_profile(UserName="alice", Password=GOOD)

    assert exc.value.message == "Login Profile for User alice cannot be found."


def test_update_for_an_unknown_user_is_no_such_entity(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.update_login_profile(UserName="ghost", PasswordResetRequired=True)

    assert exc.value.message == "The user with name ghost cannot be found."


def test_update_refuses_a_password_against_the_policy_and_keeps_the_old_one(iam, alice):
    iam.create_login_profile(UserName="alice", Password=GOOD)

    with pytest.raises(errors.PasswordPolicyViolation) as exc:
        iam.update_login_profile(UserName="alice", Password="short", PasswordResetRequired=True)

    assert exc.value.message == "Password should have a minimum length of 8"
    assert exc.value.http_status == 400
    profile = LoginProfile.objects.get(user=alice)
    assert ops_passwords.verify_password(profile, GOOD)
    assert profile.password_reset_required is False


def test_the_sign_in_session_duration_is_set_and_cleared(iam, alice):
    out = iam.create_login_profile(UserName="alice", Password=GOOD, MaxSigninSessionDuration=7200)
    assert out["LoginProfile"]["MaxSigninSessionDuration"] == 7200

    iam.update_login_profile(UserName="alice", ResetMaxSigninSessionDuration=True)

    assert "MaxSigninSessionDuration" not in iam.get_login_profile(UserName="alice")["LoginProfile"]


def test_the_session_duration_and_its_reset_cannot_be_combined(iam, alice):
    iam.create_login_profile(UserName="alice", Password=GOOD)

    with pytest.raises(errors.InvalidInput):
        iam.update_login_profile(
            UserName="alice", MaxSigninSessionDuration=7200, ResetMaxSigninSessionDuration=True
        )


def test_delete_removes_the_password_once(iam, alice):
    iam.create_login_profile(UserName="alice", Password=GOOD)

    assert iam.delete_login_profile(UserName="alice") == {}

    assert not LoginProfile.objects.filter(user=alice).exists()
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.delete_login_profile(UserName="alice")
    assert exc.value.message == "Login Profile for User alice cannot be found."


def test_delete_for_an_unknown_user_is_no_such_entity(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.delete_login_profile(UserName="nonexistent-user")

    assert exc.value.message == "The user with name nonexistent-user cannot be found."


def test_another_accounts_user_is_invisible(iam, other_account):
    other = get_backend(other_account)
    other.create_user(UserName="alice")

    with pytest.raises(errors.NoSuchEntity):
        iam.create_login_profile(UserName="alice", Password=GOOD)


# --- ChangePassword ------------------------------------------------------------------------------


def test_a_user_changes_their_own_password_and_the_reset_flag_clears(iam, as_alice, alice):
    iam.create_login_profile(UserName="alice", Password=GOOD, PasswordResetRequired=True)

    assert as_alice.change_password(OldPassword=GOOD, NewPassword=OTHER_GOOD) == {}

    profile = LoginProfile.objects.get(user=alice)
    assert ops_passwords.verify_password(profile, OTHER_GOOD)
    assert profile.password_reset_required is False


def test_root_cannot_call_change_password(iam):
    with pytest.raises(errors.InvalidUserType) as exc:
        iam.change_password(OldPassword=GOOD, NewPassword=OTHER_GOOD)

    assert exc.value.message == ops_passwords.ROOT_CANNOT_CHANGE_PASSWORD
    assert exc.value.http_status == 400


def test_a_wrong_old_password_changes_nothing(iam, as_alice, alice):
    iam.create_login_profile(UserName="alice", Password=GOOD)

    with pytest.raises(errors.InvalidUserType) as exc:
        as_alice.change_password(OldPassword="Wrong-pass-123", NewPassword=OTHER_GOOD)

    assert exc.value.message == "The old password was incorrect."
    assert ops_passwords.verify_password(LoginProfile.objects.get(user=alice), GOOD)


def test_change_password_checks_the_new_password_against_the_policy(iam, as_alice, alice):
    iam.create_login_profile(UserName="alice", Password=GOOD)

    with pytest.raises(errors.PasswordPolicyViolation) as exc:
        as_alice.change_password(OldPassword=GOOD, NewPassword="alllowercase")

    assert exc.value.message.startswith("Password should meet 2 more of the following requirements: ")
    assert ops_passwords.verify_password(LoginProfile.objects.get(user=alice), GOOD)


def test_change_password_without_a_login_profile_is_no_such_entity(as_alice):
    with pytest.raises(errors.NoSuchEntity) as exc:
        as_alice.change_password(OldPassword=GOOD, NewPassword=OTHER_GOOD)

    assert exc.value.message == "Login Profile for User alice cannot be found."


def test_every_password_set_is_remembered_for_reuse_prevention(iam, as_alice, alice):
    iam.create_login_profile(UserName="alice", Password=GOOD)
    iam.update_login_profile(UserName="alice", Password=OTHER_GOOD)
    as_alice.change_password(OldPassword=OTHER_GOOD, NewPassword="Third-pass-789")

    assert PasswordHistory.objects.filter(user=alice).count() == 3


def test_passwords_never_reach_the_audit_log(iam, as_alice):
    iam.create_login_profile(UserName="alice", Password=GOOD)
    iam.update_login_profile(UserName="alice", Password=OTHER_GOOD)
    as_alice.change_password(OldPassword=OTHER_GOOD, NewPassword="Third-pass-789")
    with pytest.raises(errors.PasswordPolicyViolation):
        iam.update_login_profile(UserName="alice", Password="weak-one")
    with pytest.raises(errors.InvalidUserType):
        as_alice.change_password(OldPassword="Guess-pass-000", NewPassword="Fourth-pass-000")

    logged = audit_text()
    events = list(AuditEvent.objects.values_list("event_name", "error_code"))
    assert ("ChangePassword", "") in events and ("UpdateLoginProfile", "PasswordPolicyViolation") in events
    for secret in (GOOD, OTHER_GOOD, "Third-pass-789", "weak-one", "Guess-pass-000", "Fourth-pass-000"):
        assert secret not in logged
