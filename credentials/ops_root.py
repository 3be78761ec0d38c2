"""Console extensions for the root user's own MFA devices (ARCHITECTURE.md §1).

AWS offers the root user's MFA only in its console ("My security credentials"): EnableMFADevice and
DeactivateMFADevice need a UserName, and the root has none. These extensions are what that page calls.
They are authorized and audited as the IAM actions they stand for (EnableMFADevice,
DeactivateMFADevice, ListMFADevices), take the same members minus UserName, and answer with the same
errors and messages as those actions (credentials/ops_mfa.py).

A root device is a VirtualMFADevice with `user` None and `enable_date` set (GetAccountSummary, the
credential report and the dashboard read it that way); an unassigned device has neither.
"""

from accounts.models import Account
from iamconsole.backends.base import console_extension
from iamconsole.backends.errors import (
    EntityAlreadyExists,
    InvalidAuthenticationCode,
    InvalidUserType,
    LimitExceeded,
    NoSuchEntity,
)
from iamconsole.backends.model import validate_input

from .models import VirtualMFADevice
from .ops_mfa import (
    IN_USE,
    INVALID_CODE,
    MFA_DEVICES_PER_USER,
    VERIFY_WINDOW,
    _consecutive_step,
    _device_or_404,
    _step,
)

# UNVERIFIED wording: AWS has no API for the root's MFA, so no answer to record; the code is the one
# IAM uses for an action the caller's kind of identity cannot perform (ChangePassword by root).
ROOT_ONLY = "Only the root user can manage the MFA devices of the root user."
# A stand-in user name so that EnableMFADevice's input shape checks the other members with its exact
# wording; the root has no user name, and this value never reaches the data.
_NO_USER_NAME = "root"


def root_resource(ctx, params: dict) -> str:
    """The root's ARN: what the actions act on, whoever asks (AccessDenied names it)."""
    return ctx.account.root_arn


def _root_only(ctx) -> None:
    """An IAM user allowed the action by its policies still cannot act on the root's devices."""
    if not ctx.principal.is_root:
        raise InvalidUserType(ROOT_ONLY)


def _root_devices(ctx):
    return VirtualMFADevice.objects.filter(account=ctx.account, user__isnull=True, enable_date__isnull=False)


def _not_found(serial: str) -> NoSuchEntity:
    return NoSuchEntity(f"MFA Device with serial number {serial} does not exist.")


@console_extension("list_root_mfa_devices", authorized_as="ListMFADevices", resource=root_resource)
def list_root_mfa_devices(ctx) -> dict:
    """{"MFADevices": [{"SerialNumber", "EnableDate"}]}: the root's devices in serial-number order
    (ListMFADevices without UserName answers for the root in AWS; the local one has no root devices)."""
    _root_only(ctx)
    devices = _root_devices(ctx).order_by("serial_number").values_list("serial_number", "enable_date")
    return {"MFADevices": [{"SerialNumber": serial, "EnableDate": date} for serial, date in devices]}


@console_extension(
    "enable_root_mfa_device", authorized_as="EnableMFADevice", resource=root_resource, mutating=True
)
def enable_root_mfa_device(ctx, *, SerialNumber, AuthenticationCode1, AuthenticationCode2) -> dict:
    """Assign an unassigned device of the account to the root after two consecutive codes from it.

    EnableMFADevice's rules: the device must exist in this account (NoSuchEntity) and be unassigned
    (EntityAlreadyExists), the root holds at most 8 devices (LimitExceeded), and the codes must be two
    consecutive ones near the device's clock, newer than any code it accepted before
    (InvalidAuthenticationCode). Returns {}.
    """
    validate_input(
        "EnableMFADevice",
        {
            "UserName": _NO_USER_NAME,
            "SerialNumber": SerialNumber,
            "AuthenticationCode1": AuthenticationCode1,
            "AuthenticationCode2": AuthenticationCode2,
        },
    )
    _root_only(ctx)
    # The account row stands for the root: locking it serializes the root's quota, as the user row
    # does for EnableMFADevice.
    Account.objects.select_for_update().only("pk").get(pk=ctx.account.pk)
    device = _device_or_404(ctx, SerialNumber, lock=True)
    if device.user_id is not None or device.enable_date is not None:
        raise EntityAlreadyExists(IN_USE)
    if _root_devices(ctx).count() >= MFA_DEVICES_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for MFADevicesPerUser: {MFA_DEVICES_PER_USER}")
    first = _consecutive_step(
        device, AuthenticationCode1, AuthenticationCode2, now=ctx.now, window=VERIFY_WINDOW
    )
    if first is None:
        raise InvalidAuthenticationCode(INVALID_CODE)
    device.enable_date = ctx.now
    device.last_used_step = first + 1
    device.clock_offset_steps = first + 1 - _step(ctx.now)
    device.save(update_fields=["enable_date", "last_used_step", "clock_offset_steps"])
    return {}


@console_extension(
    "deactivate_root_mfa_device", authorized_as="DeactivateMFADevice", resource=root_resource, mutating=True
)
def deactivate_root_mfa_device(ctx, *, SerialNumber) -> dict:
    """Unassign one of the root's devices; it stays in the account, unassigned, until deleted.

    A device that is not the root's (unknown, unassigned, or a user's) is NoSuchEntity, as
    DeactivateMFADevice answers for a device that is not the named user's. Returns {}.
    """
    validate_input("DeactivateMFADevice", {"SerialNumber": SerialNumber})
    _root_only(ctx)
    device = _device_or_404(ctx, SerialNumber, lock=True)
    if device.user_id is not None or device.enable_date is None:
        raise _not_found(SerialNumber)
    device.enable_date = None
    device.clock_offset_steps = 0
    # last_used_step stays: a code spent before deactivation is still spent.
    device.save(update_fields=["enable_date", "clock_offset_steps"])
    return {}
