"""The user's own MFA devices, access keys and SSH public keys (self-service), through their policies."""

import time

import pyotp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.messages import get_messages

BASE = "/self/security-credentials"


def _flashes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _assign(client, name="alice-phone") -> tuple[str, str]:
    """Step 1 of Assign MFA device: (serial, seed) from the page that shows them once."""
    response = client.post(f"{BASE}/mfa/assign", {"device_name": name})
    assert "no-store" in response["Cache-Control"]
    serial = response.context["codes_form"].initial["serial_number"]
    return serial, response.context["seed"]


def test_a_user_assigns_themselves_an_mfa_device_with_two_codes(alice, iam):
    serial, seed = _assign(alice)
    step = int(time.time()) // 30
    totp = pyotp.TOTP(seed)

    response = alice.post(
        f"{BASE}/mfa/enable",
        {"serial_number": serial, "code1": totp.generate_otp(step - 1), "code2": totp.generate_otp(step)},
    )

    assert response["Location"] == BASE
    assert [d["SerialNumber"] for d in iam.list_mfa_devices(UserName="alice")["MFADevices"]] == [serial]
    assert seed not in alice.get(BASE).content.decode()


def test_wrong_codes_keep_the_device_unassigned_with_the_aws_message(alice, iam):
    serial, _ = _assign(alice)

    response = alice.post(
        f"{BASE}/mfa/enable", {"serial_number": serial, "code1": "000000", "code2": "111111"}
    )

    assert "Authentication code for device is not valid." in response.content.decode()
    assert iam.list_mfa_devices(UserName="alice")["MFADevices"] == []


def test_a_user_removes_their_own_device_after_confirming(alice, iam):
    serial, seed = _assign(alice)
    step, totp = int(time.time()) // 30, pyotp.TOTP(seed)
    alice.post(
        f"{BASE}/mfa/enable",
        {"serial_number": serial, "code1": totp.generate_otp(step - 1), "code2": totp.generate_otp(step)},
    )

    confirm = alice.get(f"{BASE}/mfa/remove", {"serial_number": serial})
    response = alice.post(f"{BASE}/mfa/remove", {"serial_number": serial})

    assert confirm.status_code == 200 and b"Remove MFA device?" in confirm.content
    assert response["Location"] == BASE
    assert iam.list_mfa_devices(UserName="alice")["MFADevices"] == []


def test_another_users_device_cannot_be_removed_here(alice, iam):
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="bob-phone")["VirtualMFADevice"]
    seed, step = device["Base32StringSeed"].decode(), int(time.time()) // 30
    iam.enable_mfa_device(
        UserName="bob",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=pyotp.TOTP(seed).generate_otp(step - 1),
        AuthenticationCode2=pyotp.TOTP(seed).generate_otp(step),
    )

    response = alice.post(f"{BASE}/mfa/remove", {"serial_number": device["SerialNumber"], "user_name": "bob"})

    assert response.status_code == 404
    assert len(iam.list_mfa_devices(UserName="bob")["MFADevices"]) == 1


def test_a_user_creates_an_access_key_and_sees_the_secret_once(alice, iam):
    response = alice.post(f"{BASE}/access-keys/create", {"user_name": "bob", "UserName": "bob"})

    key = response.context["key"]
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert key["SecretAccessKey"] in response.content.decode()
    assert [k["AccessKeyId"] for k in iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]] == [
        key["AccessKeyId"]
    ]
    assert iam.list_access_keys(UserName="bob")["AccessKeyMetadata"] == []
    assert key["SecretAccessKey"] not in alice.get(BASE).content.decode()


def test_a_third_access_key_is_refused_with_the_aws_message(alice):
    alice.post(f"{BASE}/access-keys/create")
    alice.post(f"{BASE}/access-keys/create")

    response = alice.post(f"{BASE}/access-keys/create")

    assert response["Location"] == BASE
    assert _flashes(response) == ["Cannot exceed quota for AccessKeysPerUser: 2"]


def test_create_access_key_is_post_only(alice):
    assert alice.get(f"{BASE}/access-keys/create").status_code == 405


def test_a_user_deactivates_then_deletes_their_key(alice, iam):
    key_id = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]

    alice.post(f"{BASE}/access-keys/{key_id}/status", {"status": "Inactive"})
    page = alice.get(f"{BASE}/access-keys/{key_id}/delete")
    response = alice.post(f"{BASE}/access-keys/{key_id}/delete", {"confirmation": key_id})

    assert page.status_code == 200
    assert response["Location"] == BASE
    assert iam.list_access_keys(UserName="alice")["AccessKeyMetadata"] == []


def test_another_users_key_is_404_here(alice, iam):
    key_id = iam.create_access_key(UserName="bob")["AccessKey"]["AccessKeyId"]

    assert alice.post(f"{BASE}/access-keys/{key_id}/status", {"status": "Inactive"}).status_code == 404
    assert alice.get(f"{BASE}/access-keys/{key_id}/delete").status_code == 404
    assert iam.list_access_keys(UserName="bob")["AccessKeyMetadata"][0]["Status"] == "Active"


def test_a_denied_create_is_a_message_not_an_error(client, users, iam):
    iam.create_user(UserName="carol")
    iam.create_login_profile(UserName="carol", Password="Carol-pass-1234")
    client.post("/signin", {"account": "123456789012", "username": "carol", "password": "Carol-pass-1234"})

    response = client.post(f"{BASE}/access-keys/create")

    assert response["Location"] == BASE
    assert "not authorized to perform: iam:CreateAccessKey" in _flashes(response)[0]


def test_a_user_uploads_an_ssh_public_key(alice, iam):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    body = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)

    response = alice.post(f"{BASE}/ssh-keys/upload", {"body": body.decode()})

    assert response["Location"] == BASE
    assert len(iam.list_ssh_public_keys(UserName="alice")["SSHPublicKeys"]) == 1


def test_an_invalid_ssh_key_is_refused_on_the_field(alice):
    response = alice.post(f"{BASE}/ssh-keys/upload", {"body": "ssh-rsa not-a-key"})

    assert response.status_code == 200
    assert b'class="error"' in response.content or b"invalid" in response.content
