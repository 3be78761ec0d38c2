"""Condition operators, compiled once per policy statement (reference/aws-iam-facts.md §7).

A `Condition` of the grammar (operator as written, one key, its values) becomes a
`CompiledCondition` whose `holds(context, missing)` answers for a request. The rules IAM documents:

- key names are case-insensitive (the context is keyed by lower-case names);
- several values for one key are OR-ed; for a negated operator (StringNotEquals, NotIpAddress,
  ArnNotLike, ...) the values are NOR-ed: the request value must match none of them;
- a key absent from the request makes a condition false, except that a negated operator then holds,
  `...IfExists` then holds, `ForAllValues:` then holds and `ForAnyValue:` then fails; `Null` tests
  presence itself (`true`: the key is absent);
- `ForAllValues:` holds when every request value passes the operator, `ForAnyValue:` when one does;
- policy variables (Version 2012-10-17) may appear in the values of every operator but `Null` and
  `BinaryEquals`; a variable without a value removes that value from the list (so StringEquals
  fails and StringNotEquals holds when it was the only one).

The module also holds the wildcard translators shared with Resource matching (`arn_source`).
"""

import base64
import binascii
import functools
import ipaddress
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from .grammar import Condition
from .variables import LITERAL, PATTERN, Template, parse_template, plain_text

ALL_VALUES = "ForAllValues:"
ANY_VALUE = "ForAnyValue:"

