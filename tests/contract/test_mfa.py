"""Virtual MFA: CreateVirtualMFADevice, Enable/Resync/DeactivateMFADevice, DeleteVirtualMFADevice,
ListMFADevices, ListVirtualMFADevices, the device tag actions, and verify_totp for the sign-in page.

Codes are computed with pyotp from the seed the create call returns, as an authenticator app would.
Messages are AWS's recorded answers (reference/aws-recorded, topic mfa) unless the module's
constants say otherwise.
"""

import datetime
import json
import re
import struct
import threading
import urllib.parse
import zlib

import pyotp
import pytest
import qrcode
from django.db import connection
from django.utils import timezone

from accounts.models import Account, AuditEvent
from credentials import ops_mfa
from credentials.models import VirtualMFADevice
from iamconsole.backends import errors, get_backend
from users.models import IAMUser

SERIAL = "arn:aws:iam::123456789012:mfa/phone"


@pytest.fixture
def alice(iam):
    iam.create_user(UserName="alice")
    return IAMUser.objects.get(name="alice")


@pytest.fixture
def phone(iam):
    """A new device named "phone": its output and a pyotp TOTP over its seed."""
    out = iam.create_virtual_mfa_device(VirtualMFADeviceName="phone")["VirtualMFADevice"]
    return out, pyotp.TOTP(out["Base32StringSeed"].decode())


def two_codes(totp, when=None):
    """The previous and the current code, as AWS's console asks for them."""
    when = when or datetime.datetime.now()
    return totp.at(when, counter_offset=-1), totp.at(when)


def enable(iam, totp, user="alice", serial=SERIAL):
    code1, code2 = two_codes(totp)
    return iam.enable_mfa_device(
        UserName=user, SerialNumber=serial, AuthenticationCode1=code1, AuthenticationCode2=code2
    )


