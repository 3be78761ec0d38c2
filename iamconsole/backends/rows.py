"""Row-level helpers the local operations share: the account lock behind per-account quotas, and
the saves that turn a lost race on a unique constraint (a name, a serial number, a one-to-one row)
into AWS's EntityAlreadyExists.

The operations check for an existing entity first, with AWS's message; the unique constraint is
what still holds when two calls pass that check at the same time.
"""

import contextlib

from django.db import IntegrityError
from django.db.models import F, Func, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Account

from .errors import EntityAlreadyExists


def count_subquery(queryset):
    """`queryset`'s row count as a scalar subquery (0 when empty), to count several things in one query."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def lock_account(ctx, **counts) -> dict[str, int]:
    """Take the account row's lock, so that per-account quotas hold under concurrent creations.

    `counts` (name -> queryset) are counted in the same statement, under the lock: a hot operation
    such as CreateUser checks its quota and its name in one round trip.
    """
    locked = Account.objects.select_for_update().filter(pk=ctx.account.pk)
    if not counts:
        list(locked.values_list("pk", flat=True))
        return {}
    annotations = {name: count_subquery(queryset) for name, queryset in counts.items()}
    return locked.annotate(**annotations).values(*counts).get()


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
