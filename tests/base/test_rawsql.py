"""base.rawsql: a hand-written SELECT gives what the ORM's `values_list` gives, on PostgreSQL and SQLite alike
(the `vendor` cases, see tests.vendors)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from base.models import Warehouse
from base.rawsql import any_of, columns, instance, placeholders, select_rows, table
from catalog.models import Stock
from tests.factories import StockFactory

pytestmark = pytest.mark.django_db


def test_rows_are_converted_as_the_orm_converts_them(vendor):
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


def test_any_of_selects_the_rows_of_the_given_values_only(vendor):
    stocks = StockFactory.create_batch(3)
    condition, params = any_of("stock.id", [stocks[0].pk, stocks[2].pk])
    rows = select_rows(f"SELECT stock.id FROM {table(Stock)} stock WHERE {condition} ORDER BY stock.id",  # noqa: S608
                       params, [None])
    assert rows == [(stocks[0].pk,), (stocks[2].pk,)]


def test_a_model_instance_from_its_columns_and_none_for_a_missing_joined_row(vendor):
    stock = StockFactory()
    selected, fields = columns(Warehouse, "warehouse")
    sql = (f"SELECT {selected} FROM {table(Stock)} stock LEFT JOIN {table(Warehouse)} warehouse"  # noqa: S608
           " ON warehouse.id = stock.warehouse_id AND warehouse.id = %s WHERE stock.id = %s")
    [found] = select_rows(sql, [stock.warehouse_id, stock.pk], fields)
    [missing] = select_rows(sql, [-1, stock.pk], fields)
    warehouse = instance(Warehouse, found)
    assert (warehouse.pk, warehouse.name, warehouse._state.adding) == (stock.warehouse_id, stock.warehouse.name, False)
    assert instance(Warehouse, missing) is None
