"""IAM-user sign-in flows in Chromium, beyond the first sign-in of test_signin.py: a user assigns their
own MFA device on My security credentials and must then give a code to get in; an expired password
must be changed before anything else (or, with HardExpiry, stops the user until an administrator resets
it); five wrong passwords lock the name until the root operator clicks "Unlock sign-in"."""

import datetime
import json
import time

import pyotp
import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from credentials.models import LoginProfile
from iamconsole.backends import get_backend

PASSWORD = "Right-pass-1234"
NEW = "Chosen-pass-5678"
INCORRECT = "Your authentication information is incorrect. Please try again."

# What AWS's "manage your own MFA device" example allows: the user's own devices and user ARN only.
SELF_MFA_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:CreateVirtualMFADevice",
                "iam:EnableMFADevice",
                "iam:ListMFADevices",
                "iam:DeactivateMFADevice",
                "iam:DeleteVirtualMFADevice",
            ],
            "Resource": [
                "arn:aws:iam::123456789012:mfa/*",
                "arn:aws:iam::123456789012:user/${aws:username}",
            ],
        }
    ],
}


@pytest.fixture(autouse=True)
def fresh_lockout_counters():
    """The lockout counters live in the process's cache: start and leave each test without any."""
    cache.clear()
    yield
    cache.clear()


def sign_in(page, user_name: str, password: str) -> None:
    page.goto("/signin/browser-tests")
    page.get_by_label("IAM user name").fill(user_name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def new_user(root, user_name: str) -> None:
    iam = get_backend(root)
    iam.create_user(UserName=user_name)
    iam.create_login_profile(UserName=user_name, Password=PASSWORD)


def signed_in_with_mfa(page):
    """The Summary's "Signed in with MFA" row of My security credentials."""
    return page.get_by_role("region", name="Summary").locator("dl > div", has_text="Signed in with MFA")


def test_a_user_assigns_their_own_mfa_device_and_then_signs_in_with_a_code(page, root):
    new_user(root, "erin")
    get_backend(root).put_user_policy(
        UserName="erin", PolicyName="manage-own-mfa", PolicyDocument=json.dumps(SELF_MFA_POLICY)
    )

    sign_in(page, "erin", PASSWORD)
    page.wait_for_url("**/self/security-credentials")  # no MFA device yet: the password alone signs in
    expect(page.get_by_role("heading", name="My security credentials")).to_be_visible()
    expect(page.get_by_text("No MFA devices")).to_be_visible()
    expect(signed_in_with_mfa(page)).to_contain_text("No")
    page.get_by_role("link", name="Assign MFA device").click()

    page.get_by_label("Device name").fill("erin-phone")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Set up device")).to_be_visible()
    page.get_by_text("Show secret key").click()
    copy = page.get_by_role("button", name="Copy the secret key")
    expect(copy).to_be_visible()
    totp = pyotp.TOTP(copy.get_attribute("data-copy"))
    step = int(time.time()) // 30
    page.get_by_label("MFA code 1").fill(totp.generate_otp(step - 1))
    page.get_by_label("MFA code 2").fill(totp.generate_otp(step))
    page.get_by_role("button", name="Add MFA").click()

    page.wait_for_url("**/self/security-credentials")
    expect(
        page.get_by_role("cell", name="arn:aws:iam::123456789012:mfa/erin-phone", exact=True)
    ).to_be_visible()
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url("**/signin/123456789012")

    sign_in(page, "erin", PASSWORD)
    page.wait_for_url("**/signin/session/mfa")  # the device now stands between the password and the console
    page.get_by_label("MFA code").fill(totp.generate_otp(step + 1))
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/self/security-credentials")
    expect(signed_in_with_mfa(page)).to_contain_text("Yes")


def expire(user_name: str) -> None:
    """Set the password two days back, past MaxPasswordAge=1."""
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    LoginProfile.objects.filter(user__name=user_name).update(password_changed=two_days_ago)


def test_an_expired_password_must_be_changed_before_anything_else(page, root):
    get_backend(root).update_account_password_policy(MaxPasswordAge=1, AllowUsersToChangePassword=True)
    new_user(root, "frank")
    expire("frank")

    sign_in(page, "frank", PASSWORD)
    page.wait_for_url("**/signin/session/password")
    page.goto("/self/security-credentials")  # nothing else is reachable before the change
    page.wait_for_url("**/signin/session/password")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("Confirm new password").fill(NEW)
    page.get_by_role("button", name="Confirm password change").click()

    page.wait_for_url("**/self/security-credentials")
    expect(page.locator(".topbar")).to_contain_text("frank@browser-tests")


def test_with_hard_expiry_an_expired_password_sends_the_user_to_an_administrator(page, root):
    get_backend(root).update_account_password_policy(
        MaxPasswordAge=1, AllowUsersToChangePassword=True, HardExpiry=True
    )
    new_user(root, "gina")
    expire("gina")

    sign_in(page, "gina", PASSWORD)
    expect(page.get_by_role("heading", name="Your password has expired")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Ask your administrator to reset your console password")
    expect(page.get_by_label("New password", exact=True)).to_have_count(0)
    page.goto("/self/security-credentials")  # no half-signed-in session to go on with
    assert page.url.split("?")[0].endswith("/login")
    page.goto("/signin/session/password")
    assert "/signin/session/password" not in page.url
    expect(page.get_by_label("New password", exact=True)).to_have_count(0)


def test_five_wrong_passwords_lock_the_name_until_the_root_operator_unlocks_it(
    page, browser, live_server, root
):
    new_user(root, "hugo")

    for attempt in range(5):
        sign_in(page, "hugo", f"wrong-pass-{attempt}")
        expect(page.get_by_role("alert")).to_have_text(INCORRECT)
    sign_in(page, "hugo", PASSWORD)  # locked: the right password gets the same generic answer
    expect(page.get_by_role("alert")).to_have_text(INCORRECT)

    admin_context = browser.new_context(base_url=live_server.url)
    try:
        admin = admin_context.new_page()
        admin.set_default_timeout(15_000)
        admin.goto("/login")
        admin.get_by_label("Root user email address").fill("root@example.com")
        admin.get_by_label("Password").fill("Root-pass-1234")
        admin.get_by_role("button", name="Sign in").click()
        admin.wait_for_url("**/")
        admin.goto("/users/details/hugo?tab=security_credentials")
        admin.get_by_role("button", name="Unlock sign-in").click()
        expect(admin.get_by_text("Console sign-in for hugo unlocked.")).to_be_visible()
    finally:
        admin_context.close()

    sign_in(page, "hugo", PASSWORD)
    page.wait_for_url("**/self/security-credentials")
    expect(page.locator(".topbar")).to_contain_text("hugo@browser-tests")
