"""Brute-force protection for IAM-user sign-in (security checklist §4, §8 rows 24 and 26).

AWS IAM has no lockout policy; this console adds one, Keycloak-style, outside the password policy:

- two counters of failed attempts (wrong password, unknown user, wrong or missing MFA code): one per
  (account, case-folded user name), so "Alice" and "alice" share it, and one per source IP;
- after the account's "failures before a temporary lock" for a name (or `IP_THRESHOLD` from an
  address) further attempts are refused for a wait that grows by the account's "wait growth" factor
  with each failure past the threshold, from `BASE_WAIT` up to the account's "maximum wait"; a correct
  password is refused too while the wait runs, with the same generic message. The account's settings
  are its sign-in protection (accounts/ops_signin_protection.py; USER_THRESHOLD, doubling and MAX_WAIT
  are their defaults); the per-address limit is site-wide, from $IAMCONSOLE_SIGNIN_IP_FAILURES (or
  settings.SIGNIN_IP_FAILURES), because an address is not any one account's;
- failures while locked do not add to the count (a locked name is not locked for longer by guessing);
- a counter forgets after `FORGET_AFTER` without failures; a successful sign-in clears the name's counter;
  an administrator's "Unlock" clears it at once.

Counters live in Django's cache (a shared cache such as Redis or the database cache in production, so
that every worker sees them). The documented downside (checklist §6.1.1): anyone can lock a known
user name out for a while; the cap keeps that short, and the per-IP counter slows a spray over names.
"""

import datetime
import logging
import os
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from .ops_signin_protection import FIRST_WAIT_SECONDS, defaults, settings_for

logger = logging.getLogger(__name__)


def _env_threshold(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


USER_THRESHOLD = defaults()["FailuresBeforeLock"]
GROWTH = defaults()["WaitGrowth"]
IP_THRESHOLD = _env_threshold("IAMCONSOLE_SIGNIN_IP_FAILURES", 20)
BASE_WAIT = FIRST_WAIT_SECONDS  # seconds, the first lock
MAX_WAIT = defaults()["MaximumWaitMinutes"] * 60
FORGET_AFTER = 12 * 3600

# The clock, replaceable in tests (time travel past a lock).
clock = time.time


def user_key(account_id: str, user_name: str) -> str:
    return f"signin-lock:user:{account_id}:{user_name.casefold()}"


def ip_key(source_ip: str) -> str:
    return f"signin-lock:ip:{source_ip or '-'}"


def ip_threshold() -> int:
    """Failures from one address before it waits: settings.SIGNIN_IP_FAILURES when the site sets it."""
    return getattr(settings, "SIGNIN_IP_FAILURES", None) or IP_THRESHOLD


def _user_rule(account_id: str) -> tuple[int, int, int]:
    """(threshold, growth, maximum wait in seconds) of the account's sign-in protection."""
    found = settings_for(account_id)
    return found["FailuresBeforeLock"], found["WaitGrowth"], found["MaximumWaitMinutes"] * 60


def _wait(count: int, threshold: int, growth: int = GROWTH, max_wait: int = MAX_WAIT) -> int:
    """Seconds locked after `count` failures: 0 below the threshold, then BASE_WAIT multiplied by
    `growth` for each failure past it, up to `max_wait` (which also caps the first wait)."""
    if count < threshold:
        return 0
    return min(BASE_WAIT * growth ** min(count - threshold, 16), max_wait)


def _locked(key: str) -> bool:
    state = cache.get(key)
    return bool(state) and state.get("until", 0) > clock()


def is_locked(account_id: str, user_name: str, source_ip: str) -> bool:
    """True while the name or the address waits out a lock.

    When the shared cache (Redis) cannot be reached the lockout fails closed instead of open: the
    name's recent failed ConsoleLogin events in the shared database stand in for the counter, so
    guessing stays limited across instances and a right password still signs in below the threshold.
    """
    try:
        return _locked(user_key(account_id, user_name)) or _locked(ip_key(source_ip))
    except Exception as error:  # noqa: BLE001 - any cache failure: Redis down, timeouts, protocol errors
        logger.warning(
            "sign-in lockout: the cache is unreachable (%s); counting failures in the database", error
        )
        return _recent_failures(account_id, user_name) >= _user_rule(account_id)[0]


def _recent_failures(account_id: str, user_name: str) -> int:
    """Failed ConsoleLogin events for the name in its account over the last maximum wait."""
    from .models import AuditEvent

    since = timezone.now() - datetime.timedelta(seconds=MAX_WAIT)
    return AuditEvent.objects.filter(
        account__account_id=account_id,
        event_name="ConsoleLogin",
        event_time__gte=since,
        principal_arn__iendswith=f"/{user_name}",
        response_elements__ConsoleLogin="Failure",
    ).count()


def _quietly(action, *args) -> None:
    """Run a cache write; when the cache is unreachable, log it (the database fallback above counts)."""
    try:
        action(*args)
    except Exception as error:  # noqa: BLE001 - see is_locked
        logger.warning("sign-in lockout: the cache is unreachable (%s); the database counts failures", error)


def _fail(key: str, threshold: int, growth: int = GROWTH, max_wait: int = MAX_WAIT) -> None:
    state = cache.get(key) or {"count": 0, "until": 0}
    if state["until"] > clock():
        return  # failures while locked do not lengthen the lock
    state["count"] += 1
    wait = _wait(state["count"], threshold, growth, max_wait)
    state["until"] = clock() + wait if wait else 0
    cache.set(key, state, FORGET_AFTER)


def record_failure(account_id: str, user_name: str, source_ip: str) -> None:
    """Count one failed attempt against the name (under its account's rule; the defaults for an unknown
    account) and the address (under the site-wide limit, doubling up to the default maximum)."""
    _quietly(_fail, user_key(account_id, user_name), *_user_rule(account_id))
    _quietly(_fail, ip_key(source_ip), ip_threshold())


def record_success(account_id: str, user_name: str) -> None:
    """A completed sign-in forgets the name's failures (the address keeps its count)."""
    _quietly(cache.delete, user_key(account_id, user_name))


def unlock(account_id: str, user_name: str) -> bool:
    """An administrator's Unlock: forget the name's failures. True when it was locked."""
    key = user_key(account_id, user_name)
    was_locked = _locked(key)
    cache.delete(key)
    return was_locked


def failures(account_id: str, user_name: str) -> int:
    """The name's current count of failures (for the user page)."""
    return (cache.get(user_key(account_id, user_name)) or {}).get("count", 0)
