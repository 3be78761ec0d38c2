"""Local operations on virtual (TOTP) MFA devices, plus `verify_totp` for the sign-in page.

Each function is one IAM action (see iamconsole/backends/base.py for the calling convention). A
device's serial number is its ARN, `arn:aws:iam::<account>:mfa<path><name>`. Its Base32 seed is
generated here, returned once (as text and as a QR code) by CreateVirtualMFADevice and kept AES-GCM
encrypted. Codes are RFC 6238 TOTP (30-second steps, 6 digits, SHA-1) checked with pyotp; a code is
accepted once: the device remembers the step of the newest accepted code and refuses older or equal
steps, with its row locked so two concurrent sign-ins cannot both spend the same code.
"""

import datetime
import hmac
import struct
import urllib.parse
import zlib

import pyotp
import qrcode
from django.db import transaction
from django.db.models import Q

from iamconsole import crypto
from iamconsole.backends.base import operation, user_resource
from iamconsole.backends.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidAuthenticationCode,
    LimitExceeded,
    NoSuchEntity,
)
from iamconsole.backends.paging import DEFAULT_MAX_ITEMS
from iamconsole.backends.rows import save_new
from iamconsole.backends.tagging import check_tags, merge_tags, remove_tags, sorted_tags
from users.models import IAMUser
from users.ops import get_user_or_404, user_dict

from .models import VirtualMFADevice
from .ops_keys import decode_marker, encode_marker, page_output, paginate

STEP_SECONDS = 30
SEED_LENGTH = 64  # Base32 characters (320 bits), the length of the seeds IAM hands out
VERIFY_WINDOW = 1  # steps either side of the device's clock for a sign-in or EnableMFADevice code
RESYNC_WINDOW = 10  # steps either side searched by ResyncMFADevice for a drifted device
MFA_DEVICES_PER_USER = 8
TAGS_PER_DEVICE = 50

INVALID_CODE = "Authentication code for device is not valid."
IN_USE = "MFA Device is already in use."
# UNVERIFIED wordings (no real AWS answer recorded): the delete-while-assigned conflict and the quota.
ASSIGNED = "Cannot delete entity, must deactivate MFA device first."


def _purpose(serial: str) -> str:
    return f"mfa-seed:{serial}"


def mfa_resource(ctx, params: dict) -> str:
    """The device's ARN, the resource IAM authorizes the device actions on."""
    if params.get("SerialNumber"):
        return params["SerialNumber"]
    return ctx.arn(f"mfa{params.get('Path') or '/'}{params.get('VirtualMFADeviceName', '')}")


def _device_or_404(ctx, serial: str, *, lock: bool = False) -> VirtualMFADevice:
    devices = VirtualMFADevice.objects.select_for_update() if lock else VirtualMFADevice.objects
    device = devices.filter(account=ctx.account, serial_number=serial).first()
    if device is None:
        raise NoSuchEntity(f"MFA Device with serial number {serial} does not exist.")
    return device


def _seed(device: VirtualMFADevice) -> str:
    return crypto.decrypt(device.seed_encrypted, _purpose(device.serial_number))


