"""What every local operation receives: the caller (`Principal`), the call's `Context`, and the
registry that `@operation` fills from each app's `ops*.py` modules.

An operation is a plain function named like the boto3 method, taking the context and the IAM
request members as keyword arguments and returning the boto3-shaped output dict:

    @operation("CreateUser", resource=user_resource)
    def create_user(ctx, *, UserName, Path="/", PermissionsBoundary=None, Tags=None):
        ...
        return {"User": {...}}

`LocalBackend` validates the members against botocore's input shape, authorizes the principal for
the action and resource, runs the function in a transaction, and writes the audit event.
"""

import datetime
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.utils import timezone


@dataclass(frozen=True)
class Principal:
    """The caller: the account's root (`user` is None) or one IAM user of that account."""

    account: object  # accounts.models.Account
    user: object | None = None  # users.models.IAMUser

    @property
    def is_root(self) -> bool:
        return self.user is None

    @property
    def arn(self) -> str:
        return self.account.root_arn if self.user is None else self.user.arn

    @property
    def type(self) -> str:
        return "Root" if self.user is None else "IAMUser"

    @property
    def principal_id(self) -> str:
        return self.account.account_id if self.user is None else self.user.user_id

    @property
    def user_name(self) -> str | None:
        return None if self.user is None else self.user.name


@dataclass
class Context:
    """One backend call: who, from where, and one clock reading for the whole call."""

    account: object
    principal: Principal
    action: str = ""
    source_ip: str = ""
    user_agent: str = ""
    via: str = "console"
    # The HTTP request's ID when the call serves one (the Query API's x-amzn-RequestId, the console's
    # X-Request-ID), so the audit event, its log line and the request's log line share it.
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secure: bool = True  # aws:SecureTransport
    mfa: bool = False  # aws:MultiFactorAuthPresent
    started: float = field(default_factory=time.perf_counter)  # for the audit line's duration_ms

    @cached_property
    def now(self) -> datetime.datetime:
        """The call's time, to the second as IAM reports it (UTC)."""
        return timezone.now().replace(microsecond=0)

    @property
    def account_id(self) -> str:
        return self.account.account_id

    def arn(self, resource: str) -> str:
        """`user/path/Name` -> `arn:aws:iam::<account>:user/path/Name`."""
        return f"arn:aws:iam::{self.account.account_id}:{resource}"


@dataclass(frozen=True)
class Operation:
    action: str
    func: Callable
    resource: Callable[[Context, dict], str] | None
    mutating: bool


OPERATIONS: dict[str, Operation] = {}

_READ_PREFIXES = ("Get", "List", "Simulate")


def operation(
    action: str, *, resource: Callable[[Context, dict], str] | None = None, mutating: bool | None = None
):
    """Register `func` as the local implementation of the IAM action `action`.

    `resource` gives the resource ARN the action is authorized on (default: `*`); `mutating`
    defaults to "the action's name does not start with Get, List or Simulate".
    """

    def register(func):
        is_mutating = mutating if mutating is not None else not action.startswith(_READ_PREFIXES)
        if action in OPERATIONS and OPERATIONS[action].func is not func:
            raise RuntimeError(f"{action} is registered twice")
        OPERATIONS[action] = Operation(action, func, resource, is_mutating)
        return func

    return register


EXTENSIONS: dict[str, Operation] = {}


def console_extension(
    name: str,
    *,
    authorized_as: str,
    resource: Callable[[Context, dict], str] | None = None,
    mutating: bool = False,
):
    """Register a console extension (ARCHITECTURE.md §1): what the console needs that the IAM API lacks
    or would answer only with N+1 calls, such as the users list with groups, MFA and key ages in one go,
    or the root user's own MFA device (AWS offers it in its console only).

    It is a backend method called `name`, authorized as the IAM action `authorized_as` (so a principal
    gets exactly what that action would allow). A read is never audited; a `mutating` extension is
    audited under the name `authorized_as`, as CloudTrail names it. The AWS backend implements the
    same names.
    """

    def register(func):
        if name in EXTENSIONS and EXTENSIONS[name].func is not func:
            raise RuntimeError(f"{name} is registered twice")
        EXTENSIONS[name] = Operation(authorized_as, func, resource, mutating)
        return func

    return register


# Resource helpers shared by the apps' registrations.
def user_resource(ctx: Context, params: dict) -> str:
    """The user named by UserName (the caller when omitted), as AWS names it in AccessDenied."""
    name = params.get("UserName") or ctx.principal.user_name
    if name is None:
        return ctx.account.root_arn
    return ctx.arn(f"user/{name}")


def group_resource(ctx: Context, params: dict) -> str:
    return ctx.arn(f"group/{params.get('GroupName', '')}")


def policy_resource(ctx: Context, params: dict) -> str:
    return params.get("PolicyArn") or ctx.arn(f"policy/{params.get('PolicyName', '')}")


def account_resource(ctx: Context, params: dict) -> str:
    return "*"
