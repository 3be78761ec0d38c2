"""Connect an AWS account, test its connection, import it into a sandbox (issue 6).

The signed-in root operator connects an account (it joins their accounts, with them as its root
operator); the logic is accounts/connect.py's, shared with `manage.py account connect|test`. These
pages act on the console's own records (accounts), not on an account's IAM, so they call that service
module rather than `request.iam`. A signed-in IAM user gets 403; another operator's account is a 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from iamconsole.backends import IAMError
from iamconsole.htmx import redirect_or_client_redirect

from .connect import ConnectError, connect_account, connected_account, describe, test_connection
from .forms_connect import ConnectForm
from .importer import import_into_sandbox
from .services import generate_password


def _operator(request):
    """The signed-in root operator; IAM users do not manage the console's accounts."""
    if getattr(request, "iam_user", None) is not None:
        raise PermissionDenied("Only a root operator can connect AWS accounts.")
    return request.user


def _account_or_404(request, account_id: str):
    account = connected_account(_operator(request), account_id)
    if account is None:
        raise Http404("No such connected AWS account.")
    return account


def _render(request, template: str, context: dict, partial: str):
    if request.htmx and not request.htmx.boosted:
        template += f"#{partial}"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def account_connect(request):
    operator = _operator(request)
    form = ConnectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            account, _ = connect_account(**form.cleaned_data, root_email=operator.email)
        except ConnectError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"AWS account {account.account_id} connected.")
            return redirect_or_client_redirect(
                request, reverse("accounts:account_connect_test", args=[account.account_id])
            )
    return _render(
        request, "accounts/connect.html", {"form": form, "page_title": "Connect AWS account"}, "connect-form"
    )


@require_http_methods(["GET"])
def account_connect_test(request, account_id):
    account = _account_or_404(request, account_id)
    try:
        result, error = test_connection(account), ""
    except ConnectError as failure:
        result, error = None, failure.message
    context = {
        "connection": describe(account),
        "result": result,
        "error": error,
        "page_title": f"Test connection: {account.account_id}",
    }
    return _render(request, "accounts/connect_test.html", context, "test-result")


@require_POST
def account_connect_import(request, account_id):
    account = _account_or_404(request, account_id)
    page = reverse("accounts:account_connect_test", args=[account.account_id])
    try:
        # The operator exists, so create_account reuses them: the password is never used or shown.
        summary = import_into_sandbox(
            account, root_email=request.user.email, root_password=generate_password()
        )
    except IAMError as error:
        messages.error(request, f"Nothing was imported: {error.code}: {error.message}")
        return redirect_or_client_redirect(request, page)
    copied = ", ".join(f"{count} {what}" for what, count in summary.counts.items()) or "nothing"
    messages.success(
        request,
        f"Imported {account.account_id} into sandbox {summary.account_id}: {copied}. Switch to it above.",
    )
    return redirect_or_client_redirect(request, page)
