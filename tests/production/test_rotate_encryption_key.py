"""`manage.py rotate_encryption_key`: every stored secret moves to the new key, in one transaction."""

import base64
import io
import os

import pyotp
import pytest
from cryptography.exceptions import InvalidTag
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts import downloads
from accounts.models import OneTimeDownload
from credentials.models import AccessKey, ServerCertificate, VirtualMFADevice
from credentials.ops_certs import PRIVATE_KEY_PURPOSE
from credentials.ops_keys import secret_for
from credentials.ops_mfa import _seed
from iamconsole import crypto
from iamconsole.backends import get_backend
from tests.contract.test_server_certificates import server_pair

NEW_KEY = base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def secrets(account, settings, tmp_path):
    """One secret of each kind, sealed under the old (current) key; the old key saved to a file."""
    iam = get_backend(account)
    key = iam.create_access_key()["AccessKey"]
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="phone")["VirtualMFADevice"]
    body, private_key, _ = server_pair()
    iam.upload_server_certificate(ServerCertificateName="web", CertificateBody=body, PrivateKey=private_key)
    token = downloads.offer(account, account.root_operator, "keys.csv", "id,secret\n")
    old_key_file = tmp_path / "old-key"
    old_key_file.write_text(settings.IAMCONSOLE_ENCRYPTION_KEY + "\n")
    return {
        "key": key,
        "seed": device["Base32StringSeed"].decode(),
        "serial": device["SerialNumber"],
        "private_key": private_key,
        "token": token,
        "old_key_file": str(old_key_file),
        "ciphertexts": ciphertexts(),
    }


def ciphertexts() -> list[str]:
    return [
        *AccessKey.objects.values_list("secret_encrypted", flat=True),
        *VirtualMFADevice.objects.values_list("seed_encrypted", flat=True),
        *ServerCertificate.objects.values_list("private_key_encrypted", flat=True),
        *OneTimeDownload.objects.values_list("content_encrypted", flat=True),
    ]


def rotate(old_key_file) -> str:
    out = io.StringIO()
    call_command("rotate_encryption_key", old_key_file=old_key_file, stdout=out)
    return out.getvalue()


def test_every_secret_reads_back_under_the_new_key_after_rotation(secrets, account):
    with override_settings(IAMCONSOLE_ENCRYPTION_KEY=NEW_KEY):
        report = rotate(secrets["old_key_file"])

        assert secret_for(secrets["key"]["AccessKeyId"])[1] == secrets["key"]["SecretAccessKey"]
        assert _seed(VirtualMFADevice.objects.get(serial_number=secrets["serial"])) == secrets["seed"]
        pyotp.TOTP(secrets["seed"]).now()  # still a valid base32 seed
        sealed = ServerCertificate.objects.get().private_key_encrypted
        assert crypto.decrypt(sealed, PRIVATE_KEY_PURPOSE) == secrets["private_key"]
        assert downloads.redeem(account, account.root_operator, secrets["token"]) == (
            "keys.csv",
            "id,secret\n",
        )

    assert "access-key secrets: 1 re-encrypted" in report and "one-time downloads: 1 re-encrypted" in report
    # Under the old key, nothing opens any more: every ciphertext was replaced.
    assert not set(ciphertexts()) & set(secrets["ciphertexts"])
    with pytest.raises(InvalidTag):
        secret_for(secrets["key"]["AccessKeyId"])


def test_a_second_run_changes_nothing(secrets):
    with override_settings(IAMCONSOLE_ENCRYPTION_KEY=NEW_KEY):
        rotate(secrets["old_key_file"])
        after_first = ciphertexts()
        report = rotate(secrets["old_key_file"])

        assert ciphertexts() == after_first
        assert "TOTP seeds: 0 re-encrypted (1 already under the current key)" in report


def test_a_row_under_neither_key_rolls_everything_back(secrets, settings):
    # A stray ciphertext under a third key: the command stops and no row has moved.
    stray = AccessKey.objects.get()
    with override_settings(IAMCONSOLE_ENCRYPTION_KEY=base64.b64encode(os.urandom(32)).decode()):
        third = crypto.encrypt("x" * 40, f"access-key-secret:{stray.access_key_id}")
    AccessKey.objects.filter(pk=stray.pk).update(secret_encrypted=third)
    before = ciphertexts()

    with (
        override_settings(IAMCONSOLE_ENCRYPTION_KEY=NEW_KEY),
        pytest.raises(CommandError, match="opens with neither the old nor the current key"),
    ):
        rotate(secrets["old_key_file"])

    assert ciphertexts() == before


def test_it_refuses_the_current_key_as_the_old_one(secrets):
    with pytest.raises(CommandError, match="is the current IAMCONSOLE_ENCRYPTION_KEY"):
        rotate(secrets["old_key_file"])


def test_it_refuses_an_old_key_that_is_not_a_key(secrets, tmp_path):
    bad = tmp_path / "bad"
    bad.write_text("not-base64!")

    with (
        override_settings(IAMCONSOLE_ENCRYPTION_KEY=NEW_KEY),
        pytest.raises(CommandError, match="is not valid: .*must be base64"),
    ):
        rotate(str(bad))
