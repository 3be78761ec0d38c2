"""The root user's "My security credentials" page, and the pages its buttons open.

AWS offers the root user's MFA devices and access keys in its console only. The page lists the root's
MFA devices (the console extension `list_root_mfa_devices`) and access keys (ListAccessKeys without
UserName, called as root, answers with the root's keys). Assigning a device is the users' flow:
CreateVirtualMFADevice, then two codes for `enable_root_mfa_device`; removing one is
`deactivate_root_mfa_device` then DeleteVirtualMFADevice (credentials/ops_root.py).

Secrets (an MFA seed, a secret access key) appear only in the response to the POST that created them,
with `Cache-Control: no-store`; the access key's ".csv" is a `data:` link inside that same response, as
on the users' pages (users/views_credentials.py, whose forms and QR helpers are reused here).
"""

import functools

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from iamconsole.backends.errors import AccessDenied, IAMError, InvalidAuthenticationCode, InvalidUserType
from iamconsole.htmx import redirect_or_client_redirect
from users.forms_credentials import (
    MFACodesForm,
    MFADeviceNameForm,
    StatusForm,
    TypedConfirmationForm,
    csv_data_uri,
)
from users.views_credentials import otpauth_uri, qr_code_svg

# The quotas the page shows as disabled buttons (facts §4); the backend enforces them.
ACCESS_KEYS_PER_ROOT = 2
MFA_DEVICES_PER_ROOT = 8
# The console's file name for the root's keys is UNVERIFIED; "rootkey.csv" is the name it has long used.
ROOT_KEYS_CSV = "rootkey.csv"


class RootAccessKeyForm(forms.Form):
    """ "Create access key" for the root: the acknowledgement that AWS asks for before it creates one."""

    confirmed = forms.BooleanField(
        error_messages={
            "required": "Confirm that you understand root access keys are not a best practice to continue."
        }
    )


def root_only(view):
    """The page is the root's: an IAM user (InvalidUserType, or AccessDenied for a read the page needs)
    gets 403 with AWS's words instead of a 500."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (AccessDenied, InvalidUserType) as error:
            raise PermissionDenied(error.message)

    return wrapper


def page_url() -> str:
    return reverse("accounts:root_security_credentials")


def _back(request):
    return redirect_or_client_redirect(request, page_url())


def _secret_response(request, template: str, context: dict):
    """A page that shows a secret once: never stored by the browser or a proxy."""
    response = render(request, template, context)
    add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private, max-age=0
    return response


def _root_serials(request) -> list[str]:
    return [device["SerialNumber"] for device in request.iam.list_root_mfa_devices()["MFADevices"]]


def _root_key_or_404(request, access_key_id: str) -> dict:
    for key in request.iam.list_access_keys()["AccessKeyMetadata"]:
        if key["AccessKeyId"] == access_key_id:
            return key
    raise Http404(f"The Access Key with id {access_key_id} cannot be found.")


def _with_last_used(iam, key: dict) -> dict:
    try:
        last_used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    except IAMError:
        last_used = {}
    return {**key, "LastUsed": last_used}


@require_GET
@root_only
def root_security_credentials(request):
    """My security credentials: the root's MFA devices and access keys; htmx refreshes the sections."""
    iam = request.iam
    devices = iam.list_root_mfa_devices()["MFADevices"]
    keys = [_with_last_used(iam, key) for key in iam.list_access_keys()["AccessKeyMetadata"]]
    context = {
        "mfa_devices": devices,
        "can_assign_mfa": len(devices) < MFA_DEVICES_PER_ROOT,
        "access_keys": keys,
        "can_create_access_key": len(keys) < ACCESS_KEYS_PER_ROOT,
        "root_arn": request.account.root_arn,
    }
    template = "accounts/root_security_credentials.html"
    if request.htmx and not request.htmx.boosted:
        template += "#root-credentials"
    return render(request, template, context)


# -- multi-factor authentication ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@root_only
def root_mfa_assign(request):
    """ "Assign MFA device": the name; its POST creates the device (unassigned) and shows the QR code and
    secret key once, with the form for the two codes (posted to root_mfa_enable)."""
    form = MFADeviceNameForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["device_name"]
        try:
            device = request.iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
        except IAMError as error:
            form.add_error("device_name", error.message)
        else:
            seed = device["Base32StringSeed"].decode()
            context = {
                "device_name": name,
                "codes_form": MFACodesForm(initial={"serial_number": device["SerialNumber"]}),
                # Safe: qrcode draws the URI as path geometry; no input text reaches the SVG markup.
                "qr_svg": mark_safe(qr_code_svg(otpauth_uri(name, request.account, seed))),  # noqa: S308
                "seed": seed,
            }
            return _secret_response(request, "accounts/root_mfa_assign.html", context)
    return render(request, "accounts/root_mfa_assign.html", {"form": form})


