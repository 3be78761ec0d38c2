"""An IAM user's own "My security credentials": change password, MFA devices, access keys, SSH keys.

Every call goes through `request.iam`, the backend bound to the signed-in IAM user, so their policies
decide (AllowUsersToChangePassword, IAMUserChangePassword, self-management policies with
`${aws:username}`); a denied action becomes AWS's message on the page, never a 500. The flows are the
users' pages' (users/views_credentials.py): this module gives their helpers the user's own calls, URLs
and templates (which extend the users' ones with this page's breadcrumbs). The user's identity comes
from the session only: no form field names the user (security checklist §8 row 16).

A root operator who opens these pages is sent to the root user's own page.
"""

import functools

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import signin_iam
from accounts.forms_signin import ChangePasswordForm
from accounts.views_signin import change_password
from credentials.passwords import password_rules
from iamconsole.backends.errors import AccessDenied, IAMError
from iamconsole.htmx import redirect_or_client_redirect
from users.forms_credentials import UploadForm
from users.views_credentials import (
    access_key_last_used,
    access_key_response,
    assign_mfa_device,
    confirm_delete,
    delete_unassigned_device,
    enable_mfa_device,
    posted_serial,
    remove_mfa_device,
    update_status,
)

ACCESS_KEYS_PER_USER = 2
MFA_DEVICES_PER_USER = 8
SSH_KEYS_PER_USER = 5


def iam_user_only(view):
    """The page is an IAM user's own: a root operator goes to the root user's page instead."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "iam_user", None) is None:
            return redirect("accounts:root_security_credentials")
        return view(request, *args, **kwargs)

    return wrapper


def page_url() -> str:
    return reverse("self:security_credentials")


def _name(request) -> str:
    return request.iam_user.name


def _page(request, **context) -> dict:
    """The context the users' helpers and templates take: the subject and the way back to the page."""
    return {"user_name": _name(request), "subject": _name(request), "back_url": page_url(), **context}


def _back(request):
    return redirect_or_client_redirect(request, page_url())


def _read(call, *args, **kwargs):
    """(output, None) or (None, AWS's message) when the user's policies deny the read."""
    try:
        return call(*args, **kwargs), None
    except AccessDenied as error:
        return None, error.message


@require_GET
@iam_user_only
def security_credentials(request):
    """My security credentials: password, MFA devices, access keys, SSH keys; a section the user may not
    read says so with AWS's message."""
    iam, name = request.iam, _name(request)
    profile, _ = _read(iam.get_login_profile, UserName=name)
    devices, mfa_denied = _read(iam.list_mfa_devices, UserName=name)
    keys, keys_denied = _read(iam.list_access_keys, UserName=name)
    ssh, ssh_denied = _read(iam.list_ssh_public_keys, UserName=name)
    keys = [
        {**key, "LastUsed": _read(access_key_last_used, iam, key["AccessKeyId"])[0] or {}}
        for key in (keys or {}).get("AccessKeyMetadata", [])
    ]
    devices = (devices or {}).get("MFADevices", [])
    ssh = (ssh or {}).get("SSHPublicKeys", [])
    context = {
        "user_name": name,
        "user_arn": request.iam_user.arn,
        "sign_in_url": reverse(
            "accounts:iam_signin_account", args=[request.account.alias or request.account.account_id]
        ),
        "login_profile": (profile or {}).get("LoginProfile"),
        "expiry_warning": signin_iam.expiry_warning(request.account, request.iam_user),
        "mfa_devices": devices,
        "mfa_denied": mfa_denied,
        "can_assign_mfa": len(devices) < MFA_DEVICES_PER_USER,
        "access_keys": keys,
        "keys_denied": keys_denied,
        "can_create_access_key": len(keys) < ACCESS_KEYS_PER_USER,
        "ssh_keys": ssh,
        "ssh_denied": ssh_denied,
        "can_upload_ssh_key": len(ssh) < SSH_KEYS_PER_USER,
        "mfa_used": bool(request.iam.mfa),
    }
    return render(request, "self/security_credentials.html", context)


# -- password ---------------------------------------------------------------------------------------


@sensitive_post_parameters("old_password", "new_password", "confirm_password")
@require_http_methods(["GET", "POST"])
@iam_user_only
def password_change(request):
    """Change password: current, new, confirm; the policy's rules are listed first. This session goes on;
    every other session of the user ends."""
    form = ChangePasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and change_password(request.iam, form):
        signin_iam.keep_session(request, request.iam_user)
        messages.success(request, "Your password has been changed. Your other sessions were signed out.")
        return _back(request)
    summary, _ = _read(request.iam.password_policy_summary)
    # Without iam:GetAccountPasswordPolicy the rules are still the ones ChangePassword applies.
    rules = summary["Rules"] if summary else password_rules(request.account)
    context = _page(request, form=form, rules=rules)
    return render(request, "self/password_change.html", context)


# -- multi-factor authentication ------------------------------------------------------------------


def _mfa_page(request) -> dict:
    return _page(
        request,
        assign_url=reverse("self:mfa_assign"),
        enable_url=reverse("self:mfa_enable"),
        cancel_url=reverse("self:mfa_cancel"),
    )


