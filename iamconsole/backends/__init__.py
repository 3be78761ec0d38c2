"""The backend contract: `get_backend(account, principal)` returns an object whose methods are the
IAM actions in snake_case, taking AWS's request members and returning boto3-shaped dicts, raising
`IAMError` subclasses (ARCHITECTURE.md §1)."""

from .base import Principal
from .errors import IAMError


def get_backend(account, principal=None, **request_meta):
    """The backend for `account`, bound to `principal` (the account's root when None, from trusted code).

    `account` is an Account or its 12-digit ID. `request_meta` takes `source_ip`, `user_agent` and
    `via` (console | api | command) for the audit log.
    """
    from accounts.models import Account

    if not isinstance(account, Account):
        account = Account.objects.get(account_id=str(account))
    if principal is not None and not isinstance(principal, Principal):
        principal = Principal(account, principal)  # an IAMUser
    if account.kind == Account.KIND_AWS:
        from .aws import AwsBackend

        return AwsBackend(account, principal, **request_meta)
    from .local import LocalBackend

    return LocalBackend(account, principal, **request_meta)


__all__ = ["IAMError", "Principal", "get_backend"]
