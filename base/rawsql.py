"""Rows of a hand-written SELECT, converted as the ORM converts them.

For the few reads every catalog page runs with a fixed shape (the purchase strategy's prices and
stock), building and compiling the query with the ORM costs two to three times what the database
spends answering it. Those queries are written as SQL that PostgreSQL and the embedded SQLite both
read, and each column goes through the converters of the model field it comes from, so callers
get what `values_list` would give them (on SQLite: Decimals, dates and aware datetimes; on
PostgreSQL the driver's values are already those).
"""

from collections.abc import Sequence
from functools import lru_cache

from django.db import connection
from django.db.models import Field, Model


def table(model: type[Model]) -> str:
    """The quoted table name of a model, to write into SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def placeholders(count: int) -> str:
    """`%s, %s, ...` for an IN list of `count` parameters."""
    return ", ".join(["%s"] * count)


def any_of(column: str, values: Sequence) -> tuple[str, list]:
    """The condition "`column` is one of `values`" and its parameters: one array parameter on PostgreSQL (the
    statement stays short and the same whatever the number of values, so the driver does not parse a new
    one of hundreds of placeholders every time), an IN list on SQLite."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({placeholders(len(values))})", list(values)


def columns(model: type[Model], alias: str, *, defer: Sequence[str] = ()) -> tuple[str, list[Field]]:
    """The SELECT list of every concrete column of `model` under the table alias `alias` but the fields named
    in `defer`, and their fields (to convert them with `select_rows` and make instances with `instance`)."""
    fields = [field for field in model._meta.concrete_fields if field.name not in defer]
    return ", ".join(f"{alias}.{connection.ops.quote_name(field.column)}" for field in fields), fields


def instance(model: type[Model], values: Sequence, fields: Sequence[Field] | None = None) -> Model | None:
    """A `model` instance from the converted values of `columns(model, ...)` (whose `fields` are given when
    some were deferred: the instance loads those when asked, as the ORM's `defer` does), as the ORM loads
    it; None for the missing row of a LEFT JOIN (no primary key)."""
    fields = list(model._meta.concrete_fields) if fields is None else list(fields)
    if values[fields.index(model._meta.pk)] is None:
        return None
    return model.from_db(connection.alias, [field.attname for field in fields], values)


def select_rows(sql: str, params: Sequence, fields: Sequence[Field | None]) -> list[tuple]:
    """Run `sql` and return its rows, column i converted as model field `fields[i]` converts (None: as read)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = _converters(connection.vendor, tuple(fields))
    if not converters:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for index, functions, column in converters:
            for function in functions:
                values[index] = function(values[index], column, connection)
        converted.append(tuple(values))
    return converted


@lru_cache(maxsize=64)
def _converters(vendor: str, fields: tuple[Field | None, ...]) -> list[tuple]:
    """(column index, converter functions, column) of the columns that need converting on this database."""
    converters = []
    for index, field in enumerate(fields):
        if field is None:
            continue
        column = field.get_col(field.model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if functions:
            converters.append((index, functions, column))
    return converters