@require_http_methods(["GET", "POST"])
@iam_user_only
def mfa_assign(request):
    """Assign MFA device, step 1: the name; its POST shows the QR code and secret key once."""
    return assign_mfa_device(request, "self/mfa_assign.html", _mfa_page(request))


@require_POST
@iam_user_only
def mfa_enable(request):
    """Step 2: two consecutive codes assign the device to the signed-in user (EnableMFADevice)."""
    enable = functools.partial(request.iam.enable_mfa_device, UserName=_name(request))
    return enable_mfa_device(request, enable, "self/mfa_assign.html", _mfa_page(request))


@require_POST
@iam_user_only
def mfa_cancel(request):
    """ "Cancel" after the QR code: delete the device created but never assigned (IAM refuses an assigned
    one with DeleteConflict)."""
    delete_unassigned_device(request, posted_serial(request))
    return _back(request)


@require_http_methods(["GET", "POST"])
@iam_user_only
def mfa_remove(request):
    """Remove one of the user's devices after a confirmation: deactivate it, then delete it."""
    name = _name(request)
    serials = [d["SerialNumber"] for d in request.iam.list_mfa_devices(UserName=name)["MFADevices"]]
    deactivate = functools.partial(request.iam.deactivate_mfa_device, UserName=name)
    return remove_mfa_device(request, serials, deactivate, "self/confirm.html", _page(request))


# -- access keys and SSH public keys -----------------------------------------------------------------


@require_POST
@iam_user_only
def access_key_create(request):
    """Create access key: the secret is shown once, in this response (with a .csv of it)."""
    name = _name(request)
    try:
        key = request.iam.create_access_key(UserName=name)["AccessKey"]
    except IAMError as error:  # denied, or a third key: Cannot exceed quota for AccessKeysPerUser: 2
        messages.error(request, error.message)
        return _back(request)
    return access_key_response(
        request, key, f"{name}_accessKeys.csv", "self/access_key_retrieve.html", _page(request)
    )


KINDS = {
    # kind: (label, list, update, delete, delete needs inactive + typed ID)
    "access-keys": (
        "Access key",
        lambda iam, user: iam.list_access_keys(UserName=user)["AccessKeyMetadata"],
        lambda iam, user, id_, status: iam.update_access_key(UserName=user, AccessKeyId=id_, Status=status),
        lambda iam, user, id_: iam.delete_access_key(UserName=user, AccessKeyId=id_),
        "AccessKeyId",
        True,
    ),
    "ssh-keys": (
        "SSH public key",
        lambda iam, user: iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"],
        lambda iam, user, id_, status: iam.update_ssh_public_key(
            UserName=user, SSHPublicKeyId=id_, Status=status
        ),
        lambda iam, user, id_: iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=id_),
        "SSHPublicKeyId",
        False,
    ),
}


def _item_or_404(request, kind: str, credential_id: str) -> tuple[tuple, dict]:
    if kind not in KINDS:
        raise Http404("No such kind of credential.")
    spec = KINDS[kind]
    for item in spec[1](request.iam, _name(request)):
        if item[spec[4]] == credential_id:
            return spec, item
    raise Http404(f"{spec[0]} {credential_id} cannot be found.")


@require_POST
@iam_user_only
def credential_status(request, kind, credential_id):
    """Activate or deactivate one of the user's access keys or SSH public keys."""
    spec, _ = _item_or_404(request, kind, credential_id)
    return update_status(
        request,
        spec[0],
        credential_id,
        lambda status: spec[2](request.iam, _name(request), credential_id, status),
        reverse("self:credential_delete", args=[kind, credential_id]),
        _page(request),
    )


@require_http_methods(["GET", "POST"])
@iam_user_only
def credential_delete(request, kind, credential_id):
    """Delete one of the user's access keys (deactivated first, its ID typed) or SSH public keys."""
    spec, item = _item_or_404(request, kind, credential_id)
    status_url = reverse("self:credential_status", args=[kind, credential_id])
    return confirm_delete(
        request,
        spec[0],
        credential_id,
        lambda: spec[3](request.iam, _name(request), credential_id),
        "self/confirm.html",
        _page(request, status_url=status_url),
        active=spec[5] and item["Status"] == "Active",
        typed=spec[5],
    )


@require_http_methods(["GET", "POST"])
@iam_user_only
def ssh_key_upload(request):
    """Upload an SSH public key (for AWS CodeCommit); the backend's error goes on the field."""
    form = UploadForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            key = request.iam.upload_ssh_public_key(
                UserName=_name(request), SSHPublicKeyBody=form.cleaned_data["body"]
            )
        except IAMError as error:
            form.add_error("body", error.message)
        else:
            messages.success(request, f"SSH public key {key['SSHPublicKey']['SSHPublicKeyId']} uploaded.")
            return _back(request)
    context = _page(
        request,
        form=form,
        title="Upload SSH public key",
        label="SSH public key",
        description="Paste the key, ssh-rsa or PEM, at least 2048 bits. AWS CodeCommit uses its ID as the SSH user.",
    )
    return render(request, "self/upload.html", context)
