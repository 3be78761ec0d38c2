"""Root sign-in and sign-out for operators, and the account switcher."""

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from iamconsole.middleware import PrincipalMiddleware

from .forms import LoginForm
from .signin import record_root_sign_in


@login_not_required
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    form = LoginForm(request, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            auth_login(request, form.user)  # a new session key: no fixation
            record_root_sign_in(request, form.user, success=True)
            return redirect(next_url or "dashboard")
        record_root_sign_in(request, None, success=False, email=request.POST.get("email", ""))
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout(request):
    auth_logout(request)
    return redirect("accounts:login")


@require_POST
def account_switch(request):
    account_id = request.POST.get("account_id", "")
    if request.user.accounts.filter(account_id=account_id).exists():
        request.session[PrincipalMiddleware.SESSION_KEY] = account_id
        messages.success(request, f"Switched to account {account_id}.")
    else:
        messages.error(request, "That account is not one of yours.")
    return redirect("dashboard")
