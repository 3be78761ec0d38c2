"""Account settings: the page, and the password policy's edit → confirm → save flow."""

import pytest

from accounts.forms_settings import POLICY_FIELDS, PasswordPolicyForm, add_backend_error
from iamconsole.backends import errors, get_backend

CUSTOM = {
    "policy_type": "custom",
    "minimum_password_length": "12",
    "require_uppercase_characters": "on",
    "require_numbers": "on",
    "expire_passwords": "on",
    "max_password_age": "90",
    "hard_expiry": "on",
    "prevent_reuse": "on",
    "password_reuse_prevention": "5",
    "allow_users_to_change_password": "on",
}


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    return get_backend(account)


def _policy(iam):
    try:
        return iam.get_account_password_policy()["PasswordPolicy"]
    except errors.NoSuchEntity:
        return None


# -- the page -------------------------------------------------------------------------------------


def test_the_page_shows_the_iam_default_policy_in_words(signed_in):
    response = signed_in.get("/account/settings")

    body = response.content.decode()
    assert response.status_code == 200
    assert "IAM default" in body
    assert "Minimum password length of 8 characters" in body
    assert "Never expire password" in body
    assert "https://123456789012.signin.aws.amazon.com/console" in body
    assert "No server certificates" in body


def test_the_page_shows_a_custom_policy_with_what_each_setting_means(signed_in, iam):
    iam.update_account_password_policy(MinimumPasswordLength=14, MaxPasswordAge=30, HardExpiry=True)

    body = signed_in.get("/account/settings").content.decode()

    assert "This account uses a custom password policy." in body
    assert '14 characters<p class="description">' in body
    assert "Expires in 30 days" in body
    assert "Password expiration requires administrator reset" in body
    assert "an administrator must reset it" in body


def test_the_side_navigation_offers_account_settings(signed_in):
    body = signed_in.get("/account/settings").content.decode()

    assert '<a href="/account/settings" aria-current="page">Account settings</a>' in body