# base operator -> (family, comparison, negated)
OPERATORS = {
    "StringEquals": ("string", None, False),
    "StringNotEquals": ("string", None, True),
    "StringEqualsIgnoreCase": ("istring", None, False),
    "StringNotEqualsIgnoreCase": ("istring", None, True),
    "StringLike": ("like", None, False),
    "StringNotLike": ("like", None, True),
    "NumericEquals": ("numeric", "eq", False),
    "NumericNotEquals": ("numeric", "eq", True),
    "NumericLessThan": ("numeric", "lt", False),
    "NumericLessThanEquals": ("numeric", "le", False),
    "NumericGreaterThan": ("numeric", "gt", False),
    "NumericGreaterThanEquals": ("numeric", "ge", False),
    "DateEquals": ("date", "eq", False),
    "DateNotEquals": ("date", "eq", True),
    "DateLessThan": ("date", "lt", False),
    "DateLessThanEquals": ("date", "le", False),
    "DateGreaterThan": ("date", "gt", False),
    "DateGreaterThanEquals": ("date", "ge", False),
    "Bool": ("bool", None, False),
    "BinaryEquals": ("binary", None, False),
    "IpAddress": ("ip", None, False),
    "NotIpAddress": ("ip", None, True),
    "ArnEquals": ("arn", None, False),
    "ArnLike": ("arn", None, False),
    "ArnNotEquals": ("arn", None, True),
    "ArnNotLike": ("arn", None, True),
    "Null": ("null", None, False),
}
# Families whose policy values are wildcard patterns: their values compile to regex sources.
_PATTERN_FAMILIES = frozenset(["like", "arn"])
_NO_VARIABLES = frozenset(["null", "binary"])
_COMPARE = {
    "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_EPOCH = re.compile(r"[+-]?\d+(?:\.\d+)?")
_YEAR_MONTH = re.compile(r"([+-]?\d{4})(?:-(\d{1,2}))?")


# ----------------------------------------------------------------------------- wildcards


def _pieces(value) -> tuple:
    return ((PATTERN, value),) if isinstance(value, str) else value


def arn_source(value) -> str:
    """Regex source for an ARN pattern (Resource, NotResource, ArnLike/ArnEquals values).

    `*` and `?` work inside each colon-separated segment, so `?` never matches a colon and a `*`
    inside a segment stops at one; a `*` that ends a segment (or the pattern) may run on across
    colons and slashes, as IAM documents. Matching is case-sensitive. `value` is text or resolved
    pieces (LITERAL pieces carry no wildcards).
    """
    tokens: list[tuple[bool, str]] = []
    for kind, text in _pieces(value):
        wild = kind == PATTERN
        tokens.extend((wild and char in "*?", char) for char in text)
    out = []
    for index, (wild, char) in enumerate(tokens):
        if not wild:
            out.append(re.escape(char))
        elif char == "?":
            out.append("[^:]")
        else:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            out.append(".*" if following is None or following == (False, ":") else "[^:]*")
    return "".join(out)


def like_source(value) -> str:
    """Regex source for a StringLike value: `*` any run of characters, `?` any one character."""
    out = []
    for kind, text in _pieces(value):
        if kind == LITERAL:
            out.append(re.escape(text))
            continue
        for char in text:
            out.append(".*" if char == "*" else "." if char == "?" else re.escape(char))
    return "".join(out)


@functools.lru_cache(maxsize=8192)
def compile_alternatives(sources: tuple[str, ...]) -> re.Pattern:
    """One compiled regex matching any of the sources; cached because resolved variables repeat."""
    return re.compile("|".join(f"(?:{source})" for source in sources), re.DOTALL)


# ----------------------------------------------------------------------------- value parsers


def parse_number(text: str) -> Decimal | None:
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


@functools.lru_cache(maxsize=4096)
def parse_date(text: str) -> float | None:
    """Seconds since the epoch for an ISO 8601 date/time (UTC unless an offset is given) or for an
    epoch number, the two forms IAM's Date operators take; None otherwise."""
    text = text.strip()
    if "t" not in text.lower() and "-" not in text[1:]:
        return float(text) if _EPOCH.fullmatch(text) else None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        match = _YEAR_MONTH.fullmatch(text)
        if not match:
            return None
        try:
            moment = datetime(int(match.group(1)), int(match.group(2) or 1), 1)
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


@functools.lru_cache(maxsize=4096)
def _parse_ip(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        try:
            return ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            return None


def _parse_base64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


# ----------------------------------------------------------------------------- matchers


@functools.lru_cache(maxsize=8192)
def build_matcher(family: str, comparison: str | None, sources: tuple[str, ...]):
    """A function request_value -> bool: does the value match ANY of the policy's values?

    `sources` are the policy values already resolved: plain text, or regex sources for the
    pattern families. Negation and set operators are applied by the caller.
    """
    if not sources:
        return _never
    if family == "string":
        return frozenset(sources).__contains__
    if family == "istring":
        lowered = frozenset(source.lower() for source in sources)
        return lambda value: value.lower() in lowered
    if family in _PATTERN_FAMILIES:
        fullmatch = compile_alternatives(sources).fullmatch
        return lambda value: fullmatch(value) is not None
    if family == "bool":
        accepted = frozenset(source.lower() for source in sources) & {"true", "false"}
        return lambda value: value.lower() in accepted
    if family == "binary":
        decoded = {_parse_base64(source) for source in sources} - {None}
        raw = frozenset(sources)
        return lambda value: value in raw or (_parse_base64(value) in decoded)
    if family == "ip":
        networks = []
        for source in sources:
            try:
                networks.append(ipaddress.ip_network(source.strip(), strict=False))
            except ValueError:
                continue  # a value that is no address matches nothing

        def ip_matches(value):
            address = _parse_ip(value)
            if address is None:
                return False
            if isinstance(address, ipaddress.IPv4Network | ipaddress.IPv6Network):
                return any(address.version == n.version and address.subnet_of(n) for n in networks)
            return any(address in network for network in networks)

        return ip_matches
    parse = parse_number if family == "numeric" else parse_date
    limits = tuple(parsed for parsed in map(parse, sources) if parsed is not None)
    compare = _COMPARE[comparison]

    def ordered_matches(value):
        parsed = parse(value)
        return parsed is not None and any(compare(parsed, limit) for limit in limits)

    return ordered_matches


def _never(_value) -> bool:
    return False


def _source(family: str, pieces) -> str:
    if family in _PATTERN_FAMILIES:
        return arn_source(pieces) if family == "arn" else like_source(pieces)
    return plain_text(_pieces(pieces))


class CompiledCondition:
    """One (operator, key, values) test of a statement, ready to run against request contexts."""

    __slots__ = (
        "key",
        "written",
        "operator",
        "family",
        "comparison",
        "negated",
        "set_operator",
        "if_exists",
        "matcher",
        "templates",
        "null_tests",
    )

    def __init__(self, condition: Condition, variables: bool):
        self.operator = condition.operator
        self.key = condition.key.lower()
        self.written = condition.key
        operator = condition.operator
        self.set_operator = None
        for prefix in (ALL_VALUES, ANY_VALUE):
            if operator.startswith(prefix):
                self.set_operator = prefix
                operator = operator[len(prefix) :]
        self.if_exists = operator.endswith("IfExists")
        operator = operator.removesuffix("IfExists")
        family, comparison, negated = OPERATORS.get(operator, ("unknown", None, False))
        self.family, self.comparison, self.negated = family, comparison, negated
        self.matcher = None
        self.templates = None
        self.null_tests = ()
        if family == "null":
            # true: "the key is absent"; false: "the key is present"; anything else tests nothing.
            self.null_tests = tuple({"true": False, "false": True}.get(v.lower()) for v in condition.values)
            return
        if family == "unknown":
            self.matcher = _never
            return
        values = tuple(parse_template(v, variables and family not in _NO_VARIABLES) for v in condition.values)
        if any(isinstance(value, Template) for value in values):
            self.templates = values
        else:
            sources = tuple(_source(family, value) for value in values)
            self.matcher = build_matcher(family, comparison, sources)

    def holds(self, context: dict, missing: set) -> bool:
        """Whether the condition is met by `context` (lower-case key -> tuple of values).

        Keys the condition needed but the request lacked (and variables without a value) are
        added to `missing` as written in the policy; `Null` needs no value and adds nothing.
        """
        values = context.get(self.key)
        if self.family == "null":
            present = bool(values)
            return any(test is not None and test == present for test in self.null_tests)
        if not values:
            # IfExists asks whether the key exists: a key present with no values is tested.
            if values is None:
                missing.add(self.written)
                if self.templates is not None:
                    self._resolve(context, missing)  # report the variables it needs as well
                if self.if_exists:
                    return True
            if self.set_operator == ALL_VALUES:
                return True
            if self.set_operator == ANY_VALUE:
                return False
            return self.negated
        matcher = self.matcher
        if matcher is None:
            matcher = self._resolve(context, missing)
        negated = self.negated
        if self.set_operator == ALL_VALUES:
            return all(matcher(value) != negated for value in values)
        if self.set_operator == ANY_VALUE:
            return any(matcher(value) != negated for value in values)
        if negated:
            return not any(matcher(value) for value in values)
        return any(matcher(value) for value in values)

    def _resolve(self, context: dict, missing: set):
        sources = []
        for value in self.templates:
            if isinstance(value, Template):
                value = value.resolve(context, missing)
                if value is None:
                    continue  # a variable without a value: this policy value matches nothing
            sources.append(_source(self.family, value))
        return build_matcher(self.family, self.comparison, tuple(sources))
