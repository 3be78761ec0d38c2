"""Credentials: console passwords, the password policy, access keys, MFA devices, SSH keys,
service-specific credentials, signing and server certificates, and the credential report.

Secrets follow ARCHITECTURE.md §6: passwords are Argon2 hashes (Django's hashers); access-key secrets,
TOTP seeds and server-certificate private keys are AES-GCM ciphertexts (iamconsole.crypto).
"""

from django.db import models

from accounts.models import Account


class LoginProfile(models.Model):
    """A user's console password (CreateLoginProfile)."""

    user = models.OneToOneField("users.IAMUser", on_delete=models.CASCADE, related_name="login_profile")
    password_hash = models.CharField(max_length=256)
    created = models.DateTimeField()
    password_changed = models.DateTimeField()
    password_reset_required = models.BooleanField(default=False)
    # MaxSigninSessionDuration in seconds (3600..7776000); null means "unset" and is omitted in output.
    max_signin_session_duration = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self):
        return f"login profile of user #{self.user_id}"


class PasswordHistory(models.Model):
    """Earlier password hashes of a user, for PasswordReusePrevention (newest first)."""

    user = models.ForeignKey("users.IAMUser", on_delete=models.CASCADE, related_name="password_history")
    password_hash = models.CharField(max_length=256)
    created = models.DateTimeField()

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"password of user #{self.user_id} set {self.created:%Y-%m-%d}"


class PasswordPolicy(models.Model):
    """The account's custom password policy; absent means "IAM default" (GetAccountPasswordPolicy 404)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="password_policy")
    minimum_password_length = models.PositiveSmallIntegerField(default=6)
    require_symbols = models.BooleanField(default=False)
    require_numbers = models.BooleanField(default=False)
    require_uppercase_characters = models.BooleanField(default=False)
    require_lowercase_characters = models.BooleanField(default=False)
    allow_users_to_change_password = models.BooleanField(default=False)
    max_password_age = models.PositiveSmallIntegerField(null=True, blank=True)
    password_reuse_prevention = models.PositiveSmallIntegerField(null=True, blank=True)
    hard_expiry = models.BooleanField(null=True, blank=True)

    def __str__(self):
        return f"password policy of account #{self.account_id}"


class AccessKey(models.Model):
    """An access key of an IAM user, or of the account's root when `user` is null."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="access_keys")
    user = models.ForeignKey(
        "users.IAMUser", null=True, blank=True, on_delete=models.CASCADE, related_name="access_keys"
    )
    access_key_id = models.CharField(max_length=32, unique=True)
    secret_encrypted = models.TextField()
    status = models.CharField(max_length=16, default="Active")
    created = models.DateTimeField()
    last_used_date = models.DateTimeField(null=True, blank=True)
    last_used_service = models.CharField(max_length=64, blank=True, default="")
    last_used_region = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["created", "id"]

    def __str__(self):
        return self.access_key_id


class VirtualMFADevice(models.Model):
    """A virtual (TOTP) MFA device; assigned to a user by EnableMFADevice.

    `last_used_step` is the TOTP time step of the newest accepted code, so a code is accepted once;
    `clock_offset_steps` is the device's measured drift, applied when later codes are checked.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mfa_devices")
    serial_number = models.CharField(max_length=256, unique=True)
    name = models.CharField(max_length=256)
    path = models.CharField(max_length=512, default="/")
    seed_encrypted = models.TextField()
    user = models.ForeignKey(
        "users.IAMUser", null=True, blank=True, on_delete=models.SET_NULL, related_name="mfa_devices"
    )
    enable_date = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(null=True, blank=True)
    # Steps between the server's clock and the device's, measured by Enable/ResyncMFADevice.
    clock_offset_steps = models.SmallIntegerField(default=0)
    created = models.DateTimeField()
    tags = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["serial_number"]

    def __str__(self):
        return self.serial_number


class SSHPublicKey(models.Model):
    """An SSH public key for CodeCommit (APKA... ID, MD5 fingerprint)."""

    user = models.ForeignKey("users.IAMUser", on_delete=models.CASCADE, related_name="ssh_public_keys")
    ssh_public_key_id = models.CharField(max_length=32, unique=True)
    body = models.TextField()
    fingerprint = models.CharField(max_length=48)
    status = models.CharField(max_length=16, default="Active")
    uploaded = models.DateTimeField()

    class Meta:
        ordering = ["uploaded", "id"]

    def __str__(self):
        return self.ssh_public_key_id


class ServiceSpecificCredential(models.Model):
    """A service-specific credential (CodeCommit HTTPS Git, Keyspaces); the password is hashed."""

    user = models.ForeignKey("users.IAMUser", on_delete=models.CASCADE, related_name="service_credentials")
    credential_id = models.CharField(max_length=32, unique=True)
    service_name = models.CharField(max_length=128)
    service_user_name = models.CharField(max_length=256)
    password_hash = models.CharField(max_length=256)
    status = models.CharField(max_length=16, default="Active")
    created = models.DateTimeField()

    class Meta:
        ordering = ["created", "id"]

    def __str__(self):
        return self.credential_id


class SigningCertificate(models.Model):
    """An X.509 signing certificate of a user, or of the account's root when `user` is null (2 each)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="signing_certificates")
    user = models.ForeignKey(
        "users.IAMUser", null=True, blank=True, on_delete=models.CASCADE, related_name="signing_certificates"
    )
    certificate_id = models.CharField(max_length=128, unique=True)
    body = models.TextField()
    status = models.CharField(max_length=16, default="Active")
    uploaded = models.DateTimeField()

    class Meta:
        ordering = ["uploaded", "id"]

    def __str__(self):
        return self.certificate_id


class ServerCertificate(models.Model):
    """An account-level server certificate; the private key is kept encrypted and never returned."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="server_certificates")
    server_certificate_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=128)
    name_lower = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    body = models.TextField()
    chain = models.TextField(blank=True, default="")
    private_key_encrypted = models.TextField()
    uploaded = models.DateTimeField()
    expiration = models.DateTimeField()
    tags = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name_lower"]
        constraints = [models.UniqueConstraint("account", "name_lower", name="servercert_unique_name")]

    def __str__(self):
        return self.name


class CredentialReport(models.Model):
    """The account's one stored credential report (GenerateCredentialReport overwrites it)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="credential_report")
    generated = models.DateTimeField()
    content = models.BinaryField()

    def __str__(self):
        return f"credential report of account #{self.account_id}"