def png_modules(png: bytes, modules: int) -> list[list[bool]]:
    """Decode the 1-bit grayscale PNG written by ops_mfa.qr_png back into dark/light modules."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = {}, 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        chunks[kind] = chunks.get(kind, b"") + png[offset + 8 : offset + 8 + length]
        offset += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (width, depth, color) == (height, 1, 0)
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + (width + 7) // 8
    scale = width // modules
    grid = []
    for row in range(modules):
        line = raw[row * scale * stride : row * scale * stride + stride]
        assert line[0] == 0
        bits = "".join(f"{byte:08b}" for byte in line[1:])
        grid.append([bits[col * scale] == "0" for col in range(modules)])
    return grid


# --- CreateVirtualMFADevice ----------------------------------------------------------------------


def test_it_creates_a_device_whose_serial_is_its_arn(iam, phone):
    out, totp = phone

    assert out["SerialNumber"] == SERIAL
    assert re.fullmatch(rb"[A-Z2-7]{64}", out["Base32StringSeed"])
    assert out["QRCodePNG"].startswith(b"\x89PNG")
    assert len(totp.now()) == 6


def test_the_path_goes_into_the_serial_number(iam):
    out = iam.create_virtual_mfa_device(VirtualMFADeviceName="phone", Path="/test-path/")

    assert out["VirtualMFADevice"]["SerialNumber"] == "arn:aws:iam::123456789012:mfa/test-path/phone"


def test_the_qr_code_encodes_the_otpauth_uri_with_the_alias(iam, account):
    account.alias = "acme-corp"
    account.save()

    out = iam.create_virtual_mfa_device(VirtualMFADeviceName="a+b")["VirtualMFADevice"]

    seed = out["Base32StringSeed"].decode()
    uri = f"otpauth://totp/{urllib.parse.quote('a+b')}@acme-corp?secret={seed}"
    expected = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    expected.add_data(uri)
    expected.make(fit=True)
    matrix = expected.get_matrix()
    assert png_modules(out["QRCodePNG"], len(matrix)) == matrix


def test_the_stored_seed_is_encrypted(iam, phone):
    out, _ = phone

    stored = VirtualMFADevice.objects.get(serial_number=SERIAL).seed_encrypted
    assert out["Base32StringSeed"].decode() not in stored


def test_a_second_device_with_the_same_serial_is_refused(iam, phone):
    with pytest.raises(errors.EntityAlreadyExists) as exc:
        iam.create_virtual_mfa_device(VirtualMFADeviceName="phone")

    assert exc.value.message == "MFA device already exists."
    assert exc.value.http_status == 409
    iam.create_virtual_mfa_device(VirtualMFADeviceName="phone", Path="/other/")  # another serial


@pytest.mark.parametrize("path", ["invalid-path/", "/invalid-path"])
def test_a_bad_path_is_a_validation_error(iam, path):
    with pytest.raises(errors.ValidationError) as exc:
        iam.create_virtual_mfa_device(VirtualMFADeviceName="phone", Path=path)

    assert exc.value.message.startswith("The specified value for path is invalid.")
    assert not VirtualMFADevice.objects.exists()


def test_secrets_never_reach_the_audit_log_or_a_listing(iam, alice, phone):
    out, totp = phone
    code1, code2 = two_codes(totp)
    iam.enable_mfa_device(
        UserName="alice", SerialNumber=SERIAL, AuthenticationCode1=code1, AuthenticationCode2=code2
    )

    logged = json.dumps([[e.request_parameters, e.response_elements] for e in AuditEvent.objects.all()])
    seed = out["Base32StringSeed"].decode()
    assert "CreateVirtualMFADevice" in AuditEvent.objects.values_list("event_name", flat=True)
    for secret in (seed, code1, code2):
        assert secret not in logged
    assert seed not in repr(iam.list_virtual_mfa_devices()) + repr(iam.list_mfa_devices(UserName="alice"))


# --- EnableMFADevice -----------------------------------------------------------------------------


def test_two_consecutive_codes_assign_the_device(iam, alice, phone):
    _, totp = phone

    assert enable(iam, totp) == {}

    devices = iam.list_mfa_devices(UserName="alice")
    assert devices["IsTruncated"] is False
    assert [(d["UserName"], d["SerialNumber"]) for d in devices["MFADevices"]] == [("alice", SERIAL)]
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert assigned[0]["User"]["UserName"] == "alice"
    assert set(assigned[0]) == {"SerialNumber", "User", "EnableDate"}
    assert iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"] == []


@pytest.mark.parametrize("pair", ["wrong", "reversed", "far"])
def test_codes_that_are_not_two_consecutive_current_ones_are_refused(iam, alice, phone, pair):
    _, totp = phone
    now = datetime.datetime.now()
    codes = {
        "wrong": ("123456", "654321"),
        "reversed": (totp.at(now), totp.at(now, counter_offset=-1)),
        "far": (totp.at(now, counter_offset=-10), totp.at(now, counter_offset=-9)),
    }[pair]

    with pytest.raises(errors.InvalidAuthenticationCode) as exc:
        iam.enable_mfa_device(
            UserName="alice", SerialNumber=SERIAL, AuthenticationCode1=codes[0], AuthenticationCode2=codes[1]
        )

    assert exc.value.message == "Authentication code for device is not valid."
    assert exc.value.http_status == 403
    assert VirtualMFADevice.objects.get(serial_number=SERIAL).user is None


def test_a_device_in_use_cannot_be_enabled_again(iam, alice, phone):
    _, totp = phone
    enable(iam, totp)
    iam.create_user(UserName="bob")

    with pytest.raises(errors.EntityAlreadyExists) as exc:
        enable(iam, totp, user="bob")

    assert exc.value.message == "MFA Device is already in use."
    assert exc.value.http_status == 409


def test_spent_codes_cannot_enable_the_device_again(iam, alice, phone):
    _, totp = phone
    code1, code2 = two_codes(totp)
    iam.enable_mfa_device(
        UserName="alice", SerialNumber=SERIAL, AuthenticationCode1=code1, AuthenticationCode2=code2
    )
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=SERIAL)

    with pytest.raises(errors.InvalidAuthenticationCode):
        iam.enable_mfa_device(
            UserName="alice", SerialNumber=SERIAL, AuthenticationCode1=code1, AuthenticationCode2=code2
        )


def test_enable_for_an_unknown_user_or_device_is_no_such_entity(iam, alice, phone):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.enable_mfa_device(
            UserName="nonexistent-user",
            SerialNumber=SERIAL,
            AuthenticationCode1="123456",
            AuthenticationCode2="654321",
        )
    assert exc.value.message == "The user with name nonexistent-user cannot be found."

    ghost = "arn:aws:iam::123456789012:mfa/ghost"
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.enable_mfa_device(
            UserName="alice", SerialNumber=ghost, AuthenticationCode1="123456", AuthenticationCode2="654321"
        )
    assert exc.value.message == f"MFA Device with serial number {ghost} does not exist."


def test_a_user_holds_at_most_eight_devices(iam, alice):
    for index in range(9):
        out = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"d{index}")["VirtualMFADevice"]
        totp = pyotp.TOTP(out["Base32StringSeed"].decode())
        if index < 8:
            enable(iam, totp, serial=out["SerialNumber"])
        else:
            with pytest.raises(errors.LimitExceeded):
                enable(iam, totp, serial=out["SerialNumber"])

    assert len(iam.list_mfa_devices(UserName="alice")["MFADevices"]) == 8


# --- verify_totp (sign-in) and ResyncMFADevice ---------------------------------------------------


@pytest.fixture
def enabled(iam, alice, phone):
    """alice's enabled phone, reset to a known state: no drift, last spent step far in the past."""
    _, totp = phone
    enable(iam, totp)
    device = VirtualMFADevice.objects.get(serial_number=SERIAL)
    device.clock_offset_steps = 0
    device.last_used_step = 1000
    device.save()
    return device, totp


