"""IAM users (ARCHITECTURE.md §4: users/)."""

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


# Lower() kept importable for ops that filter case-insensitively.
__all__ = ["IAMUser", "Lower"]
