"""Sign-in protection on Account settings (this console's lockout, not an AWS setting): the container,
the edit form with its ranges and defaults, and the console extensions behind them."""

import pytest
from django.core.cache import cache

from accounts import forms_settings, ops_signin_protection
from accounts.models import AuditEvent
from iamconsole.backends import errors, get_backend
from users.models import IAMUser

URL = "/account/settings/sign-in-protection"
GOOD = {"failures_before_lock": "8", "wait_growth": "3", "max_wait_minutes": "30"}


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    return get_backend(account)


def _protection(iam) -> dict:
    return iam.get_sign_in_protection()["SignInProtection"]


# -- the container ----------------------------------------------------------------------------------


def test_the_page_shows_the_defaults_and_says_it_is_not_an_aws_setting(signed_in):
    body = signed_in.get("/account/settings").content.decode()

    assert '<h2 id="protection-heading">Sign-in protection</h2>' in body
    assert "Not an AWS setting" in body
    assert '5 failed attempts <span class="muted">(default)</span>' in body
    assert "&times;2 for each further failure" in body
    assert "15 minutes" in body
    assert f'href="{URL}"' in body


def test_the_page_shows_the_accounts_own_settings(signed_in, iam):
    iam.update_sign_in_protection(FailuresBeforeLock=10, WaitGrowth=1, MaximumWaitMinutes=1)

    body = signed_in.get("/account/settings").content.decode()

    assert "10 failed attempts</dd>" not in body  # the description follows the count
    assert "10 failed attempts<p" in body
    assert "Constant: every lock lasts 60 seconds" in body
    assert "1 minute<p" in body


def test_htmx_gets_the_container_with_the_others(signed_in):
    response = signed_in.get("/account/settings", headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<div class="account-settings" id="account-settings">')
    assert "Sign-in protection" in body and "<html" not in body


# -- the edit form ----------------------------------------------------------------------------------


def test_the_form_starts_from_the_current_settings_with_ranges_and_defaults(signed_in, iam):
    iam.update_sign_in_protection(FailuresBeforeLock=7, WaitGrowth=4, MaximumWaitMinutes=60)

    body = signed_in.get(URL).content.decode()

    assert 'id="id_failures_before_lock" value="7" min="3" max="100"' in body
    assert 'id="id_wait_growth" value="4" min="1" max="10"' in body
    assert 'id="id_max_wait_minutes" value="60" min="1" max="1440"' in body
    assert "Needs to be between 3 and 100. Default: 5." in body
    assert '<label for="id_max_wait_minutes">Maximum wait (in minutes)</label>' in body


def test_saving_writes_through_the_backend_and_says_so(signed_in, iam):
    response = signed_in.post(URL, GOOD, follow=True)

    assert "Sign-in protection updated." in response.content.decode()
    assert _protection(iam) == {
        "FailuresBeforeLock": 8,
        "WaitGrowth": 3,
        "MaximumWaitMinutes": 30,
        "FirstWaitSeconds": 60,
        "IsDefault": False,
    }


def test_saving_is_audited_as_update_account_password_policy(signed_in, account):
    signed_in.post(URL, GOOD)

    event = AuditEvent.objects.get(account=account, event_name="UpdateAccountPasswordPolicy")
    assert event.request_parameters == {"FailuresBeforeLock": 8, "WaitGrowth": 3, "MaximumWaitMinutes": 30}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "failures_before_lock",
            "2",
            "Failures before a temporary lock must be a whole number from 3 to 100.",
        ),
        (
            "failures_before_lock",
            "101",
            "Failures before a temporary lock must be a whole number from 3 to 100.",
        ),
        (
            "failures_before_lock",
            "",
            "Failures before a temporary lock must be a whole number from 3 to 100.",
        ),
        ("wait_growth", "0", "Wait growth must be a whole number from 1 to 10."),
        ("wait_growth", "1.5", "Wait growth must be a whole number from 1 to 10."),
        ("max_wait_minutes", "1441", "Maximum wait must be a whole number from 1 to 1440."),
        ("max_wait_minutes", "ten", "Maximum wait must be a whole number from 1 to 1440."),
    ],
)
def test_out_of_range_numbers_come_back_on_their_field(signed_in, iam, field, value, message):
    response = signed_in.post(URL, {**GOOD, field: value})

    body = response.content.decode()
    assert response.status_code == 200
    assert f'<p class="error" id="id_{field}_error">{message}</p>' in body
    assert 'aria-invalid="true"' in body
    assert _protection(iam)["IsDefault"] is True


