"""The root user's "My security credentials" page, and the pages its buttons open.

AWS offers the root user's MFA devices and access keys in its console only. The page lists the root's
MFA devices (the console extension `list_root_mfa_devices`) and access keys (ListAccessKeys without
UserName, called as root, answers with the root's keys). Assigning a device is the users' flow:
CreateVirtualMFADevice, then two codes for `enable_root_mfa_device`; removing one is
`deactivate_root_mfa_device` then DeleteVirtualMFADevice (credentials/ops_root.py).

Secrets (an MFA seed, a secret access key) appear only in the response to the POST that created them,
with `Cache-Control: no-store`; the access key's ".csv" is a `data:` link inside that same response, as
on the users' pages. The flows are the users' (users/views_credentials.py): this module gives their
helpers the root's calls, URLs and templates (which extend the users' ones with the root's breadcrumbs).
"""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from iamconsole.backends.errors import AccessDenied, IAMError, InvalidUserType
from iamconsole.htmx import redirect_or_client_redirect
from users.views_credentials import (
    access_key_last_used,
    access_key_response,
    assign_mfa_device,
    confirm_delete,
    delete_unassigned_device,
    enable_mfa_device,
    errors_are_403,
    posted_serial,
    remove_mfa_device,
    update_status,
)

# The quotas the page shows as disabled buttons (facts §4); the backend enforces them.
ACCESS_KEYS_PER_ROOT = 2
MFA_DEVICES_PER_ROOT = 8
# The console's file name for the root's keys is UNVERIFIED; "rootkey.csv" is the name it has long used.
ROOT_KEYS_CSV = "rootkey.csv"
SUBJECT = "the root user"  # as the users' pages and messages name a user


class RootAccessKeyForm(forms.Form):
    """ "Create access key" for the root: the acknowledgement that AWS asks for before it creates one."""

    confirmed = forms.BooleanField(
        error_messages={
            "required": "Confirm that you understand root access keys are not a best practice to continue."
        }
    )


# The page is the root's: an IAM user (InvalidUserType, or AccessDenied for a read the page needs) gets
# 403 with AWS's words instead of a 500.
root_only = errors_are_403(AccessDenied, InvalidUserType)


def page_url() -> str:
    return reverse("accounts:root_security_credentials")


def _page(**context) -> dict:
    """The context the users' helpers and templates take: the subject and the way back to the page."""
    return {"subject": SUBJECT, "back_url": page_url(), **context}


def _mfa_page() -> dict:
    """The context of "Assign MFA device" for the root: where its three forms post."""
    return _page(
        assign_url=reverse("accounts:root_mfa_assign"),
        enable_url=reverse("accounts:root_mfa_enable"),
        cancel_url=reverse("accounts:root_mfa_cancel"),
    )


def _back(request):
    return redirect_or_client_redirect(request, page_url())


def _root_serials(request) -> list[str]:
    return [device["SerialNumber"] for device in request.iam.list_root_mfa_devices()["MFADevices"]]


def _root_key_or_404(request, access_key_id: str) -> dict:
    for key in request.iam.list_access_keys()["AccessKeyMetadata"]:
        if key["AccessKeyId"] == access_key_id:
            return key
    raise Http404(f"The Access Key with id {access_key_id} cannot be found.")


@require_GET
@root_only
def root_security_credentials(request):
    """My security credentials: the root's MFA devices and access keys; htmx refreshes the sections."""
    iam = request.iam
    devices = iam.list_root_mfa_devices()["MFADevices"]
    keys = [
        {**key, "LastUsed": access_key_last_used(iam, key["AccessKeyId"])}
        for key in iam.list_access_keys()["AccessKeyMetadata"]
    ]
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
    return assign_mfa_device(request, "accounts/root_mfa_assign.html", _mfa_page())


@require_POST
@root_only
def root_mfa_enable(request):
    """Two consecutive codes assign the device to the root (enable_root_mfa_device)."""
    return enable_mfa_device(
        request, request.iam.enable_root_mfa_device, "accounts/root_mfa_assign.html", _mfa_page()
    )


@require_POST
@root_only
def root_mfa_cancel(request):
    """ "Cancel" after the QR code: delete the device that was created but never assigned. The root's own
    devices are refused here, because DeleteVirtualMFADevice does not tell them from unassigned ones."""
    serial = posted_serial(request)
    if serial in _root_serials(request):
        messages.error(request, f"MFA device {serial} is assigned to the root user; remove it instead.")
    else:
        delete_unassigned_device(request, serial)
    return _back(request)


@require_http_methods(["GET", "POST"])
@root_only
def root_mfa_remove(request):
    """Remove one of the root's devices after a confirmation: deactivate it, then delete it."""
    deactivate = request.iam.deactivate_root_mfa_device
    return remove_mfa_device(
        request, _root_serials(request), deactivate, "accounts/root_confirm.html", _page()
    )


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
        return access_key_response(
            request, key, ROOT_KEYS_CSV, "accounts/root_access_key_create.html", _page()
        )
    return render(request, "accounts/root_access_key_create.html", _page(form=form))


@require_POST
@root_only
def root_access_key_status(request, access_key_id):
    """Activate or deactivate a root access key; `next=delete` goes on to its delete page."""
    _root_key_or_404(request, access_key_id)
    return update_status(
        request,
        "Access key",
        access_key_id,
        lambda status: request.iam.update_access_key(AccessKeyId=access_key_id, Status=status),
        reverse("accounts:root_access_key_delete", args=[access_key_id]),
        _page(),
    )


@require_http_methods(["GET", "POST"])
@root_only
def root_access_key_delete(request, access_key_id):
    """Delete a root access key: it must be deactivated first, and its ID typed to confirm."""
    key = _root_key_or_404(request, access_key_id)
    return confirm_delete(
        request,
        "Access key",
        access_key_id,
        lambda: request.iam.delete_access_key(AccessKeyId=access_key_id),
        "accounts/root_confirm.html",
        _page(status_url=reverse("accounts:root_access_key_status", args=[access_key_id])),
        active=key["Status"] == "Active",
        typed=True,
    )
