"""Documents 1C → site and counterparties, read from the real fixture files."""

import pytest

from orders.models import OrderStatusChange
from orders.status import OrderStatus
from tests.factories import LegalEntityFactory, OrderFactory

from .helpers import fixture, ok, xcount, xvalues

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["carono-php-commerceml/orders.xml", "argentcrusade-commerceml/documents-example.xml"])
def test_documents_of_orders_the_portal_does_not_have_are_counted_not_failed(name):
    path = fixture(name)
    result = ok("order_status", path)
    assert result.counts["orders"]["unknown_order"] == xcount(path, "/КоммерческаяИнформация/Документ")


def test_windows_1251_document_updates_the_matching_order():
    path = fixture("carono-php-commerceml/orders.xml")
    (number,) = xvalues(path, "/КоммерческаяИнформация/Документ/Номер")
    order = OrderFactory(number=number, status=OrderStatus.SUBMITTED)

    result = ok("order_status", path)

    assert result.counts["orders"].get("unknown_order", 0) == 0
    order.refresh_from_db()
    changes = list(OrderStatusChange.objects.filter(order=order).values_list("to_status", "source"))
    assert all(source == "erp" for _, source in changes)
    assert order.status == (changes[-1][0] if changes else OrderStatus.SUBMITTED)


def test_ut11_documents_set_the_1c_number_and_status():
    path = fixture("argentcrusade-commerceml/documents-example.xml")
    numbers = xvalues(path, "/КоммерческаяИнформация/Документ/Номер")
    orders = [OrderFactory(number=n, status=OrderStatus.SUBMITTED) for n in numbers]

    result = ok("order_status", path)
    again = ok("order_status", path)

    assert result.counts["orders"]["updated"] == len(orders)
    assert again.counts["orders"]["updated"] == 0, "a second import changes nothing"
    for order, erp_number in zip(orders, xvalues(path, "/КоммерческаяИнформация/Документ/Номер1С"), strict=True):
        order.refresh_from_db()
        assert order.erp_number == erp_number
        assert order.erp_confirmed_at is not None


def test_counterparties_link_legal_entities_by_inn():
    path = fixture("argentcrusade-commerceml/contractors-example.xml")
    inns = [v for v in xvalues(path, "/КоммерческаяИнформация/Контрагенты/Контрагент/ИНН") if v]
    total = xcount(path, "/КоммерческаяИнформация/Контрагенты/Контрагент")

    result = ok("counterparties", path)

    tally = result.counts["legal_entities"]
    assert tally.get("unknown", 0) + tally.get("no_inn", 0) == total, "nobody matches: skipped and counted"
    assert inns
    le = LegalEntityFactory(inn=inns[0])

    linked = ok("counterparties", path)

    assert linked.counts["legal_entities"]["updated"] == 1
    le.refresh_from_db()
    assert le.erp_id
    assert ok("counterparties", path).counts["legal_entities"]["updated"] == 0
