"""Audit of root sign-in attempts (ARCHITECTURE.md §7): CloudTrail's ConsoleLogin event."""

import uuid

from django.contrib.auth import get_user_model
from django.utils import timezone

from .models import AuditEvent


def record_root_sign_in(request, operator, *, success: bool, email: str = "") -> None:
    """One ConsoleLogin event per account of the operator; unknown emails have no account to log to."""
    if operator is None:
        operator = get_user_model().objects.filter(username=email.strip().lower()).first()
    if operator is None:
        return
    now = timezone.now().replace(microsecond=0)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            account=account,
            event_time=now,
            event_name="ConsoleLogin",
            event_source="signin.amazonaws.com",
            via="console",
            principal_arn=account.root_arn,
            principal_type="Root",
            principal_id=account.account_id,
            source_ip=request.META.get("REMOTE_ADDR", ""),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
            request_id=str(uuid.uuid4()),
            response_elements={"ConsoleLogin": "Success" if success else "Failure"},
            error_message="" if success else "Failed authentication",
        )
        for account in operator.accounts.all()
    )
