"""Repeat order: a past order's lines go into the cart at today's prices, in the unit they were
ordered in, and what is no longer available is reported with the reason."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from accounts.models import User
from catalog.models import AssortmentItem, Price, ProductUnit
from orders.models import CartLine
from orders.selectors import cart_lines
from orders.services import order_repeat
from tests.factories import ClientUserFactory, OrderFactory, OrderLineFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack():
    return UnitFactory(code="778", name="Упаковка", short_name="уп")


@pytest.fixture
def past_order(shop):
    buyer = shop["buyer"]
    return OrderFactory(client=buyer.client, created_by=buyer)


def _line(order, product, quantity, *, unit_name="шт", coefficient="1", price="10.00", position=0):
    return OrderLineFactory(order=order, product=product, quantity=Decimal(quantity), unit_name="шт",
                            ordered_unit_name=unit_name, ordered_unit_coefficient=Decimal(coefficient),
                            price=Decimal(price), amount=Decimal(price) * Decimal(quantity), position=position)


def test_repeat_uses_todays_price_and_the_unit_it_was_ordered_in(shop, past_order, priced_product, pack):
    buyer = shop["buyer"]
    loose, packed, repacked = priced_product(), priced_product(), priced_product()
    ProductUnit.objects.create(product=packed, unit=pack, coefficient=Decimal("10"))
    ProductUnit.objects.create(product=repacked, unit=pack, coefficient=Decimal("12"))
    _line(past_order, loose, "3", price="9.00")
    _line(past_order, packed, "20", unit_name="уп", coefficient="10", position=1)
    _line(past_order, repacked, "20", unit_name="уп", coefficient="10", position=2)  # a pack holds 12 now
    Price.objects.filter(product=loose).update(amount=Decimal("14.00"))

    result = order_repeat(user=buyer, order=past_order)

    assert not result.refused and len(result.added) == 3
    lines = {line.line.product_id: line for line in cart_lines(user=buyer)}
    assert lines[loose.pk].amount == Decimal("42.00")  # today's 14.00, not the 9.00 of the order
    assert lines[loose.pk].line.seen_price == Decimal("14.00")
    assert (lines[packed.pk].line.quantity, lines[packed.pk].line.unit_id) == (Decimal("20"), pack.pk)
    assert (lines[repacked.pk].line.quantity, lines[repacked.pk].line.unit_id) == (Decimal("20"), None)


def test_repeat_reports_discontinued_outside_the_assortment_unpriced_and_changed_multiplicity(
        shop, past_order, priced_product):
    buyer = shop["buyer"]
    kept, discontinued, outside, unpriced, stepped = (priced_product() for _ in range(5))
    for position, product in enumerate((kept, discontinued, outside, unpriced, stepped)):
        _line(past_order, product, "50", position=position)
    discontinued.is_active = False
    discontinued.save(update_fields=["is_active"])
    Price.objects.filter(product=unpriced).delete()
    stepped.multiplicity = Decimal("24")
    stepped.save(update_fields=["multiplicity"])
    shop["region"].assortment_restricted = True
    shop["region"].save(update_fields=["assortment_restricted"])
    AssortmentItem.objects.bulk_create(AssortmentItem(region=shop["region"], product=product)
                                       for product in (kept, discontinued, unpriced, stepped))
    buyer = User.objects.get(pk=buyer.pk)

    result = order_repeat(user=buyer, order=past_order)

    assert [line.product_id for line in result.added] == [kept.pk]
    refused = {refusal.line.product_id: refusal for refusal in result.refused}
    assert {pk: refusal.code for pk, refusal in refused.items()} == {
        discontinued.pk: "discontinued", outside.pk: "assortment", unpriced.pk: "on_request",
        stepped.pk: "multiplicity"}
    assert [choice.quantity for choice in refused[stepped.pk].choices] == [Decimal("48"), Decimal("72")]
    assert "48" in refused[stepped.pk].message and "72" in refused[stepped.pk].message
    assert list(CartLine.objects.filter(cart__user=buyer).values_list("product_id", flat=True)) == [kept.pk]


def test_repeat_adds_to_what_is_already_in_the_cart(shop, past_order, priced_product):
    product = priced_product()
    _line(past_order, product, "2")
    order_repeat(user=shop["buyer"], order=past_order)
    order_repeat(user=shop["buyer"], order=past_order)
    assert CartLine.objects.get().quantity == Decimal("4")


def test_only_an_order_the_user_may_see_can_be_repeated(shop, past_order, priced_product):
    _line(past_order, priced_product(), "1")
    colleague = ClientUserFactory(client=shop["buyer"].client)  # a buyer sees only own orders by default
    stranger = ClientUserFactory(client__region=shop["region"])
    accountant = ClientUserFactory(client=shop["buyer"].client, role=User.Role.ACCOUNTANT)
    for user in (colleague, stranger):
        with pytest.raises(Http404):
            order_repeat(user=user, order=past_order)
    with pytest.raises(PermissionDenied):
        order_repeat(user=accountant, order=past_order)
    assert not CartLine.objects.exists()


def test_repeat_view_reports_on_the_order_page_once(client, shop, past_order, priced_product):
    kept, gone = priced_product(), priced_product(multiplicity=Decimal("1"))
    _line(past_order, kept, "2")
    _line(past_order, gone, "3", position=1)
    gone.multiplicity = Decimal("2")
    gone.save(update_fields=["multiplicity"])
    client.force_login(shop["buyer"])

    response = client.post(reverse("orders:repeat", args=[past_order.pk]))

    assert response.status_code == 302 and response.url == past_order.get_absolute_url()
    html = client.get(response.url).content.decode()
    assert 'class="cart-report"' in html and gone.sku in html
    assert f'name="product" value="{gone.pk}"' in html and 'name="quantity" value="4"' in html
    assert 'class="cart-report"' not in client.get(response.url).content.decode()
    assert CartLine.objects.get().product_id == kept.pk


def test_repeat_view_is_a_404_for_another_clients_order_and_403_for_an_accountant(client, shop, priced_product):
    foreign = OrderFactory()
    _line(foreign, priced_product(), "1")
    client.force_login(shop["buyer"])
    assert client.post(reverse("orders:repeat", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("orders:repeat", args=[foreign.pk])).status_code == 405
    client.force_login(ClientUserFactory(client=foreign.client, role=User.Role.ACCOUNTANT))
    assert client.post(reverse("orders:repeat", args=[foreign.pk])).status_code == 403
    assert not CartLine.objects.exists()


def test_the_order_pages_offer_repeat_to_buyers_only(client, shop, past_order, priced_product):
    _line(past_order, priced_product(), "1")
    url = reverse("orders:repeat", args=[past_order.pk])
    client.force_login(shop["buyer"])
    assert f'action="{url}"' in client.get(reverse("orders:list")).content.decode()
    assert f'action="{url}"' in client.get(past_order.get_absolute_url()).content.decode()
    client.force_login(ClientUserFactory(client=shop["buyer"].client, role=User.Role.ACCOUNTANT))
    assert f'action="{url}"' not in client.get(reverse("orders:list")).content.decode()
    assert f'action="{url}"' not in client.get(past_order.get_absolute_url()).content.decode()
