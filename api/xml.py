"""Query-protocol responses, serialised from botocore's output shape (reference/aws-iam-facts.md §8).

`<ActionResponse xmlns=...><ActionResult>...</ActionResult><ResponseMetadata>...` with members in the
shape's order, lists as `<member>`, maps as `<entry><key/><value/></entry>`, timestamps ISO 8601 in
UTC with `Z`, booleans lowercase, blobs base64, and policy documents (`policyDocumentType`, which the
backend returns as dicts, as boto3 does) as URL-encoded JSON text, which botocore decodes again.
"""

import base64
import datetime
import json
import re
from urllib.parse import quote

from iamconsole.backends.errors import IAMError

POLICY_DOCUMENT = "policyDocumentType"
# Characters XML 1.0 cannot carry at all, even as references; they become U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def text(value: str) -> str:
    """`value` as XML character data (a carriage return kept as a reference, so parsers keep it)."""
    value = _NOT_XML.sub("\ufffd", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def success(service_model, operation_model, result: dict, request_id: str) -> str:
    """The XML body of a successful call of `operation_model` that returned `result`."""
    name = operation_model.name
    namespace = service_model.metadata["xmlNamespace"]
    parts = [f'<{name}Response xmlns="{namespace}">']
    shape = operation_model.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
        parts.append(f"<{wrapper}>")
        _members(shape, result or {}, parts)
        parts.append(f"</{wrapper}>")
    parts.append(f"<ResponseMetadata><RequestId>{text(request_id)}</RequestId></ResponseMetadata>")
    parts.append(f"</{name}Response>")
    return "".join(parts)


def error(error: IAMError, request_id: str, namespace: str) -> str:
    """The `<ErrorResponse>` body for `error`, as botocore's QueryParser reads it."""
    # An empty message is left out, as AWS leaves it out of ReportNotPresent (botocore shows "Unknown").
    message = f"<Message>{text(error.message)}</Message>" if error.message else ""
    return (
        f'<ErrorResponse xmlns="{namespace}"><Error>'
        f"<Type>{text(error.type)}</Type><Code>{text(error.code)}</Code>{message}"
        f"</Error><RequestId>{text(request_id)}</RequestId></ErrorResponse>"
    )


def _members(shape, value: dict, parts: list[str]) -> None:
    # The shape's member order, as AWS writes it; members the shape does not know are not on the wire.
    for name, member in shape.members.items():
        item = value.get(name)
        if item is None:
            continue
        tag = member.serialization.get("name", name)
        parts.append(f"<{tag}>")
        _value(member, item, parts)
        parts.append(f"</{tag}>")


def _value(shape, value, parts: list[str]) -> None:
    kind = shape.type_name
    if kind == "structure":
        _members(shape, value, parts)
    elif kind == "list":
        tag = shape.member.serialization.get("name", "member")
        for item in value:
            parts.append(f"<{tag}>")
            _value(shape.member, item, parts)
            parts.append(f"</{tag}>")
    elif kind == "map":
        for key, item in value.items():
            parts.append("<entry><key>")
            _value(shape.key, key, parts)
            parts.append("</key><value>")
            _value(shape.value, item, parts)
            parts.append("</value></entry>")
    else:
        parts.append(text(scalar(shape, value)))


def scalar(shape, value) -> str:
    """One scalar as its wire text."""
    kind = shape.type_name
    if kind == "string" and shape.name == POLICY_DOCUMENT:
        document = value if isinstance(value, str) else json.dumps(value)
        return quote(document, safe="-_.~")
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return iso8601(value)
    if kind == "blob":
        raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        return base64.b64encode(raw).decode("ascii")
    return str(value)


def iso8601(value: datetime.datetime) -> str:
    """`2013-06-08T03:20:41Z`: UTC, whole seconds, as IAM writes its dates."""
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")
