"""The one authorization hook every local operation passes through (ARCHITECTURE.md §2).

Root may do everything. An IAM user may do what its identity policies (its own and its groups',
inline and managed) allow, capped by its permissions boundary, an explicit deny winning: the policy
evaluation engine (policies/engine.py) decides, with the request context of policies/principals.py.
A denial raises AccessDenied in AWS's wording, naming what denied it.
"""

from .base import Context
from .errors import AccessDenied


def evaluate(ctx: Context, action: str, resource: str):
    """(the engine's Decision, the boundary's source id or None) for the IAM-user principal of `ctx`
    doing `iam:<action>` on `resource`."""
    from policies.engine import Request, policy_set
    from policies.principals import request_context, user_policies

    user = ctx.principal.user
    identity, boundary = user_policies(user)
    context = request_context(user, now=ctx.now, source_ip=ctx.source_ip, secure=ctx.secure, mfa=ctx.mfa)
    decision = policy_set(identity, boundary).evaluate(Request(f"iam:{action}", resource, context))
    return decision, boundary[0] if boundary else None


def authorize(ctx: Context, action: str, resource: str) -> None:
    if ctx.principal.is_root:
        return
    decision, boundary_id = evaluate(ctx, action, resource)
    if decision.decision == "allowed":
        return
    if decision.decision == "explicitDeny":
        denied_by = {m.source_policy_id for m in decision.matched_statements}
        kind = "a permissions boundary" if denied_by == {boundary_id} else "an identity-based policy"
        because = f"with an explicit deny in {kind}"
    elif decision.boundary_allowed is False:
        because = f"because no permissions boundary allows the iam:{action} action"
    else:
        because = f"because no identity-based policy allows the iam:{action} action"
    raise AccessDenied(
        f"User: {ctx.principal.arn} is not authorized to perform: iam:{action} on resource: {resource} {because}"
    )