def _step(now: datetime.datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _code_at(totp: pyotp.TOTP, step: int) -> str:
    return totp.generate_otp(step)


def _matches(totp: pyotp.TOTP, step: int, code: str) -> bool:
    return hmac.compare_digest(_code_at(totp, step), code)


def _consecutive_step(device, code1: str, code2: str, *, now, window: int) -> int | None:
    """The step of `code1` when `code1` and `code2` are two consecutive codes near the device's clock.

    `code2` must be within `window` steps of the device's time (server time plus its measured drift)
    and newer than the last accepted code; None when no such pair exists.
    """
    totp = pyotp.TOTP(_seed(device))
    device_now = _step(now) + device.clock_offset_steps
    for second in sorted(
        range(device_now - window, device_now + window + 1), key=lambda s: abs(s - device_now)
    ):
        first = second - 1
        if device.last_used_step is not None and first <= device.last_used_step:
            continue
        if _matches(totp, first, code1) and _matches(totp, second, code2):
            return first
    return None


def verify_totp(device: VirtualMFADevice, code: str, *, now: datetime.datetime) -> bool:
    """Check one sign-in code of an assigned device and spend it: True once per code, then False.

    Accepts the code of the device's current step or one step either side (clock drift measured by
    Enable/ResyncMFADevice included). Locks the device row so a replay racing the first use loses.
    """
    with transaction.atomic():
        locked = VirtualMFADevice.objects.select_for_update().get(pk=device.pk)
        totp = pyotp.TOTP(_seed(locked))
        device_now = _step(now) + locked.clock_offset_steps
        for step in (device_now, device_now - VERIFY_WINDOW, device_now + VERIFY_WINDOW):
            if locked.last_used_step is not None and step <= locked.last_used_step:
                continue
            if _matches(totp, step, code):
                locked.last_used_step = step
                locked.save(update_fields=["last_used_step"])
                device.last_used_step = step
                return True
    return False


# --- QR code ------------------------------------------------------------------------------------


def otpauth_uri(ctx, name: str, seed: str) -> str:
    """`otpauth://totp/<name>@<account alias or ID>?secret=<seed>`, the label URL-encoded."""
    label = urllib.parse.quote(f"{name}@{ctx.account.alias or ctx.account_id}", safe="@")
    return f"otpauth://totp/{label}?secret={seed}"


def qr_png(text: str, *, scale: int = 6) -> bytes:
    """A PNG of the QR code for `text`: 1-bit grayscale, `scale` pixels per module, quiet zone of 4.

    The `qrcode` package computes the code; the few lines of PNG writing below (zlib and struct from
    the standard library) spare an imaging dependency (Pillow or pypng) for one black-and-white image.
    """
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    width = len(matrix) * scale
    raw = bytearray()
    for row in matrix:
        bits = "".join(("0" if dark else "1") * scale for dark in row)  # 0 = black, 1 = white
        bits = bits.ljust((width + 7) // 8 * 8, "1")
        line = b"\x00" + int(bits, 2).to_bytes(len(bits) // 8, "big")  # filter type 0 per row
        raw += line * scale

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0)  # bit depth 1, grayscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


# --- tags ---------------------------------------------------------------------------------------


def _merged_tags(current: list[dict], new: list[dict]) -> list[dict]:
    """`current` with `new` checked and applied, sorted by key (the order ListMFADeviceTags answers).

    MFA tag keys are case-sensitive; the rules are iamconsole/backends/tagging.py's, their wordings
    UNVERIFIED for MFA devices (no AWS answer recorded).
    """
    check_tags(new, case_insensitive=False)
    merged = merge_tags(
        current, new, case_insensitive=False, quota=TAGS_PER_DEVICE, quota_name="TagsPerMFADevice"
    )
    return sorted_tags(merged)


# --- operations ---------------------------------------------------------------------------------


@operation("CreateVirtualMFADevice", resource=mfa_resource)
def create_virtual_mfa_device(ctx, *, VirtualMFADeviceName, Path="/", Tags=None):
    """A new unassigned device; its seed and QR code are in this response and nowhere else."""
    serial = ctx.arn(f"mfa{Path}{VirtualMFADeviceName}")
    if VirtualMFADevice.objects.filter(serial_number=serial).exists():
        raise EntityAlreadyExists("MFA device already exists.")
    tags = _merged_tags([], Tags or [])
    seed = pyotp.random_base32(SEED_LENGTH)
    device = VirtualMFADevice(
        account=ctx.account,
        serial_number=serial,
        name=VirtualMFADeviceName,
        path=Path,
        seed_encrypted=crypto.encrypt(seed, _purpose(serial)),
        created=ctx.now,
        tags=tags,
    )
    save_new(device, exists_message="MFA device already exists.")  # a concurrent create took the serial
    out = {
        "SerialNumber": serial,
        "Base32StringSeed": seed.encode(),
        "QRCodePNG": qr_png(otpauth_uri(ctx, VirtualMFADeviceName, seed)),
    }
    if tags:
        out["Tags"] = tags
    return {"VirtualMFADevice": out}


@operation("EnableMFADevice", resource=user_resource)
def enable_mfa_device(ctx, *, UserName, SerialNumber, AuthenticationCode1, AuthenticationCode2):
    """Assign a device to a user after two consecutive codes from it prove the user holds the seed."""
    user = get_user_or_404(ctx, UserName)
    IAMUser.objects.select_for_update().only("pk").get(pk=user.pk)  # serializes the per-user quota
    device = _device_or_404(ctx, SerialNumber, lock=True)
    if device.user_id is not None or device.enable_date is not None:  # a user's, or the root's
        raise EntityAlreadyExists(IN_USE)
    if VirtualMFADevice.objects.filter(user=user).count() >= MFA_DEVICES_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for MFADevicesPerUser: {MFA_DEVICES_PER_USER}")
    first = _consecutive_step(
        device, AuthenticationCode1, AuthenticationCode2, now=ctx.now, window=VERIFY_WINDOW
    )
    if first is None:
        raise InvalidAuthenticationCode(INVALID_CODE)
    device.user = user
    device.enable_date = ctx.now
    device.last_used_step = first + 1
    device.clock_offset_steps = first + 1 - _step(ctx.now)
    device.save()
    return {}


@operation("ResyncMFADevice", resource=user_resource)
def resync_mfa_device(ctx, *, UserName, SerialNumber, AuthenticationCode1, AuthenticationCode2):
    """Re-measure a drifted device's clock from two consecutive codes (searched over ±5 minutes)."""
    user = get_user_or_404(ctx, UserName)
    device = _device_or_404(ctx, SerialNumber, lock=True)
    if device.user_id != user.pk:
        raise NoSuchEntity(f"MFA Device with serial number {SerialNumber} does not exist.")
    first = _consecutive_step(
        device, AuthenticationCode1, AuthenticationCode2, now=ctx.now, window=RESYNC_WINDOW
    )
    if first is None:
        raise InvalidAuthenticationCode(INVALID_CODE)
    device.last_used_step = first + 1
    device.clock_offset_steps = first + 1 - _step(ctx.now)
    device.save(update_fields=["last_used_step", "clock_offset_steps"])
    return {}


@operation("DeactivateMFADevice", resource=user_resource)
def deactivate_mfa_device(ctx, *, SerialNumber, UserName=None):
    """Unassign a device from its user; the device stays, ready to be enabled again."""
    user = get_user_or_404(ctx, UserName) if UserName is not None else ctx.principal.user
    device = _device_or_404(ctx, SerialNumber, lock=True)
    if user is None or device.user_id != user.pk:
        raise NoSuchEntity(f"MFA Device with serial number {SerialNumber} does not exist.")
    device.user = None
    device.enable_date = None
    device.clock_offset_steps = 0
    # last_used_step stays: a code spent before deactivation is still spent.
    device.save(update_fields=["user", "enable_date", "clock_offset_steps"])
    return {}


@operation("DeleteVirtualMFADevice", resource=mfa_resource)
def delete_virtual_mfa_device(ctx, *, SerialNumber):
    """Delete an unassigned device (an assigned one must be deactivated first)."""
    device = _device_or_404(ctx, SerialNumber, lock=True)
    if device.user_id is not None or device.enable_date is not None:  # a user's, or the root's
        raise DeleteConflict(ASSIGNED)
    device.delete()
    return {}


def _by_serial(device: VirtualMFADevice) -> str:
    return device.serial_number


@operation("ListMFADevices", resource=user_resource)
def list_mfa_devices(ctx, *, UserName=None, Marker=None, MaxItems=None):
    """The devices assigned to the user (root has none this API can assign)."""
    user = get_user_or_404(ctx, UserName) if UserName is not None else ctx.principal.user
    devices = list(VirtualMFADevice.objects.filter(user=user)) if user is not None else []
    page, marker = paginate(devices, _by_serial, Marker, MaxItems)
    items = [
        {"UserName": user.name, "SerialNumber": device.serial_number, "EnableDate": device.enable_date}
        for device in page
    ]
    return page_output("MFADevices", items, marker)


@operation("ListVirtualMFADevices")
def list_virtual_mfa_devices(ctx, *, AssignmentStatus="Any", Marker=None, MaxItems=None):
    """The account's virtual devices by serial number; assigned ones carry their user and date."""
    devices = VirtualMFADevice.objects.filter(account=ctx.account).select_related("user", "user__account")
    assigned = Q(user__isnull=False) | Q(enable_date__isnull=False)  # to a user, or to the root
    if AssignmentStatus == "Assigned":
        devices = devices.filter(assigned)
    elif AssignmentStatus == "Unassigned":
        devices = devices.exclude(assigned)
    if Marker is not None:
        devices = devices.filter(serial_number__gte=decode_marker(Marker))
    limit = MaxItems or DEFAULT_MAX_ITEMS
    page = list(devices.order_by("serial_number")[: limit + 1])
    marker = encode_marker(page[limit].serial_number) if len(page) > limit else None
    items = []
    for device in page[:limit]:
        item = {"SerialNumber": device.serial_number}
        if device.user is not None:
            item["User"] = user_dict(device.user)
            item["EnableDate"] = device.enable_date
        elif device.enable_date is not None:  # the root's device: the root as User, as GetUser shows it
            account = ctx.account
            item["User"] = {
                "UserId": account.account_id,
                "Arn": account.root_arn,
                "CreateDate": account.created,
            }
            item["EnableDate"] = device.enable_date
        items.append(item)
    return page_output("VirtualMFADevices", items, marker)


@operation("TagMFADevice", resource=mfa_resource)
def tag_mfa_device(ctx, *, SerialNumber, Tags):
    """Add or overwrite tags on a device (keys are case-sensitive; 50 at most)."""
    device = _device_or_404(ctx, SerialNumber, lock=True)
    device.tags = _merged_tags(device.tags, Tags)
    device.save(update_fields=["tags"])
    return {}


@operation("UntagMFADevice", resource=mfa_resource)
def untag_mfa_device(ctx, *, SerialNumber, TagKeys):
    """Remove the named tags; keys that are absent are ignored."""
    device = _device_or_404(ctx, SerialNumber, lock=True)
    device.tags = remove_tags(device.tags, TagKeys, case_insensitive=False)
    device.save(update_fields=["tags"])
    return {}


@operation("ListMFADeviceTags", resource=mfa_resource)
def list_mfa_device_tags(ctx, *, SerialNumber, Marker=None, MaxItems=None):
    """The device's tags, sorted by key."""
    device = _device_or_404(ctx, SerialNumber)
    page, marker = paginate(list(device.tags), lambda tag: tag["Key"], Marker, MaxItems)
    return page_output("Tags", page, marker)
