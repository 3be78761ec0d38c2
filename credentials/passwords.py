"""The account password policy as IAM enforces it, shared by the backend and the console's pages.

Two policies can apply to an IAM user's console password (reference/aws-iam-facts.md §3):

- the account's **custom** policy (UpdateAccountPasswordPolicy), exactly as configured;
- otherwise the **IAM default** policy, which IAM enforces when no custom policy exists (AWS knowledge
  center "iam-user-password-error": "If an administrator doesn't set a custom policy, then the IAM user
  passwords must meet the default password policy requirements"): at least 8 characters, at least three
  of the four character types, and not identical to the account's name or email address. Real AWS
  answers confirm it: "Password should meet 1 more of the following requirements: Password should have
  at least one uppercase letter, Password should have at least one symbol" came from an account without
  a custom policy. The API's own default (MinimumPasswordLength 6) only describes a custom policy
  created with every parameter omitted.

`check_password_policy` lists every rule a password breaks (the console shows them all); the API's
PasswordPolicyViolation carries the first, as AWS reports one sentence at a time. Hashes are Django's
(Argon2, iamconsole.hashers); every password set is remembered in PasswordHistory for
PasswordReusePrevention.
"""

import contextlib
import contextvars
import datetime
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password

from iamconsole.backends.errors import PasswordPolicyViolation

from .models import LoginProfile, PasswordHistory, PasswordPolicy

# The symbols RequireSymbols asks for, as the API documents them.
SYMBOLS = frozenset("!@#$%^&*()_+-=[]{}|'")
SYMBOLS_TEXT = "! @ # $ % ^ & * ( ) _ + - = [ ] { } | '"

DEFAULT_MINIMUM_LENGTH = 8  # the IAM default policy; a custom policy's API default is 6
DEFAULT_REQUIRED_TYPES = 3
HISTORY_KEPT = 24  # PasswordReusePrevention's maximum

# One sentence per rule, in the order IAM reports them.
UPPERCASE = "Password should have at least one uppercase letter"
LOWERCASE = "Password should have at least one lowercase letter"
NUMBER = "Password should have at least one number"
SYMBOL = "Password should have at least one symbol"
# AWS's wording when a password repeats a remembered one (seen in the console, UNVERIFIED for the API).
REUSED = "Password does not conform to the account password policy."
# UNVERIFIED wording for the default policy's "not identical to the account name or email" rule.
IDENTICAL = "Password should not be identical to your AWS account name or email address"


def minimum_length_message(length: int) -> str:
    return f"Password should have a minimum length of {length}"


@dataclass(frozen=True)
class EffectivePolicy:
    """The rules that apply to the account's IAM-user passwords right now."""

    custom: bool
    minimum_length: int
    require_uppercase: bool = False
    require_lowercase: bool = False
    require_numbers: bool = False
    require_symbols: bool = False
    required_types: int = 0  # the IAM default's "N of the four character types"
    reuse_prevention: int = 0
    max_password_age: int = 0  # days; 0 = never expire
    hard_expiry: bool = False
    allow_users_to_change_password: bool = False


def effective_policy(account) -> EffectivePolicy:
    """The account's custom policy, or the IAM default one when it has none."""
    policy = PasswordPolicy.objects.filter(account=account).first()
    if policy is None:
        return EffectivePolicy(
            custom=False, minimum_length=DEFAULT_MINIMUM_LENGTH, required_types=DEFAULT_REQUIRED_TYPES
        )
    return EffectivePolicy(
        custom=True,
        minimum_length=policy.minimum_password_length,
        require_uppercase=policy.require_uppercase_characters,
        require_lowercase=policy.require_lowercase_characters,
        require_numbers=policy.require_numbers,
        require_symbols=policy.require_symbols,
        reuse_prevention=policy.password_reuse_prevention or 0,
        max_password_age=policy.max_password_age or 0,
        hard_expiry=bool(policy.hard_expiry),
        allow_users_to_change_password=policy.allow_users_to_change_password,
    )