@require_POST
@root_only
def root_mfa_enable(request):
    """Two consecutive codes assign the device to the root. Wrong codes come back with AWS's message and
    may be retried: the device waits unassigned (its seed is not shown again)."""
    form = MFACodesForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            request.iam.enable_root_mfa_device(
                SerialNumber=data["serial_number"],
                AuthenticationCode1=data["code1"],
                AuthenticationCode2=data["code2"],
            )
        except InvalidAuthenticationCode as error:
            form.add_error(None, error.message)
        except IAMError as error:
            messages.error(request, error.message)
            return _back(request)
        else:
            messages.success(request, "MFA device assigned to the root user.")
            return _back(request)
    return _secret_response(request, "accounts/root_mfa_assign.html", {"codes_form": form})


@require_POST
@root_only
def root_mfa_cancel(request):
    """ "Cancel" after the QR code: delete the device that was created but never assigned. The root's own
    devices are refused here, because DeleteVirtualMFADevice does not tell them from unassigned ones."""
    serial = request.POST.get("serial_number", "")[:256]
    if serial in _root_serials(request):
        messages.error(request, f"MFA device {serial} is assigned to the root user; remove it instead.")
        return _back(request)
    try:
        request.iam.delete_virtual_mfa_device(SerialNumber=serial)
    except IAMError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, "MFA device assignment canceled.")
    return _back(request)


@require_http_methods(["GET", "POST"])
@root_only
def root_mfa_remove(request):
    """Remove one of the root's devices after a confirmation: deactivate it, then delete it."""
    serial = (request.POST if request.method == "POST" else request.GET).get("serial_number", "")[:256]
    if serial not in _root_serials(request):
        raise Http404(f"MFA Device with serial number {serial} does not exist.")
    if request.method == "POST":
        try:
            request.iam.deactivate_root_mfa_device(SerialNumber=serial)
            request.iam.delete_virtual_mfa_device(SerialNumber=serial)
        except IAMError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"MFA device {serial} removed.")
        return _back(request)
    context = {
        "title": "Remove MFA device?",
        "message": f"Removing {serial} deactivates it and deletes it: the root user can no longer sign in "
        "with it.",
        "hidden": {"serial_number": serial},
        "button": "Remove",
    }
    return render(request, "accounts/root_confirm.html", context)


# -- access keys ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@root_only
def root_access_key_create(request):
    """ "Create access key": AWS's warning and an acknowledgement; the POST creates the key and shows its
    secret once ("Retrieve access keys"), with a .csv of it."""
    form = RootAccessKeyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            key = request.iam.create_access_key()["AccessKey"]
        except IAMError as error:  # a third key: Cannot exceed quota for AccessKeysPerUser: 2
            messages.error(request, error.message)
            return _back(request)
        messages.success(request, f"Access key {key['AccessKeyId']} created.")
        context = {
            "key": key,
            "csv_name": ROOT_KEYS_CSV,
            "csv_uri": csv_data_uri(
                ["Access key ID", "Secret access key"], [[key["AccessKeyId"], key["SecretAccessKey"]]]
            ),
        }
        return _secret_response(request, "accounts/root_access_key_create.html", context)
    return render(request, "accounts/root_access_key_create.html", {"form": form})


@require_POST
@root_only
def root_access_key_status(request, access_key_id):
    """Activate or deactivate a root access key; `next=delete` goes on to its delete page."""
    _root_key_or_404(request, access_key_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose Activate or Deactivate.")
        return _back(request)
    status = form.cleaned_data["status"]
    try:
        request.iam.update_access_key(AccessKeyId=access_key_id, Status=status)
    except IAMError as error:
        messages.error(request, error.message)
        return _back(request)
    messages.success(
        request, f"Access key {access_key_id} {'activated' if status == 'Active' else 'deactivated'}."
    )
    if form.cleaned_data["next"] == "delete":
        return redirect_or_client_redirect(
            request, reverse("accounts:root_access_key_delete", args=[access_key_id])
        )
    return _back(request)


@require_http_methods(["GET", "POST"])
@root_only
def root_access_key_delete(request, access_key_id):
    """Delete a root access key: it must be deactivated first, and its ID typed to confirm."""
    key = _root_key_or_404(request, access_key_id)
    active = key["Status"] == "Active"
    form = TypedConfirmationForm(access_key_id, request.POST if request.method == "POST" else None)
    if request.method == "POST" and not active and form.is_valid():
        try:
            request.iam.delete_access_key(AccessKeyId=access_key_id)
        except IAMError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Access key {access_key_id} deleted.")
        return _back(request)
    context = {
        "title": f"Delete {access_key_id}?",
        "message": "Deleting this access key cannot be undone; whatever uses it stops working.",
        "form": form,
        "active": active,
        "access_key_id": access_key_id,
        "button": "Delete",
    }
    return render(request, "accounts/root_confirm.html", context)
