"""The root user's own MFA devices: the console extensions enable_root_mfa_device,
deactivate_root_mfa_device and list_root_mfa_devices (credentials/ops_root.py).

They answer as EnableMFADevice / DeactivateMFADevice do (messages from reference/aws-recorded, topic
mfa), are audited under those names, and refuse anyone but the root. Codes are computed with pyotp
from the seed CreateVirtualMFADevice returns, as an authenticator app would.
"""

import datetime
import json

import pyotp
import pytest

from accounts.models import AuditEvent
from credentials import ops_root
from credentials.models import VirtualMFADevice
from iamconsole.backends import errors, get_backend
from tests.contract.conftest import allow
from users.models import IAMUser

SERIAL = "arn:aws:iam::123456789012:mfa/root-phone"


@pytest.fixture
def phone(iam):
    """A new unassigned device "root-phone" and a pyotp TOTP over its seed."""
    out = iam.create_virtual_mfa_device(VirtualMFADeviceName="root-phone")["VirtualMFADevice"]
    return pyotp.TOTP(out["Base32StringSeed"].decode())


def two_codes(totp) -> dict:
    """The previous and the current code, as the console asks for them."""
    now = datetime.datetime.now()
    return {"AuthenticationCode1": totp.at(now, counter_offset=-1), "AuthenticationCode2": totp.at(now)}


def root_serials(iam) -> list[str]:
    return [device["SerialNumber"] for device in iam.list_root_mfa_devices()["MFADevices"]]


def device() -> VirtualMFADevice:
    return VirtualMFADevice.objects.get(serial_number=SERIAL)


# --- enable_root_mfa_device ----------------------------------------------------------------------


def test_two_consecutive_codes_assign_the_device_to_the_root(iam, phone):
    assert iam.enable_root_mfa_device(SerialNumber=SERIAL, **two_codes(phone)) == {}

    listed = iam.list_root_mfa_devices()["MFADevices"]
    assert [d["SerialNumber"] for d in listed] == [SERIAL]
    assert listed[0]["EnableDate"].tzinfo is not None
    assert device().user is None and device().enable_date is not None
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["AccountMFAEnabled"], summary["MFADevicesInUse"]) == (1, 1)
    assert iam.security_recommendations()["RootMFA"] is True


def test_enable_is_audited_as_enable_mfa_device_without_the_codes(iam, phone):
    codes = two_codes(phone)
    iam.enable_root_mfa_device(SerialNumber=SERIAL, **codes)

    event = AuditEvent.objects.filter(event_name="EnableMFADevice").get()
    assert event.principal_arn == "arn:aws:iam::123456789012:root"
    assert event.request_parameters["SerialNumber"] == SERIAL
    logged = json.dumps([e.request_parameters for e in AuditEvent.objects.all()])
    assert codes["AuthenticationCode1"] not in logged and codes["AuthenticationCode2"] not in logged


@pytest.mark.parametrize("pair", ["wrong", "reversed", "far"])
def test_codes_that_are_not_two_consecutive_current_ones_are_refused(iam, phone, pair):
    now = datetime.datetime.now()
    codes = {
        "wrong": ("123456", "654321"),
        "reversed": (phone.at(now), phone.at(now, counter_offset=-1)),
        "far": (phone.at(now, counter_offset=-10), phone.at(now, counter_offset=-9)),
    }[pair]

    with pytest.raises(errors.InvalidAuthenticationCode) as exc:
        iam.enable_root_mfa_device(
            SerialNumber=SERIAL, AuthenticationCode1=codes[0], AuthenticationCode2=codes[1]
        )

    assert exc.value.message == "Authentication code for device is not valid."
    assert exc.value.http_status == 403
    assert device().enable_date is None
    assert AuditEvent.objects.filter(event_name="EnableMFADevice").get().error_code == (
        "InvalidAuthenticationCode"
    )


