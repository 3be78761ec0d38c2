"""Remove an MFA device: /users/<name>/mfa/remove (DeactivateMFADevice, then DeleteVirtualMFADevice)."""

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
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")["VirtualMFADevice"]
    totp, now = pyotp.TOTP(device["Base32StringSeed"].decode()), time.time()
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=SERIAL,
        AuthenticationCode1=totp.at(now - 30),
        AuthenticationCode2=totp.at(now),
    )
    return iam


def test_the_page_asks_for_confirmation(signed_in, iam):
    response = signed_in.get("/users/details/alice/mfa/remove", {"serial_number": SERIAL})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Remove MFA device?</h1>" in html
    assert f'<input type="hidden" name="serial_number" value="{SERIAL}">' in html


def test_remove_deactivates_and_deletes_the_device(signed_in, iam, account):
    response = signed_in.post("/users/details/alice/mfa/remove", {"serial_number": SERIAL}, follow=True)

    assert f"MFA device {SERIAL} removed." in response.content.decode()
    assert iam.list_mfa_devices(UserName="alice")["MFADevices"] == []
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    names = list(account.audit_events.order_by("id").values_list("event_name", flat=True))
    assert names[-2:] == ["DeactivateMFADevice", "DeleteVirtualMFADevice"]


def test_a_device_of_another_user_is_a_404(signed_in, iam):
    iam.create_user(UserName="bob")

    assert signed_in.get("/users/details/bob/mfa/remove", {"serial_number": SERIAL}).status_code == 404
    assert signed_in.post("/users/details/bob/mfa/remove", {"serial_number": SERIAL}).status_code == 404
    assert len(iam.list_mfa_devices(UserName="alice")["MFADevices"]) == 1


def test_an_unknown_user_or_serial_is_a_404(signed_in, iam):
    assert signed_in.get("/users/details/nobody/mfa/remove", {"serial_number": SERIAL}).status_code == 404
    assert (
        signed_in.get("/users/details/alice/mfa/remove", {"serial_number": SERIAL + "x"}).status_code == 404
    )


def test_it_needs_sign_in_and_refuses_other_methods(signed_in, iam):
    assert signed_in.put("/users/details/alice/mfa/remove").status_code == 405
    signed_in.logout()
    assert signed_in.get("/users/details/alice/mfa/remove")["Location"].startswith("/login?next=")
