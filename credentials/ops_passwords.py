"""Local operations on console passwords (login profiles, ChangePassword) and the account password policy.

Each function is one IAM action (see iamconsole/backends/base.py for the calling convention). Passwords
are checked with credentials.passwords (the account's custom policy, or the IAM default one) and stored
as Argon2 hashes; the password itself never reaches an output, a message or the audit log.
"""

from iamconsole.backends.base import account_resource, operation, user_resource
from iamconsole.backends.errors import (
    EntityAlreadyExists,
    InvalidInput,
    InvalidUserType,
    NoSuchEntity,
    ValidationError,
)
from iamconsole.backends.rows import save_new
from users.models import IAMUser
from users.ops import get_user_or_404

from .models import LoginProfile, PasswordPolicy
from .passwords import enforce_password_policy, hash_password, remember_password, verify_password

# AWS's answer when a caller without IAM-user credentials omits UserName (recorded for DeleteAccessKey).
NON_USER_CALLER = "Must specify userName when calling with non-User credentials"
# ChangePassword refuses the root user with InvalidUserType (awscli's change-password example); the
# wording of both messages below is UNVERIFIED.
ROOT_CANNOT_CHANGE_PASSWORD = "Only IAM users can change their own password."
WRONG_OLD_PASSWORD = "The old password was incorrect."


def _missing(member: str) -> ValidationError:
    return ValidationError(
        f"1 validation error detected: Value null at '{member}' failed to satisfy constraint: "
        "Member must not be null"
    )


def _target_user(ctx, name: str | None) -> IAMUser:
    """The user named `name`, or the calling IAM user when omitted (root must name one)."""
    if name is None:
        if ctx.principal.is_root:
            raise ValidationError(NON_USER_CALLER)
        name = ctx.principal.user_name
    return get_user_or_404(ctx, name)


def _profile_or_404(user: IAMUser, *, lock: bool = False) -> LoginProfile:
    profiles = LoginProfile.objects.select_for_update() if lock else LoginProfile.objects
    try:
        profile = profiles.get(user=user)
    except LoginProfile.DoesNotExist:
        raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
    profile.user = user  # spares a query in profile_dict
    return profile


def profile_dict(profile: LoginProfile) -> dict:
    """The `LoginProfile` shape (never the password)."""
    out = {
        "UserName": profile.user.name,
        "CreateDate": profile.created,
        "PasswordResetRequired": profile.password_reset_required,
    }
    if profile.max_signin_session_duration is not None:
        out["MaxSigninSessionDuration"] = profile.max_signin_session_duration
    return out


def _set_password(ctx, profile: LoginProfile, password: str) -> None:
    profile.password_hash = hash_password(password)
    profile.password_changed = ctx.now
    remember_password(profile.user, profile.password_hash, ctx.now)


@operation("CreateLoginProfile", resource=user_resource)
def create_login_profile(
    ctx, *, UserName=None, Password=None, PasswordResetRequired=None, MaxSigninSessionDuration=None
):
    """Give a user a console password, checked against the account's password policy."""
    user = _target_user(ctx, UserName)
    if Password is None:
        # Only an AssumeRoot session may omit it, and this backend has none.
        raise _missing("password")
    if LoginProfile.objects.filter(user=user).exists():
        raise EntityAlreadyExists(f"Login Profile for user {user.name} already exists.")
    enforce_password_policy(ctx.account, Password, user)
    profile = LoginProfile(
        user=user,
        created=ctx.now,
        password_reset_required=bool(PasswordResetRequired),
        max_signin_session_duration=MaxSigninSessionDuration,
    )
    _set_password(ctx, profile, Password)
    # The one-to-one row settles a race between two CreateLoginProfile calls.
    save_new(profile, exists_message=f"Login Profile for user {user.name} already exists.")
    return {"LoginProfile": profile_dict(profile)}


@operation("GetLoginProfile", resource=user_resource)
def get_login_profile(ctx, *, UserName=None):
    """The user's login profile: creation date and whether a reset is required."""
    user = _target_user(ctx, UserName)
    return {"LoginProfile": profile_dict(_profile_or_404(user))}


