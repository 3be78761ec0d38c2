"""Assign MFA device, step 2: /users/<name>/mfa/enable (EnableMFADevice with two consecutive codes)."""

import time

import pyotp
import pytest

from iamconsole.backends import get_backend

SERIAL = "arn:aws:iam::123456789012:mfa/alice-phone"


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    iam = get_backend(account)
    iam.create_user(UserName="alice")
    return iam


@pytest.fixture
def totp(iam):
    """A device created as step 1 creates it: unassigned, its seed known only to the person's app."""
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")["VirtualMFADevice"]
    return pyotp.TOTP(device["Base32StringSeed"].decode())


def codes(totp) -> dict:
    now = time.time()
    return {"code1": totp.at(now - 30), "code2": totp.at(now)}


def assigned(iam) -> list[str]:
    return [d["SerialNumber"] for d in iam.list_mfa_devices(UserName="alice")["MFADevices"]]


def test_two_consecutive_codes_assign_the_device(signed_in, iam, totp):
    response = signed_in.post("/users/details/alice/mfa/enable", {"serial_number": SERIAL, **codes(totp)})

    assert response.status_code == 302
    assert response["Location"] == "/users/details/alice?tab=security_credentials"
    assert assigned(iam) == [SERIAL]
    assert "MFA device assigned to alice." in signed_in.get(response["Location"]).content.decode()


def test_wrong_codes_come_back_with_awss_message_and_can_be_retried(signed_in, iam, totp):
    response = signed_in.post(
        "/users/details/alice/mfa/enable", {"serial_number": SERIAL, "code1": "123456", "code2": "654321"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Authentication code for device is not valid." in html
    assert f'name="serial_number" value="{SERIAL}"' in html
    assert totp.secret not in html and "<svg" not in html  # the seed is not shown again
    assert "no-store" in response["Cache-Control"]
    assert assigned(iam) == []

    retry = signed_in.post("/users/details/alice/mfa/enable", {"serial_number": SERIAL, **codes(totp)})

    assert retry.status_code == 302
    assert assigned(iam) == [SERIAL]


@pytest.mark.parametrize("code1, code2", [("", "123456"), ("12345", "123456"), ("12a456", "123456")])
def test_codes_that_are_not_six_digits_are_refused_on_the_field(signed_in, iam, totp, code1, code2):
    response = signed_in.post(
        "/users/details/alice/mfa/enable", {"serial_number": SERIAL, "code1": code1, "code2": code2}
    )

    assert response.status_code == 200
    assert response.context["codes_form"].errors["code1"]
    assert assigned(iam) == []


def test_a_device_that_no_longer_exists_is_an_error_flash(signed_in, iam, totp):
    iam.delete_virtual_mfa_device(SerialNumber=SERIAL)

    response = signed_in.post(
        "/users/details/alice/mfa/enable", {"serial_number": SERIAL, **codes(totp)}, follow=True
    )

    assert f"MFA Device with serial number {SERIAL} does not exist." in response.content.decode()


def test_a_device_already_assigned_is_an_error_flash(signed_in, iam, totp):
    iam.create_user(UserName="bob")
    iam.enable_mfa_device(
        UserName="bob",
        SerialNumber=SERIAL,
        **{f"AuthenticationCode{i}": c for i, c in zip((1, 2), codes(totp).values(), strict=True)},
    )

    response = signed_in.post(
        "/users/details/alice/mfa/enable",
        {"serial_number": SERIAL, "code1": "000000", "code2": "111111"},
        follow=True,
    )

    assert "MFA Device is already in use." in response.content.decode()
    assert assigned(iam) == []


def test_an_unknown_user_is_a_404(signed_in, iam, totp):
    assert (
        signed_in.post(
            "/users/details/nobody/mfa/enable", {"serial_number": SERIAL, **codes(totp)}
        ).status_code
        == 404
    )


def test_it_is_post_only_and_needs_sign_in(signed_in, iam):
    assert signed_in.get("/users/details/alice/mfa/enable").status_code == 405
    signed_in.logout()
    assert signed_in.post("/users/details/alice/mfa/enable")["Location"].startswith("/login?next=")
