"""The IAM policy language as IAM checks it: `validate_policy_document` answers an invalid
identity-policy document with AWS's own MalformedPolicyDocument sentence, and `parse_policy`
returns the normalised statements the evaluation engine works on.

AWS judges a document in a fixed order, and the first failing stage decides the message:

1. size (before parsing): a managed policy may hold 6,144 characters not counting whitespace
   (`LimitExceeded`); no document may be longer than the API's 131,072 characters;
2. syntax -> "Syntax errors in policy.": the text must be one JSON object (no duplicate keys, no
   absurd nesting) with only `Version`, `Id` and `Statement`; statements are objects with known
   elements of the right JSON types, an `Effect` of allow/deny in any case, at most one of each
   Action/NotAction, Resource/NotResource and Principal/NotPrincipal pair, and a `Condition` of
   the shape {operator: {key: value | [values]}} (an unknown operator only with an empty block);
3. version -> "Policy document must be version 2012-10-17 or greater." (missing or 2008-10-17);
4. a principal in an identity policy -> "Policy document should not specify a principal.";
5. legacy parsing -> "The policy failed legacy parsing": the Effect spelled exactly `Allow` or
   `Deny`, and every Date* condition value a parsable ISO 8601 date or epoch number;
6. resource formats, statement by statement: the first malformed ARN is remembered (its message is
   raised at step 10); while none is, a statement's ARNs must also pass the legacy ARN parser;
7. Sid: alphanumeric, then unique within the policy;
8. every statement needs a non-empty Action or NotAction ("Policy statement must contain actions.");
9. ... and a non-empty Resource or NotResource ("Policy statement must contain resources.");
10. the remembered resource-format message;
11. every action `vendor:name` (or `*`), with one colon and a vendor of letters, digits, `-`, `.`.
"""

import functools
import json
import re
from dataclasses import dataclass

from iamconsole.backends.errors import LimitExceeded, MalformedPolicyDocument, ValidationError

MANAGED_POLICY_SIZE = 6144
USER_INLINE_SIZE = 2048
GROUP_INLINE_SIZE = 5120
API_MAX_LENGTH = 131072
# A valid policy nests 7 levels at most (document, Statement list, statement, Condition, operator,
# key, value list); anything much deeper is a syntax error, found before json recurses into it.
MAX_DEPTH = 32

SYNTAX = "Syntax errors in policy."
VERSION = "Policy document must be version 2012-10-17 or greater."
PRINCIPAL = "Policy document should not specify a principal."
LEGACY = "The policy failed legacy parsing"
SID_FORMAT = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
SID_UNIQUE = "Statement IDs (SID) in a single policy must be unique."
NO_ACTIONS = "Policy statement must contain actions."
NO_RESOURCES = "Policy statement must contain resources."
NO_VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
ONE_COLON = "Actions/Condition can contain only one colon."

VERSIONS = ("2008-10-17", "2012-10-17")
STATEMENT_KEYS = frozenset(
    [
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    ]
)
CONDITION_OPERATORS = frozenset(
    [
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
        "StringLike", "StringNotLike",
        "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
        "NumericGreaterThan", "NumericGreaterThanEquals",
        "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
        "DateGreaterThan", "DateGreaterThanEquals",
        "Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
        "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
    ]
)  # fmt: skip
SET_PREFIXES = ("ForAllValues:", "ForAnyValue:")
IAM_RESOURCE_STARTS = (
    "user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/", "server-certificate/",
    "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/",
)  # fmt: skip
# Services whose ARNs have no region, and AWS's (differently worded) sentence for each. For S3 this
# holds for buckets and objects (no account either); access points and the like are regional.
REGIONLESS = {
    "iam": "IAM resource {resource} cannot contain region information.",
    "s3": "Resource {resource} can not contain region information.",
}
PARTITIONS = ("aws", "*")
_VENDOR_INVALID = re.compile(r"[^a-zA-Z0-9.\-]")
_SID = re.compile(r"[0-9A-Za-z]*")
_WHITESPACE = re.compile(r"[ \t\n\r]")
_DEPTH_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
# Dates as IAM's (Joda-time) ISO 8601 parser takes them: a signed year of up to 9 digits with
# optional month and day, then optionally `T`, a time of day and an offset; or `T` and a time alone.
_FRACTION = r"[.,]\d{1,9}"
_TIME = (
    rf"(?P<h>\d{{1,2}})(?::(?P<mi>\d{{1,2}})(?::(?P<s>\d{{1,2}})(?:{_FRACTION})?|{_FRACTION})?|{_FRACTION})?"
)
_OFFSET = r"(?:Z|[+-](?P<oh>\d{2})(?::?(?P<om>\d{2}))?)"
_ISO_DATE = re.compile(
    rf"(?P<date>(?P<y>[+-]?\d{{1,9}})(?:-(?P<mo>\d{{1,2}})(?:-(?P<d>\d{{1,2}}))?)?)?(?:T(?:{_TIME})?{_OFFSET}?)?",
    re.IGNORECASE,
)
_EPOCH = re.compile(r"\+?\d+")
_YEARS = (-292275054, 292278993)
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class JSONNumber(str):
    """A JSON number kept as its text, so syntax checks can tell `1` from `"1"`."""


