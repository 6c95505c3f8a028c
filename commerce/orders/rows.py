"""Writing a new order's rows: the order, its lines and its first event, together.

Checkout writes these three on every order. On PostgreSQL they go in one statement
(a data-modifying `WITH`: the order's `INSERT`, then the lines' and the event's,
which take the new order's id from it), one round trip instead of three; elsewhere
(SQLite, the embedded default) in the statements compiled once per process of
`nexus.db` and a bulk insert of the lines. Each value is prepared by its field, as
a `save()` would (defaults, `auto_now_add`). Nothing listens for these models' save
signals, and the one statement sends none.
"""

import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

from nexus.db import insert_one

from .models import Order, OrderEvent, OrderLine


def order_rows_insert(
    *, order: Order, lines: list[OrderLine], event: OrderEvent
) -> None:
    """Insert a new order, its lines (one per product) and its first event; each
    gets its id, and the lines and the event their order."""
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql":
        insert_one(order)
        for row in (*lines, event):
            row.order = order
        if len(lines) == 1:
            insert_one(lines[0])
        else:
            OrderLine.objects.bulk_create(lines)
        insert_one(event)
        return

    params = _values(order, conn)
    for line in lines:
        params += _values(line, conn)
    params += _values(event, conn)
    with conn.cursor() as cursor:
        cursor.execute(_statement(len(lines)), params)
        rows = cursor.fetchall()
    order_id, event_id = rows[0][:2]
    line_ids = {product_id: line_id for _, _, line_id, product_id in rows}
    for row, pk in (
        (order, order_id),
        (event, event_id),
        *((line, line_ids[line.product_id]) for line in lines),
    ):
        row.pk = pk
        row._state.adding = False
        row._state.db = conn.alias
    for row in (*lines, event):
        row.order = order


def _columns(model: type[Model]) -> list:
    """The fields an INSERT of `model` writes: all but the generated key and, for
    a line or an event, the order, which the statement fills in itself."""
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and not (model is not Order and field.name == "order")
    ]


def _values(row: Model, conn) -> list:
    return [
        field.get_db_prep_save(field.pre_save(row, True), conn)
        for field in _columns(type(row))
    ]


@functools.cache
def _statement(line_count: int) -> str:
    quote = connection.ops.quote_name

    def insert(model: type[Model], rows: int) -> str:
        names = [quote(f.column) for f in _columns(model)]
        placeholders = ", ".join(["%s"] * len(names))
        if model is not Order:
            names.insert(0, quote(OrderLine._meta.get_field("order").column))
            placeholders = f"(SELECT id FROM placed), {placeholders}"  # noqa: S608
        values = ", ".join([f"({placeholders})"] * rows)
        return (
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - model names
            f"({', '.join(names)}) VALUES {values}"
        )

    return (
        f"WITH placed AS ({insert(Order, 1)} RETURNING id), "  # noqa: S608 - ours
        f"line AS ({insert(OrderLine, line_count)} RETURNING id, product_id), "
        f"event AS ({insert(OrderEvent, 1)} RETURNING id) "
        "SELECT placed.id, event.id, line.id, line.product_id "
        "FROM placed, event, line"
    )
