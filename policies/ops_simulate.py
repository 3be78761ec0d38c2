"""SimulatePrincipalPolicy and SimulateCustomPolicy: the evaluation engine (policies/engine.py) as IAM's
policy simulator answers, in the shape AWS gives today: one EvaluationResult per action, the most
restrictive decision over the resources at the top, and one ResourceSpecificResults entry per resource.

Resource-based policies (ResourcePolicy) and Organizations are not modelled: a sandbox has no SCPs, so
OrganizationsDecisionDetail always allows.
"""

from groups.models import Group
from iamconsole.backends.base import operation
from iamconsole.backends.errors import InvalidInput, NoSuchEntity
from iamconsole.backends.paging import offset_page
from users.models import IAMUser

from . import policy_cache
from .engine import Request, policy_set
from .grammar import parse_policy
from .models import InlinePolicy, PolicyAttachment, PolicyVersion
from .principals import request_context

# What AWS's simulator names an identity policy's type today (recorded answer), whatever its kind.
SOURCE_TYPE = "IAM Policy"
_ORDER = {"explicitDeny": 0, "implicitDeny": 1, "allowed": 2}


def _policy_resource(ctx, params: dict) -> str:
    return params.get("PolicySourceArn", "*")


def _check_actions(names: list[str]) -> None:
    for name in names:
        if "*" in name or "?" in name:
            raise InvalidInput(f"Actions/Conditions must not contain wildcards: {name}")
        if ":" not in name:
            raise InvalidInput(
                f"Action {name} is not valid: it must be prefaced by a service, e.g. iam:GetUser."
            )


def _input_policies(texts: list[str], prefix: str) -> list[tuple[str, str, str]]:
    """PolicyInputList.N / PermissionsBoundaryPolicyInputList.N as engine triples, each checked as JSON."""
    out = []
    for index, text in enumerate(texts, start=1):
        try:
            parse_policy(text)
        except Exception as error:  # noqa: BLE001 - grammar errors of any kind become InvalidInput
            raise InvalidInput(
                f"{prefix}.{index} is not a valid policy document: {getattr(error, 'message', error)}"
            )
        out.append((f"{prefix}.{index}", SOURCE_TYPE, text))
    return out


def _context_entries(entries: list[dict]) -> dict:
    context = {}
    for entry in entries or []:
        values = list(entry.get("ContextKeyValues", []))
        single = not entry.get("ContextKeyType", "string").endswith("List")
        context[entry["ContextKeyName"]] = values[0] if single and len(values) == 1 else values
    return context


def _principal(ctx, arn: str):
    """(identity policies, boundary, base context) of the user or group named by `arn`."""
    prefix = f"arn:aws:iam::{ctx.account_id}:"
    if arn.startswith(prefix + "user/"):
        name = arn.rsplit("/", 1)[-1]
        user = IAMUser.objects.filter(account=ctx.account, name_lower=name.lower()).first()
        if user is None or user.arn != arn:
            raise NoSuchEntity(f"The user with name {name} cannot be found.")
        user.account = ctx.account
        # What the authorization hook would decide for this user now: the same (cached) policies.
        identity, boundary = policy_cache.user_policies(user)
        return identity, boundary, request_context(user, now=ctx.now)
    if arn.startswith(prefix + "group/"):
        name = arn.rsplit("/", 1)[-1]
        group = Group.objects.filter(account=ctx.account, name_lower=name.lower()).first()
        if group is None or group.arn != arn:
            raise NoSuchEntity(f"The group with name {name} cannot be found.")
        identity = [
            (p.name, "group", p.document) for p in InlinePolicy.objects.filter(group=group).order_by("name")
        ]
        ids = PolicyAttachment.objects.filter(group=group).values_list("policy_id", flat=True)
        for version in PolicyVersion.objects.filter(policy_id__in=ids, is_default=True).select_related(
            "policy"
        ):
            identity.append((version.policy.arn, "group", version.document))
        return identity, None, {}
    raise InvalidInput(
        f"Invalid ARN for PolicySourceArn: {arn}. It must be a user, group or role of this account."
    )