def _types_missing(password: str) -> list[str]:
    """The character-type sentences `password` fails, in IAM's order (only ASCII letters count)."""
    missing = []
    if not any("A" <= c <= "Z" for c in password):
        missing.append(UPPERCASE)
    if not any("a" <= c <= "z" for c in password):
        missing.append(LOWERCASE)
    if not any("0" <= c <= "9" for c in password):
        missing.append(NUMBER)
    if not any(c in SYMBOLS for c in password):
        missing.append(SYMBOL)
    return missing


def _account_names(account) -> set[str]:
    names = {account.account_id}
    if account.alias:
        names.add(account.alias)
    operator = account.root_operator
    if operator is not None:
        names.update(value for value in (operator.email, operator.username) if value)
    return {name.lower() for name in names}


def policy_from_api(policy: dict | None) -> EffectivePolicy:
    """GetAccountPasswordPolicy's `PasswordPolicy` (None: the account has none) as an EffectivePolicy."""
    if policy is None:
        return EffectivePolicy(
            custom=False, minimum_length=DEFAULT_MINIMUM_LENGTH, required_types=DEFAULT_REQUIRED_TYPES
        )
    return EffectivePolicy(
        custom=True,
        minimum_length=policy.get("MinimumPasswordLength", 6),
        require_uppercase=policy.get("RequireUppercaseCharacters", False),
        require_lowercase=policy.get("RequireLowercaseCharacters", False),
        require_numbers=policy.get("RequireNumbers", False),
        require_symbols=policy.get("RequireSymbols", False),
        reuse_prevention=policy.get("PasswordReusePrevention", 0),
        max_password_age=policy.get("MaxPasswordAge", 0),
        hard_expiry=bool(policy.get("HardExpiry", False)),
        allow_users_to_change_password=policy.get("AllowUsersToChangePassword", False),
    )


def rule_violations(account, password: str, policy: EffectivePolicy) -> list[str]:
    """Every length and character rule of `policy` that `password` breaks, as AWS words them (no reuse
    check: that needs the user's remembered passwords)."""
    problems = []
    if len(password) < policy.minimum_length:
        problems.append(minimum_length_message(policy.minimum_length))
    missing = _types_missing(password)
    if policy.custom:
        wanted = {
            UPPERCASE: policy.require_uppercase,
            LOWERCASE: policy.require_lowercase,
            NUMBER: policy.require_numbers,
            SYMBOL: policy.require_symbols,
        }
        problems.extend(sentence for sentence in missing if wanted[sentence])
    else:
        short_by = len(missing) - (4 - policy.required_types)
        if short_by > 0:
            problems.append(
                f"Password should meet {short_by} more of the following requirements: {', '.join(missing)}"
            )
        if password.lower() in _account_names(account):
            problems.append(IDENTICAL)
    return problems


def check_password_policy(account, password: str, user=None) -> list[str]:
    """Every rule of the account's policy that `password` breaks, as AWS words them ([] when it passes).

    With `user`, a custom PasswordReusePrevention also compares against the user's remembered
    passwords; that check hashes, so it runs only when every other rule passes.
    """
    policy = effective_policy(account)
    problems = rule_violations(account, password, policy)
    if not problems and user is not None and policy.reuse_prevention and is_reused(user, password, policy):
        problems.append(REUSED)
    return problems


def is_reused(user, password: str, policy: EffectivePolicy) -> bool:
    """True when `password` matches one of the user's last `reuse_prevention` passwords."""
    remembered = PasswordHistory.objects.filter(user=user).values_list("password_hash", flat=True)
    return any(check_password(password, hashed) for hashed in remembered[: policy.reuse_prevention])


def enforce_password_policy(account, password: str, user=None) -> None:
    """Raise AWS's PasswordPolicyViolation (with the first broken rule) unless `password` passes."""
    problems = check_password_policy(account, password, user)
    if problems:
        raise PasswordPolicyViolation(problems[0])


