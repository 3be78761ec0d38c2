"""Managed policies (AWS managed and customer managed), their versions, attachments, inline policies."""

from django.db import models

from accounts.models import Account


class ManagedPolicy(models.Model):
    """A managed policy. `account` is null for AWS managed policies (`arn:aws:iam::aws:policy/...`),
    which are read-only, shared by every account and loaded from policies/data by a migration.
    Customer managed names are unique per account, case-insensitively.
    """

    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="managed_policies"
    )
    arn = models.CharField(max_length=2048, unique=True)
    policy_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=128)
    name_lower = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    description = models.CharField(max_length=1000, blank=True, default="")
    default_version_id = models.CharField(max_length=32, default="v1")
    next_version = models.PositiveIntegerField(default=2)
    created = models.DateTimeField()
    updated = models.DateTimeField()
    tags = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name_lower"]
        constraints = [
            models.UniqueConstraint(
                "account", "name_lower", name="policy_unique_name", condition=models.Q(account__isnull=False)
            )
        ]
        indexes = [models.Index("account", "name_lower", name="policy_account_name")]

    def __str__(self):
        return self.arn

    @property
    def is_aws_managed(self) -> bool:
        return self.account_id is None


class PolicyVersion(models.Model):
    """One version of a managed policy (at most 5 per policy); exactly one is the default."""

    policy = models.ForeignKey(ManagedPolicy, on_delete=models.CASCADE, related_name="versions")
    version_id = models.CharField(max_length=32)
    document = models.TextField()
    is_default = models.BooleanField(default=False)
    created = models.DateTimeField()

    class Meta:
        ordering = ["policy", "-created", "-id"]
        constraints = [models.UniqueConstraint("policy", "version_id", name="policyversion_unique")]

    def __str__(self):
        return f"{self.policy.arn} {self.version_id}"


class PolicyAttachment(models.Model):
    """A managed policy attached to a user or a group of `account` (AWS managed policies are shared,
    so the account is kept on the attachment for per-account AttachmentCount)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="policy_attachments")
    policy = models.ForeignKey(ManagedPolicy, on_delete=models.CASCADE, related_name="attachments")
    user = models.ForeignKey(
        "users.IAMUser", null=True, blank=True, on_delete=models.CASCADE, related_name="policy_attachments"
    )
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="policy_attachments"
    )
    created = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                "policy", "user", name="attachment_unique_user", condition=models.Q(user__isnull=False)
            ),
            models.UniqueConstraint(
                "policy", "group", name="attachment_unique_group", condition=models.Q(group__isnull=False)
            ),
        ]
        indexes = [models.Index("account", "policy", name="attachment_account_policy")]

    def __str__(self):
        return f"{self.policy.arn} -> {self.user or self.group}"


class InlinePolicy(models.Model):
    """A policy embedded in one user or one group (PutUserPolicy / PutGroupPolicy)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="inline_policies")
    user = models.ForeignKey(
        "users.IAMUser", null=True, blank=True, on_delete=models.CASCADE, related_name="inline_policies"
    )
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="inline_policies"
    )
    name = models.CharField(max_length=128)
    document = models.TextField()
    created = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "user", "name", name="inline_unique_user", condition=models.Q(user__isnull=False)
            ),
            models.UniqueConstraint(
                "group", "name", name="inline_unique_group", condition=models.Q(group__isnull=False)
            ),
        ]

    def __str__(self):
        return self.name
