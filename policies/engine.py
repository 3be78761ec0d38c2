"""The IAM policy evaluation engine for one account (reference/aws-iam-facts.md §7), pure code.

    decision = evaluate(
        Request("iam:CreateUser", "arn:aws:iam::123456789012:user/bob", {"aws:username": "alice"}),
        [("AdminsPolicy", "group", text), ("ReadOnlyAccess", "aws-managed", text2)],
        boundary=("Boundary", "user-managed", text3),
    )
    decision.decision                 # "allowed" | "explicitDeny" | "implicitDeny"

The logic: everything is denied by default; an applicable `Deny` anywhere (identity policies or the
permissions boundary) decides `explicitDeny`; otherwise an identity policy must `Allow`, and when a
boundary is given it must `Allow` as well (the effective permissions are the intersection).

A statement applies when its Action (or NotAction) matches the action, its Resource (or
NotResource) matches the resource ARN and every condition holds. Actions match case-insensitively
with `*` and `?`; resources case-sensitively with `*`/`?` per ARN segment (see
`conditions.arn_source`). Policy variables work only in Version 2012-10-17 documents.

Each document is compiled once (cached by its text) into statement matchers with precompiled
regexes; a `PolicySet` (cached by its policies) also remembers, per action, which statements can
apply, so that evaluating many resources for one action only looks at those.
"""

import bisect
import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .conditions import CompiledCondition, arn_source, compile_alternatives, like_source
from .grammar import Statement, parse_policy
from .variables import VARIABLES_VERSION, Template, parse_template

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"
# SourcePolicyType of a boundary given as bare text (SimulatePrincipalPolicy's enum has no
# "boundary"; a stored boundary is passed with its own id and type).
BOUNDARY_SOURCE = ("PermissionsBoundary", "none")

_WILDCARDS = frozenset("*?")
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


# ----------------------------------------------------------------------------- public shapes


