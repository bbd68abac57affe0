"""Rows of a hand-written SELECT, converted as the ORM converts them.

For the few reads every catalog page runs with a fixed shape (the purchase strategy's prices and
stock), building and compiling the query with the ORM costs two to three times what the database
spends answering it. Those queries are written as SQL that PostgreSQL and the embedded SQLite both
read, and each column goes through the converters of the model field it comes from, so callers
get what `values_list` would give them (on SQLite: Decimals, dates and aware datetimes; on
PostgreSQL the driver's values are already those).
"""

from collections.abc import Sequence

from django.db import connection
from django.db.models import Field, Model


def table(model: type[Model]) -> str:
    """The quoted table name of a model, to write into SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def placeholders(count: int) -> str:
    """`%s, %s, ...` for an IN list of `count` parameters."""
    return ", ".join(["%s"] * count)


def select_rows(sql: str, params: Sequence, fields: Sequence[Field | None]) -> list[tuple]:
    """Run `sql` and return its rows, column i converted as model field `fields[i]` converts (None: as read)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = []
    for index, field in enumerate(fields):
        if field is None:
            continue
        column = field.get_col(field.model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if functions:
            converters.append((index, functions, column))
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