@dataclass(frozen=True)
class Condition:
    """One condition test: `operator` as written (`ForAnyValue:StringLikeIfExists`), one key, its values."""

    operator: str
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    """One statement, normalised: every list-or-string element is a tuple (None when absent)."""

    sid: str | None
    effect: str
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    conditions: tuple[Condition, ...]
    index: int


@dataclass(frozen=True)
class Policy:
    version: str | None
    id: str | None
    statements: tuple[Statement, ...]


class _Syntax(Exception):
    pass


def policy_size(text: str) -> int:
    """The size IAM's quotas count: characters, whitespace excluded."""
    return len(text) - len(_WHITESPACE.findall(text))


def validate_policy_document(text: str, *, kind: str = "managed") -> Policy:
    """Check an identity-policy document as IAM does and return it parsed.

    `kind` is "managed" (CreatePolicy, CreatePolicyVersion: the 6,144-character PolicySize quota
    applies) or "inline" (PutUserPolicy, PutGroupPolicy: the caller checks the entity's aggregate
    size, which needs the entity's other policies). Raises LimitExceeded, ValidationError or
    MalformedPolicyDocument with AWS's wording.
    """
    if kind not in ("managed", "inline"):
        raise ValueError(f"unknown policy kind {kind!r}")
    if len(text) > API_MAX_LENGTH:
        raise ValidationError(
            "1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: "
            f"Member must have length less than or equal to {API_MAX_LENGTH}"
        )
    if kind == "managed" and policy_size(text) > MANAGED_POLICY_SIZE:
        raise LimitExceeded(f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_SIZE}")
    document = _load(text)
    _check(document)
    return _normalise(document)


@functools.lru_cache(maxsize=2048)
def parse_policy(text: str) -> Policy:
    """A stored document's statements for the evaluation engine.

    Only the syntax is checked: AWS managed policies are larger than customers may write and use
    newer ARN forms (`role-template/`), and stored customer documents were validated when written.
    Raises MalformedPolicyDocument("Syntax errors in policy.") for text that is not a policy.
    """
    document = _load(text)
    try:
        _syntax(document)
    except _Syntax:
        raise MalformedPolicyDocument(SYNTAX) from None
    return _normalise(document)


# ----------------------------------------------------------------------------- JSON


def _load(text: str):
    """Parse strictly: one JSON value, no duplicate keys, no NaN, bounded nesting."""
    depth = 0
    for token in _DEPTH_TOKENS.finditer(text):
        char = token.group()[0]
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise MalformedPolicyDocument(SYNTAX)
        elif char in "]}":
            depth -= 1
    try:
        return json.loads(
            text,
            object_pairs_hook=_unique_pairs,
            parse_int=JSONNumber,
            parse_float=JSONNumber,
            parse_constant=_no_constant,
        )
    except (ValueError, RecursionError):
        raise MalformedPolicyDocument(SYNTAX) from None


