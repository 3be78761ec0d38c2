"""IAM user groups and memberships."""

from django.db import models

from accounts.models import Account


class Group(models.Model):
    """An IAM group. Names are unique per account, case-insensitively. Groups cannot be tagged."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="iam_groups")
    group_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=128)
    name_lower = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    created = models.DateTimeField()
    members = models.ManyToManyField("users.IAMUser", through="GroupMembership", related_name="iam_groups")

    class Meta:
        ordering = ["name_lower"]
        constraints = [models.UniqueConstraint("account", "name_lower", name="group_unique_name")]

    def __str__(self):
        return self.name

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account.account_id}:group{self.path}{self.name}"


class GroupMembership(models.Model):
    """A user in a group (at most 10 groups per user, enforced by AddUserToGroup)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey("users.IAMUser", on_delete=models.CASCADE, related_name="memberships")
    created = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint("group", "user", name="membership_unique")]

    def __str__(self):
        return f"{self.user} in {self.group}"
