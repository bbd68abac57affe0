"""base.rawsql: a hand-written SELECT gives what the ORM's `values_list` gives, on PostgreSQL and SQLite alike."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from base.models import Warehouse
from base.rawsql import placeholders, select_rows, table
from catalog.models import Stock
from tests.factories import StockFactory

pytestmark = pytest.mark.django_db


def test_rows_are_converted_as_the_orm_converts_them():
    stock = StockFactory(quantity=Decimal("12.500"), expected_on=datetime.date(2026, 12, 1),
                         expected_quantity=Decimal("3"), confirmed_at=timezone.now())
    names = ("quantity", "confirmed_at", "expected_on", "expected_quantity")
    sql = (f"SELECT stock.{', stock.'.join(names)}, warehouse.name FROM {table(Stock)} stock"  # noqa: S608
           f" JOIN {table(Warehouse)} warehouse ON warehouse.id = stock.warehouse_id"
           f" WHERE stock.id IN ({placeholders(1)})")
    fields = [*(Stock._meta.get_field(name) for name in names), None]
    [row] = select_rows(sql, [stock.pk], fields)
    [expected] = Stock.objects.filter(pk=stock.pk).values_list(*names, "warehouse__name")
    assert row == expected
    assert [type(value) for value in row] == [type(value) for value in expected]
    assert timezone.is_aware(row[1])
    assert str(row[0]) == "12.500"


def test_placeholders():
    assert placeholders(3) == "%s, %s, %s"
