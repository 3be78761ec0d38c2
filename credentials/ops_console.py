"""Console extensions for passwords (ARCHITECTURE.md §1): the pages check a password, and show the
rules, before they write anything."""

from iamconsole.backends.base import console_extension

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
