"""Brute-force protection for IAM-user sign-in (security checklist §4, §8 rows 24 and 26).

AWS IAM has no lockout policy; this console adds one, Keycloak-style, outside the password policy:

- two counters of failed attempts (wrong password, unknown user, wrong or missing MFA code): one per
  (account, case-folded user name), so "Alice" and "alice" share it, and one per source IP;
- after `USER_THRESHOLD` failures for a name (or `IP_THRESHOLD` from an address) further attempts are
  refused for a wait that doubles with each failure past the threshold, from `BASE_WAIT` up to
  `MAX_WAIT`; a correct password is refused too while the wait runs, with the same generic message;
- failures while locked do not add to the count (a locked name is not locked for longer by guessing);
- a counter forgets after `FORGET_AFTER` without failures; a successful sign-in clears the name's counter;
  an administrator's "Unlock" clears it at once.

Counters live in Django's cache (a shared cache such as Redis or the database cache in production, so
that every worker sees them). The documented downside (checklist §6.1.1): anyone can lock a known
user name out for a while; the cap keeps that short, and the per-IP counter slows a spray over names.
"""

import time

from django.core.cache import cache

USER_THRESHOLD = 5
IP_THRESHOLD = 20
BASE_WAIT = 60  # seconds, the first lock
MAX_WAIT = 15 * 60
FORGET_AFTER = 12 * 3600

# The clock, replaceable in tests (time travel past a lock).
clock = time.time


def user_key(account_id: str, user_name: str) -> str:
    return f"signin-lock:user:{account_id}:{user_name.casefold()}"


def ip_key(source_ip: str) -> str:
    return f"signin-lock:ip:{source_ip or '-'}"


def _wait(count: int, threshold: int) -> int:
    """Seconds locked after `count` failures: 0 below the threshold, then doubling up to MAX_WAIT."""
    if count < threshold:
        return 0
    return min(BASE_WAIT * 2 ** min(count - threshold, 16), MAX_WAIT)


def _locked(key: str) -> bool:
    state = cache.get(key)
    return bool(state) and state.get("until", 0) > clock()


def is_locked(account_id: str, user_name: str, source_ip: str) -> bool:
    """True while the name or the address waits out a lock."""
    return _locked(user_key(account_id, user_name)) or _locked(ip_key(source_ip))


def _fail(key: str, threshold: int) -> None:
    state = cache.get(key) or {"count": 0, "until": 0}
    if state["until"] > clock():
        return  # failures while locked do not lengthen the lock
    state["count"] += 1
    wait = _wait(state["count"], threshold)
    state["until"] = clock() + wait if wait else 0
    cache.set(key, state, FORGET_AFTER)


def record_failure(account_id: str, user_name: str, source_ip: str) -> None:
    """Count one failed attempt against the name and the address."""
    _fail(user_key(account_id, user_name), USER_THRESHOLD)
    _fail(ip_key(source_ip), IP_THRESHOLD)


def record_success(account_id: str, user_name: str) -> None:
    """A completed sign-in forgets the name's failures (the address keeps its count)."""
    cache.delete(user_key(account_id, user_name))


def unlock(account_id: str, user_name: str) -> bool:
    """An administrator's Unlock: forget the name's failures. True when it was locked."""
    key = user_key(account_id, user_name)
    was_locked = _locked(key)
    cache.delete(key)
    return was_locked


def failures(account_id: str, user_name: str) -> int:
    """The name's current count of failures (for the user page)."""
    return (cache.get(user_key(account_id, user_name)) or {}).get("count", 0)
