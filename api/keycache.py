"""A short-lived, per-process cache of the signing keys the Query API has just looked up.

Every signed request needs its key's row, account, user and decrypted secret; without a cache that is
one three-table query (and its ORM compilation) per request, the largest cost the endpoint itself adds.
An entry lives for KEY_CACHE_SECONDS. Each hit rebuilds fresh model instances from the stored column
values, so concurrent requests (gthread workers) never share a mutable instance.

Staleness is bounded two ways. In this process, saving or deleting a key, or changing a user or an
account, drops every entry (signals connected in api/apps.py), so a key deactivated through this worker
stops signing at once. Another worker sees the change within KEY_CACHE_SECONDS: the bounded delay of
IAM's own eventual consistency (AWS documents that credential changes take time to propagate).
Only active keys are cached; an unknown or inactive key is looked up every time.

The secret is held in memory only, never logged or repr'd (the entry is a plain tuple, and nothing
here logs).
"""

import threading
import time

from accounts.models import Account
from credentials.models import AccessKey
from credentials.ops_keys import secret_for
from iamconsole.backends.rows import rebuild, snapshot
from users.models import IAMUser

KEY_CACHE_SECONDS = 2.0
# Far more keys than a process signs with in a few seconds; past it, the cache starts afresh.
MAX_ENTRIES = 10_000

_lock = threading.Lock()
_entries: dict[str, tuple] = {}  # access key ID -> (monotonic time, key, account, user, secret)
_generation = 0  # bumped by forget_all, so a lookup that raced an invalidation is not stored


def lookup(access_key_id: str):
    """(key, secret) for an active key, with key.account, key.user and key.user.account loaded; or None."""
    now = time.monotonic()
    entry = _entries.get(access_key_id)
    if entry is not None and now - entry[0] < KEY_CACHE_SECONDS:
        return _rebuild(entry)
    generation = _generation
    found = secret_for(access_key_id)
    if found is None:
        _entries.pop(access_key_id, None)
        return None
    key, secret = found
    user = key.user if key.user_id is not None else None
    if user is not None:
        # The user's account is the key's: caching it saves the query the user's ARN would make.
        user.account = key.account
    entry = (now, snapshot(key), snapshot(key.account), None if user is None else snapshot(user), secret)
    with _lock:
        if generation == _generation:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[access_key_id] = entry
    return key, secret


def _rebuild(entry: tuple):
    _, key_values, account_values, user_values, secret = entry
    key = rebuild(AccessKey, key_values)
    account = rebuild(Account, account_values)
    key.account = account
    if user_values is not None:
        user = rebuild(IAMUser, user_values)
        user.account = account
        key.user = user
    return key, secret


def note_use(key) -> None:
    """Keep the cached copy of `key` in step with the last use just recorded, so it is not re-recorded."""
    with _lock:
        entry = _entries.get(key.access_key_id)
        if entry is not None:
            _entries[key.access_key_id] = (entry[0], snapshot(key), *entry[2:])


def forget_all(**_signal_kwargs) -> None:
    """Drop every entry (a key, user or account changed in this process)."""
    global _generation
    with _lock:
        _generation += 1
        _entries.clear()


def forget_on_change(sender, created=False, **kwargs) -> None:
    """post_save / post_delete receiver: a new row changes no cached key; any other change may."""
    if not created:
        forget_all()
