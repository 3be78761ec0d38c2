"""The one authorization hook every local operation passes through (ARCHITECTURE.md §2).

Root may do everything. An IAM user may do what its identity policies (its own and its groups',
inline and managed) allow, capped by its permissions boundary, an explicit deny winning: the policy
evaluation engine (policies/engine.py) decides, with the request context of policies/principals.py.
A denial raises AccessDenied in AWS's wording, naming what denied it.

An operation registered with an empty action name (`authorized_as=""`) is authorized as nothing: it
answers only about the caller itself (the console's `allowed_actions`), so every signed-in principal
may call it.
"""

from .base import Context
from .errors import AccessDenied


def _load(ctx: Context):
    """(the caller's compiled PolicySet, its request context, the boundary's source id or None): one
    policy load (one query, policies/principals.py; cached for a moment, policies/policy_cache.py) for
    however many requests are then decided."""
    from policies.engine import policy_set
    from policies.policy_cache import user_policies
    from policies.principals import request_context

    user = ctx.principal.user
    identity, boundary = user_policies(user)
    context = request_context(user, now=ctx.now, source_ip=ctx.source_ip, secure=ctx.secure, mfa=ctx.mfa)
    return policy_set(identity, boundary), context, boundary[0] if boundary else None


def evaluate(ctx: Context, action: str, resource: str):
    """(the engine's Decision, the boundary's source id or None) for the IAM-user principal of `ctx`
    doing `iam:<action>` on `resource`."""
    from policies.engine import Request

    policies, context, boundary_id = _load(ctx)
    return policies.evaluate(Request(f"iam:{action}", resource, context)), boundary_id


def allowed(ctx: Context, requests: list[tuple[str, str]]) -> list[bool]:
    """Whether the caller may do each (action with its service prefix, resource ARN) of `requests`,
    decided exactly as `authorize` decides a call, with one policy load for all. Root may do anything."""
    if ctx.principal.is_root:
        return [True] * len(requests)
    from policies.engine import Request

    policies, context, _boundary_id = _load(ctx)
    return [policies.evaluate(Request(action, resource, context)).allowed for action, resource in requests]


def authorize(ctx: Context, action: str, resource: str) -> None:
    if ctx.principal.is_root or not action:
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
