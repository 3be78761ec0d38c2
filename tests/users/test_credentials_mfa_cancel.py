"""Cancel on the Set up device step: /users/<name>/mfa/cancel deletes the unassigned device."""

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


def devices(iam) -> list[str]:
    return [d["SerialNumber"] for d in iam.list_virtual_mfa_devices()["VirtualMFADevices"]]


def test_cancel_deletes_the_device_that_was_never_assigned(signed_in, iam):
    signed_in.post("/users/details/alice/mfa/assign", {"device_name": "alice-phone"})

    response = signed_in.post("/users/details/alice/mfa/cancel", {"serial_number": SERIAL})

    assert response.status_code == 302
    assert response["Location"] == "/users/details/alice?tab=security_credentials"
    assert devices(iam) == []
    assert "MFA device assignment canceled." in signed_in.get(response["Location"]).content.decode()


def test_cancel_cannot_delete_a_device_in_use(signed_in, iam):
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")["VirtualMFADevice"]
    totp, now = pyotp.TOTP(device["Base32StringSeed"].decode()), time.time()
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=SERIAL,
        AuthenticationCode1=totp.at(now - 30),
        AuthenticationCode2=totp.at(now),
    )

    response = signed_in.post("/users/details/alice/mfa/cancel", {"serial_number": SERIAL}, follow=True)

    assert "Cannot delete entity, must deactivate MFA device first." in response.content.decode()
    assert devices(iam) == [SERIAL]


def test_an_unknown_serial_is_an_error_flash(signed_in, iam):
    response = signed_in.post("/users/details/alice/mfa/cancel", {"serial_number": SERIAL}, follow=True)

    assert f"MFA Device with serial number {SERIAL} does not exist." in response.content.decode()


def test_an_unknown_user_is_a_404(signed_in, iam):
    assert signed_in.post("/users/details/nobody/mfa/cancel", {"serial_number": SERIAL}).status_code == 404


def test_it_is_post_only_and_needs_sign_in(signed_in, iam):
    assert signed_in.get("/users/details/alice/mfa/cancel").status_code == 405
    signed_in.logout()
    assert signed_in.post("/users/details/alice/mfa/cancel")["Location"].startswith("/login?next=")
