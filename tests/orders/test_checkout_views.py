"""The checkout page and its answers: choices, 404s for foreign ids, recomputation, placing, drafts, queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from catalog.models import AssortmentItem, Price
from orders.models import CartLine, Order
from orders.status import OrderStatus
from tests.factories import (
    BalanceFactory,
    ClientUserFactory,
    ContractFactory,
    LegalEntityFactory,
    WarehouseFactory,
)

from .checkout_data import earliest, make_checkout_data, shown

pytestmark = pytest.mark.django_db
URL = "/cart/checkout/"


@pytest.fixture
def data(client):
    data = make_checkout_data()
    client.force_login(data.buyer)
    return data


def form(data, **changes) -> dict:
    """What the page posts for delivery to the actual address on the earliest date."""
    revision, digest = shown(data.buyer)
    values = {
        "legal_entity": data.entity.pk, "contract": data.contract.pk, "delivery_method": "delivery",
        "address": "actual", "delivery_date": earliest(data).isoformat(),
        "pickup_warehouse": data.warehouse.pk, "pickup_date": earliest(data, "pickup").isoformat(),
        "comment": "", "po_number": "", "revision": revision, "digest": digest, "action": "place",
    }
    return {**values, **changes}


def test_the_page_offers_only_the_clients_confirmed_entities_and_contracts_in_force(client, data):
    unconfirmed = LegalEntityFactory(client=data.client, name="ООО «Ждёт проверки»", is_confirmed=False)
    foreign = LegalEntityFactory(name="ООО «Чужое»")
    ContractFactory(legal_entity=data.entity, number="СТАРЫЙ-1", valid_until=datetime.date(2020, 1, 1))
    ContractFactory(legal_entity=data.entity, number="ЗАКРЫТ-2", is_active=False)
    response = client.get(reverse("cart:checkout"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{data.entity.pk}" selected>' in html
    assert f'<option value="{data.contract.pk}" selected>' in html
    for absent in (unconfirmed.name, foreign.name, "СТАРЫЙ-1", "ЗАКРЫТ-2"):
        assert absent not in html
    assert data.entity.actual_address in html and data.warehouse.name in html
    assert f'min="{earliest(data).isoformat()}"' in html
    for product in data.products:
        assert product.sku in html
    assert "75,00" in html  # 3 × 2 × 12.50
    assert 'name="price"' not in html and 'name="quantity"' not in html


def test_the_page_takes_the_same_number_of_queries_for_3_and_30_lines(client, django_assert_max_num_queries):
    counts = []
    for lines in (3, 30):
        data = make_checkout_data(lines=lines)
        client.force_login(data.buyer)
        with django_assert_max_num_queries(30) as captured:
            assert client.get(URL).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_pickup_order_is_placed_and_its_page_shows_it(client, data):
    response = client.post(URL, form(data, delivery_method="pickup", po_number="PO-1", comment="Въезд со двора"))
    order = Order.objects.get()
    assert response.status_code == 302 and response.url == order.get_absolute_url()
    assert order.delivery_method == "pickup" and order.pickup_warehouse == data.warehouse
    assert order.delivery_address == "" and order.desired_date == earliest(data, "pickup")
    page = client.get(response.url).content.decode()
    for text in (order.number, "PO-1", "Въезд со двора", data.warehouse.name, data.products[0].sku):
        assert text in page, text
    assert 'class="alert alert-success"' in page and "status--submitted" in page
    assert not CartLine.objects.exists()


def test_a_tampered_price_or_quantity_in_the_request_is_ignored(client, data):
    tampered = form(data, price="0.01", amount="0.01", quantity="1000", total_amount="1",
                    **{f"lines-{p.pk}-price": "0.01" for p in data.products})
    client.post(URL, tampered)
    order = Order.objects.get()
    assert order.total_amount == Decimal("75.00")
    assert {(line.quantity, line.price) for line in order.lines.all()} == {(Decimal("2"), Decimal("12.50"))}


@pytest.mark.parametrize("field", ["legal_entity", "contract", "pickup_warehouse"])
def test_another_clients_entity_contract_or_warehouse_is_a_404(client, data, field):
    other = make_checkout_data(email="other@example.com")
    foreign = {"legal_entity": other.entity.pk, "contract": other.contract.pk,
               "pickup_warehouse": other.warehouse.pk}[field]
    for action in ("place", "refresh", "draft"):
        response = client.post(URL, form(data, delivery_method="pickup", action=action, **{field: foreign}))
        assert response.status_code == 404, action
    assert not Order.objects.exists()


def test_a_warehouse_that_is_no_pickup_point_is_a_404(client, data):
    closed = WarehouseFactory(region=data.region, is_pickup_point=False)
    response = client.post(URL, form(data, delivery_method="pickup", pickup_warehouse=closed.pk))
    assert response.status_code == 404


def test_an_unconfirmed_entity_of_the_client_is_a_form_error(client, data):
    pending = LegalEntityFactory(client=data.client, name="ООО «На проверке»", is_confirmed=False)
    response = client.post(URL, form(data, legal_entity=pending.pk, contract=""))
    assert response.status_code == 422 and "ООО «На проверке»" in response.content.decode()
    assert not Order.objects.exists()


def test_a_bad_date_is_answered_on_the_page(client, data):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(URL, form(data, delivery_date=yesterday.isoformat()))
    assert response.status_code == 422
    assert yesterday.strftime("%d.%m.%Y") in response.content.decode()
    response = client.post(URL, form(data, delivery_date="31.02.2026"))
    assert response.status_code == 422
    assert not Order.objects.exists()


def test_a_product_that_left_the_assortment_is_refused_at_submit(client, data):
    data.region.assortment_restricted = True
    data.region.save()
    AssortmentItem.objects.bulk_create([AssortmentItem(region=data.region, product=p) for p in data.products[1:]])
    response = client.post(URL, form(data))
    html = response.content.decode()
    assert response.status_code == 422 and data.products[0].sku in html and "line-problem" in html
    assert not Order.objects.exists() and CartLine.objects.count() == 3


def test_a_changed_price_shows_the_new_totals_to_confirm(client, data):
    posted = form(data)
    Price.objects.filter(product=data.products[0]).update(amount=Decimal("100.00"))
    response = client.post(URL, posted)
    html = response.content.decode()
    assert response.status_code == 409 and not Order.objects.exists()
    assert "250,00" in html  # 2 × 100 + 4 × 12.50
    confirm = {**posted, "digest": shown(data.buyer)[1]}
    assert f'value="{confirm["digest"]}"' in html
    assert client.post(URL, confirm).status_code == 302
    assert Order.objects.get().total_amount == Decimal("250.00")


def test_a_double_click_makes_one_order(client, data):
    posted = form(data)
    first, second = client.post(URL, posted), client.post(URL, posted)
    order = Order.objects.get()
    assert first.url == second.url == order.get_absolute_url()


def test_htmx_refresh_answers_the_form_under_another_entity(client, data):
    sibling = LegalEntityFactory(client=data.client, name="ИП Смирнова", kind="sole_trader", kpp="",
                                 actual_address="г. Тольятти, ул. Заводская, 7")
    contract = ContractFactory(legal_entity=sibling, number="ИП-9")
    response = client.post(URL, form(data, legal_entity=sibling.pk, action="refresh"),
                           headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and html.lstrip().startswith("<form")
    assert f'<option value="{contract.pk}" selected>' in html and "г. Тольятти" in html
    assert data.contract.number not in html
    assert not Order.objects.exists()


def test_a_shipment_block_stops_checkout_and_a_draft_is_saved_and_submitted_later(client, data):
    balance = BalanceFactory(legal_entity=data.entity, shipment_blocked=True, block_reason="Просрочка",
                             overdue_debt=Decimal("15000"))
    page = client.get(URL).content.decode()
    assert "checkout-stop" in page and "15" in page
    assert 'value="place" disabled' in page
    response = client.post(URL, form(data))
    assert response.status_code == 422 and not Order.objects.exists()

    response = client.post(URL, form(data, action="draft"))
    draft = Order.objects.get()
    assert response.status_code == 302 and draft.status == OrderStatus.DRAFT
    page = client.get(draft.get_absolute_url()).content.decode()
    assert reverse("orders:submit", args=[draft.pk]) in page

    submit = reverse("orders:submit", args=[draft.pk])
    client.post(submit, {"desired_date": earliest(data).isoformat()})
    assert Order.objects.get().status == OrderStatus.DRAFT
    balance.shipment_blocked = False
    balance.save()
    response = client.post(submit, {"desired_date": earliest(data).isoformat()})
    assert response.status_code == 302 and Order.objects.get().status == OrderStatus.SUBMITTED


def test_another_clients_draft_cannot_be_submitted(client, data):
    client.post(URL, form(data, action="draft"))
    draft = Order.objects.get()
    other = make_checkout_data(email="other@example.com")
    client.force_login(other.buyer)
    assert client.post(reverse("orders:submit", args=[draft.pk])).status_code == 404


def test_an_accountant_has_no_checkout(client, data):
    accountant = ClientUserFactory(client=data.client, role=User.Role.ACCOUNTANT)
    client.force_login(accountant)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form(data)).status_code == 403


def test_an_empty_cart_shows_the_way_to_the_catalog(client, data):
    CartLine.objects.all().delete()
    html = client.get(URL).content.decode()
    assert 'value="place"' not in html and reverse("catalog:index") in html
