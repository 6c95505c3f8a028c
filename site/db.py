"""Database helpers every app may use (part of `nexus.core`: it imports no app)."""

import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model
from django.db.models.deletion import Collector
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery


def insert_one(obj: Model) -> Model:
    """Insert a new model instance as `obj.save(force_insert=True)` would, through an
    INSERT statement compiled once per model and process.

    Same columns, the same `pre_save` of each field (defaults, `auto_now_add`), the
    same `pre_save`/`post_save` signals, the primary key set from `RETURNING`. What
    it skips is the ORM building and compiling the statement for every row, about
    as much Python as the round trip (checkout inserts several rows per order). For
    concrete models without parents whose primary key the database assigns; a
    field holding an expression goes through `save()`.
    """
    model = type(obj)
    sql, fields, returning = _insert_statement(model)
    values = [field.pre_save(obj, True) for field in fields]
    if any(hasattr(value, "resolve_expression") for value in values):
        obj.save(force_insert=True)
        return obj
    # The connection itself, not the thread-local proxy: each attribute read
    # through the proxy costs a lookup, and preparing a row reads many.
    conn = connections[DEFAULT_DB_ALIAS]
    using = conn.alias
    pre_save.send(
        sender=model, instance=obj, raw=False, using=using, update_fields=None
    )
    params = [
        field.get_db_prep_save(value, conn)
        for field, value in zip(fields, values, strict=True)
    ]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    for field, value in zip(returning, row, strict=True):
        setattr(obj, field.attname, value)
    obj._state.adding = False
    obj._state.db = using
    post_save.send(
        sender=model,
        instance=obj,
        created=True,
        update_fields=None,
        raw=False,
        using=using,
    )
    return obj


@functools.cache
def _insert_statement(model: type[Model]) -> tuple[str, list, list]:
    opts = model._meta
    if opts.parents or not opts.pk.db_returning:
        raise TypeError(f"insert_one: {opts.label} has parents or no generated key")
    fields = [f for f in opts.concrete_fields if not f.generated and f is not opts.pk]
    returning = list(opts.db_returning_fields)
    query = InsertQuery(model)
    query.insert_values(fields, [model()])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = returning
    [(sql, params)] = compiler.as_sql()
    if len(params) != len(fields):
        raise TypeError(f"insert_one: {opts.label}'s INSERT has other parameters")
    return sql, fields, returning


def update_one(model: type[Model], pk, **values) -> int:
    """`model.objects.filter(pk=pk).update(**values)` through a statement built
    once per model, set of columns and process; returns the rows changed (0 or 1).

    The same SQL and the same `get_db_prep_save` of each value as the ORM's
    `update()`, which builds and compiles it anew on every call. Plain values and
    model instances for foreign keys; an expression (F(), Case) or a field with its
    own placeholder goes through the ORM.
    """
    fields = _update_fields(model, tuple(values))
    if fields is None or any(
        hasattr(value, "resolve_expression") for value in values.values()
    ):
        return model._base_manager.filter(pk=pk).update(**values)
    conn = connections[DEFAULT_DB_ALIAS]
    params = []
    for field in fields:
        value = values[field.name]
        if field.remote_field and hasattr(value, "prepare_database_save"):
            value = value.prepare_database_save(field)
        params.append(field.get_db_prep_save(value, conn))
    params.append(model._meta.pk.get_db_prep_value(pk, conn))
    with conn.cursor() as cursor:
        cursor.execute(_update_sql(model, tuple(values)), params)
        return cursor.rowcount


@functools.cache
def _update_fields(model: type[Model], names: tuple[str, ...]) -> list | None:
    fields = [model._meta.get_field(name) for name in names]
    if any(hasattr(field, "get_placeholder") for field in fields):
        return None
    return fields


@functools.cache
def _update_sql(model: type[Model], names: tuple[str, ...]) -> str:
    opts = model._meta
    quote = connection.ops.quote_name
    assignments = ", ".join(
        f"{quote(opts.get_field(name).column)} = %s" for name in names
    )
    return (
        f"UPDATE {quote(opts.db_table)} SET {assignments} "  # noqa: S608 - names from the model
        f"WHERE {quote(opts.pk.column)} = %s"
    )


def delete_where(model: type[Model], field_name: str, value) -> int:
    """`model.objects.filter(<field_name>=value).delete()` through a statement built
    once per model, field and process; returns the rows deleted.

    Only when the ORM would itself send one plain DELETE (its "fast delete": no
    delete signal receivers, nothing to cascade to, no parents); otherwise, or
    when that changes (a receiver connected later), it is the ORM's `delete()`.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    if not Collector(using=conn.alias, origin=None).can_fast_delete(model):
        deleted, _ = model._base_manager.filter(**{field_name: value}).delete()
        return deleted
    field = model._meta.get_field(field_name)
    with conn.cursor() as cursor:
        cursor.execute(
            _delete_sql(model, field_name), [field.get_db_prep_value(value, conn)]
        )
        return cursor.rowcount


@functools.cache
def _delete_sql(model: type[Model], field_name: str) -> str:
    quote = connection.ops.quote_name
    column = model._meta.get_field(field_name).column
    return f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(column)} = %s"  # noqa: S608 - names from the model


class CompiledQuery:
    """A queryset's SELECT compiled once, then run with other values in place of
    its stand-ins.

    Django compiles a queryset anew each time it runs, often as much CPU as the
    round trip. For a statement on a hot path whose SQL depends only on the models,
    build the queryset once with stand-in values (numbers or strings no real row
    has) and keep this object (e.g. in a `functools.cache`d function); `rows()`
    sends the same SQL with the caller's values and applies the ORM's converters
    to the result (none on PostgreSQL; on SQLite a decimal arrives as a float).
    """

    def __init__(self, queryset, stand_ins: dict[int | str, str]) -> None:
        compiler = queryset.query.get_compiler(connection=connection)
        self.sql, params = compiler.as_sql()
        self._params = list(params)
        # Where each stand-in sits among the parameters, and which value it takes.
        self._slots = [
            (i, stand_ins[p])
            for i, p in enumerate(self._params)
            if isinstance(p, int | str) and p in stand_ins
        ]
        self.columns = [column for column, _, _ in compiler.select]
        self._compiler = compiler
        self._converters = compiler.get_converters(self.columns)

    def rows(self, **values) -> list[tuple]:
        params = self._params.copy()
        for i, name in self._slots:
            params[i] = values[name]
        conn = connections[DEFAULT_DB_ALIAS]  # not the proxy: fewer lookups
        with conn.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self._converters:  # they hand back each row as a list
            converted = self._compiler.apply_converters(rows, self._converters)
            return [tuple(row) for row in converted]
        return rows
