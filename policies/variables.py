"""Policy variables (`${aws:username}`) in Resource, NotResource and condition values.

IAM replaces a variable by the value of the request-context key it names, but only in documents of
Version 2012-10-17; in older documents `${aws:username}` is literal text. Forms IAM accepts:

- `${key}`: the value of context key `key` (names are case-insensitive, like condition keys);
- `${key, 'default'}`: the same, with a default used when the request has no such key;
- `${*}`, `${?}`, `${$}`: a literal `*`, `?` or `$`, for patterns that must match those characters.

A text is parsed once into a `Template` of pieces. Resolving it against a request gives the pieces
with the variables replaced, or None when a variable has no value and no default: the callers then
treat the whole value as matching nothing (a Resource matches nothing, StringEquals fails,
StringNotEquals holds), which is what IAM documents.
"""

import re
from dataclasses import dataclass

VARIABLES_VERSION = "2012-10-17"
# `${...}` without nested braces; what lies inside decides whether it is a variable.
_PLACEHOLDER = re.compile(r"\$\{([^{}]*)\}")
_VARIABLE = re.compile(r"\s*([^,'\s][^,']*?)\s*(?:,\s*'([^']*)'\s*)?")
_ESCAPES = frozenset("*?$")

# Piece kinds: PATTERN text keeps its meaning for the consumer (`*` and `?` are wildcards where the
# operator has wildcards); LITERAL text is matched as written (an escape or a variable's value).
PATTERN = "p"
LITERAL = "l"


@dataclass(frozen=True, slots=True)
class Variable:
    """A `${key}` or `${key, 'default'}` placeholder; `key` is lower case for the lookup."""

    key: str
    written: str
    default: str | None


@dataclass(frozen=True, slots=True)
class Template:
    """A value with at least one placeholder: a tuple of (kind, text) pieces and Variables."""

    pieces: tuple

    @property
    def variables(self) -> tuple[Variable, ...]:
        return tuple(piece for piece in self.pieces if isinstance(piece, Variable))

    def resolve(self, context: dict, missing: set | None = None) -> tuple[tuple[str, str], ...] | None:
        """The pieces with each variable replaced by a LITERAL piece; None when one has no value.

        `context` maps lower-case key names to tuples of values (see engine.normal_context). A key
        holding several values cannot be substituted and counts as absent. Keys that were absent
        without a default are added (as written) to `missing` when given.
        """
        out = []
        unresolved = False
        for piece in self.pieces:
            if not isinstance(piece, Variable):
                out.append(piece)
                continue
            values = context.get(piece.key)
            if values is not None and len(values) == 1:
                out.append((LITERAL, values[0]))
            elif piece.default is not None:
                out.append((LITERAL, piece.default))
            else:
                if missing is not None and values is None:
                    missing.add(piece.written)
                unresolved = True
        return None if unresolved else tuple(out)


def parse_template(text: str, variables: bool) -> str | Template:
    """`text` itself when it holds no placeholder IAM would replace, else its Template.

    With `variables` False (a document without Version 2012-10-17) every text is returned as is.
    """
    if not variables or "${" not in text:
        return text
    pieces: list = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        inner = match.group(1)
        replacement = _placeholder(inner)
        if replacement is None:
            continue  # not a variable: the text stays literal, as part of the surrounding pattern
        if match.start() > position:
            pieces.append((PATTERN, text[position : match.start()]))
        pieces.append(replacement)
        position = match.end()
    if not pieces:
        return text
    if position < len(text):
        pieces.append((PATTERN, text[position:]))
    return Template(tuple(pieces))


def _placeholder(inner: str):
    stripped = inner.strip()
    if stripped in _ESCAPES and stripped:
        return (LITERAL, stripped)
    match = _VARIABLE.fullmatch(inner)
    if not match:
        return None
    name, default = match.group(1), match.group(2)
    return Variable(key=name.lower(), written=name, default=default)


def plain_text(pieces) -> str:
    """Resolved pieces as the string they spell (wildcards left as written)."""
    return "".join(text for _kind, text in pieces)
