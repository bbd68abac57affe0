"""base.bulkload: the secondary indexes and constraints of a big load are dropped and recreated verbatim,
and a row that breaks one still fails the load (PostgreSQL)."""

import pytest
from django.db import IntegrityError, connection, transaction

from base.bulkload import indexes_drop, indexes_restore
from catalog.models import Stock
from tests.factories import StockFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TABLE = Stock._meta.db_table


def _schema() -> tuple[list, list]:
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1", [TABLE])
        indexes = cur.fetchall()
        cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                    "ORDER BY 1", [TABLE])
        return indexes, cur.fetchall()


def _contypes() -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT contype::text FROM pg_constraint WHERE conrelid = %s::regclass", [TABLE])
        return {row[0] for row in cur.fetchall()}


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL catalog")


@pytest.mark.parametrize("keep_unique", [True, False])
def test_drop_then_restore_gives_the_same_schema(keep_unique):
    before = _schema()
    assert {"f", "u"} <= _contypes()
    with connection.cursor() as cur:
        restore = indexes_drop(cur, [TABLE], keep_unique=keep_unique)
        assert _contypes() - {"c"} == ({"p", "u"} if keep_unique else {"p"}), "checks and the primary key stay"
        assert [d for (d,) in _schema()[0] if "_pkey" not in d and "UNIQUE" not in d] == [], "plain indexes go"
        indexes_restore(cur, restore)
    assert _schema() == before


def test_a_dangling_reference_fails_when_the_foreign_key_comes_back():
    stock = StockFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        restore = indexes_drop(cur, [TABLE], keep_unique=True)
        cur.execute(f"UPDATE {TABLE} SET product_id = -1 WHERE id = %s", [stock.pk])  # noqa: S608
        indexes_restore(cur, restore)
    assert Stock.objects.get(pk=stock.pk).product_id == stock.product_id
