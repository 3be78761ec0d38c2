"""Binds each signed-in request to its account and backend (ARCHITECTURE.md §2).

A root operator: `request.account` is the account the operator picked (kept in the session; the first of
theirs by default) and `request.iam` the backend for it, bound to the account's root. An IAM user
(accounts/signin_iam.py): `request.user` is a ConsoleIAMUser, `request.iam_user` the IAMUser, and
`request.iam` the backend bound to that user, so the policy engine decides what every page may do; a
half-signed-in session is sent back to its sign-in step, an ended one to the sign-in page. Both carry the
request's source IP and user agent for the audit log. Views call `request.iam.<action>(...)` and never
the ORM.
"""

from django.shortcuts import render

from iamconsole.backends import get_backend
from iamconsole.backends.errors import AccessDenied


class PrincipalMiddleware:
    SESSION_KEY = "account_id"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.account = None
        request.iam = None
        request.iam_user = None
        if request.user.is_authenticated:
            accounts = list(request.user.accounts.all())
            chosen = request.session.get(self.SESSION_KEY)
            account = next((a for a in accounts if a.account_id == chosen), accounts[0] if accounts else None)
            if account is not None:
                request.account = account
                request.console_accounts = accounts
                request.iam = get_backend(
                    account,
                    source_ip=request.META.get("REMOTE_ADDR", ""),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                    via="console",
                    request_id=getattr(request, "request_id", None),
                )
        else:
            from accounts.signin_iam import bind_request  # the accounts app imports this module

            response = bind_request(request)
            if response is not None:
                return response
        return self.get_response(request)

    def process_exception(self, request, exception):
        """A read the page needs that the caller's policies deny: 403 with AWS's message, not a 500."""
        if isinstance(exception, AccessDenied):
            return render(request, "self/access_denied.html", {"message": exception.message}, status=403)
        return None
