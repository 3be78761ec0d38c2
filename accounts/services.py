"""Creating and emptying accounts: trusted code for management commands, fixtures and the demo."""

import secrets
import string

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from iamconsole import ids

from .models import Account


def generate_password(length: int = 20) -> str:
    """A random password with upper, lower, digits and a symbol from IAM's symbol set.

    It starts with a letter, so no spreadsheet takes it for a formula in a credentials .csv.
    """
    symbols = "!@#$%^&*()_+-=[]{}|'"
    alphabet = string.ascii_letters + string.digits + symbols
    while True:
        password = secrets.choice(string.ascii_letters) + "".join(
            secrets.choice(alphabet) for _ in range(length - 1)
        )
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
            and any(c in symbols for c in password)
        ):
            return password


@transaction.atomic
def create_account(
    *,
    account_id: str | None = None,
    alias: str | None = None,
    root_email: str,
    root_password: str,
    kind="local",
) -> Account:
    """A new account with its root operator (created, or reused when the email is known)."""
    User = get_user_model()
    root_email = root_email.strip().lower()  # the sign-in form looks operators up by lower-cased email
    operator = User.objects.filter(username=root_email).first()
    if operator is None:
        operator = User.objects.create_user(username=root_email, email=root_email, password=root_password)
    for _ in range(5):
        try:
            with transaction.atomic():
                account = Account.objects.create(
                    account_id=account_id or ids.account_id(),
                    alias=alias or None,
                    kind=kind,
                    root_operator=operator,
                    created=timezone.now().replace(microsecond=0),
                )
            break
        except IntegrityError:
            if account_id:
                raise
    account.operators.add(operator)
    return account


def reset_account(account: Account) -> None:
    """Empty the account's IAM entities and password policy; keep the account, its root and root keys."""
    from credentials.models import (
        AccessKey,
        CredentialReport,
        PasswordPolicy,
        ServerCertificate,
        VirtualMFADevice,
    )
    from groups.models import Group
    from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment
    from users.models import IAMUser

    with transaction.atomic():
        PolicyAttachment.objects.filter(account=account).delete()
        InlinePolicy.objects.filter(account=account).delete()
        AccessKey.objects.filter(account=account, user__isnull=False).delete()
        VirtualMFADevice.objects.filter(account=account).delete()
        IAMUser.objects.filter(account=account).update(permissions_boundary=None)
        IAMUser.objects.filter(account=account).delete()
        Group.objects.filter(account=account).delete()
        ManagedPolicy.objects.filter(account=account).delete()
        ServerCertificate.objects.filter(account=account).delete()
        PasswordPolicy.objects.filter(account=account).delete()
        CredentialReport.objects.filter(account=account).delete()
