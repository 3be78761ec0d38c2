"""Account settings: the password policy, the account alias (and so the sign-in URL), server certificates,
and this console's sign-in protection (the IAM-user lockout; not an AWS setting).

Everything goes through `request.iam` (STYLE.md 1-2). Each dialog is a page of its own without JS and
its template's region in `#modal` for htmx (`page.html#region`); every POST ends in a redirect (a
client redirect for htmx) with a flash naming what changed, or re-renders its form with IAM's message
on the field concerned. The private key of a server certificate is never rendered, not even back
into the upload form after an error.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods

from iamconsole.backends.errors import IAMError, NoSuchEntity, NotImplementedOperation, ValidationError
from iamconsole.htmx import redirect_or_client_redirect
from users.forms_credentials import TypedConfirmationForm

from .forms_settings import (
    ALIAS_FIELDS,
    EDIT_FIELDS,
    POLICY_FIELDS,
    SIGNIN_PROTECTION_FIELDS,
    UPLOAD_FIELDS,
    AccountAliasForm,
    PasswordPolicyForm,
    ServerCertificateEditForm,
    ServerCertificateUploadForm,
    SignInProtectionForm,
    add_backend_error,
    upload_error_field,
)

EXPIRY_WARNING_DAYS = 30  # a certificate this close to its expiry is flagged


def settings_url() -> str:
    return reverse("accounts:account_settings")


def sign_in_url(alias_or_id: str) -> str:
    """The console sign-in URL for IAM users (facts §5): the alias when there is one."""
    return f"https://{alias_or_id}.signin.aws.amazon.com/console"


def _render(request, template: str, context: dict, partial: str):
    """The page, or only its region `partial` for an htmx request that is not boosted."""
    if request.htmx and not request.htmx.boosted:
        template += f"#{partial}"
    return render(request, template, context)


def _custom_policy(iam) -> dict | None:
    """The custom password policy, or None when the IAM default applies."""
    try:
        return iam.get_account_password_policy()["PasswordPolicy"]
    except NoSuchEntity:
        return None


def _alias(iam) -> str | None:
    aliases = iam.list_account_aliases()["AccountAliases"]
    return aliases[0] if aliases else None


def _certificates(iam) -> list[dict]:
    """Every server certificate (following Marker), with the days left before it expires."""
    items, marker = [], None
    while True:
        page = iam.list_server_certificates(**({"Marker": marker} if marker else {}))
        items += page["ServerCertificateMetadataList"]
        if not page.get("IsTruncated"):
            break
        marker = page["Marker"]
    now = timezone.now()
    return [{**item, "DaysLeft": (item["Expiration"] - now).days} for item in items]


def _certificate_or_404(iam, name: str) -> dict:
    try:
        return iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]
    except (NoSuchEntity, ValidationError):
        raise Http404(f"The Server Certificate with name {name} cannot be found.")


@require_GET
def account_settings(request):
    """Password policy, account alias with the sign-in URL, server certificates; htmx refreshes them."""
    iam = request.iam
    context = {
        "policy": _custom_policy(iam),
        "summary": iam.password_policy_summary(),
        "alias": _alias(iam),
        "certificates": _certificates(iam),
        "expiry_warning_days": EXPIRY_WARNING_DAYS,
        "protection": _protection(iam),
    }
    # From the alias IAM answered, so the URL shown is the one the backend knows.
    context["sign_in_url"] = sign_in_url(context["alias"] or request.account.account_id)
    return _render(request, "accounts/account_settings.html", context, "account-settings")


def _protection(iam) -> dict | None:
    """The account's sign-in protection; None where the backend has none (an AWS account)."""
    try:
        return iam.get_sign_in_protection()["SignInProtection"]
    except NotImplementedOperation:
        return None


# -- password policy ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def password_policy_edit(request):
    """ "Edit password policy": IAM default or Custom; a valid form goes to the confirmation step
    ("Set custom" / "Set default"), whose POST (step=confirm) saves. step=back returns to the form."""
    current = _custom_policy(request.iam)
    form = PasswordPolicyForm(request.POST or None, initial=PasswordPolicyForm.initial_for(current))
    step = request.POST.get("step", "review")
    confirm = request.method == "POST" and step != "back" and form.is_valid()
    if confirm and step == "confirm":
        try:
            saved = _save_policy(request.iam, form)
        except IAMError as error:
            add_backend_error(form, error, POLICY_FIELDS)
            confirm = False
        else:
            messages.success(request, saved)
            return redirect_or_client_redirect(request, settings_url())
    context = {"form": form, "confirm": confirm, "current": current, "page_title": "Edit password policy"}
    return _render(request, "accounts/account_settings_policy.html", context, "policy-editor")


def _save_policy(iam, form: PasswordPolicyForm) -> str:
    """Set the custom policy, or go back to the IAM default; the flash message for it."""
    if form.custom:
        iam.update_account_password_policy(**form.parameters())
        return "Custom password policy set."
    try:
        iam.delete_account_password_policy()
    except NoSuchEntity:
        return "The IAM default password policy already applies."
    return "IAM default password policy set."


