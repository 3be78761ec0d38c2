"""Row-level helpers the local operations share: the account lock behind per-account quotas, and
the saves that turn a lost race on a unique constraint (a name, a serial number, a one-to-one row)
into AWS's EntityAlreadyExists.

The operations check for an existing entity first, with AWS's message; the unique constraint is
what still holds when two calls pass that check at the same time.
"""

import contextlib

from django.db import IntegrityError

from accounts.models import Account

from .errors import EntityAlreadyExists


def lock_account(ctx) -> None:
    """Take the account row's lock, so that per-account quotas hold under concurrent creations."""
    list(Account.objects.select_for_update().filter(pk=ctx.account.pk).values_list("pk", flat=True))


@contextlib.contextmanager
def _unique(exists_message: str):
    # No savepoint: the operation ends with the error at once, and LocalBackend's own atomic block
    # (a savepoint itself inside a batch) rolls the failed statement back. Two round trips saved.
    try:
        yield
    except IntegrityError:
        raise EntityAlreadyExists(exists_message)


def save_new(obj, *, exists_message: str) -> None:
    """Insert a new row; a concurrent creation of the same entity becomes EntityAlreadyExists."""
    with _unique(exists_message):
        obj.save(force_insert=True)


def save_renamed(obj, *, exists_message: str, update_fields: list[str]) -> None:
    """Save a renamed entity (user, group, server certificate); a concurrent rename to the same name
    breaks the unique `name_lower` constraint and becomes EntityAlreadyExists."""
    with _unique(exists_message):
        obj.save(update_fields=update_fields)