def test_htmx_gets_only_the_containers(signed_in):
    response = signed_in.get("/account/settings", headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<div class="account-settings" id="account-settings">')
    assert "<html" not in body


def test_the_page_needs_sign_in(client, account):
    response = client.get("/account/settings")

    assert response.status_code == 302
    assert response["Location"].startswith("/login?next=")


def test_the_page_refuses_a_post(signed_in):
    assert signed_in.post("/account/settings").status_code == 405


def test_the_query_count_does_not_grow_with_certificates(signed_in, iam, django_assert_max_num_queries):
    from tests.accounts.test_account_settings_certificates import upload

    with django_assert_max_num_queries(25):
        signed_in.get("/account/settings")
    for n in range(3):
        upload(iam, f"cert-{n}")
    with django_assert_max_num_queries(25):
        body = signed_in.get("/account/settings").content.decode()
    assert body.count("cert-") >= 3


# -- edit password policy -------------------------------------------------------------------------


def test_the_edit_form_starts_from_the_iam_default(signed_in):
    body = signed_in.get("/account/settings/password-policy").content.decode()

    assert 'value="default" id="id_policy_type_default" checked' in body
    assert 'name="minimum_password_length" id="id_minimum_password_length" value="8"' in body
    assert "Password expiration requires administrator reset" in body


def test_the_edit_form_starts_from_the_custom_policy(signed_in, iam):
    iam.update_account_password_policy(MinimumPasswordLength=20, PasswordReusePrevention=3)

    body = signed_in.get("/account/settings/password-policy").content.decode()

    assert 'value="custom" id="id_policy_type_custom" checked' in body
    assert 'id="id_minimum_password_length" value="20"' in body
    assert 'id="id_password_reuse_prevention" value="3"' in body


def test_saving_asks_for_confirmation_first_and_writes_nothing(signed_in, iam):
    response = signed_in.post("/account/settings/password-policy", CUSTOM)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Set custom password policy?" in body
    assert "Minimum password length is 12 characters" in body
    assert "Password expires in 90 day(s)" in body
    assert ">Set custom</button>" in body
    assert _policy(iam) is None


def test_set_custom_saves_every_parameter(signed_in, iam):
    response = signed_in.post("/account/settings/password-policy", {**CUSTOM, "step": "confirm"}, follow=True)

    assert "Custom password policy set." in response.content.decode()
    assert _policy(iam) == {
        "MinimumPasswordLength": 12,
        "RequireSymbols": False,
        "RequireNumbers": True,
        "RequireUppercaseCharacters": True,
        "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": True,
        "ExpirePasswords": True,
        "MaxPasswordAge": 90,
        "PasswordReusePrevention": 5,
        "HardExpiry": True,
    }


def test_unchecked_switches_leave_their_numbers_out(signed_in, iam):
    data = {
        "policy_type": "custom",
        "minimum_password_length": "10",
        "max_password_age": "5000",
        "step": "confirm",
    }

    signed_in.post("/account/settings/password-policy", data)

    policy = _policy(iam)
    assert policy["MinimumPasswordLength"] == 10
    assert policy["ExpirePasswords"] is False
    assert (
        "MaxPasswordAge" not in policy
        and "PasswordReusePrevention" not in policy
        and "HardExpiry" not in policy
    )


def test_the_confirmation_carries_the_values_in_hidden_fields(signed_in):
    body = signed_in.post("/account/settings/password-policy", CUSTOM).content.decode()

    assert '<input type="hidden" name="minimum_password_length" value="12">' in body
    assert '<input type="hidden" name="require_numbers" value="True">' in body
    assert 'name="require_symbols"' not in body.split("Set custom password policy?")[1]


def test_set_default_deletes_the_custom_policy(signed_in, iam):
    iam.update_account_password_policy(MinimumPasswordLength=14)

    confirm = signed_in.post("/account/settings/password-policy", {"policy_type": "default"}).content.decode()
    response = signed_in.post(
        "/account/settings/password-policy", {"policy_type": "default", "step": "confirm"}, follow=True
    )

    assert "Set IAM default password policy?" in confirm and ">Set default</button>" in confirm
    assert "IAM default password policy set." in response.content.decode()
    assert _policy(iam) is None


def test_set_default_when_it_already_applies_says_so(signed_in):
    response = signed_in.post(
        "/account/settings/password-policy", {"policy_type": "default", "step": "confirm"}, follow=True
    )

    assert "The IAM default password policy already applies." in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("minimum_password_length", "5", "Password minimum length must be a whole number from 6 to 128."),
        ("minimum_password_length", "129", "Password minimum length must be a whole number from 6 to 128."),
        ("max_password_age", "1096", "Password expiration must be a whole number from 1 to 1095."),
        ("password_reuse_prevention", "25", "Remembered passwords must be a whole number from 1 to 24."),
        ("password_reuse_prevention", "", "Enter a number of passwords from 1 to 24."),
    ],
)
def test_out_of_range_numbers_come_back_on_their_field(signed_in, iam, field, value, message):
    response = signed_in.post(
        "/account/settings/password-policy", {**CUSTOM, field: value, "step": "confirm"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert f'<p class="error" id="id_{field}_error">{message}</p>' in body
    assert "Set custom password policy?" not in body
    assert _policy(iam) is None


def test_back_returns_to_the_form_with_the_values(signed_in, iam):
    body = signed_in.post("/account/settings/password-policy", {**CUSTOM, "step": "back"}).content.decode()

    assert "Set custom password policy?" not in body
    assert 'id="id_minimum_password_length" value="12"' in body
    assert _policy(iam) is None


def test_a_backend_validation_error_lands_on_its_field(iam):
    with pytest.raises(errors.ValidationError) as raised:
        iam.update_account_password_policy(MinimumPasswordLength=200, MaxPasswordAge=2000)
    form = PasswordPolicyForm({**CUSTOM})
    assert form.is_valid()

    add_backend_error(form, raised.value, POLICY_FIELDS)

    assert "minimumPasswordLength" in form.errors["minimum_password_length"][0]
    assert "maxPasswordAge" in form.errors["max_password_age"][0]


def test_htmx_gets_the_editor_and_the_confirmation_over_it(signed_in):
    response = signed_in.post("/account/settings/password-policy", CUSTOM, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="policy-editor">')
    assert '<form class="form policy-form"' in body and "Set custom password policy?" in body
    assert "<html" not in body


def test_htmx_save_answers_a_client_redirect(signed_in, iam):
    response = signed_in.post(
        "/account/settings/password-policy", {**CUSTOM, "step": "confirm"}, headers={"HX-Request": "true"}
    )

    assert response["HX-Redirect"] == "/account/settings"
    assert _policy(iam)["MinimumPasswordLength"] == 12


def test_the_editor_needs_sign_in(client, account):
    assert client.post("/account/settings/password-policy", CUSTOM).status_code == 302


def test_the_editor_refuses_other_methods(signed_in):
    assert signed_in.put("/account/settings/password-policy").status_code == 405
