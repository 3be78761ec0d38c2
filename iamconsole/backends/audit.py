"""Audit events for backend calls (ARCHITECTURE.md §7): one per mutation, secrets redacted."""

import base64
import datetime

from accounts.models import AuditEvent

from .base import Context

REDACTED = "HIDDEN_DUE_TO_SECURITY_REASONS"
# Members that carry a secret, in requests or responses, anywhere in the structure.
SECRET_MEMBERS = {
    "Password",
    "OldPassword",
    "NewPassword",
    "SecretAccessKey",
    "AuthenticationCode1",
    "AuthenticationCode2",
    "Base32StringSeed",
    "QRCodePNG",
    "PrivateKey",
    "ServicePassword",
    "ServiceCredentialSecret",
    "Content",
}


def redact(value):
    """A JSON-safe copy of `value` with every secret member replaced."""
    if isinstance(value, dict):
        return {k: (REDACTED if k in SECRET_MEMBERS else redact(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    return value


def record(ctx: Context, action: str, params: dict, result: dict | None = None, error=None) -> AuditEvent:
    return AuditEvent.objects.create(
        account=ctx.account,
        event_time=ctx.now,
        event_name=action,
        via=ctx.via,
        principal_arn=ctx.principal.arn,
        principal_type=ctx.principal.type,
        principal_id=ctx.principal.principal_id,
        source_ip=ctx.source_ip or "",
        user_agent=(ctx.user_agent or "")[:512],
        request_id=ctx.request_id,
        request_parameters=redact(params) or None,
        response_elements=redact(result) if result else None,
        error_code=getattr(error, "code", "") if error else "",
        error_message=getattr(error, "message", "") if error else "",
    )