@operation("UpdateLoginProfile", resource=user_resource)
def update_login_profile(
    ctx,
    *,
    UserName,
    Password=None,
    PasswordResetRequired=None,
    MaxSigninSessionDuration=None,
    ResetMaxSigninSessionDuration=None,
):
    """Reset a user's password and/or the reset-required flag; omitted members stay unchanged."""
    if MaxSigninSessionDuration is not None and ResetMaxSigninSessionDuration:
        # The API documents the conflict; the wording is UNVERIFIED.
        raise InvalidInput(
            "MaxSigninSessionDuration cannot be specified when ResetMaxSigninSessionDuration is true."
        )
    user = get_user_or_404(ctx, UserName)
    profile = _profile_or_404(user, lock=True)
    if Password is not None:
        enforce_password_policy(ctx.account, Password, user)
        _set_password(ctx, profile, Password)
    if PasswordResetRequired is not None:
        profile.password_reset_required = PasswordResetRequired
    if MaxSigninSessionDuration is not None:
        profile.max_signin_session_duration = MaxSigninSessionDuration
    elif ResetMaxSigninSessionDuration:
        profile.max_signin_session_duration = None
    profile.save()
    return {}


@operation("DeleteLoginProfile", resource=user_resource)
def delete_login_profile(ctx, *, UserName=None):
    """Remove the user's console password (access keys are untouched)."""
    user = _target_user(ctx, UserName)
    _profile_or_404(user).delete()
    return {}


@operation("ChangePassword", resource=user_resource)
def change_password(ctx, *, OldPassword, NewPassword):
    """The calling IAM user changes their own password (root cannot: InvalidUserType)."""
    if ctx.principal.is_root:
        raise InvalidUserType(ROOT_CANNOT_CHANGE_PASSWORD)
    user = ctx.principal.user
    # Locking the profile serializes two changes by the same user (the history stays consistent).
    profile = _profile_or_404(user, lock=True)
    if not verify_password(profile, OldPassword):
        raise InvalidUserType(WRONG_OLD_PASSWORD)
    enforce_password_policy(ctx.account, NewPassword, user)
    _set_password(ctx, profile, NewPassword)
    profile.password_reset_required = False
    profile.save()
    return {}


# --- the account password policy -----------------------------------------------------------------


def policy_dict(policy: PasswordPolicy) -> dict:
    """The `PasswordPolicy` shape; unset optional members are omitted as AWS omits them."""
    out = {
        "MinimumPasswordLength": policy.minimum_password_length,
        "RequireSymbols": policy.require_symbols,
        "RequireNumbers": policy.require_numbers,
        "RequireUppercaseCharacters": policy.require_uppercase_characters,
        "RequireLowercaseCharacters": policy.require_lowercase_characters,
        "AllowUsersToChangePassword": policy.allow_users_to_change_password,
        "ExpirePasswords": bool(policy.max_password_age),
    }
    if policy.max_password_age:
        out["MaxPasswordAge"] = policy.max_password_age
    if policy.password_reuse_prevention:
        out["PasswordReusePrevention"] = policy.password_reuse_prevention
    if policy.hard_expiry is not None:
        out["HardExpiry"] = policy.hard_expiry
    return out


@operation("GetAccountPasswordPolicy", resource=account_resource)
def get_account_password_policy(ctx):
    """The account's custom password policy; NoSuchEntity when the IAM default applies."""
    policy = PasswordPolicy.objects.filter(account=ctx.account).first()
    if policy is None:
        raise NoSuchEntity(f"The Password Policy with domain name {ctx.account_id} cannot be found.")
    return {"PasswordPolicy": policy_dict(policy)}


@operation("UpdateAccountPasswordPolicy", resource=account_resource)
def update_account_password_policy(
    ctx,
    *,
    MinimumPasswordLength=6,
    RequireSymbols=False,
    RequireNumbers=False,
    RequireUppercaseCharacters=False,
    RequireLowercaseCharacters=False,
    AllowUsersToChangePassword=False,
    MaxPasswordAge=None,
    PasswordReusePrevention=None,
    HardExpiry=None,
):
    """Set the whole custom policy: IAM has no partial updates, an omitted member reverts to its default."""
    PasswordPolicy.objects.update_or_create(
        account=ctx.account,
        defaults={
            "minimum_password_length": MinimumPasswordLength,
            "require_symbols": RequireSymbols,
            "require_numbers": RequireNumbers,
            "require_uppercase_characters": RequireUppercaseCharacters,
            "require_lowercase_characters": RequireLowercaseCharacters,
            "allow_users_to_change_password": AllowUsersToChangePassword,
            "max_password_age": MaxPasswordAge,
            "password_reuse_prevention": PasswordReusePrevention,
            "hard_expiry": HardExpiry,
        },
    )
    return {}


@operation("DeleteAccountPasswordPolicy", resource=account_resource)
def delete_account_password_policy(ctx):
    """Drop the custom policy; the IAM default policy applies again."""
    deleted, _ = PasswordPolicy.objects.filter(account=ctx.account).delete()
    if not deleted:
        raise NoSuchEntity("The account policy with name PasswordPolicy cannot be found.")
    return {}
