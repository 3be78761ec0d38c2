"""Console extensions for credentials (ARCHITECTURE.md §1): the pages check a password and show the
rules before they write anything, and the dashboard counts what needs attention."""

import datetime

from django.db.models import Exists, OuterRef, Q

from iamconsole.backends.base import console_extension
from users.models import IAMUser

from .models import AccessKey, VirtualMFADevice
from .passwords import check_password_policy, effective_policy, password_rules


@console_extension("check_password", authorized_as="CreateLoginProfile")
def check_password(ctx, *, Password: str) -> dict:
    """{"Violations": [AWS's sentences for every rule `Password` breaks]} under the account's policy."""
    return {"Violations": check_password_policy(ctx.account, Password)}


@console_extension("password_policy_summary", authorized_as="GetAccountPasswordPolicy")
def password_policy_summary(ctx) -> dict:
    """The rules in the console's words, the minimum length, and AllowUsersToChangePassword."""
    policy = effective_policy(ctx.account)
    return {
        "Rules": password_rules(ctx.account),
        "MinimumPasswordLength": policy.minimum_length,
        "AllowUsersToChangePassword": policy.allow_users_to_change_password,
        "Custom": policy.custom,
    }


@console_extension("security_recommendations", authorized_as="GetAccountSummary")
def security_recommendations(ctx, *, days: int = 90) -> dict:
    """What the dashboard recommends fixing, counted in a few queries:

    RootMFA (the root has an MFA device), UsersWithoutMFA (users with a console password and no MFA
    device), OldAccessKeys (active keys older than `days`), UnusedCredentials (users whose password or
    active key has not been used, or was last used, more than `days` ago), each with up to 5 user names.
    """
    cutoff = ctx.now - datetime.timedelta(days=days)
    users = IAMUser.objects.filter(account=ctx.account)
    no_mfa = users.filter(login_profile__isnull=False, mfa_devices__isnull=True).order_by("name_lower")
    old_keys = AccessKey.objects.filter(
        account=ctx.account, user__isnull=False, status="Active", created__lt=cutoff
    )
    stale_password = Q(login_profile__created__lt=cutoff) & (
        Q(password_last_used__isnull=True) | Q(password_last_used__lt=cutoff)
    )
    stale_key = Exists(
        AccessKey.objects.filter(user=OuterRef("pk"), status="Active", created__lt=cutoff).filter(
            Q(last_used_date__isnull=True) | Q(last_used_date__lt=cutoff)
        )
    )
    unused = users.filter(stale_password | Q(stale_key)).order_by("name_lower")
    return {
        "RootMFA": VirtualMFADevice.objects.filter(
            account=ctx.account, user__isnull=True, enable_date__isnull=False
        ).exists(),
        "UsersWithoutMFA": {
            "Count": no_mfa.count(),
            "Users": list(no_mfa.values_list("name", flat=True)[:5]),
        },
        "OldAccessKeys": {
            "Count": old_keys.count(),
            "Users": list(
                old_keys.order_by("user__name_lower").values_list("user__name", flat=True).distinct()[:5]
            ),
        },
        "UnusedCredentials": {
            "Count": unused.count(),
            "Users": list(unused.values_list("name", flat=True)[:5]),
        },
        "Days": days,
    }
