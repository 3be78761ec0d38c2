"""Row-level helpers the local operations share: the account lock behind per-account quotas, and
the saves that turn a lost race on a unique constraint (a name, a serial number, a one-to-one row)
into AWS's EntityAlreadyExists.

The operations check for an existing entity first, with AWS's message; the unique constraint is
what still holds when two calls pass that check at the same time.
"""

import contextlib
import copy
import functools

from django.db import IntegrityError, connection
from django.db.models import F, Func, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Account

from .errors import EntityAlreadyExists


def count_subquery(queryset):
    """`queryset`'s row count as a scalar subquery (0 when empty), to count several things in one query."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def lock_account_counting(ctx, model, **counts: dict) -> dict[str, int]:
    """Take the account row's lock and count rows of `model` in the account, in one statement:
    `counts` maps a name to equality filters (column -> value), `{}` counting every row.

    Written as SQL because it is CreateUser's hot path: building the same query with the ORM's
    expressions costs more than the database round trip it saves.
    """
    table, accounts = model._meta.db_table, Account._meta.db_table
    columns, params = [], []
    for filters in counts.values():
        where = " AND ".join(["account_id = %s", *(f"{connection.ops.quote_name(c)} = %s" for c in filters)])
        # Identifiers come from the models and are quoted; every value is a bound parameter.
        columns.append(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(table)} WHERE {where})")  # noqa: S608
        params += [ctx.account.pk, *filters.values()]
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = f"SELECT {', '.join(columns)} FROM {connection.ops.quote_name(accounts)} WHERE id = %s{lock}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, ctx.account.pk])
        return dict(zip(counts, cursor.fetchone(), strict=True))


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


def insert_new(obj, *, exists_message: str) -> None:
    """`save_new` for a hot path's row whose primary key nobody reads afterwards (`insert_row`)."""
    with _unique(exists_message):
        insert_row(obj)


def save_renamed(obj, *, exists_message: str, update_fields: list[str]) -> None:
    """Save a renamed entity (user, group, server certificate); a concurrent rename to the same name
    breaks the unique `name_lower` constraint and becomes EntityAlreadyExists."""
    with _unique(exists_message):
        obj.save(update_fields=update_fields)


# -- row snapshots, for the per-process caches of hot rows (api/keycache.py, policies/lookup.py) ------


@functools.cache
def _attnames(model) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


def snapshot(instance) -> tuple:
    """The instance's column values, to rebuild it later with `rebuild`."""
    return tuple(getattr(instance, name) for name in _attnames(type(instance)))


def rebuild(model, values: tuple):
    """A fresh instance of `model` from a `snapshot`, as if just read from the database. JSON values (a
    list of tags) are copied deeply, so that requests never share them; the others are immutable."""
    values = tuple(copy.deepcopy(v) if isinstance(v, dict | list) else v for v in values)
    return model.from_db("default", _attnames(model), values)


@functools.cache
def _insert_statement(model) -> tuple[str, tuple]:
    fields = tuple(field for field in model._meta.concrete_fields if not field.primary_key)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Only the model's own (quoted) names are formatted in; the values are parameters.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    return sql, fields


def insert_row(obj) -> None:
    """INSERT `obj` as `obj.save(force_insert=True)` would, values prepared by each field as the ORM
    prepares them, from a statement built once per model: for a row written on every call whose ID
    nobody reads back (the audit event). No primary key is set on `obj` and no signal is sent."""
    sql, fields = _insert_statement(type(obj))
    values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