def _unique_pairs(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


# ----------------------------------------------------------------------------- the checks


def _check(document) -> None:
    try:
        statements = _syntax(document)
    except _Syntax:
        raise MalformedPolicyDocument(SYNTAX) from None
    if document.get("Version") != "2012-10-17":
        raise MalformedPolicyDocument(VERSION)
    if any("Principal" in s or "NotPrincipal" in s for s in statements):
        raise MalformedPolicyDocument(PRINCIPAL)
    for statement in statements:
        if statement["Effect"] not in ("Allow", "Deny") or not _legacy_conditions(statement):
            raise MalformedPolicyDocument(LEGACY)
    resource_error = _resource_formats(statements)
    sids = [s["Sid"] for s in statements if "Sid" in s]
    if not all(_SID.fullmatch(sid) for sid in sids):
        raise MalformedPolicyDocument(SID_FORMAT)
    if len(set(sids)) != len(sids):
        raise MalformedPolicyDocument(SID_UNIQUE)
    if not all(_values(s, "Action") or _values(s, "NotAction") for s in statements):
        raise MalformedPolicyDocument(NO_ACTIONS)
    if not all(_values(s, "Resource") or _values(s, "NotResource") for s in statements):
        raise MalformedPolicyDocument(NO_RESOURCES)
    if resource_error:
        raise MalformedPolicyDocument(resource_error)
    for statement in statements:
        for action in _values(statement, "Action") + _values(statement, "NotAction"):
            _check_action(action)


def _syntax(document) -> list[dict]:
    """The statements of a syntactically valid document; _Syntax otherwise."""
    _require(isinstance(document, dict) and "Statement" in document)
    _require(set(document) <= {"Version", "Id", "Statement"})
    if "Version" in document:
        _require(_is_text(document["Version"]) and document["Version"] in VERSIONS)
    if "Id" in document:
        _require(_is_text(document["Id"]))
    statements = document["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    _require(isinstance(statements, list) and len(statements) > 0)
    for statement in statements:
        _statement_syntax(statement)
    return statements


def _statement_syntax(statement) -> None:
    _require(isinstance(statement, dict) and set(statement) <= STATEMENT_KEYS)
    effect = statement.get("Effect")
    _require(_is_text(effect) and effect.lower() in ("allow", "deny"))
    if "Sid" in statement:
        _require(_is_text(statement["Sid"]))
    for one, other in (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")):
        _require(not (one in statement and other in statement))
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in statement:
            value = statement[key]
            _require(_is_text(value) or (isinstance(value, list) and all(_is_text(item) for item in value)))
    for key in ("Principal", "NotPrincipal"):
        if key in statement:
            _principal_syntax(statement[key])
    if "Condition" in statement:
        _condition_syntax(statement["Condition"])


def _principal_syntax(principal) -> None:
    if _is_text(principal):
        _require(principal == "*")
        return
    _require(isinstance(principal, dict) and len(principal) > 0)
    for value in principal.values():
        _require(_is_text(value) or (isinstance(value, list) and all(_is_text(item) for item in value)))


def _condition_syntax(condition) -> None:
    _require(isinstance(condition, dict))
    for operator, block in condition.items():
        _require(isinstance(block, dict))
        for values in block.values():
            if isinstance(values, list):
                _require(all(_is_scalar(item) for item in values))
            else:
                _require(_is_scalar(values))
        # An operator IAM does not know is tolerated only while it tests nothing.
        if _base_operator(operator) not in CONDITION_OPERATORS:
            _require(not block)


def _base_operator(operator: str) -> str:
    """`ForAnyValue:StringLikeIfExists` -> `StringLike`."""
    for prefix in SET_PREFIXES:
        if operator.startswith(prefix):
            operator = operator[len(prefix) :]
            break
    return operator.removesuffix("IfExists")


def _require(condition: bool) -> None:
    if not condition:
        raise _Syntax


def _is_text(value) -> bool:
    return isinstance(value, str) and not isinstance(value, JSONNumber)


def _is_scalar(value) -> bool:
    return isinstance(value, str | bool)


def _values(statement: dict, key: str) -> list:
    value = statement.get(key)
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


# ----------------------------------------------------------------------------- legacy parsing


def _legacy_conditions(statement: dict) -> bool:
    """Date* operators need values IAM's legacy parser reads as dates."""
    for operator, block in statement.get("Condition", {}).items():
        if not _base_operator(operator).startswith("Date"):
            continue
        for values in block.values():
            for value in values if isinstance(values, list) else [values]:
                if not _legacy_date(value):
                    return False
    return True


def _legacy_date(value) -> bool:
    """An ISO 8601 date/time (anything with a `T` or a `-`) or epoch seconds as a 64-bit number."""
    if isinstance(value, bool):
        return False
    if "t" in value.lower() or "-" in value:
        return _iso_date(value)
    return bool(_EPOCH.fullmatch(value)) and int(value) <= 2**63 - 1


def _iso_date(value: str) -> bool:
    match = _ISO_DATE.fullmatch(value)
    # Without a date, `T` and an hour are required ("T10:00"); an empty string is no date.
    if not match or not (match["date"] or match["h"]):
        return False
    parts = {
        name: int(text) for name, text in match.groupdict().items() if text is not None and name != "date"
    }
    year, month, day = parts.get("y", 2000), parts.get("mo", 1), parts.get("d", 1)
    if not (_YEARS[0] <= year <= _YEARS[1] and 1 <= month <= 12):
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = 29 if month == 2 and leap else (28 if month == 2 else _DAYS[month - 1])
    return (
        1 <= day <= days
        and parts.get("h", 0) <= 23
        and parts.get("mi", 0) <= 59
        and parts.get("s", 0) <= 59
        and parts.get("oh", 0) <= 23
        and parts.get("om", 0) <= 59
    )


# ----------------------------------------------------------------------------- resources and actions


def _resource_formats(statements: list[dict]) -> str | None:
    """The first resource-format message (raised late by the caller); raises the legacy-parsing
    error for a statement whose ARNs are well formed but that the legacy ARN parser rejects, as
    long as no format error was found before it."""
    first_error = None
    for statement in statements:
        resources = _values(statement, "Resource") + _values(statement, "NotResource")
        for resource in resources:
            error = _resource_error(resource)
            if error and first_error is None:
                first_error = error
        if first_error is None and not all(_legacy_arn(resource) for resource in resources):
            raise MalformedPolicyDocument(LEGACY)
    return first_error


def _resource_error(resource: str) -> str | None:
    """AWS's message for a Resource/NotResource value that is not `*` or a well-formed ARN."""
    if resource == "*":
        return None
    parts = resource.split(":")
    if len(parts) == 1:
        return f'Resource {resource} must be in ARN format or "*".'
    partition = parts[1]
    if partition not in PARTITIONS:
        # AWS names the ARN it understood: the segments after the partition, "*" for missing ones.
        rest = parts[2:] if parts[2:] != [""] else []
        service, region, account = (rest + ["*", "*", "*"])[:3]
        tail = ":".join(rest[3:]) if len(rest) > 3 else "*"
        return f'Partition "{partition}" is not valid for resource "arn:{partition}:{service}:{region}:{account}:{tail}".'
    if len(parts) == 2:
        return "Resource vendor must be fully qualified and cannot contain regexes."
    service = parts[2]
    region, account = (parts[3:5] + ["", ""])[:2]
    if service in REGIONLESS and region and (service == "iam" or not account):
        return REGIONLESS[service].format(resource=resource)
    if service == "iam":
        path = ":".join(parts[5:])
        if not (path == "root" or path.startswith("*") or path.startswith(IAM_RESOURCE_STARTS)):
            return (
                'IAM resource path must either be "*", root, or start with '
                + ", ".join(IAM_RESOURCE_STARTS)
                + "."
            )
    return None


def _legacy_arn(resource: str) -> bool:
    """The legacy parser wants six ARN segments whenever empty segments appear, and a service."""
    if resource == "*":
        return True
    parts = resource.split(":")
    if "::" in resource and len(parts) < 6:
        return False
    return len(parts) < 3 or parts[2] != ""


def _check_action(action: str) -> None:
    parts = action.split(":")
    if len(parts) == 1 and action != "*":
        raise MalformedPolicyDocument(NO_VENDOR)
    if len(parts) > 2:
        raise MalformedPolicyDocument(ONE_COLON)
    vendor = parts[0]
    if vendor != "*" and _VENDOR_INVALID.search(vendor):
        raise MalformedPolicyDocument(f"Vendor {vendor} is not valid")


# ----------------------------------------------------------------------------- normalisation


def _normalise(document: dict) -> Policy:
    raw = document["Statement"]
    raw = [raw] if isinstance(raw, dict) else raw
    statements = tuple(
        Statement(
            sid=statement.get("Sid"),
            effect=statement["Effect"],
            actions=_tuple(statement, "Action"),
            not_actions=_tuple(statement, "NotAction"),
            resources=_tuple(statement, "Resource"),
            not_resources=_tuple(statement, "NotResource"),
            conditions=tuple(
                Condition(operator, key, _condition_values(values))
                for operator, block in statement.get("Condition", {}).items()
                for key, values in block.items()
            ),
            index=index,
        )
        for index, statement in enumerate(raw)
    )
    return Policy(version=document.get("Version"), id=document.get("Id"), statements=statements)


def _tuple(statement: dict, key: str) -> tuple[str, ...] | None:
    if key not in statement:
        return None
    return tuple(str(value) for value in _values(statement, key))


def _condition_values(values) -> tuple[str, ...]:
    values = values if isinstance(values, list) else [values]
    return tuple(
        ("true" if value else "false") if isinstance(value, bool) else str(value) for value in values
    )