def _simulate(
    ctx, identity, boundary, *, ActionNames, ResourceArns, ContextEntries, MaxItems, Marker
) -> dict:
    _check_actions(ActionNames)
    resources = ResourceArns or ["*"]
    policies = policy_set(
        [(source_id, SOURCE_TYPE, text) for source_id, _, text in identity],
        (boundary[0], SOURCE_TYPE, boundary[2]) if boundary else None,
    )
    results = []
    for action in ActionNames:
        per_resource = [
            (resource, policies.evaluate(Request(action, resource, ContextEntries))) for resource in resources
        ]
        worst_resource, worst = min(per_resource, key=lambda item: _ORDER[item[1].decision])
        result = {
            "EvalActionName": action,
            "EvalResourceName": worst_resource if len(resources) == 1 else "*",
            "EvalDecision": worst.decision,
            "MatchedStatements": [m.as_dict() for m in worst.matched_statements],
            "MissingContextValues": list(worst.missing_context_values),
            "OrganizationsDecisionDetail": {"AllowedByOrganizations": True},
            "EvalDecisionDetails": {},
            "ResourceSpecificResults": [
                {
                    "EvalResourceName": resource,
                    "EvalResourceDecision": decision.decision,
                    "MatchedStatements": [m.as_dict() for m in decision.matched_statements],
                    "MissingContextValues": list(decision.missing_context_values),
                    **(
                        {
                            "PermissionsBoundaryDecisionDetail": {
                                "AllowedByPermissionsBoundary": decision.boundary_allowed
                            }
                        }
                        if decision.boundary_allowed is not None
                        else {}
                    ),
                }
                for resource, decision in per_resource
            ],
        }
        if worst.boundary_allowed is not None:
            result["PermissionsBoundaryDecisionDetail"] = {
                "AllowedByPermissionsBoundary": worst.boundary_allowed
            }
        results.append(result)
    page, more = offset_page(results, kind="Simulate", Marker=Marker, MaxItems=MaxItems)
    return {"EvaluationResults": page, **more}


@operation("SimulatePrincipalPolicy", resource=_policy_resource)
def simulate_principal_policy(
    ctx,
    *,
    PolicySourceArn,
    ActionNames,
    PolicyInputList=None,
    PermissionsBoundaryPolicyInputList=None,
    ResourceArns=None,
    ResourcePolicy=None,
    ResourceOwner=None,
    CallerArn=None,
    ContextEntries=None,
    ResourceHandlingOption=None,
    MaxItems=None,
    Marker=None,
):
    """The decisions the policies of a user (with its groups and boundary) or a group give each action
    on each resource; PolicyInputList adds policies, PermissionsBoundaryPolicyInputList replaces the boundary."""
    identity, boundary, context = _principal(ctx, PolicySourceArn)
    identity = identity + _input_policies(PolicyInputList or [], "PolicyInputList")
    if PermissionsBoundaryPolicyInputList:
        boundary = _input_policies(PermissionsBoundaryPolicyInputList, "PermissionsBoundaryPolicyInputList")[
            0
        ]
    context = {**context, **_context_entries(ContextEntries)}
    return _simulate(
        ctx,
        identity,
        boundary,
        ActionNames=ActionNames,
        ResourceArns=ResourceArns,
        ContextEntries=context,
        MaxItems=MaxItems,
        Marker=Marker,
    )


@operation("SimulateCustomPolicy")
def simulate_custom_policy(
    ctx,
    *,
    PolicyInputList,
    ActionNames,
    PermissionsBoundaryPolicyInputList=None,
    ResourceArns=None,
    ResourcePolicy=None,
    ResourceOwner=None,
    CallerArn=None,
    ContextEntries=None,
    ResourceHandlingOption=None,
    MaxItems=None,
    Marker=None,
):
    """The decisions the given policies (and an optional boundary) give each action on each resource."""
    identity = _input_policies(PolicyInputList, "PolicyInputList")
    boundary = None
    if PermissionsBoundaryPolicyInputList:
        boundary = _input_policies(PermissionsBoundaryPolicyInputList, "PermissionsBoundaryPolicyInputList")[
            0
        ]
    return _simulate(
        ctx,
        identity,
        boundary,
        ActionNames=ActionNames,
        ResourceArns=ResourceArns,
        ContextEntries=_context_entries(ContextEntries),
        MaxItems=MaxItems,
        Marker=Marker,
    )