def test_codes_spent_once_cannot_enable_the_device_again(iam, phone):
    codes = two_codes(phone)
    iam.enable_root_mfa_device(SerialNumber=SERIAL, **codes)
    iam.deactivate_root_mfa_device(SerialNumber=SERIAL)

    with pytest.raises(errors.InvalidAuthenticationCode):
        iam.enable_root_mfa_device(SerialNumber=SERIAL, **codes)

    assert root_serials(iam) == []


def test_a_device_in_use_cannot_be_enabled_again(iam, phone):
    iam.create_user(UserName="alice")
    iam.enable_mfa_device(UserName="alice", SerialNumber=SERIAL, **two_codes(phone))

    with pytest.raises(errors.EntityAlreadyExists) as exc:
        iam.enable_root_mfa_device(
            SerialNumber=SERIAL, AuthenticationCode1="123456", AuthenticationCode2="654321"
        )

    assert exc.value.message == "MFA Device is already in use."
    assert exc.value.http_status == 409
    assert device().user.name == "alice" and root_serials(iam) == []


def test_the_roots_device_cannot_be_enabled_for_a_user_or_again(iam, phone):
    iam.enable_root_mfa_device(SerialNumber=SERIAL, **two_codes(phone))
    iam.create_user(UserName="alice")

    for call in (
        lambda: iam.enable_mfa_device(UserName="alice", SerialNumber=SERIAL, **two_codes(phone)),
        lambda: iam.enable_root_mfa_device(SerialNumber=SERIAL, **two_codes(phone)),
    ):
        with pytest.raises(errors.EntityAlreadyExists) as exc:
            call()
        assert exc.value.message == "MFA Device is already in use."
    assert device().user is None


def test_an_unknown_or_another_accounts_device_is_no_such_entity(iam, other_account):
    get_backend(other_account).create_virtual_mfa_device(VirtualMFADeviceName="root-phone")
    for serial in ("arn:aws:iam::123456789012:mfa/ghost", "arn:aws:iam::210987654321:mfa/root-phone"):
        with pytest.raises(errors.NoSuchEntity) as exc:
            iam.enable_root_mfa_device(
                SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
            )

        assert exc.value.message == f"MFA Device with serial number {serial} does not exist."
        assert exc.value.http_status == 404
    assert not VirtualMFADevice.objects.filter(enable_date__isnull=False).exists()


def test_the_root_holds_at_most_eight_devices(iam):
    for index in range(9):
        out = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"d{index}")["VirtualMFADevice"]
        totp = pyotp.TOTP(out["Base32StringSeed"].decode())
        if index < 8:
            iam.enable_root_mfa_device(SerialNumber=out["SerialNumber"], **two_codes(totp))
        else:
            with pytest.raises(errors.LimitExceeded) as exc:
                iam.enable_root_mfa_device(SerialNumber=out["SerialNumber"], **two_codes(totp))

    assert exc.value.message == "Cannot exceed quota for MFADevicesPerUser: 8"
    assert exc.value.http_status == 409
    assert len(root_serials(iam)) == 8


def test_members_are_checked_with_enable_mfa_devices_wording(iam, phone):
    with pytest.raises(errors.ValidationError) as exc:
        iam.enable_root_mfa_device(
            SerialNumber=SERIAL, AuthenticationCode1="12345", AuthenticationCode2="654321"
        )
    assert exc.value.message == (
        "1 validation error detected: Value at 'authenticationCode1' failed to satisfy constraint: "
        "Member must have length greater than or equal to 6"
    )

    with pytest.raises(errors.ValidationError) as exc:
        iam.enable_root_mfa_device(
            SerialNumber="short", AuthenticationCode1="12345a", AuthenticationCode2="654321"
        )
    assert exc.value.message.startswith("2 validation errors detected: Value at 'serialNumber'")
    assert device().enable_date is None


@pytest.fixture
def alice_backend(iam, account):
    iam.create_user(UserName="alice")
    return get_backend(account, IAMUser.objects.get(name="alice"))


