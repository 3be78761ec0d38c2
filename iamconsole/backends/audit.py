"""Audit events for backend calls (ARCHITECTURE.md §7): one per mutation, secrets redacted."""

import base64
import datetime
import logging
import time

from django.db import transaction

from accounts.models import AuditEvent
from iamconsole.logging import audit_line

from .base import Context
from .rows import insert_row

audit_logger = logging.getLogger("iamconsole.audit")

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
    """Store the call's audit event (in the caller's transaction) and, once that commits, write its JSON
    line on the `iamconsole.audit` logger."""
    event = AuditEvent(
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
    insert_row(event)
    if audit_logger.isEnabledFor(logging.INFO):
        line = audit_line(event, ctx.account.account_id, (time.perf_counter() - ctx.started) * 1000)
        transaction.on_commit(lambda: audit_logger.info(line))
    return event