def test_a_backend_error_lands_on_its_field(signed_in, iam, monkeypatch):
    # A backend stricter than the form (the form allows growth 3): its message goes on the field.
    assert forms_settings.GROWTH_RANGE == (1, 10)
    monkeypatch.setitem(ops_signin_protection.RANGES, "WaitGrowth", (1, 2, 2))

    response = signed_in.post(URL, GOOD)

    body = response.content.decode()
    assert (
        '<p class="error" id="id_wait_growth_error">Value at '
        "&#x27;waitGrowth&#x27; failed to satisfy constraint: Member must have value less than or equal "
        "to 2</p>"
    ) in body
    assert _protection(iam)["IsDefault"] is True


def test_htmx_gets_the_dialog_and_a_client_redirect_on_save(signed_in, iam):
    dialog = signed_in.get(URL, headers={"HX-Request": "true"}).content.decode()
    saved = signed_in.post(URL, GOOD, headers={"HX-Request": "true"})

    assert dialog.lstrip().startswith('<div class="dialog-backdrop detail-dialog">')
    assert "<html" not in dialog
    assert saved["HX-Redirect"] == "/account/settings"
    assert _protection(iam)["FailuresBeforeLock"] == 8


def test_the_form_needs_sign_in_and_refuses_other_methods(client, account):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login?next=")

    client.force_login(account.root_operator)
    assert client.put(URL).status_code == 405


def test_a_user_without_update_account_password_policy_gets_access_denied(account, iam):
    iam.create_user(UserName="reader")
    iam.attach_user_policy(UserName="reader", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    as_reader = get_backend(account, IAMUser.objects.get(account=account, name="reader"))

    assert as_reader.get_sign_in_protection()["SignInProtection"]["FailuresBeforeLock"] == 5
    with pytest.raises(errors.AccessDenied) as raised:
        as_reader.update_sign_in_protection(FailuresBeforeLock=50, WaitGrowth=1, MaximumWaitMinutes=1)

    assert "iam:UpdateAccountPasswordPolicy" in raised.value.message
    assert _protection(iam)["IsDefault"] is True


def test_several_backend_range_errors_are_reported_together(iam):
    with pytest.raises(errors.ValidationError) as raised:
        iam.update_sign_in_protection(FailuresBeforeLock=2, WaitGrowth=11, MaximumWaitMinutes=1)

    assert raised.value.message == (
        "2 validation errors detected: Value at 'failuresBeforeLock' failed to satisfy constraint: "
        "Member must have value greater than or equal to 3; Value at 'waitGrowth' failed to satisfy "
        "constraint: Member must have value less than or equal to 10"
    )
    assert _protection(iam)["IsDefault"] is True


def test_each_account_keeps_its_own_settings(iam, other_account):
    iam.update_sign_in_protection(FailuresBeforeLock=9, WaitGrowth=2, MaximumWaitMinutes=15)

    assert _protection(get_backend(other_account))["FailuresBeforeLock"] == 5


def test_an_aws_account_has_no_sign_in_protection_to_edit(signed_in, account):
    from accounts.views_settings import _protection

    account.kind = account.KIND_AWS
    account.save(update_fields=["kind"])
    iam = get_backend(account)

    with pytest.raises(errors.NotImplementedOperation):
        iam.get_sign_in_protection()
    assert _protection(iam) is None
    assert signed_in.get(URL).status_code == 404
