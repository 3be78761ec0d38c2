"""One-time downloads of files that hold secrets (ARCHITECTURE.md §6: shown once, nothing in URLs
but a random token, stored encrypted, gone after one download or a few minutes)."""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from iamconsole import crypto

from .models import OneTimeDownload

LIFETIME = datetime.timedelta(minutes=10)
_PURPOSE = "one-time-download"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _owner(who) -> str:
    """The redeemer's key: an operator (a Django user) or a signed-in IAM user (accounts.signin_iam)."""
    if getattr(who, "is_iam_user", False):
        return f"iam:{who.iam_user.arn}"
    return f"operator:{who.pk}"


def offer(account, operator, filename: str, content: str) -> str:
    """Store `content` for one download by `operator` (request.user); return the token for the link."""
    now = timezone.now()
    OneTimeDownload.objects.filter(expires__lt=now).delete()
    token = secrets.token_urlsafe(32)
    OneTimeDownload.objects.create(
        account=account,
        owner=_owner(operator),
        token_hash=_hash(token),
        filename=filename,
        content_encrypted=crypto.encrypt(content, _PURPOSE),
        created=now,
        expires=now + LIFETIME,
    )
    return token


def redeem(account, operator, token: str) -> tuple[str, str] | None:
    """(filename, content) the first time a live token is redeemed by its operator; None afterwards."""
    with transaction.atomic():
        download = (
            OneTimeDownload.objects.select_for_update()
            .filter(
                token_hash=_hash(token), account=account, owner=_owner(operator), expires__gte=timezone.now()
            )
            .first()
        )
        if download is None:
            return None
        content = crypto.decrypt(download.content_encrypted, _PURPOSE)
        download.delete()
    return download.filename, content
