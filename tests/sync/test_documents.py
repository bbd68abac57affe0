"""Documents 1C → site and counterparties, read from the real fixture files."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from accounts.models import User
from orders.models import OrderStatusChange
from orders.status import OrderStatus
from sync.commerceml import reader
from sync.orders_exchange import orders_document, pending_orders
from tests.factories import ClientUserFactory, LegalEntityFactory, OrderFactory, OrderLineFactory

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


def test_payment_and_shipment_dates_from_1c_are_stored_and_shown_on_the_order_page(client):
    path = fixture("argentcrusade-commerceml/documents-example.xml")
    (number, *_rest) = xvalues(path, "/КоммерческаяИнформация/Документ/Номер")
    order = OrderFactory(number=number, status=OrderStatus.SUBMITTED)

    ok("order_status", path)

    order.refresh_from_db()
    local = timezone.localtime
    assert local(order.erp_paid_at).replace(tzinfo=None) == datetime.datetime(2015, 6, 29, 15, 39, 10)
    assert local(order.erp_shipped_at).replace(tzinfo=None) == datetime.datetime(2015, 6, 29, 17, 32, 27)
    client.force_login(ClientUserFactory(client=order.client, role=User.Role.ADMINISTRATOR))
    response = client.get(reverse("orders:detail", args=[order.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'datetime="2015-06-29T15:39:10' in html and 'datetime="2015-06-29T17:32:27' in html  # paid, shipped


def test_an_unreadable_or_empty_1c_date_changes_nothing_and_is_counted(tmp_path):
    order = OrderFactory(number="D-1", status=OrderStatus.SUBMITTED)
    reqs = "".join(f"<ЗначениеРеквизита><Наименование>{name}</Наименование><Значение>{value}</Значение>"
                   "</ЗначениеРеквизита>" for name, value in (("Дата оплаты по 1С", "вчера"),
                                                              ("Дата отгрузки по 1С", "0001-01-01T00:00:00")))
    path = tmp_path / "doc.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.07"><Документ>'
                    f"<Ид>D-1</Ид><Номер>D-1</Номер><ЗначенияРеквизитов>{reqs}</ЗначенияРеквизитов></Документ>"
                    "</КоммерческаяИнформация>", encoding="utf-8")

    result = ok("order_status", path)

    order.refresh_from_db()
    assert (order.erp_paid_at, order.erp_shipped_at) == (None, None)
    assert result.counts["orders"]["unreadable_date"] == 1


def test_order_export_gives_the_base_unit_its_code_and_full_name():
    order = OrderFactory(status=OrderStatus.SUBMITTED)
    line = OrderLineFactory(order=order)
    unit = line.product.base_unit

    doc = etree.fromstring(orders_document(pending_orders())[3:])

    (base,) = doc.iter("БазоваяЕдиница")
    assert (base.get("Код"), base.get("НаименованиеПолное"), base.text) == (unit.code, unit.name, line.unit_name)



def test_counterparties_and_documents_are_parsed_to_plain_records_like_every_entity(tmp_path):
    path = tmp_path / "mixed.xml"
    path.write_text(
        "<КоммерческаяИнформация>\n<Контрагенты><Контрагент><Ид>cp-1</Ид><ИНН> 7707 083893 </ИНН>"
        "<КПП>773601001</КПП><ПолноеНаименование>ООО Ромашка</ПолноеНаименование></Контрагент></Контрагенты>\n"
        "<Документ><Ид>A-1</Ид><Номер>A-1</Номер><Номер1С>УТ-7</Номер1С><ПометкаУдаления>false</ПометкаУдаления>"
        "<ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>Статус заказа</Наименование>"
        "<Значение>[N] Принят</Значение></ЗначениеРеквизита></ЗначенияРеквизитов></Документ>\n"
        "</КоммерческаяИнформация>", encoding="utf-8")
    records = [(kind, data) for kind, data in reader.read(path) if kind != "package"]
    assert records == [
        ("counterparty", {"erp_id": "cp-1", "inn": "7707 083893", "kpp": "773601001", "full_name": "ООО Ромашка",
                          "where": "КоммерческаяИнформация/Контрагенты/Контрагент, line 2"}),
        ("document", {"erp_id": "A-1", "number": "A-1", "erp_number": "УТ-7", "deleted": False,
                      "requisites": {"статус заказа": "[N] Принят"}, "line": 3,
                      "where": "КоммерческаяИнформация/Документ, line 3"}),
    ]
