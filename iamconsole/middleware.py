"""Binds each signed-in request to its account and backend (ARCHITECTURE.md §2).

`request.account` is the account the operator picked (kept in the session; the first of theirs by
default) and `request.iam` the backend for it, bound to the account's root with the request's source
IP and user agent for the audit log. Views call `request.iam.<action>(...)` and never the ORM.
"""

from iamconsole.backends import get_backend


class PrincipalMiddleware:
    SESSION_KEY = "account_id"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.account = None
        request.iam = None
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
                )
        return self.get_response(request)