def password_rules(account) -> list[str]:
    """The policy's rules in the console's words, for the pages that ask for a new password."""
    return rules_for(effective_policy(account))


def rules_for(policy: EffectivePolicy) -> list[str]:
    """`policy`'s rules in the console's words."""
    if not policy.custom:
        return [
            f"Minimum password length of {DEFAULT_MINIMUM_LENGTH} characters and a maximum of 128",
            "A minimum of three of the following mix of character types: uppercase, lowercase, numbers, "
            f"and non-alphanumeric characters ({SYMBOLS_TEXT})",
            "Not identical to the AWS account name or email address",
            "Never expire password",
        ]
    rules = [f"Minimum password length is {policy.minimum_length} characters"]
    if policy.require_uppercase:
        rules.append("Require at least one uppercase letter from the Latin alphabet (A-Z)")
    if policy.require_lowercase:
        rules.append("Require at least one lowercase letter from the Latin alphabet (a-z)")
    if policy.require_numbers:
        rules.append("Require at least one number")
    if policy.require_symbols:
        rules.append(f"Require at least one non-alphanumeric character ({SYMBOLS_TEXT})")
    if policy.max_password_age:
        rules.append(f"Password expires in {policy.max_password_age} day(s)")
    else:
        rules.append("Never expire password")
    if policy.hard_expiry:
        rules.append("Password expiration requires administrator reset")
    if policy.reuse_prevention:
        rules.append(f"Remember last {policy.reuse_prevention} password(s) and prevent reuse")
    if policy.allow_users_to_change_password:
        rules.append("Allow users to change their own password")
    return rules


def remember_password(user, password_hash: str, now: datetime.datetime) -> None:
    """Record a newly set password for reuse prevention, keeping the newest HISTORY_KEPT."""
    PasswordHistory.objects.create(user=user, password_hash=password_hash, created=now)
    stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[HISTORY_KEPT:]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()


_AHEAD: contextvars.ContextVar[dict | None] = contextvars.ContextVar("passwords_hashed_ahead", default=None)


@contextlib.contextmanager
def hashing_ahead(passwords: list[str]):
    """Hash `passwords` now, on every core at once (Argon2 releases the GIL), for the calls that follow.

    The add-users wizard sets up to 10 passwords in one request; hashed one after the other inside
    the batch they would serialise ~40 ms each. Each hash is used once (a fresh salt per user, even
    for a custom password shared by the whole batch); a password not hashed ahead is hashed as usual.
    """
    pending: dict[str, list[str]] = {}
    if passwords:
        with ThreadPoolExecutor(max_workers=min(len(passwords), os.cpu_count() or 1)) as pool:
            for password, hashed in zip(passwords, pool.map(make_password, passwords), strict=True):
                pending.setdefault(password, []).append(hashed)
    token = _AHEAD.set(pending)
    try:
        yield
    finally:
        _AHEAD.reset(token)


def hash_password(password: str) -> str:
    ready = (_AHEAD.get() or {}).get(password)
    return ready.pop() if ready else make_password(password)


def verify_password(profile: LoginProfile, password: str) -> bool:
    """True when `password` is the profile's current console password (constant-time, Argon2)."""
    return check_password(password, profile.password_hash)


def password_expires_at(account, profile: LoginProfile) -> datetime.datetime | None:
    """When the profile's password expires under the account's MaxPasswordAge (None: never)."""
    policy = effective_policy(account)
    if not policy.max_password_age:
        return None
    return profile.password_changed + datetime.timedelta(days=policy.max_password_age)


def password_expired(account, profile: LoginProfile, now: datetime.datetime) -> bool:
    """True once MaxPasswordAge has passed since the password was set (expiry applies immediately)."""
    expires = password_expires_at(account, profile)
    return expires is not None and now >= expires
