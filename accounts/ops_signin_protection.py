"""Sign-in protection: the account's lockout settings for IAM-user console sign-in (accounts/lockout.py).

Not an AWS setting: AWS IAM has no lockout. This console keeps, per account, how many failures lock a
name, how fast the wait grows, and its maximum; the Account settings page reads and edits them through
the two console extensions below. The per-address limit is site-wide (the environment), not here.
"""

from django.core.cache import cache
from django.db import transaction

from iamconsole.backends.base import account_resource, console_extension
from iamconsole.backends.errors import ValidationError
from iamconsole.backends.rows import lock_account

from .models import SignInProtection

# (minimum, maximum, default) of each setting, in the API's member names.
RANGES = {
    "FailuresBeforeLock": (3, 100, 5),
    "WaitGrowth": (1, 10, 2),
    "MaximumWaitMinutes": (1, 1440, 15),
}
FIRST_WAIT_SECONDS = 60  # the first lock, whatever the settings (capped by the maximum)
CACHE_SECONDS = 60  # how long a worker may keep a setting: the update clears it, others catch up


def defaults() -> dict:
    """The settings of an account that never changed them."""
    return {member: bounds[2] for member, bounds in RANGES.items()}


def _cache_key(account_id: str) -> str:
    return f"signin-protection:{account_id}"


def settings_for(account_id: str) -> dict:
    """The sign-in protection of the account with this ID (the defaults for an unknown account), cached
    so that a sign-in attempt does not add a query."""
    key = _cache_key(account_id)
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is unreachable: read the database (accounts/lockout.py)
        found, key = None, None
    if found is None:
        row = SignInProtection.objects.filter(account__account_id=account_id).first()
        found = _output(row) if row else defaults()
        if key is not None:
            cache.set(key, found, CACHE_SECONDS)
    return found


def _output(row: SignInProtection) -> dict:
    return {
        "FailuresBeforeLock": row.failures_before_lock,
        "WaitGrowth": row.wait_growth,
        "MaximumWaitMinutes": row.max_wait_minutes,
    }


def _check(params: dict) -> None:
    """AWS-style range errors, every offending member in one ValidationError (as IAM reports them)."""
    problems = []
    for member, value in params.items():
        low, high, _ = RANGES[member]
        field = member[0].lower() + member[1:]
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"Value at '{field}' failed to satisfy constraint: Member must be a number")
        elif value < low:
            problems.append(
                f"Value at '{field}' failed to satisfy constraint: "
                f"Member must have value greater than or equal to {low}"
            )
        elif value > high:
            problems.append(
                f"Value at '{field}' failed to satisfy constraint: "
                f"Member must have value less than or equal to {high}"
            )
    if problems:
        count = len(problems)
        raise ValidationError(
            f"{count} validation error{'s' if count > 1 else ''} detected: {'; '.join(problems)}"
        )


@console_extension(
    "get_sign_in_protection", authorized_as="GetAccountPasswordPolicy", resource=account_resource
)
def get_sign_in_protection(ctx) -> dict:
    """Console extension: the account's sign-in protection, read under GetAccountPasswordPolicy (whoever
    may read the password rules may read the lockout rules beside them). IsDefault: never changed."""
    row = SignInProtection.objects.filter(account=ctx.account).first()
    values = _output(row) if row else defaults()
    return {"SignInProtection": {**values, "FirstWaitSeconds": FIRST_WAIT_SECONDS, "IsDefault": row is None}}


@console_extension(
    "update_sign_in_protection",
    authorized_as="UpdateAccountPasswordPolicy",
    resource=account_resource,
    mutating=True,
)
def update_sign_in_protection(
    ctx, *, FailuresBeforeLock: int, WaitGrowth: int, MaximumWaitMinutes: int
) -> dict:
    """Console extension: set the account's sign-in protection. Authorized and audited as
    UpdateAccountPasswordPolicy because it is the same kind of decision, made by the same people: an
    account-wide rule about IAM users' console passwords. A principal allowed to weaken the password
    policy may loosen the lockout; one that is not, may not (and CloudTrail-style history shows it under
    that name, the request members telling it apart)."""
    params = {
        "FailuresBeforeLock": FailuresBeforeLock,
        "WaitGrowth": WaitGrowth,
        "MaximumWaitMinutes": MaximumWaitMinutes,
    }
    _check(params)
    lock_account(ctx)  # two first-time updates at once: one creates the row, the other updates it
    SignInProtection.objects.update_or_create(
        account=ctx.account,
        defaults={
            "failures_before_lock": FailuresBeforeLock,
            "wait_growth": WaitGrowth,
            "max_wait_minutes": MaximumWaitMinutes,
        },
    )
    # Cleared now, and again after commit: a reader between the write and the commit may have cached
    # the old value meanwhile.
    key = _cache_key(ctx.account_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
    return {}
