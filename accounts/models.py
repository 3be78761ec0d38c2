"""Accounts (sandboxes and connected AWS accounts) and the audit log (ARCHITECTURE.md §5, §7)."""

from django.conf import settings
from django.db import models


class Account(models.Model):
    """One AWS-like account: a local sandbox or a connected AWS account.

    Every IAM entity belongs to exactly one account; every query is scoped by it. The root operator
    is the Django auth user (email + password) who signs in as the account's root.
    """

    KIND_LOCAL = "local"
    KIND_AWS = "aws"
    KIND_CHOICES = [(KIND_LOCAL, "Local sandbox"), (KIND_AWS, "Connected AWS account")]

    account_id = models.CharField(max_length=12, unique=True)
    alias = models.CharField(max_length=63, unique=True, null=True, blank=True)
    kind = models.CharField(max_length=8, choices=KIND_CHOICES, default=KIND_LOCAL)
    root_operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="root_of"
    )
    operators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="accounts")
    created = models.DateTimeField()
    # Connection settings of a connected AWS account (no AWS secret is ever stored).
    region = models.CharField(max_length=32, blank=True, default="")
    endpoint_url = models.CharField(max_length=512, blank=True, default="")
    profile = models.CharField(max_length=128, blank=True, default="")
    role_arn = models.CharField(max_length=2048, blank=True, default="")

    class Meta:
        ordering = ["account_id"]

    def __str__(self):
        return f"{self.account_id} ({self.alias})" if self.alias else self.account_id

    @property
    def root_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:root"

    @property
    def sign_in_url(self) -> str:
        """The console sign-in URL as AWS words it (the alias when there is one)."""
        return f"https://{self.alias or self.account_id}.signin.aws.amazon.com/console"


class RequestUserName(models.Func):
    """The lower-cased `UserName` request member of an audit event, for the Event history's user filter.

    Written out per database with the JSON path as a literal, so that the query's expression is exactly
    the index's (SQLite matches an expression index only on identical SQL, and Django's JSON key lookups
    bind the path as a parameter).
    """

    output_field = models.CharField()

    def __init__(self):
        super().__init__(models.F("request_parameters"))

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"LOWER(({column} ->> 'UserName'))", params

    def as_sqlite(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"LOWER(JSON_EXTRACT({column}, '$.UserName'))", params


class AuditEvent(models.Model):
    """One append-only, CloudTrail-like record of a mutation or sign-in attempt (ARCHITECTURE.md §7).

    Secrets are redacted before they reach `request_parameters` or `response_elements`.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="audit_events")
    event_time = models.DateTimeField()
    event_name = models.CharField(max_length=128)
    event_source = models.CharField(max_length=64, default="iam.amazonaws.com")
    via = models.CharField(max_length=16, default="console")  # console | api | command
    principal_arn = models.CharField(max_length=2048)
    principal_type = models.CharField(max_length=16)  # Root | IAMUser
    principal_id = models.CharField(max_length=128, blank=True, default="")
    source_ip = models.CharField(max_length=64, blank=True, default="")
    user_agent = models.CharField(max_length=512, blank=True, default="")
    request_id = models.CharField(max_length=64)
    request_parameters = models.JSONField(null=True, blank=True)
    response_elements = models.JSONField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    read_only = models.BooleanField(default=False)

    class Meta:
        ordering = ["-event_time", "-id"]
        indexes = [
            models.Index(fields=["account", "-event_time", "-id"], name="audit_account_time"),
            # Event history's filters (accounts/ops_events.py), each ending in the list's order, so that a page
            # is an index range even when few events match (bench/events.py shows the plans):
            models.Index(fields=["account", "event_name", "-event_time", "-id"], name="audit_account_name"),
            models.Index(fields=["account", "error_code", "-event_time", "-id"], name="audit_account_error"),
            # "Any error": failures only (a failed ConsoleLogin has an errorMessage and no errorCode).
            models.Index(
                fields=["account", "-event_time", "-id"],
                condition=~models.Q(error_code="", error_message=""),
                name="audit_account_failed",
            ),
            models.Index(
                fields=["account", "principal_arn", "-event_time", "-id"], name="audit_account_principal"
            ),
            models.Index(
                models.F("account"),
                RequestUserName(),
                models.F("event_time").desc(),
                models.F("id").desc(),
                name="audit_account_user",
            ),
        ]

    def __str__(self):
        return f"{self.event_time:%Y-%m-%dT%H:%M:%SZ} {self.event_name} by {self.principal_arn}"


class OneTimeDownload(models.Model):
    """A file with secrets (the add-users wizard's credentials .csv), downloadable once, briefly.

    The link carries a random token; only its SHA-256 is stored. The content is AES-GCM encrypted and
    deleted when it is downloaded or when it expires, whichever comes first.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="downloads")
    # Who may redeem it: "operator:<pk>" for an operator, "iam:<ARN>" for a signed-in IAM user.
    owner = models.CharField(max_length=2100)
    token_hash = models.CharField(max_length=64, unique=True)
    filename = models.CharField(max_length=255)
    content_encrypted = models.TextField()
    created = models.DateTimeField()
    expires = models.DateTimeField()

    def __str__(self):
        return self.filename


class OperatorPreference(models.Model):
    """Console preferences an operator keeps across sessions (such as the users list's columns)."""

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    key = models.CharField(max_length=64)
    value = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint("operator", "key", name="preference_unique_key")]

    def __str__(self):
        return f"{self.operator}: {self.key}"


class IAMUserSessionEpoch(models.Model):
    """An IAM user's console-session epoch: "Sign out everywhere" bumps it, and every console session
    signed in under an older epoch ends at its next request (accounts/signin_iam.py)."""

    user = models.OneToOneField("users.IAMUser", on_delete=models.CASCADE, related_name="session_epoch")
    epoch = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"session epoch {self.epoch} of user #{self.user_id}"


class SignInProtection(models.Model):
    """An account's sign-in protection for IAM users (not an AWS setting: this console's lockout, see
    accounts/lockout.py). Without a row the defaults apply: 5 failures, doubling waits, 15 minutes."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="signin_protection")
    failures_before_lock = models.PositiveSmallIntegerField(default=5)
    wait_growth = models.PositiveSmallIntegerField(default=2)  # each failure past the threshold multiplies
    max_wait_minutes = models.PositiveSmallIntegerField(default=15)

    def __str__(self):
        return f"sign-in protection of {self.account_id}"
