"""The client's order history: filters, search, sorting (with query counts), the order page, cancel,
the .xlsx exports and the invoice for payment."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import User
from orders.escalation import orders_escalate
from orders.invoice import order_invoice
from orders.models import EscalationRule, Order, OrderEscalation, OrderStatusChange
from orders.selectors import HistoryFilter, order_history
from orders.status import OrderStatus
from tests.factories import (
    BankAccountFactory,
    ClientFactory,
    ClientUserFactory,
    LegalEntityFactory,
    OrderFactory,
    OrderLineFactory,
)

pytestmark = [pytest.mark.django_db]

S = OrderStatus


def _at(day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 3, day, 12, 0))


@pytest.fixture
def history():
    """A client with two legal entities, an administrator, two buyers and an accountant, and five orders."""
    company = ClientFactory()
    north, south = LegalEntityFactory(client=company, name="ООО «Север»"), LegalEntityFactory(client=company,
                                                                                           name="ООО «Юг»")
    admin = ClientUserFactory(client=company, role=User.Role.ADMINISTRATOR, first_name="Анна", last_name="Админова")
    anna = ClientUserFactory(client=company, first_name="Борис", last_name="Бабкин")
    boris = ClientUserFactory(client=company, first_name="Вера", last_name="Волкова")
    accountant = ClientUserFactory(client=company, role=User.Role.ACCOUNTANT)
    spec = [  # number, entity, author, status, day, amount, weight, sku
        ("A-1", north, anna, S.SUBMITTED, 1, "300.00", "10.000", "SKU-RED"),
        ("A-2", south, anna, S.DELIVERED, 5, "100.00", "30.000", "SKU-BLUE"),
        ("A-3", north, boris, S.DRAFT, 10, "200.00", "20.000", "SKU-RED"),
        ("A-4", south, boris, S.CANCELLED, 15, "500.00", "5.000", "SKU-GREEN"),
        ("A-5", north, admin, S.AWAITING_APPROVAL, 20, "400.00", "40.000", "SKU-BLUE"),
    ]
    orders = {}
    for number, entity, author, status, day, amount, weight, sku in spec:
        order = OrderFactory(number=number, client=company, legal_entity=entity, created_by=author, status=status,
                             created_at=_at(day), total_amount=Decimal(amount), total_weight=Decimal(weight))
        OrderLineFactory(order=order, sku=sku, amount=Decimal(amount), price=Decimal(amount) / 2)
        orders[number] = order
    other = OrderFactory(number="X-1")  # another client's
    OrderLineFactory(order=other, sku="SKU-RED-X")
    return {"client": company, "north": north, "south": south, "admin": admin, "anna": anna, "boris": boris,
            "accountant": accountant, "orders": orders, "other": other}


def _numbers(user, **filters) -> list[str]:
    return [order.number for order in order_history(user=user, filters=HistoryFilter(**filters))]


def test_filters_narrow_the_history(history):
    admin = history["admin"]
    assert _numbers(admin) == ["A-5", "A-4", "A-3", "A-2", "A-1"]
    assert _numbers(admin, status=S.DRAFT) == ["A-3"]
    assert _numbers(admin, date_from=datetime.date(2026, 3, 5), date_to=datetime.date(2026, 3, 15)) == [
        "A-4", "A-3", "A-2"]
    assert _numbers(admin, legal_entity_id=history["south"].pk) == ["A-4", "A-2"]
    assert _numbers(admin, author_id=history["boris"].pk) == ["A-4", "A-3"]
    assert _numbers(admin, search="a-2") == ["A-2"]
    assert _numbers(admin, search="sku-red") == ["A-3", "A-1"]  # by a line's SKU, each order once
    assert _numbers(admin, search="SKU-RED-X") == []  # another client's order is never found
    assert _numbers(admin, legal_entity_id=history["north"].pk, search="blue") == ["A-5"]


def test_sorting(history):
    admin = history["admin"]
    assert _numbers(admin, sort="date") == ["A-1", "A-2", "A-3", "A-4", "A-5"]
    assert _numbers(admin, sort="-amount") == ["A-4", "A-5", "A-1", "A-3", "A-2"]
    assert _numbers(admin, sort="amount") == ["A-2", "A-3", "A-1", "A-5", "A-4"]
    assert _numbers(admin, sort="-weight") == ["A-5", "A-2", "A-3", "A-1", "A-4"]
    assert _numbers(admin, sort="status") == ["A-3", "A-5", "A-1", "A-2", "A-4"]  # along the flow
    assert _numbers(admin, sort="-status") == ["A-4", "A-2", "A-1", "A-5", "A-3"]
    assert _numbers(admin, sort="nonsense") == _numbers(admin)


def test_who_sees_what(history):
    assert _numbers(history["accountant"]) == ["A-5", "A-4", "A-3", "A-2", "A-1"]
    assert _numbers(history["anna"]) == ["A-2", "A-1"]  # a buyer: his own only
    company = history["client"]
    company.buyers_see_all_orders = True
    company.save()
    history["anna"].refresh_from_db()
    assert len(_numbers(history["anna"])) == 5


def test_list_page_filters_from_the_query_string(client, history):
    client.force_login(history["admin"])
    response = client.get(reverse("orders:list"), {"status": "submitted", "q": "SKU-RED"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "A-1" in html and "A-3" not in html and "A-5" not in html
    assert 'name="author"' in html  # the administrator may filter by author
    html = client.get(reverse("orders:list"), {"date_from": "2026-03-12", "date_to": "2026-03-15",
                                               "author": str(history["boris"].pk)}).content.decode()
    assert "A-4" in html and "A-3" not in html and "A-5" not in html


def test_list_page_ignores_bad_parameters(client, history):
    client.force_login(history["admin"])
    foreign = LegalEntityFactory()
    for params in ({"legal_entity": str(foreign.pk)}, {"legal_entity": "٣"}, {"author": "9" * 40},
                   {"date_from": "2026-13-45"}, {"status": "lost"}, {"sort": "pk"}, {"q": "ab" * 500},
                   {"page": "１"}):
        response = client.get(reverse("orders:list"), params)
        assert response.status_code == 200, params
    # The valid filter of a mixed query still applies.
    html = client.get(reverse("orders:list"), {"legal_entity": "x", "status": "draft"}).content.decode()
    assert "A-3" in html and "A-1" not in html


def test_buyer_has_no_author_filter(client, history):
    client.force_login(history["anna"])
    html = client.get(reverse("orders:list")).content.decode()
    assert 'name="author"' not in html and "A-3" not in html


def _count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"sort": "status"}, {"q": "SKU", "sort": "-weight"},
                                    {"status": "submitted", "date_from": "2026-01-01"}])
def test_list_page_queries_do_not_grow_with_orders(client, history, params, session_queries):
    client.force_login(history["admin"])
    url = reverse("orders:list")
    _count_queries(client, url, params)  # warm the session and per-request caches
    before = _count_queries(client, url, params)
    for day in range(1, 21):
        order = OrderFactory(client=history["client"], legal_entity=history["north"], created_by=history["boris"],
                             created_at=_at(day))
        OrderLineFactory(order=order, sku=f"SKU-{day}")
    assert _count_queries(client, url, params) == before
    # session (none with Redis), user, legal entities and authors for the filters, count, page, the header's
    # counters (cart, approvals waiting; the notification bell loads its count by htmx)
    assert before == 7 + session_queries


def test_htmx_request_renders_only_the_results(client, history):
    client.force_login(history["admin"])
    html = client.get(reverse("orders:list"), {"status": "draft"}, headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<div id="order-results">') and "A-3" in html and "<form" not in html.split(
        "order-table")[0]


@pytest.fixture
def english(client, settings):
    """The files' headers are checked in the English source strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_export_of_the_filtered_list(client, history, english):
    client.force_login(history["admin"])
    response = client.get(reverse("orders:export"), {"legal_entity": str(history["north"].pk), "sort": "amount"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Number", "Date", "Legal entity")
    assert [(row[0], row[2], row[5], row[6], row[7]) for row in rows[1:]] == [
        ("A-3", "ООО «Север»", 200, "RUB", 20),
        ("A-1", "ООО «Север»", 300, "RUB", 10),
        ("A-5", "ООО «Север»", 400, "RUB", 40),
    ]
    assert rows[1][1] == datetime.datetime(2026, 3, 10, 12, 0)
    assert rows[1][3] == str(history["boris"]) and rows[1][4] == "Draft"


def test_buyer_export_holds_only_his_orders(client, history):
    client.force_login(history["anna"])
    sheet = load_workbook(io.BytesIO(client.get(reverse("orders:export")).content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["A-2", "A-1"]


def test_export_of_one_order(client, history, english):
    order = history["orders"]["A-1"]
    OrderLineFactory(order=order, sku="SKU-2", quantity=Decimal("3"), price=Decimal("10.50"),
                     amount=Decimal("31.50"), vat_rate=Decimal("10"), position=1)
    client.force_login(history["anna"])
    response = client.get(reverse("orders:order_export", args=[order.pk]))
    assert response.status_code == 200 and 'filename="order-A-1.xlsx"' in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][1:3] == ("Order", "A-1")
    header = rows.index(("#", "SKU", "Name", "Quantity", "Unit", "Price", "VAT, %", "Amount"))
    lines = rows[header + 1:]
    assert lines[0][:2] == (1, "SKU-RED") and lines[0][7] == 300
    assert lines[1][:2] == (2, "SKU-2") and lines[1][3:] == (3, "шт", 10.5, 10, 31.5)
    assert lines[2][2] == "Total" and lines[2][7] == 300
    assert client.get(reverse("orders:order_export", args=[history["orders"]["A-3"].pk])).status_code == 404
    assert client.get(reverse("orders:order_export", args=[history["other"].pk])).status_code == 404


def test_order_page_shows_the_timeline_and_actions(client, history):
    order = history["orders"]["A-1"]
    OrderStatusChange.objects.create(order=order, from_status=S.DRAFT, to_status=S.SUBMITTED,
                                     changed_by=history["anna"], comment="Срочно")
    client.force_login(history["anna"])
    html = client.get(order.get_absolute_url()).content.decode()
    assert "Срочно" in html and reverse("orders:invoice", args=[order.pk]) in html
    assert reverse("orders:order_export", args=[order.pk]) in html
    assert reverse("orders:cancel", args=[order.pk]) not in html  # submitted: the supplier's to cancel now


@pytest.mark.parametrize(("who", "number", "offered"), [
    ("anna", "A-1", True),  # the author
    ("admin", "A-3", True),  # an administrator, someone else's order
    ("anna", "A-2", False),  # delivered: the flow does not allow it
    ("accountant", "A-1", False),  # places no orders
])
def test_cancel_offered(client, history, who, number, offered):
    order = history["orders"][number]
    if order.status == S.SUBMITTED:  # the client cancels in the early statuses only
        Order.objects.filter(pk=order.pk).update(status=S.APPROVED)
    client.force_login(history[who])
    html = client.get(order.get_absolute_url()).content.decode()
    assert (reverse("orders:cancel", args=[order.pk]) in html) is offered


def test_cancel_goes_through_the_transition(client, history):
    order = history["orders"]["A-1"]
    Order.objects.filter(pk=order.pk).update(status=S.APPROVED)  # the client cancels in the early statuses
    client.force_login(history["anna"])
    response = client.post(reverse("orders:cancel", args=[order.pk]), {"comment": "Не нужно"})
    assert response.status_code == 302 and response.url == order.get_absolute_url()
    order.refresh_from_db()
    assert order.status == S.CANCELLED
    change = order.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by, change.comment) == (
        S.APPROVED, S.CANCELLED, history["anna"], "Не нужно")


def test_cancel_refused(client, history):
    delivered, draft = history["orders"]["A-2"], history["orders"]["A-3"]
    client.force_login(history["anna"])
    client.post(reverse("orders:cancel", args=[delivered.pk]))
    delivered.refresh_from_db()
    assert delivered.status == S.DELIVERED and not delivered.status_changes.exists()
    # Another buyer's order: not even visible to a buyer who sees only his own.
    assert client.post(reverse("orders:cancel", args=[draft.pk])).status_code == 404
    company = history["client"]
    company.buyers_see_all_orders = True
    company.save()
    client.post(reverse("orders:cancel", args=[draft.pk]))  # visible now, still not his
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    client.force_login(history["accountant"])
    assert client.post(reverse("orders:cancel", args=[draft.pk])).status_code == 403
    assert client.get(reverse("orders:cancel", args=[draft.pk])).status_code in (403, 405)


@pytest.fixture
def supplier_settings(settings):
    settings.PORTAL_SUPPLIER_NAME = "ООО «Оптовик»"
    settings.PORTAL_SUPPLIER_INN = "7701234567"
    settings.PORTAL_SUPPLIER_BIK = "044525225"
    settings.PORTAL_SUPPLIER_ACCOUNT = "40702810900000000001"
    settings.PORTAL_SUPPLIER_DIRECTOR = "Иванов И. И."
    return settings


def test_invoice(client, history, supplier_settings):
    order = history["orders"]["A-1"]  # one line of 300.00 at 22 % VAT
    OrderLineFactory(order=order, amount=Decimal("110.00"), vat_rate=Decimal("10"), position=1)
    order.total_amount = Decimal("410.00")
    order.save()
    BankAccountFactory(legal_entity=history["north"])
    invoice = order_invoice(order)
    assert invoice.vat == [(Decimal("10.00"), Decimal("10.00")), (Decimal("22.00"), Decimal("54.10"))]
    assert invoice.vat_total == Decimal("64.10")
    assert invoice.amount_in_words == "Четыреста десять рублей 00 копеек"
    client.force_login(history["anna"])
    response = client.get(reverse("orders:invoice", args=[order.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("ООО «Оптовик»", "7701234567", "40702810900000000001", "Иванов И. И.", history["north"].inn,
                 "40702810938000000001", "Четыреста десять рублей 00 копеек", "54,10"):
        assert text in html, text
    assert client.get(reverse("orders:invoice", args=[history["other"].pk])).status_code == 404


def test_no_invoice_for_a_draft_or_cancelled_order(client, history):
    client.force_login(history["admin"])
    for number in ("A-3", "A-4"):  # draft, cancelled
        order = history["orders"][number]
        assert reverse("orders:invoice", args=[order.pk]) not in client.get(order.get_absolute_url()).content.decode()
        assert client.get(reverse("orders:invoice", args=[order.pk])).status_code == 404


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_invoice_pdf(client, history, supplier_settings):
    order = history["orders"]["A-1"]  # one line of 300.00 at 22 % VAT
    OrderLineFactory(order=order, name="Анкер клиновой 10×95", amount=Decimal("110.00"), vat_rate=Decimal("10"),
                     position=1)
    Order.objects.filter(pk=order.pk).update(total_amount=Decimal("410.00"))
    BankAccountFactory(legal_entity=history["north"])
    client.force_login(history["accountant"])  # places no orders, pays them
    page = client.get(reverse("orders:invoice", args=[order.pk])).content.decode()
    assert reverse("orders:invoice_pdf", args=[order.pk]) in page
    response = client.get(reverse("orders:invoice_pdf", args=[order.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="invoice-A-1.pdf"'
    assert response.content.startswith(b"%PDF-")
    text = " ".join(_pdf_text(response.content).split())
    for expected in ("Счёт на оплату № A-1 от 01.03.2026", "ООО «Оптовик»", "7701234567", "044525225",
                     "40702810900000000001", "Иванов И. И.", history["north"].inn, "40702810938000000001",
                     "Анкер клиновой 10×95", "В том числе НДС (10%):", "54,10", "410,00",
                     "Четыреста десять рублей 00 копеек"):
        assert expected in text, expected


def test_invoice_pdf_is_refused_where_the_page_is(client, history):
    client.force_login(history["anna"])
    for order in (history["other"], history["orders"]["A-3"]):  # another client's; a draft has no invoice
        assert client.get(reverse("orders:invoice_pdf", args=[order.pk])).status_code == 404
    assert client.get(reverse("orders:invoice_pdf", args=[history["orders"]["A-5"].pk])).status_code == 404, \
        "a buyer who sees only his own orders"
    client.logout()
    response = client.get(reverse("orders:invoice_pdf", args=[history["orders"]["A-1"].pk]))
    assert response.status_code == 302 and "login" in response.url


def test_order_page_shows_what_the_erp_sent(client, history):
    order = history["orders"]["A-1"]
    client.force_login(history["anna"])
    assert "order-erp" not in client.get(order.get_absolute_url()).content.decode(), "nothing from the ERP yet"
    Order.objects.filter(pk=order.pk).update(erp_exported_at=_at(1), erp_confirmed_at=_at(2), erp_number="УТ-00042")
    html = client.get(order.get_absolute_url()).content.decode()
    assert "order-erp" in html and "УТ-00042" in html
    assert 'datetime="2026-03-01T12:00:00+03:00"' in html and 'datetime="2026-03-02T12:00:00+03:00"' in html


def test_escalations_are_in_the_order_timeline(client, history, english):
    order = history["orders"]["A-5"]  # awaiting approval since the 20th
    Order.objects.filter(pk=order.pk).update(status_changed_at=_at(20))
    OrderStatusChange.objects.create(order=order, from_status=S.DRAFT, to_status=S.AWAITING_APPROVAL,
                                     changed_by=history["admin"], created_at=_at(20))
    EscalationRule.objects.update_or_create(status=S.AWAITING_APPROVAL, defaults={
        "first_limit": datetime.timedelta(hours=24), "second_limit": datetime.timedelta(hours=24)})
    assert orders_escalate(now=_at(21)) == 1
    assert orders_escalate(now=_at(22)) == 1
    client.force_login(history["accountant"])
    html = client.get(order.get_absolute_url()).content.decode()
    items = html.split('class="timeline-item')[1:]
    assert len(items) == 3
    assert "status--awaiting_approval" in items[0]
    assert "timeline-item--escalation" in items[1] and "level 1" in items[1] and "person responsible" in items[1]
    assert "timeline-item--escalation" in items[2] and "level 2" in items[2] and "regional head" in items[2]


def test_order_page_queries_do_not_grow_with_lines_changes_and_escalations(client, history):
    order = history["orders"]["A-1"]  # one line
    OrderStatusChange.objects.create(order=order, from_status=S.DRAFT, to_status=S.SUBMITTED,
                                     changed_by=history["anna"])
    OrderEscalation.objects.create(order=order, status=S.SUBMITTED, status_since=_at(1), level=1)
    client.force_login(history["admin"])
    url = order.get_absolute_url()
    _count_queries(client, url)  # warm the session and per-request caches
    before = _count_queries(client, url)
    for position in range(1, 8):
        OrderLineFactory(order=order, position=position)
        OrderStatusChange.objects.create(order=order, from_status=S.SUBMITTED, to_status=S.SUBMITTED,
                                         changed_by=history["anna"], comment=f"#{position}")
        OrderEscalation.objects.create(order=order, status=S.SUBMITTED, status_since=_at(position + 1), level=1)
    assert _count_queries(client, url) == before
