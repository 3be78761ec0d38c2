"""The one authorization hook every local operation passes through (ARCHITECTURE.md §2).

Root may do everything. An IAM user is judged by `decide`, which the policy evaluation engine
replaces (policies issue). Until it does, every IAM-user request is denied explicitly with AWS's
AccessDenied wording, never silently allowed.
"""

from .base import Context
from .errors import AccessDenied


def _deny_all(ctx: Context, action: str, resource: str) -> str:
    """Decision for an IAM-user principal: "allowed", "explicitDeny" or "implicitDeny"."""
    return "implicitDeny"


decide = _deny_all


def authorize(ctx: Context, action: str, resource: str) -> None:
    if ctx.principal.is_root:
        return
    decision = decide(ctx, action, resource)
    if decision == "allowed":
        return
    because = (
        "with an explicit deny in an identity-based policy"
        if decision == "explicitDeny"
        else f"because no identity-based policy allows the iam:{action} action"
    )
    raise AccessDenied(
        f"User: {ctx.principal.arn} is not authorized to perform: iam:{action} "
        f"on resource: {resource} {because}"
    )
