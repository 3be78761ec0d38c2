"""IAM users (ARCHITECTURE.md §4: users/)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from accounts.models import Account


class IAMUser(models.Model):
    """An IAM user of one account. Names are unique per account, case-insensitively (`name_lower`).

    `tags` is the list of {"Key", "Value"} dicts as IAM returns it, sorted by key; keys on users are
    case-insensitive but case-preserving. `permissions_boundary` is a managed policy (AWS or customer).
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="iam_users")
    user_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=128)
    name_lower = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    created = models.DateTimeField()
    tags = models.JSONField(default=list, blank=True)
    permissions_boundary = models.ForeignKey(
        "policies.ManagedPolicy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="boundary_of_users",
    )
    password_last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name_lower"]
        constraints = [models.UniqueConstraint("account", "name_lower", name="iamuser_unique_name")]
        indexes = [models.Index("account", "path", name="iamuser_account_path")]

    def __str__(self):
        return self.name

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account.account_id}:user{self.path}{self.name}"


class PushJob(models.Model):
    """The add-users wizard's push of a batch to a connected AWS account (users/push.py), run in the
    background and resumable: what each user has had done, step by step, and the secrets made so far.

    `plan` and `progress` hold no secret. `secrets_encrypted` is the AES-GCM sealed JSON of the planned
    passwords and the access keys created, per user (iamconsole.crypto, bound to the job's ID); each
    user's entry is deleted once the success page has shown it, or when the user is rolled back.
    """

    RUNNING, FAILED, DONE, ROLLED_BACK = "running", "failed", "done", "rolled_back"
    STATUS_CHOICES = [(s, s) for s in (RUNNING, FAILED, DONE, ROLLED_BACK)]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="push_jobs")
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_jobs")
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=RUNNING)
    plan = models.JSONField(default=dict)
    progress = models.JSONField(default=list)
    rollback = models.JSONField(default=list, blank=True)
    secrets_encrypted = models.TextField(blank=True, default="")
    created = models.DateTimeField()
    updated = models.DateTimeField()

    class Meta:
        indexes = [models.Index("account", "operator", name="pushjob_account_operator")]

    def __str__(self):
        return f"push {self.id} ({self.status})"


# Lower() kept importable for ops that filter case-insensitively.
__all__ = ["IAMUser", "Lower", "PushJob"]
