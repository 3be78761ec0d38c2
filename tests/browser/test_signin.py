"""IAM-user sign-in in Chromium: an administrator's new user with a required reset and an MFA device
signs in at the account's sign-in URL, gives a code from their authenticator, must set a new password
before anything else, lands on My security credentials, and signs out. Light, dark and phone-width
screenshots are kept under the test's tmp_path."""

import time

import pyotp
from playwright.sync_api import expect

from iamconsole.backends import get_backend

FIRST = "First-pass-1234"
NEW = "Chosen-pass-5678"


def test_first_sign_in_with_mfa_and_a_required_reset(page, root, tmp_path):
    iam = get_backend(root)
    iam.update_account_password_policy(MinimumPasswordLength=12, AllowUsersToChangePassword=True)
    iam.create_user(UserName="dana")
    iam.create_login_profile(UserName="dana", Password=FIRST, PasswordResetRequired=True)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="dana-phone")["VirtualMFADevice"]
    totp, step = pyotp.TOTP(device["Base32StringSeed"].decode()), int(time.time()) // 30
    iam.enable_mfa_device(
        UserName="dana",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=totp.generate_otp(step - 1),
        AuthenticationCode2=totp.generate_otp(step),
    )

    page.goto("/signin/browser-tests")
    expect(page.get_by_label("Account ID (12 digits) or account alias")).to_have_value("browser-tests")
    page.get_by_label("IAM user name").fill("dana")
    page.get_by_label("Password").fill("not-her-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Your authentication information is incorrect. Please try again."
    )
    page.screenshot(path=tmp_path / "signin-error-light.png")

    page.get_by_label("Password").fill(FIRST)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/signin/session/mfa")
    page.goto("/users")  # a half-signed-in session reaches nothing else
    page.wait_for_url("**/signin/session/mfa")
    page.get_by_label("MFA code").fill(totp.generate_otp(step + 1))
    page.get_by_role("button", name="Submit").click()

    page.wait_for_url("**/signin/session/password")
    expect(page.get_by_text("Minimum password length is 12 characters")).to_be_visible()
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=tmp_path / "signin-password-dark.png")
    page.emulate_media(color_scheme="light")
    page.get_by_label("Current password").fill(FIRST)
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("Confirm new password").fill(NEW)
    page.get_by_role("button", name="Confirm password change").click()

    page.wait_for_url("**/self/security-credentials")
    expect(page.locator(".topbar")).to_contain_text("dana@browser-tests")
    expect(page.get_by_role("heading", name="My security credentials")).to_be_visible()
    page.screenshot(path=tmp_path / "self-light.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=tmp_path / "self-phone.png", full_page=True)

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url("**/signin/123456789012")
    page.goto("/self/security-credentials")
    assert page.url.split("?")[0].endswith("/login")  # signed out: sign-in required again
