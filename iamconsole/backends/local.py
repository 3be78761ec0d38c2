"""LocalBackend: a local account that behaves like AWS IAM (ARCHITECTURE.md §1-§4).

It only composes: the operations live in each app's `ops*.py` (registered with `@operation`), and
every call goes through the same steps here:

1. the request members are validated against botocore's input shape (`ValidationError`);
2. the principal is authorized for the action and its resource ARN (`AccessDenied`);
3. a mutation runs in one transaction, with its audit event written in the same transaction (a read,
   which writes nothing, runs without one);
4. a failed mutation is audited with its error code after the rollback.
"""

import functools
import importlib
import pkgutil

from django.db import IntegrityError, transaction

from . import audit, authz
from .base import EXTENSIONS, OPERATIONS, Context, Principal
from .errors import ConcurrentModification, IAMError, NotImplementedOperation
from .model import action_names, validate_input

OPS_APPS = ("accounts", "users", "groups", "policies", "credentials")


@functools.cache
def load_operations() -> dict:
    """Import every app's ops modules (`ops.py`, `ops_*.py`) so their operations register."""
    for app in OPS_APPS:
        package = importlib.import_module(app)
        for info in pkgutil.iter_modules(package.__path__):
            if info.name == "ops" or info.name.startswith("ops_"):
                importlib.import_module(f"{app}.{info.name}")
    return OPERATIONS


class LocalBackend:
    """The contract over the local database. Methods are the IAM actions in snake_case."""

    kind = "local"

    def __init__(
        self,
        account,
        principal: Principal | None = None,
        *,
        source_ip="",
        user_agent="",
        via="console",
        secure=True,
        mfa=False,
        request_id=None,
    ):
        self.account = account
        self.principal = principal or Principal(account)
        self.source_ip, self.user_agent, self.via = source_ip, user_agent, via
        self.request_id = request_id  # the HTTP request's, or None: each call gets its own
        self.secure, self.mfa = secure, mfa  # aws:SecureTransport, aws:MultiFactorAuthPresent
        load_operations()

    def __getattr__(self, name):
        if name in EXTENSIONS:
            return functools.partial(self._extension, EXTENSIONS[name])
        action = action_names().get(name)
        if action is None:
            raise AttributeError(name)
        return functools.partial(self.call, action)

    def batch(self):
        """A unit of work for several calls (the add-users wizard): on the local database they commit or
        roll back together. (The AWS backend cannot offer this and reports per call instead.)"""
        return transaction.atomic()

    def hashing_ahead(self, passwords: list[str]):
        """A hint before several calls that set these console passwords (the add-users wizard): hash
        them in parallel now, so the calls do not serialise Argon2. Nothing else changes."""
        from credentials.passwords import hashing_ahead

        return hashing_ahead(passwords)

    def implemented_actions(self) -> list[str]:
        return sorted(load_operations())

    def call(self, action: str, **params):
        """Run one IAM action as this backend's principal; return its output dict."""
        op = OPERATIONS.get(action)
        if op is None:
            raise NotImplementedOperation(f"The local backend does not implement the IAM action {action}.")
        validate_input(action, params)
        ctx = self._context(action)
        resource = op.resource(ctx, params) if op.resource else "*"
        try:
            if not op.mutating:  # a read needs no transaction: two round trips (BEGIN, COMMIT) saved
                authz.authorize(ctx, action, resource)
                return op.func(ctx, **params) or {}
            with transaction.atomic():
                authz.authorize(ctx, action, resource)
                result = op.func(ctx, **params) or {}
                audit.record(ctx, action, params, result)
        except IntegrityError:
            error = ConcurrentModification(
                "The request was rejected because it attempted to modify a resource "
                "that has been modified concurrently. Try again."
            )
            self._audit_failure(op, ctx, params, error)
            raise error
        except IAMError as error:
            self._audit_failure(op, ctx, params, error)
            raise
        return result

    def _extension(self, ext, **params):
        """Run a console extension: authorized as its IAM action; a mutating one in a transaction, audited."""
        ctx = self._context(ext.action)
        resource = ext.resource(ctx, params) if ext.resource else "*"
        try:
            if not ext.mutating:  # a read: no transaction, so the list pages keep their query budget
                authz.authorize(ctx, ext.action, resource)
                return ext.func(ctx, **params)
            with transaction.atomic():
                authz.authorize(ctx, ext.action, resource)
                result = ext.func(ctx, **params)
                audit.record(ctx, ext.action, params, result)
        except IAMError as error:
            self._audit_failure(ext, ctx, params, error)
            raise
        return result

    def _context(self, action: str) -> Context:
        return Context(
            account=self.account,
            principal=self.principal,
            action=action,
            source_ip=self.source_ip,
            user_agent=self.user_agent,
            via=self.via,
            secure=self.secure,
            mfa=self.mfa,
            **({"request_id": self.request_id} if self.request_id else {}),
        )

    def _audit_failure(self, op, ctx, params, error):
        if op.mutating or error.code == "AccessDenied":
            with transaction.atomic():
                audit.record(ctx, op.action, params, error=error)
