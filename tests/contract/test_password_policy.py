"""Get/Update/DeleteAccountPasswordPolicy, and the policy's enforcement on console passwords.

Outputs and errors of the policy actions are AWS's recorded answers (reference/aws-recorded, topic
password_policy). Without a custom policy IAM enforces its default policy (8 characters, three of
four character types, not the account's name or email); see credentials/passwords.py.
"""

import datetime

import pytest

from credentials import passwords
from credentials.models import LoginProfile, PasswordPolicy
from iamconsole.backends import errors, get_backend
from users.models import IAMUser

DEFAULTS = {
    "AllowUsersToChangePassword": False,
    "ExpirePasswords": False,
    "MinimumPasswordLength": 6,
    "RequireLowercaseCharacters": False,
    "RequireNumbers": False,
    "RequireSymbols": False,
    "RequireUppercaseCharacters": False,
}


@pytest.fixture
def alice(iam):
    iam.create_user(UserName="alice")
    return IAMUser.objects.get(name="alice")


def refused(iam, password: str) -> str:
    """The PasswordPolicyViolation message CreateLoginProfile gives alice for `password`."""
    with pytest.raises(errors.PasswordPolicyViolation) as exc:
        iam.create_login_profile(UserName="alice", Password=password)
    assert exc.value.http_status == 400
    assert not LoginProfile.objects.exists()
    return exc.value.message


# --- the policy actions ------------------------------------------------------------------------------