def at_step(step: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(step * 30 + 7, tz=datetime.UTC)


def test_a_sign_in_code_is_accepted_once(enabled):
    device, totp = enabled
    now = at_step(2000)

    assert ops_mfa.verify_totp(device, totp.generate_otp(2000), now=now) is True
    assert ops_mfa.verify_totp(device, totp.generate_otp(2000), now=now) is False  # replay
    assert VirtualMFADevice.objects.get(pk=device.pk).last_used_step == 2000


def test_a_sign_in_code_may_be_one_step_off_but_not_older_than_the_last(enabled):
    device, totp = enabled

    assert ops_mfa.verify_totp(device, totp.generate_otp(2001), now=at_step(2000)) is True
    assert ops_mfa.verify_totp(device, totp.generate_otp(2000), now=at_step(2000)) is False
    assert ops_mfa.verify_totp(device, totp.generate_otp(1990), now=at_step(2000)) is False


def test_resync_measures_a_drifted_clock(iam, enabled):
    device, totp = enabled
    now = timezone.now().replace(microsecond=0)
    drifted = int(now.timestamp()) // 30 + 6

    iam.resync_mfa_device(
        UserName="alice",
        SerialNumber=SERIAL,
        AuthenticationCode1=totp.generate_otp(drifted - 1),
        AuthenticationCode2=totp.generate_otp(drifted),
    )

    device.refresh_from_db()
    assert device.clock_offset_steps in (5, 6)  # 6, or 5 if a step boundary passed during the call
    assert device.last_used_step == drifted
    later = at_step(drifted + 2 - device.clock_offset_steps)
    assert ops_mfa.verify_totp(device, totp.generate_otp(drifted + 2), now=later) is True


def test_resync_refuses_bad_codes_and_unassigned_devices(iam, enabled):
    with pytest.raises(errors.InvalidAuthenticationCode):
        iam.resync_mfa_device(
            UserName="alice", SerialNumber=SERIAL, AuthenticationCode1="000000", AuthenticationCode2="000001"
        )
    iam.create_user(UserName="bob")
    with pytest.raises(errors.NoSuchEntity):
        iam.resync_mfa_device(
            UserName="bob", SerialNumber=SERIAL, AuthenticationCode1="000000", AuthenticationCode2="000001"
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_code_is_spent_once_under_concurrent_sign_ins(account):
    iam = get_backend(account)
    iam.create_user(UserName="alice")
    out = iam.create_virtual_mfa_device(VirtualMFADeviceName="phone")["VirtualMFADevice"]
    totp = pyotp.TOTP(out["Base32StringSeed"].decode())
    enable(iam, totp)
    VirtualMFADevice.objects.update(clock_offset_steps=0, last_used_step=1000)
    barrier = threading.Barrier(4)
    accepted = []

    def sign_in():
        try:
            device = VirtualMFADevice.objects.get(serial_number=SERIAL)
            barrier.wait()
            accepted.append(ops_mfa.verify_totp(device, totp.generate_otp(2000), now=at_step(2000)))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_in) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(accepted) == [False, False, False, True]
    assert Account.objects.filter(pk=account.pk).exists()


# --- DeactivateMFADevice, DeleteVirtualMFADevice -------------------------------------------------


def test_deactivate_returns_the_device_to_the_unassigned_pool(iam, alice, phone):
    _, totp = phone
    enable(iam, totp)

    assert iam.deactivate_mfa_device(UserName="alice", SerialNumber=SERIAL) == {}

    assert iam.list_mfa_devices(UserName="alice") == {"MFADevices": [], "IsTruncated": False}
    unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert unassigned == [{"SerialNumber": SERIAL}]


def test_deactivate_errors_name_the_missing_user_or_device(iam, alice, phone):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.deactivate_mfa_device(UserName="nonexistent-user", SerialNumber=SERIAL)
    assert exc.value.message == "The user with name nonexistent-user cannot be found."

    missing = "arn:aws:iam::123456789012:mfa/nonexistent-mfa"
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.deactivate_mfa_device(UserName="alice", SerialNumber=missing)
    assert exc.value.message == f"MFA Device with serial number {missing} does not exist."

    with pytest.raises(errors.NoSuchEntity):  # exists, but is not alice's
        iam.deactivate_mfa_device(UserName="alice", SerialNumber=SERIAL)


def test_delete_removes_an_unassigned_device(iam, phone):
    assert iam.delete_virtual_mfa_device(SerialNumber=SERIAL) == {}

    assert iam.list_virtual_mfa_devices() == {"VirtualMFADevices": [], "IsTruncated": False}


def test_delete_refuses_an_assigned_device(iam, alice, phone):
    _, totp = phone
    enable(iam, totp)

    with pytest.raises(errors.DeleteConflict) as exc:
        iam.delete_virtual_mfa_device(SerialNumber=SERIAL)

    assert exc.value.message == ops_mfa.ASSIGNED
    assert exc.value.http_status == 409
    assert VirtualMFADevice.objects.filter(serial_number=SERIAL).exists()


def test_delete_of_an_unknown_device_is_no_such_entity(iam):
    missing = "arn:aws:iam::123456789012:mfa/nonexistent-device"

    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.delete_virtual_mfa_device(SerialNumber=missing)

    assert exc.value.message == f"MFA Device with serial number {missing} does not exist."
    assert exc.value.http_status == 404


def test_another_accounts_device_is_invisible(iam, other_account):
    get_backend(other_account).create_virtual_mfa_device(VirtualMFADeviceName="phone")
    theirs = "arn:aws:iam::210987654321:mfa/phone"

    with pytest.raises(errors.NoSuchEntity):
        iam.delete_virtual_mfa_device(SerialNumber=theirs)
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []


# --- listings ------------------------------------------------------------------------------------


def test_virtual_devices_page_in_serial_order(iam):
    for name in ("c", "a", "b"):
        iam.create_virtual_mfa_device(VirtualMFADeviceName=name)

    first = iam.list_virtual_mfa_devices(MaxItems=2)
    rest = iam.list_virtual_mfa_devices(MaxItems=2, Marker=first["Marker"])

    assert first["IsTruncated"] is True
    assert [d["SerialNumber"][-1] for d in first["VirtualMFADevices"] + rest["VirtualMFADevices"]] == [
        "a",
        "b",
        "c",
    ]
    assert rest["IsTruncated"] is False


def test_a_forged_marker_is_invalid(iam):
    with pytest.raises(errors.ValidationError) as exc:
        iam.list_virtual_mfa_devices(Marker="invalid-marker-value")

    assert exc.value.message == "Invalid Marker."


def test_list_mfa_devices_for_an_unknown_user_is_no_such_entity(iam):
    with pytest.raises(errors.NoSuchEntity):
        iam.list_mfa_devices(UserName="ghost")


# --- tags ----------------------------------------------------------------------------------------


def test_tags_given_at_creation_are_returned_and_listed(iam):
    out = iam.create_virtual_mfa_device(VirtualMFADeviceName="phone", Tags=[{"Key": "team", "Value": "blue"}])

    assert out["VirtualMFADevice"]["Tags"] == [{"Key": "team", "Value": "blue"}]
    assert iam.list_mfa_device_tags(SerialNumber=SERIAL) == {
        "Tags": [{"Key": "team", "Value": "blue"}],
        "IsTruncated": False,
    }


def test_tag_overwrites_by_key_and_untag_removes(iam, phone):
    iam.tag_mfa_device(SerialNumber=SERIAL, Tags=[{"Key": "b", "Value": "1"}, {"Key": "a", "Value": "2"}])
    iam.tag_mfa_device(SerialNumber=SERIAL, Tags=[{"Key": "b", "Value": "3"}])
    iam.untag_mfa_device(SerialNumber=SERIAL, TagKeys=["a", "absent"])

    assert iam.list_mfa_device_tags(SerialNumber=SERIAL)["Tags"] == [{"Key": "b", "Value": "3"}]


@pytest.mark.parametrize(
    "tags",
    [[{"Key": "aws:owner", "Value": "x"}], [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]],
)
def test_reserved_or_duplicate_tag_keys_are_invalid_input(iam, phone, tags):
    with pytest.raises(errors.InvalidInput):
        iam.tag_mfa_device(SerialNumber=SERIAL, Tags=tags)

    assert iam.list_mfa_device_tags(SerialNumber=SERIAL)["Tags"] == []


def test_a_device_holds_at_most_fifty_tags(iam, phone):
    iam.tag_mfa_device(SerialNumber=SERIAL, Tags=[{"Key": f"k{i}", "Value": ""} for i in range(50)])

    with pytest.raises(errors.LimitExceeded):
        iam.tag_mfa_device(SerialNumber=SERIAL, Tags=[{"Key": "one-more", "Value": ""}])
