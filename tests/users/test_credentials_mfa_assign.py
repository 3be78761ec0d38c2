"""Assign MFA device, step 1 and the QR page: /users/<name>/mfa/assign (CreateVirtualMFADevice)."""

import pytest

from iamconsole.backends import get_backend
from users.views_credentials import otpauth_uri, qr_code_svg


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


def test_step_one_asks_for_the_device_name(signed_in, iam):
    response = signed_in.get("/users/details/alice/mfa/assign")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Select MFA device</h1>" in html
    assert '<label for="id_device_name">Device name</label>' in html
    assert "Authenticator app" in html


def test_the_post_creates_an_unassigned_device_and_shows_its_qr_code_and_key_once(signed_in, iam, account):
    response = signed_in.post("/users/details/alice/mfa/assign", {"device_name": "alice-phone"})

    html = response.content.decode()
    seed = response.context["seed"]
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert '<svg class="qr-code" role="img"' in html
    assert qr_code_svg(otpauth_uri("alice-phone", account, seed)) in html  # the QR code of this seed
    assert seed in html  # behind "Show secret key"
    assert len(seed) == 64
    assert devices(iam) == ["arn:aws:iam::123456789012:mfa/alice-phone"]
    assert iam.list_mfa_devices(UserName="alice")["MFADevices"] == []  # not assigned yet
    assert 'name="serial_number" value="arn:aws:iam::123456789012:mfa/alice-phone"' in html
    assert "MFA code 1" in html and "MFA code 2" in html


def test_the_seed_is_kept_nowhere_after_the_qr_page(signed_in, iam):
    seed = signed_in.post("/users/details/alice/mfa/assign", {"device_name": "alice-phone"}).context["seed"]

    assert seed not in str(dict(signed_in.session))
    assert seed not in signed_in.get("/users/details/alice/mfa/assign").content.decode()
    assert seed not in signed_in.get("/users/details/alice", {"tab": "security_credentials"}).content.decode()


def test_the_qr_code_encodes_the_otpauth_uri_with_the_label_url_encoded(account):
    assert otpauth_uri("a+b", account, "SEED") == (
        "otpauth://totp/a%2Bb@123456789012?secret=SEED&issuer=Amazon%20Web%20Services"
    )
    account.alias = "training-sandbox"

    assert otpauth_uri("phone", account, "SEED").startswith("otpauth://totp/phone@training-sandbox?")


def test_a_name_already_taken_comes_back_on_the_field_with_awss_message(signed_in, iam):
    iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")

    response = signed_in.post("/users/details/alice/mfa/assign", {"device_name": "alice-phone"})

    assert response.status_code == 200
    assert response.context["form"].errors["device_name"] == ["MFA device already exists."]
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("name", ["", "my phone", "x" * 129])
def test_an_invalid_name_is_refused_before_anything_is_created(signed_in, iam, name):
    response = signed_in.post("/users/details/alice/mfa/assign", {"device_name": name})

    assert response.status_code == 200
    assert response.context["form"].errors["device_name"]
    assert devices(iam) == []


def test_an_unknown_user_is_a_404(signed_in, iam):
    assert signed_in.get("/users/details/nobody/mfa/assign").status_code == 404
    assert signed_in.post("/users/details/nobody/mfa/assign", {"device_name": "x"}).status_code == 404
    assert devices(iam) == []


def test_it_needs_sign_in_and_refuses_other_methods(signed_in, iam):
    assert signed_in.delete("/users/details/alice/mfa/assign").status_code == 405
    signed_in.logout()
    assert signed_in.get("/users/details/alice/mfa/assign")["Location"].startswith("/login?next=")