def test_get_answers_no_such_entity_while_the_default_policy_applies(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.get_account_password_policy()

    assert exc.value.message == "The Password Policy with domain name 123456789012 cannot be found."
    assert exc.value.http_status == 404


def test_an_update_without_parameters_sets_the_api_defaults(iam):
    assert iam.update_account_password_policy() == {}

    assert iam.get_account_password_policy() == {"PasswordPolicy": DEFAULTS}


def test_every_parameter_is_kept_and_expire_passwords_follows_max_age(iam):
    iam.update_account_password_policy(
        MinimumPasswordLength=10,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True,
        MaxPasswordAge=60,
        PasswordReusePrevention=3,
        HardExpiry=True,
    )

    assert iam.get_account_password_policy()["PasswordPolicy"] == {
        "AllowUsersToChangePassword": True,
        "ExpirePasswords": True,
        "HardExpiry": True,
        "MaxPasswordAge": 60,
        "MinimumPasswordLength": 10,
        "PasswordReusePrevention": 3,
        "RequireLowercaseCharacters": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "RequireUppercaseCharacters": True,
    }


def test_an_update_is_never_partial(iam):
    iam.update_account_password_policy(RequireSymbols=True, MaxPasswordAge=30, HardExpiry=True)

    iam.update_account_password_policy(MinimumPasswordLength=12)

    assert iam.get_account_password_policy()["PasswordPolicy"] == {**DEFAULTS, "MinimumPasswordLength": 12}


def test_an_explicit_false_hard_expiry_is_reported(iam):
    iam.update_account_password_policy(HardExpiry=False)

    assert iam.get_account_password_policy()["PasswordPolicy"]["HardExpiry"] is False


@pytest.mark.parametrize(
    "params",
    [
        {"MinimumPasswordLength": 5},
        {"MinimumPasswordLength": 129},
        {"MaxPasswordAge": 0},
        {"MaxPasswordAge": 1096},
        {"PasswordReusePrevention": 25},
    ],
)
def test_out_of_range_values_are_validation_errors(iam, params):
    with pytest.raises(errors.ValidationError):
        iam.update_account_password_policy(**params)

    assert not PasswordPolicy.objects.exists()


def test_delete_restores_the_default_policy(iam):
    iam.update_account_password_policy(MinimumPasswordLength=20)

    assert iam.delete_account_password_policy() == {}

    with pytest.raises(errors.NoSuchEntity):
        iam.get_account_password_policy()


def test_delete_without_a_custom_policy_is_no_such_entity(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.delete_account_password_policy()

    assert exc.value.message == "The account policy with name PasswordPolicy cannot be found."


def test_each_account_has_its_own_policy(iam, other_account):
    get_backend(other_account).update_account_password_policy(MinimumPasswordLength=30)

    with pytest.raises(errors.NoSuchEntity):
        iam.get_account_password_policy()


# --- enforcement: the IAM default policy -------------------------------------------------------------


@pytest.mark.parametrize("password", ["Ab1!x", "Ab1!xy", "Ab1!xyz"])
def test_the_default_policy_wants_eight_characters(iam, alice, password):
    assert refused(iam, password) == "Password should have a minimum length of 8"


@pytest.mark.parametrize("password", ["Abcdef1!", "Abcdefg1", "abcdef1!", "ABCDEF1!", "x" * 125 + "A1!"])
def test_the_default_policy_takes_three_of_four_types_from_8_to_128_characters(iam, alice, password):
    iam.create_login_profile(UserName="alice", Password=password)

    assert LoginProfile.objects.filter(user=alice).exists()


def test_129_characters_are_a_validation_error_before_any_policy(iam, alice):
    with pytest.raises(errors.ValidationError) as exc:
        iam.create_login_profile(UserName="alice", Password="Ab1!" * 32 + "x")

    assert "Member must have length less than or equal to 128" in exc.value.message


def test_the_default_policy_names_the_missing_types_as_aws_does(iam, alice):
    assert refused(iam, "abcdefgh1") == (
        "Password should meet 1 more of the following requirements: "
        "Password should have at least one uppercase letter, Password should have at least one symbol"
    )
    assert refused(iam, "abcdefghij") == (
        "Password should meet 2 more of the following requirements: "
        "Password should have at least one uppercase letter, Password should have at least one number, "
        "Password should have at least one symbol"
    )


def test_the_default_policy_refuses_the_account_name_or_email(iam, account, alice):
    account.alias = "acme-corp-1"
    account.save()

    assert refused(iam, "Acme-Corp-1") == passwords.IDENTICAL
    assert refused(iam, "ROOT@example.COM") == passwords.IDENTICAL
    iam.create_login_profile(UserName="alice", Password="Root@Example.com1")  # containing it is fine


# --- enforcement: a custom policy --------------------------------------------------------------------


@pytest.mark.parametrize(("password", "ok"), [("abcde", False), ("abcdef", True), ("a" * 128, True)])
def test_a_custom_minimum_of_6_replaces_the_default_policy(iam, alice, password, ok):
    iam.update_account_password_policy(MinimumPasswordLength=6)

    if ok:
        iam.create_login_profile(UserName="alice", Password=password)
    else:
        assert refused(iam, password) == "Password should have a minimum length of 6"


@pytest.mark.parametrize(
    ("requirement", "password", "message"),
    [
        ("RequireUppercaseCharacters", "lower-case-1", passwords.UPPERCASE),
        ("RequireLowercaseCharacters", "UPPER-CASE-1", passwords.LOWERCASE),
        ("RequireNumbers", "No-Numbers-Here", passwords.NUMBER),
        ("RequireSymbols", "NoSymbols123", passwords.SYMBOL),
    ],
)
def test_each_required_character_type_is_enforced(iam, alice, requirement, password, message):
    iam.update_account_password_policy(**{requirement: True})

    assert refused(iam, password) == message


def test_the_length_is_reported_first(iam, alice):
    iam.update_account_password_policy(MinimumPasswordLength=12, RequireSymbols=True)

    assert refused(iam, "short") == "Password should have a minimum length of 12"


def test_reuse_prevention_remembers_the_last_n_passwords(iam, alice):
    iam.update_account_password_policy(PasswordReusePrevention=2)
    iam.create_login_profile(UserName="alice", Password="first-pass")
    iam.update_login_profile(UserName="alice", Password="second-pass")

    with pytest.raises(errors.PasswordPolicyViolation) as exc:
        iam.update_login_profile(UserName="alice", Password="first-pass")
    assert exc.value.message == passwords.REUSED

    iam.update_login_profile(UserName="alice", Password="third-pass")
    iam.update_login_profile(UserName="alice", Password="first-pass")  # three passwords ago: allowed
    profile = LoginProfile.objects.get(user=alice)
    assert passwords.verify_password(profile, "first-pass")


def test_without_reuse_prevention_a_password_may_repeat(iam, alice):
    iam.update_account_password_policy()
    iam.create_login_profile(UserName="alice", Password="same-pass")

    iam.update_login_profile(UserName="alice", Password="same-pass")


def test_reuse_prevention_survives_deleting_the_login_profile(iam, alice):
    iam.update_account_password_policy(PasswordReusePrevention=1)
    iam.create_login_profile(UserName="alice", Password="old-pass")
    iam.delete_login_profile(UserName="alice")

    with pytest.raises(errors.PasswordPolicyViolation):
        iam.create_login_profile(UserName="alice", Password="old-pass")


# --- the helpers the console uses --------------------------------------------------------------------


def test_check_password_policy_lists_every_broken_rule(account):
    PasswordPolicy.objects.create(
        account=account, minimum_password_length=10, require_numbers=True, require_symbols=True
    )

    assert passwords.check_password_policy(account, "abc") == [
        "Password should have a minimum length of 10",
        passwords.NUMBER,
        passwords.SYMBOL,
    ]
    assert passwords.check_password_policy(account, "abcdefgh1!") == []


def test_password_rules_describe_the_default_then_the_custom_policy(account):
    assert passwords.password_rules(account)[0].startswith("Minimum password length of 8 characters")

    PasswordPolicy.objects.create(
        account=account, minimum_password_length=14, require_uppercase_characters=True, max_password_age=90
    )

    rules = passwords.password_rules(account)
    assert rules[0] == "Minimum password length is 14 characters"
    assert "Require at least one uppercase letter from the Latin alphabet (A-Z)" in rules
    assert "Password expires in 90 day(s)" in rules


def test_max_password_age_expires_passwords_immediately(iam, account, alice):
    iam.create_login_profile(UserName="alice", Password="Abcdef1!")
    profile = LoginProfile.objects.get(user=alice)
    now = profile.password_changed

    assert passwords.password_expires_at(account, profile) is None
    iam.update_account_password_policy(MaxPasswordAge=30)

    assert passwords.password_expires_at(account, profile) == now + datetime.timedelta(days=30)
    assert not passwords.password_expired(account, profile, now + datetime.timedelta(days=29))
    assert passwords.password_expired(account, profile, now + datetime.timedelta(days=30))