@dataclass(frozen=True, slots=True)
class Request:
    """What is being decided: an action (`iam:CreateUser`), a resource ARN (or `*`) and the request
    context: condition-key names (any case) to a string or a list of strings."""

    action: str
    resource: str = "*"
    context: Mapping = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MatchedStatement:
    """A statement that decided the result, located as SimulatePrincipalPolicy locates it: lines
    count from 1 and each column is the one just past the statement's `{` or `}` (AWS's example
    `{"Version":"2012-10-17","Statement":{...}}` gives start column 38 for the `{` at column 37)."""

    source_policy_id: str
    source_policy_type: str
    start_line: int
    start_column: int
    end_line: int
    end_column: int

    def as_dict(self) -> dict:
        """The boto3 `Statement` shape of an EvaluationResult's MatchedStatements."""
        return {
            "SourcePolicyId": self.source_policy_id,
            "SourcePolicyType": self.source_policy_type,
            "StartPosition": {"Line": self.start_line, "Column": self.start_column},
            "EndPosition": {"Line": self.end_line, "Column": self.end_column},
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The result: `decision`; the statements that decided it (the Deny statements for
    explicitDeny, the identity Allow statements for allowed, none for implicitDeny);
    `boundary_allowed` (None without a boundary); and the condition keys and policy variables the
    applicable statements needed but the request lacked, sorted."""

    decision: str
    matched_statements: tuple[MatchedStatement, ...] = ()
    boundary_allowed: bool | None = None
    missing_context_values: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED


# ----------------------------------------------------------------------------- compiled parts


class _Actions:
    """Action or NotAction patterns: exact names in a set, wildcard names as regexes grouped by
    service prefix so a statement naming hundreds of actions tests only its own service's."""

    __slots__ = ("everything", "literals", "by_service", "other")

    def __init__(self, patterns: Iterable[str]):
        self.everything = False
        self.literals = set()
        services: dict[str, list[str]] = {}
        other: list[str] = []
        for pattern in patterns:
            pattern = pattern.lower()
            if pattern == "*":
                self.everything = True
            elif not _WILDCARDS.intersection(pattern):
                self.literals.add(pattern)
            else:
                service, colon, name = pattern.partition(":")
                if colon and not _WILDCARDS.intersection(service):
                    services.setdefault(service, []).append(like_source(name))
                else:
                    other.append(like_source(pattern))
        self.literals = frozenset(self.literals)
        self.by_service = {
            service: compile_alternatives(tuple(sources)).fullmatch for service, sources in services.items()
        }
        self.other = compile_alternatives(tuple(other)).fullmatch if other else None

    def matches(self, action: str) -> bool:
        """`action` in lower case."""
        if self.everything or action in self.literals:
            return True
        service, _colon, name = action.partition(":")
        in_service = self.by_service.get(service)
        if in_service is not None and in_service(name) is not None:
            return True
        return self.other is not None and self.other(action) is not None


class _Resources:
    """Resource or NotResource patterns; those holding policy variables are resolved per request."""

    __slots__ = ("everything", "literals", "regex", "templates")

    def __init__(self, patterns: Iterable[str], variables: bool):
        self.everything = False
        literals = set()
        sources = []
        templates = []
        for pattern in patterns:
            value = parse_template(pattern, variables)
            if isinstance(value, Template):
                if value.variables:
                    templates.append(value)
                else:
                    sources.append(arn_source(value.pieces))  # escapes only: fixed
            elif value == "*":
                self.everything = True
            elif not _WILDCARDS.intersection(value):
                literals.add(value)
            else:
                sources.append(arn_source(value))
        self.literals = frozenset(literals)
        self.regex = compile_alternatives(tuple(sources)).fullmatch if sources else None
        self.templates = tuple(templates)

    def matches(self, resource: str, context: dict, missing: set) -> bool:
        if self.everything or resource in self.literals:
            return True
        if self.regex is not None and self.regex(resource) is not None:
            return True
        for template in self.templates:
            pieces = template.resolve(context, missing)
            # A variable without a value makes this pattern match nothing.
            if pieces is not None and compile_alternatives((arn_source(pieces),)).fullmatch(resource):
                return True
        return False


class CompiledStatement:
    """One statement's matchers. `matches_action` is tested first (and cached per action by
    PolicySet); `applies_to` then tests the resource and every condition."""

    __slots__ = ("deny", "actions", "not_action", "resources", "not_resource", "conditions", "sid", "index")

    def __init__(self, statement: Statement, variables: bool):
        self.sid = statement.sid
        self.index = statement.index
        self.deny = statement.effect.lower() == "deny"
        # A statement without Action/NotAction (or Resource/NotResource) matches nothing.
        self.not_action = statement.actions is None and statement.not_actions is not None
        self.actions = _Actions((statement.not_actions if self.not_action else statement.actions) or ())
        self.not_resource = statement.resources is None and statement.not_resources is not None
        self.resources = _Resources(
            (statement.not_resources if self.not_resource else statement.resources) or (), variables
        )
        self.conditions = tuple(CompiledCondition(condition, variables) for condition in statement.conditions)

    def matches_action(self, action: str) -> bool:
        """`action` in lower case."""
        return self.actions.matches(action) != self.not_action

    def applies_to(self, resource: str, context: dict, missing: set) -> bool:
        """Resource and conditions; `context` as `normal_context` returns it. Every condition is
        tested (no short cut) so that `missing` collects all the keys the statement needed."""
        if self.resources.matches(resource, context, missing) == self.not_resource:
            return False
        holds = True
        for condition in self.conditions:
            if not condition.holds(context, missing):
                holds = False
        return holds

    def applies(self, action: str, resource: str, context: dict, missing: set) -> bool:
        """The whole test for one request (`action` in lower case)."""
        return self.matches_action(action) and self.applies_to(resource, context, missing)


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    """A document's statements and, for each, its (start line, column, end line, column)."""

    version: str | None
    statements: tuple[CompiledStatement, ...]
    positions: tuple[tuple[int, int, int, int], ...]


@functools.lru_cache(maxsize=4096)
def compile_policy(text: str) -> CompiledPolicy:
    """Compile a stored policy document (cached by its text). Raises MalformedPolicyDocument
    for text that is not a policy (see grammar.parse_policy)."""
    policy = parse_policy(text)
    variables = policy.version == VARIABLES_VERSION
    statements = tuple(CompiledStatement(statement, variables) for statement in policy.statements)
    positions = statement_positions(text)
    if len(positions) != len(statements):  # cannot happen for a document parse_policy accepted
        positions = ((0, 0, 0, 0),) * len(statements)
    return CompiledPolicy(policy.version, statements, positions)


# ----------------------------------------------------------------------------- positions


def statement_positions(text: str) -> tuple[tuple[int, int, int, int], ...]:
    """Where each statement object of the document's top-level `Statement` lies in `text`, as
    (start line, start column, end line, end column) in SimulatePrincipalPolicy's convention."""
    spans = []
    depth = 0
    key = None
    last_string = None
    array_depth = None  # depth inside the Statement array, when Statement is a list
    statement_depth = None  # depth inside the statement object being read
    start = 0
    for token in _TOKENS.finditer(text):
        char = token.group()[0]
        if char == '"':
            last_string = token.group()
        elif char == ":":
            if depth == 1 and last_string is not None:
                key = json.loads(last_string)
        elif char == ",":
            if depth == 1:
                key = None
        elif char in "{[":
            is_value = depth == 1 and key == "Statement"
            depth += 1
            if is_value and char == "[":
                array_depth = depth
            elif char == "{" and (is_value or (array_depth is not None and depth == array_depth + 1)):
                statement_depth, start = depth, token.start()
        else:
            if char == "}" and depth == statement_depth:
                spans.append((start, token.start()))
                statement_depth = None
            elif char == "]" and depth == array_depth:
                array_depth = None
            depth -= 1
    starts = [0] + [match.end() for match in _LINE_BREAKS.finditer(text)]

    def position(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 2  # 1-based column of the brace, plus one

    return tuple((*position(begin), *position(end)) for begin, end in spans)


# ----------------------------------------------------------------------------- evaluation


def normal_context(context: Mapping) -> dict:
    """Request context keyed by lower-case names, each value a tuple of strings."""
    normal = {}
    for key, value in context.items():
        if value is None:
            continue  # an absent value: the key is not in the request
        if isinstance(value, str):
            normal[key.lower()] = (value,)
        elif isinstance(value, bool | int | float):
            normal[key.lower()] = (_text(value),)
        else:
            normal[key.lower()] = tuple(_text(item) for item in value)
    return normal


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class PolicySet:
    """The policies of one principal, compiled, with a per-action index of the statements that
    can apply. `identity_policies` and `boundary` are (source id, source type, document text)."""

    __slots__ = ("identity", "boundary", "_by_action")

    def __init__(self, identity_policies: Iterable, boundary=None):
        self.identity = _flatten(identity_policies)
        if isinstance(boundary, str):
            boundary = (*BOUNDARY_SOURCE, boundary)
        self.boundary = _flatten([boundary]) if boundary is not None else None
        self._by_action: dict[str, tuple] = {}

    def _candidates(self, action: str) -> tuple:
        candidates = self._by_action.get(action)
        if candidates is None:
            identity = tuple(entry for entry in self.identity if entry[0].matches_action(action))
            boundary = (
                None
                if self.boundary is None
                else tuple(entry for entry in self.boundary if entry[0].matches_action(action))
            )
            candidates = (identity, boundary)
            if len(self._by_action) < 20000:  # bounded: action names come from requests
                self._by_action[action] = candidates
        return candidates

    def evaluate(self, request: Request) -> Decision:
        """Decide one request (see the module docstring)."""
        identity, boundary = self._candidates(request.action.lower())
        context = normal_context(request.context)
        resource = request.resource
        missing: set[str] = set()
        allows = []
        denies = []
        for statement, matched in identity:
            if statement.applies_to(resource, context, missing):
                (denies if statement.deny else allows).append(matched)
        boundary_allowed = None
        if boundary is not None:
            boundary_allowed = False
            boundary_denied = False
            for statement, matched in boundary:
                if statement.applies_to(resource, context, missing):
                    if statement.deny:
                        denies.append(matched)
                        boundary_denied = True
                    else:
                        boundary_allowed = True
            boundary_allowed = boundary_allowed and not boundary_denied
        missing_values = tuple(sorted(missing))
        if denies:
            return Decision(EXPLICIT_DENY, tuple(denies), boundary_allowed, missing_values)
        if allows and boundary_allowed is not False:
            return Decision(ALLOWED, tuple(allows), boundary_allowed, missing_values)
        return Decision(IMPLICIT_DENY, (), boundary_allowed, missing_values)


def _flatten(policies: Iterable) -> tuple:
    """(compiled statement, its MatchedStatement) for every statement of every policy."""
    entries = []
    for source_id, source_type, text in policies:
        compiled = compile_policy(text)
        for statement, (start_line, start_column, end_line, end_column) in zip(
            compiled.statements, compiled.positions, strict=True
        ):
            located = MatchedStatement(source_id, source_type, start_line, start_column, end_line, end_column)
            entries.append((statement, located))
    return tuple(entries)


@functools.lru_cache(maxsize=512)
def _policy_set(identity: tuple, boundary) -> PolicySet:
    return PolicySet(identity, boundary)


def policy_set(identity_policies: Iterable, boundary=None) -> PolicySet:
    """The compiled PolicySet of these policies, cached by their ids, types and texts."""
    identity = tuple(tuple(policy) for policy in identity_policies)
    if boundary is not None and not isinstance(boundary, str):
        boundary = tuple(boundary)
    return _policy_set(identity, boundary)


def evaluate(request: Request, identity_policies: Iterable, boundary=None) -> Decision:
    """Decide `request` against a principal's identity policies (user inline and attached, each
    group's inline and attached: (source id, source type, text) with a SimulatePrincipalPolicy
    source type) and its optional permissions boundary (the same triple, or bare text)."""
    return policy_set(identity_policies, boundary).evaluate(request)