def test_an_iam_user_without_permission_is_denied(alice_backend, phone):
    with pytest.raises(errors.AccessDenied) as exc:
        alice_backend.enable_root_mfa_device(SerialNumber=SERIAL, **two_codes(phone))

    assert exc.value.message.startswith(
        "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:EnableMFADevice "
        "on resource: arn:aws:iam::123456789012:root"
    )
    assert device().enable_date is None


def test_an_iam_user_allowed_the_actions_still_cannot_touch_the_roots_devices(
    iam, alice_backend, phone, monkeypatch
):
    allow(iam, "alice")
    iam.enable_root_mfa_device(SerialNumber=SERIAL, **two_codes(phone))

    for call in (
        lambda: alice_backend.enable_root_mfa_device(SerialNumber=SERIAL, **two_codes(phone)),
        lambda: alice_backend.deactivate_root_mfa_device(SerialNumber=SERIAL),
        lambda: alice_backend.list_root_mfa_devices(),
    ):
        with pytest.raises(errors.InvalidUserType) as exc:
            call()
        assert exc.value.message == ops_root.ROOT_ONLY
        assert exc.value.http_status == 400
    assert root_serials(iam) == [SERIAL]


# --- deactivate_root_mfa_device ------------------------------------------------------------------


def test_deactivate_returns_the_device_to_the_unassigned_pool(iam, phone):
    iam.enable_root_mfa_device(SerialNumber=SERIAL, **two_codes(phone))

    assert iam.deactivate_root_mfa_device(SerialNumber=SERIAL) == {}

    assert root_serials(iam) == []
    assert iam.security_recommendations()["RootMFA"] is False
    unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert unassigned == [{"SerialNumber": SERIAL}]
    iam.delete_virtual_mfa_device(SerialNumber=SERIAL)  # now it can be deleted
    event = AuditEvent.objects.filter(event_name="DeactivateMFADevice").get()
    assert event.request_parameters == {"SerialNumber": SERIAL} and event.error_code == ""


def test_deactivate_refuses_a_device_that_is_not_the_roots(iam, phone):
    iam.create_user(UserName="alice")
    other = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=other["SerialNumber"],
        **two_codes(pyotp.TOTP(other["Base32StringSeed"].decode())),
    )
    ghost = "arn:aws:iam::123456789012:mfa/ghost"

    for serial in (SERIAL, other["SerialNumber"], ghost):  # unassigned, a user's, unknown
        with pytest.raises(errors.NoSuchEntity) as exc:
            iam.deactivate_root_mfa_device(SerialNumber=serial)
        assert exc.value.message == f"MFA Device with serial number {serial} does not exist."

    assert VirtualMFADevice.objects.get(serial_number=other["SerialNumber"]).user.name == "alice"


def test_deactivate_checks_the_serial_number(iam):
    with pytest.raises(errors.ValidationError) as exc:
        iam.deactivate_root_mfa_device(SerialNumber="short")

    assert exc.value.message == (
        "1 validation error detected: Value at 'serialNumber' failed to satisfy constraint: "
        "Member must have length greater than or equal to 9"
    )


def test_the_roots_devices_are_listed_in_serial_order_and_only_in_its_account(iam, other_account):
    for name in ("zeta", "alpha"):
        out = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
        iam.enable_root_mfa_device(
            SerialNumber=out["SerialNumber"], **two_codes(pyotp.TOTP(out["Base32StringSeed"].decode()))
        )
    iam.create_virtual_mfa_device(VirtualMFADeviceName="unassigned")

    assert root_serials(iam) == ["arn:aws:iam::123456789012:mfa/alpha", "arn:aws:iam::123456789012:mfa/zeta"]
    assert get_backend(other_account).list_root_mfa_devices() == {"MFADevices": []}


def test_the_roots_enabled_device_is_assigned_and_cannot_be_deleted(iam, phone):
    serial = SERIAL
    iam.enable_root_mfa_device(SerialNumber=SERIAL, **two_codes(phone))

    with pytest.raises(errors.DeleteConflict):
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in assigned] == [serial]
    assert assigned[0]["User"]["Arn"] == "arn:aws:iam::123456789012:root"
    assert iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"] == []