# -- account alias --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def account_alias_edit(request):
    """Create or change the account alias (CreateAccountAlias replaces the current one)."""
    current = _alias(request.iam)
    form = AccountAliasForm(request.POST or None, initial={"alias": current or ""})
    if request.method == "POST" and form.is_valid():
        alias = form.cleaned_data["alias"]
        if alias == current:
            messages.info(request, f"The account alias is already {alias}.")
            return redirect_or_client_redirect(request, settings_url())
        try:
            request.iam.create_account_alias(AccountAlias=alias)
        except IAMError as error:
            add_backend_error(form, error, ALIAS_FIELDS)
        else:
            messages.success(
                request,
                f"Account alias {alias} {'set' if current else 'created'}. The sign-in URL for IAM "
                f"users is now {sign_in_url(alias)}",
            )
            return redirect_or_client_redirect(request, settings_url())
    context = {"form": form, "current": current, "page": "edit", "page_title": "Edit account alias"}
    return _render(request, "accounts/account_settings_alias.html", context, "alias-dialog")


@require_http_methods(["GET", "POST"])
def account_alias_delete(request):
    """Delete the alias after a confirmation; the sign-in URL goes back to the account ID."""
    current = _alias(request.iam)
    if current is None:
        raise Http404("The account has no alias.")
    if request.method == "POST":
        try:
            request.iam.delete_account_alias(AccountAlias=current)
        except IAMError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Account alias {current} deleted.")
        return redirect_or_client_redirect(request, settings_url())
    context = {"current": current, "page": "delete", "page_title": "Delete account alias"}
    return _render(request, "accounts/account_settings_alias.html", context, "alias-dialog")


# -- server certificates --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def server_certificate_upload(request):
    """UploadServerCertificate; errors on their fields, the private key never echoed back."""
    form = ServerCertificateUploadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        params = {
            "ServerCertificateName": data["name"],
            "Path": data["path"],
            "CertificateBody": data["certificate_body"],
            "PrivateKey": data["private_key"],
        }
        if data["certificate_chain"]:
            params["CertificateChain"] = data["certificate_chain"]
        try:
            request.iam.upload_server_certificate(**params)
        except IAMError as error:
            if field := upload_error_field(error):
                form.add_error(field, error.message)
            else:
                add_backend_error(form, error, UPLOAD_FIELDS)
        else:
            messages.success(request, f"Server certificate {data['name']} uploaded.")
            return redirect_or_client_redirect(request, settings_url())
    context = {"form": form, "page": "upload", "page_title": "Upload server certificate"}
    response = _render(request, "accounts/account_settings_certificate.html", context, "certificate-dialog")
    add_never_cache_headers(response)  # the request carried a private key
    return response


@require_http_methods(["GET", "POST"])
def server_certificate_edit(request, certificate_name):
    """UpdateServerCertificate: rename it and/or change its path."""
    meta = _certificate_or_404(request.iam, certificate_name)["ServerCertificateMetadata"]
    name, path = meta["ServerCertificateName"], meta["Path"]
    form = ServerCertificateEditForm(request.POST or None, initial={"name": name, "path": path})
    if request.method == "POST" and form.is_valid():
        changes = {}
        if form.cleaned_data["name"] != name:
            changes["NewServerCertificateName"] = form.cleaned_data["name"]
        if form.cleaned_data["path"] != path:
            changes["NewPath"] = form.cleaned_data["path"]
        try:
            if changes:
                request.iam.update_server_certificate(ServerCertificateName=name, **changes)
        except IAMError as error:
            add_backend_error(form, error, EDIT_FIELDS)
        else:
            new = form.cleaned_data["name"]
            messages.success(
                request,
                f"Server certificate {new} updated."
                if changes
                else f"Server certificate {name} was not changed.",
            )
            return redirect_or_client_redirect(request, settings_url())
    context = {"form": form, "certificate": meta, "page": "edit", "page_title": f"Edit {name}"}
    return _render(request, "accounts/account_settings_certificate.html", context, "certificate-dialog")


@require_http_methods(["GET", "POST"])
def server_certificate_delete(request, certificate_name):
    """DeleteServerCertificate after the certificate's name is typed."""
    meta = _certificate_or_404(request.iam, certificate_name)["ServerCertificateMetadata"]
    name = meta["ServerCertificateName"]
    form = TypedConfirmationForm(name, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            request.iam.delete_server_certificate(ServerCertificateName=name)
        except IAMError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Server certificate {name} deleted.")
        return redirect_or_client_redirect(request, settings_url())
    context = {"form": form, "certificate": meta, "page": "delete", "page_title": f"Delete {name}?"}
    return _render(request, "accounts/account_settings_certificate.html", context, "certificate-dialog")


# -- sign-in protection ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signin_protection_edit(request):
    """ "Edit sign-in protection": failures before a temporary lock, wait growth, maximum wait."""
    current = _protection(request.iam)
    if current is None:
        raise Http404("Sign-in protection is available for local accounts only.")
    form = SignInProtectionForm(request.POST or None, initial=SignInProtectionForm.initial_for(current))
    if request.method == "POST" and form.is_valid():
        try:
            request.iam.update_sign_in_protection(**form.parameters())
        except IAMError as error:
            add_backend_error(form, error, SIGNIN_PROTECTION_FIELDS)
        else:
            messages.success(request, "Sign-in protection updated.")
            return redirect_or_client_redirect(request, settings_url())
    context = {"form": form, "current": current, "page_title": "Edit sign-in protection"}
    return _render(request, "accounts/account_settings_signin.html", context, "signin-protection-dialog")
