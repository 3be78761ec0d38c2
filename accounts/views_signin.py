"""IAM-user console sign-in (accounts/signin_iam.py has the rules): the sign-in page, the MFA step, the
change-password step, sign-out, "Sign out everywhere", and an administrator's Unlock of a user."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credentials.passwords import password_rules
from iamconsole.backends.errors import (
    AccessDenied,
    IAMError,
    InvalidUserType,
    NoSuchEntity,
    PasswordPolicyViolation,
)
from iamconsole.htmx import redirect_or_client_redirect
from users.views_credentials import tab_url

from . import signin_iam
from .forms_signin import SIGN_IN_FAILED, ChangePasswordForm, IAMSignInForm, MFACodeForm

ENDED = "Your session has ended. Sign in again."
CANNOT_CHANGE = "You are not allowed to change your password ({message}) Ask your administrator to reset it."


def landing_url(request) -> str:
    """Where a completed sign-in goes: a safe `next` from the first step, else "My security credentials"."""
    next_url = request.session.pop("iam_signin_next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return next_url
    return reverse("self:security_credentials")


def _finish(request, account, user, step: str):
    """Send the browser to what `step` (signin_iam.begin / after_mfa) says comes next."""
    if step == "mfa":
        return redirect("accounts:iam_signin_mfa")
    if step == "password":
        return redirect("accounts:iam_signin_password")
    if step == "expired":
        context = {"account_text": account.alias or account.account_id}
        return render(request, "signin/expired.html", context, status=403)
    landing = landing_url(request)
    warning = signin_iam.expiry_warning(account, user)
    if warning and landing != reverse("self:security_credentials"):  # that page says it itself
        messages.warning(request, warning)
    return redirect(landing)


@login_not_required
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def iam_signin(request, account=None):
    """ "Sign in as IAM user": account ID or alias, user name, password (one generic error for all)."""
    if getattr(request, "iam_user", None) is not None and request.method == "GET":
        return redirect(landing_url(request))
    form = IAMSignInForm(request.POST or None, initial={"account": account or ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        next_url = request.POST.get("next", "")
        found = signin_iam.check_password_step(request, data["account"], data["username"], data["password"])
        if found is None:
            form.add_error(None, SIGN_IN_FAILED)
        else:
            step = signin_iam.begin(request, *found, next_url=next_url)
            return _finish(request, *found, step)
    context = {
        "form": form,
        "account_text": account or "",
        "ended": ENDED if request.GET.get("ended") else "",
        "next": request.GET.get("next", "") or request.POST.get("next", ""),
    }
    return render(request, "signin/signin.html", context)


@login_not_required
@require_GET
def iam_signin_continue(request):
    """A half-signed-in session that asked for another page comes back to its step from here."""
    found = signin_iam.pending(request)
    if found is None:
        return redirect("accounts:iam_signin")
    step = found[2].get("step")
    return redirect("accounts:iam_signin_password" if step == "password" else "accounts:iam_signin_mfa")


@login_not_required
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def iam_signin_mfa(request):
    """Step 2: the code of the user's MFA device."""
    found = signin_iam.pending(request)
    if found is None or found[2].get("step") != "mfa":
        return redirect("accounts:iam_signin_continue" if found else "accounts:iam_signin")
    account, user, state = found
    form, error = MFACodeForm(request.POST or None), ""
    if request.method == "POST":
        # A malformed code is a wrong code too: counted, and answered with the same words.
        code = form.cleaned_data["code"] if form.is_valid() else ""
        if signin_iam.check_mfa_step(request, account, user, code):
            return _finish(request, account, user, signin_iam.after_mfa(request, account, user))
        form, error = MFACodeForm(), SIGN_IN_FAILED
    return render(request, "signin/mfa.html", {"form": form, "error": error, "user_name": user.name})


@login_not_required
@sensitive_post_parameters("old_password", "new_password", "confirm_password")
@never_cache
@require_http_methods(["GET", "POST"])
def iam_signin_password(request):
    """Step 3 when a reset is required or the password expired: set a new password before anything else."""
    found = signin_iam.pending(request)
    if found is None or found[2].get("step") != "password":
        return redirect("accounts:iam_signin_continue" if found else "accounts:iam_signin")
    account, user, state = found
    form = ChangePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        iam = signin_iam.pending_backend(request, account, user, state)
        if change_password(iam, form):
            signin_iam.complete(request, account, user, mfa=state.get("mfa", False))
            messages.success(request, "Your password has been changed.")
            return redirect(landing_url(request))
    context = {"form": form, "user_name": user.name, "rules": password_rules(account)}
    return render(request, "signin/password.html", context)


def change_password(iam, form: ChangePasswordForm) -> bool:
    """ChangePassword through the user's own backend; AWS's messages go on the field they concern."""
    data = form.cleaned_data
    try:
        iam.change_password(OldPassword=data["old_password"], NewPassword=data["new_password"])
    except PasswordPolicyViolation as error:
        form.add_error("new_password", error.message)
    except InvalidUserType as error:  # the old password is wrong
        form.add_error("old_password", error.message)
    except AccessDenied as error:
        form.add_error(None, CANNOT_CHANGE.format(message=error.message))
    except IAMError as error:
        form.add_error(None, error.message)
    else:
        return True
    return False


@login_not_required
@require_POST
def iam_signin_cancel(request):
    """ "Cancel" on a step: the half-finished sign-in is forgotten."""
    request.session.flush()
    return redirect("accounts:iam_signin")


@login_not_required
@require_POST
def iam_signout(request):
    """Sign out (an IAM user's session; a root operator's too): the session is deleted server-side."""
    state = request.session.get(signin_iam.SIGNED_IN) or {}
    request.session.flush()
    return redirect(signin_iam.sign_in_url(state.get("account")))


@require_POST
def iam_signout_everywhere(request):
    """ "Sign out everywhere": every console session of the signed-in IAM user ends, this one included."""
    user = getattr(request, "iam_user", None)
    if user is None:
        raise Http404("Only IAM users sign out everywhere here.")
    account_text = request.account.alias or request.account.account_id
    signin_iam.sign_out_everywhere(request, user)
    return redirect(signin_iam.sign_in_url(account_text))


@require_POST
def iam_user_unlock(request, user_name):
    """An administrator's "Unlock": forget the user's failed sign-in attempts (authorized as
    UpdateLoginProfile), then back to the user's Security credentials tab."""
    try:
        unlocked = request.iam.unlock_console_sign_in(UserName=user_name)["Unlocked"]
    except NoSuchEntity:
        raise Http404(f"The user with name {user_name} cannot be found.")
    except AccessDenied as error:
        messages.error(request, error.message)
    else:
        word = "unlocked" if unlocked else "was not locked; failed attempts cleared"
        messages.success(request, f"Console sign-in for {user_name} {word}.")
    return redirect_or_client_redirect(request, tab_url(user_name))
