"""A short-lived, per-process cache of what the authorization hook loads for an IAM user: its policies.

Every request an IAM user signs (console or API) is authorized against its identity policies and its
permissions boundary. Loading them is one query (policies/principals.py), but one whose planning costs
PostgreSQL more than the rest of a typical request together; a user making many calls in a row needs it
once. An entry lives for CACHE_SECONDS.

Staleness is bounded as in the signing-key cache (api/keycache.py). In this process, every write that
can change a user's policies drops what it affects, through the models' signals (connected in
policies/apps.py): an inline policy, an attachment or a group membership of one user drops that user;
anything touching a group, a managed policy or its versions, or the password policy drops every entry.
Writes that bypass signals (`QuerySet.update`) call `forget_on_change` themselves. Another worker sees a change
within CACHE_SECONDS: the bounded delay of IAM's own eventual consistency (AWS documents that changes to
policies take time to take effect). The entry also records the user's boundary, so a user row read
fresh with another boundary never uses it.
"""

import functools
import threading
import time

from django.db import transaction

CACHE_SECONDS = 2.0
# Far more users than sign requests to one process in a few seconds; past it, the cache starts afresh.
MAX_ENTRIES = 2_000

_lock = threading.Lock()
_entries: dict[int, tuple] = {}  # user pk -> (monotonic time, boundary policy pk, (identity, boundary))
_clock = time.monotonic
_generation = 0  # bumped by every invalidation, so a load that raced one is not stored


def user_policies(user):
    """policies.principals.user_policies(user), from the cache when a fresh entry is there."""
    from .principals import user_policies as load

    now = _clock()
    entry = _entries.get(user.pk)
    if entry is not None and now - entry[0] < CACHE_SECONDS and entry[1] == user.permissions_boundary_id:
        return entry[2]
    generation = _generation
    loaded = load(user)
    with _lock:
        if generation == _generation:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[user.pk] = (now, user.permissions_boundary_id, loaded)
    return loaded


def forget_user(pk: int | None) -> None:
    global _generation
    with _lock:
        _generation += 1
        _entries.pop(pk, None)


def forget_all(**_signal_kwargs) -> None:
    global _generation
    with _lock:
        _generation += 1
        _entries.clear()


def forget_on_change(sender, instance, created=False, **_kwargs) -> None:
    """post_save / post_delete receiver. A row of one user (the user, one of its group memberships, its
    inline policies or attachments) drops that user; a new user or managed policy has nothing cached to
    drop; any other change (to a group, a group's policies, a policy version, the password policy) drops
    everything."""
    model = sender._meta.model_name
    if created and model in ("iamuser", "managedpolicy"):
        return
    if model == "iamuser":
        forget = functools.partial(forget_user, instance.pk)
    elif model == "groupmembership" or getattr(instance, "user_id", None) is not None:
        forget = functools.partial(forget_user, instance.user_id)
    else:
        forget = forget_all
    forget_after_commit(forget)


def forget_after_commit(forget) -> None:
    """Forget now, and again once the transaction commits: a request that read the old rows between
    the two (the change not yet committed) must not keep them."""
    forget()
    transaction.on_commit(forget)
