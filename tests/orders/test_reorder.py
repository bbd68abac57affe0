"""Reorder reminders: the cadence rule on hand-made histories, the selector (what counts as a purchase,
assortment, cart, bought since) and the cart page's "Time to reorder" (prices, add one, add all, refusals,
queries)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from catalog.models import AssortmentItem
from orders.models import CartLine
from orders.reorder import Cadence, cadence_of, reorder_due, reorder_due_by_client
from orders.services import cart_add_line
from orders.status import OrderStatus
from tests.catalog.factories import ClientPriceFactory
from tests.factories import (
    ClientUserFactory,
    ContractFactory,
    LegalEntityFactory,
    OrderFactory,
    OrderLineFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    StockFactory,
)

pytestmark = [pytest.mark.django_db]
HTMX = {"HX-Request": "true"}
D = datetime.date


def days(*values: str) -> list[datetime.date]:
    return [D.fromisoformat(value) for value in values]


# The rule, on dates alone


@pytest.mark.parametrize(("history", "interval", "spread"), [
    (days("2026-10-01", "2026-10-15", "2026-10-29"), 14, Decimal(0)),  # the plainest
    (days("2026-10-01", "2026-10-15", "2026-10-30", "2026-11-12"), 14, Decimal(1)),  # 14, 15, 13 days
    (days("2026-10-01", "2026-10-08", "2026-10-13"), 6, Decimal(1)),  # 7, 5: median 6, within 2 days
    (days("2026-08-01", "2026-08-15", "2026-08-29", "2026-10-08", "2026-10-22"), 14, Decimal(0)),  # one odd gap
    (days("2026-10-01", "2026-10-15", "2026-10-30"), 15, Decimal("0.5")),  # 14, 15: median 14.5 rounds up
])
def test_a_regular_history_has_a_cadence(history, interval, spread):
    cadence = cadence_of(history)
    assert cadence == Cadence(purchases=len(history), last=max(history), interval=interval, spread=spread)
    assert cadence.due_on == max(history) + datetime.timedelta(days=interval)


@pytest.mark.parametrize("history", [
    days("2026-10-01", "2026-10-08", "2026-11-07"),  # 7, 30 days: spread 11.5 > 25 % of 18.5
    days("2026-10-01", "2026-10-11", "2026-10-31"),  # 10, 20: spread 5 > 3.75
    days("2026-10-01", "2026-10-03", "2026-10-10"),  # 2, 7: spread 2.5 > 2 days
])
def test_an_irregular_history_has_none(history):
    assert cadence_of(history) is None


@pytest.mark.parametrize("history", [
    [], days("2026-10-01"), days("2026-10-01", "2026-10-15"),
    days("2026-10-01", "2026-10-15", "2026-10-15"),  # two orders on one day are one purchase
])
def test_too_few_purchases_have_none(history):
    assert cadence_of(history) is None


def test_due_from_three_days_before_until_a_cycle_later():
    cadence = cadence_of(days("2026-10-01", "2026-10-15", "2026-10-29"))  # due 2026-11-12
    assert not cadence.is_due(D(2026, 11, 8))
    assert cadence.is_due(D(2026, 11, 9)) and cadence.is_due(D(2026, 11, 12))
    assert cadence.is_due(D(2026, 11, 26))
    assert not cadence.is_due(D(2026, 11, 27))  # a whole cycle skipped: the client stopped buying it


# The selector, on orders


@pytest.fixture
def buyer(shop):
    return shop["buyer"]


def buy(client, product, *ago: int, status=OrderStatus.SUBMITTED, quantity=Decimal("6"), author=None):
    """Orders of `client` with `product`, placed `ago` days ago each (noon, local time)."""
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    for days_ago in ago:
        order = OrderFactory(client=client, status=status, created_at=noon - datetime.timedelta(days=days_ago),
                             **({"created_by": author} if author else {}))
        OrderLineFactory(order=order, product=product, quantity=quantity)


def test_due_products_of_the_client(buyer, priced_product):
    regular, irregular, rare, overdue = (priced_product() for _ in range(4))
    buy(buyer.client, regular, 42, 28, 14)  # every 14 days: due today
    buy(buyer.client, irregular, 60, 50, 14)  # 10 then 36 days
    buy(buyer.client, rare, 28, 14)  # two purchases make no cadence
    buy(buyer.client, overdue, 35, 25, 15)  # every 10 days: due five days ago
    due = {item.product.pk: item for item in reorder_due(user=buyer)}
    assert set(due) == {regular.pk, overdue.pk}
    assert [item.product for item in reorder_due(user=buyer)] == [overdue, regular]  # the most overdue first
    item = due[regular.pk]
    assert item.cadence.interval == 14 and item.cadence.due_on == timezone.localdate()
    assert item.quantity == Decimal("6") and item.product.base_unit.short_name == "шт"


def test_not_yet_due_and_bought_since(buyer, priced_product):
    product = priced_product()
    buy(buyer.client, product, 38, 24, 10)  # due in 4 days: not yet
    assert reorder_due(user=buyer) == []
    buy(buyer.client, product, 60)  # history grows, still regular, still not due
    assert reorder_due(user=buyer) == []
    other = priced_product()
    buy(buyer.client, other, 42, 28, 14)
    assert [item.product for item in reorder_due(user=buyer)] == [other]
    buy(buyer.client, other, 1)  # bought since: the last purchase moved
    assert reorder_due(user=buyer) == []


def test_what_counts_as_a_purchase(buyer, priced_product):
    product = priced_product()
    buy(buyer.client, product, 42, 28)
    for status in (OrderStatus.DRAFT, OrderStatus.REJECTED, OrderStatus.CANCELLED):
        buy(buyer.client, product, 14, status=status)
    assert reorder_due(user=buyer) == []
    buy(buyer.client, product, 14, status=OrderStatus.AWAITING_APPROVAL)  # placed, waiting for the head
    assert [item.product for item in reorder_due(user=buyer)] == [product]


def test_the_whole_company_buys_and_the_users_cart_is_left_out(buyer, priced_product):
    product = priced_product()
    colleague = ClientUserFactory(client=buyer.client)
    buy(buyer.client, product, 42, 28, 14, author=colleague)
    assert [item.product for item in reorder_due(user=colleague)] == [product]
    cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("1"))
    assert reorder_due(user=buyer) == []
    assert [item.product for item in reorder_due(user=colleague)] == [product]


def test_other_clients_inactive_products_and_the_assortment(buyer, shop, priced_product):
    mine, inactive, outside = priced_product(), priced_product(), priced_product()
    for product in (mine, inactive, outside):
        buy(buyer.client, product, 42, 28, 14)
    stranger = ClientUserFactory(client__region=shop["region"])
    buy(stranger.client, mine, 63, 49, 35)  # not due for the stranger, and none of the buyer's business
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    shop["region"].assortment_restricted = True
    shop["region"].save(update_fields=["assortment_restricted"])
    AssortmentItem.objects.create(region=shop["region"], product=mine)
    assert [item.product for item in reorder_due(user=buyer)] == [mine]
    assert reorder_due(user=stranger) == []


def test_many_clients_in_one_query(buyer, shop, priced_product, django_assert_num_queries):
    product = priced_product()
    others = [ClientUserFactory(client__region=shop["region"]) for _ in range(3)]
    for user in [buyer, *others]:
        buy(user.client, product, 42, 28, 14)
    with django_assert_num_queries(1):
        due = reorder_due_by_client(client_ids=[user.client_id for user in [buyer, *others]])
    assert {client_id: [item.product for item in items] for client_id, items in due.items()} == {
        user.client_id: [product] for user in [buyer, *others]}


def test_the_rule_reads_local_days(buyer, priced_product):
    """A purchase at 00:30 in Moscow is on that day, though it is still the day before in UTC."""
    product = priced_product()
    buy(buyer.client, product, 28, 14)
    early = timezone.localtime().replace(hour=0, minute=30) - datetime.timedelta(days=42)
    OrderLineFactory(order=OrderFactory(client=buyer.client, created_at=early), product=product)
    (item,) = reorder_due(user=buyer)
    assert (item.cadence.interval, item.cadence.spread) == (14, 0)


# The cart page


@pytest.fixture
def buyer_client(client, buyer):
    client.force_login(buyer)
    return client


def test_cart_shows_suggestions_at_the_clients_price(buyer_client, buyer, priced_product):
    product = priced_product(name="Перчатки нитриловые")
    ClientPriceFactory(client=buyer.client, product=product, amount=Decimal("9.90"))
    buy(buyer.client, product, 42, 28, 14, quantity=Decimal("24"))
    html = buyer_client.get(reverse("cart:detail")).content.decode()
    assert "Пора заказать снова" in html and 'id="reorder"' in html
    assert "Перчатки нитриловые" in html and product.sku in html
    assert "9,90&nbsp;₽" in html  # the individual price, from the purchase strategy
    assert "12,50" not in html
    assert f'name="q-{product.pk}" value="24"' in html
    assert f'name="only" value="{product.pk}"' in html
    assert f'action="{reverse("cart:reorder_add")}"' in html and f'hx-post="{reverse("cart:reorder_add")}"' in html
    assert "примерно раз в 14 дней" in html
    assert "Добавить все в корзину" in html
    assert 'class="empty-state"' in html  # the cart itself is still empty


def test_cart_without_suggestions_has_no_section(buyer_client, buyer, priced_product):
    buy(buyer.client, priced_product(), 20, 10)
    assert 'id="reorder"' not in buyer_client.get(reverse("cart:detail")).content.decode()


def test_products_on_request_are_not_suggested(buyer_client, buyer):
    product = ProductFactory()  # no price for the client
    StockFactory(product=product)
    buy(buyer.client, product, 42, 28, 14)
    assert 'id="reorder"' not in buyer_client.get(reverse("cart:detail")).content.decode()


def test_htmx_add_one_swaps_the_cart_with_the_line_and_without_the_suggestion(buyer_client, buyer, priced_product):
    first, second = priced_product(multiplicity=Decimal("6")), priced_product()
    buy(buyer.client, first, 42, 28, 14, quantity=Decimal("12"))
    buy(buyer.client, second, 40, 26, 12)
    data = {"product": [first.pk, second.pk], f"q-{first.pk}": "18", f"q-{second.pk}": "6", "only": first.pk}
    response = buyer_client.post(reverse("cart:reorder_add"), data, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#cart" and response["HX-Reswap"] == "outerHTML"
    html = response.content.decode()
    assert "1 позиция добавлена в корзину." in html
    assert f'id="reorder-{first.pk}"' not in html and f'id="reorder-{second.pk}"' in html
    assert 'class="cart-line' in html and 'id="cart-count" class="cart-count" hx-swap-oob="true">1<' in html
    assert CartLine.objects.get(cart__user=buyer).quantity == Decimal("18")


def test_add_all_without_javascript(buyer_client, buyer, priced_product):
    first, second = priced_product(), priced_product()
    buy(buyer.client, first, 42, 28, 14)
    buy(buyer.client, second, 40, 26, 12)
    data = {"product": [first.pk, second.pk], f"q-{first.pk}": "6", f"q-{second.pk}": "3", "all": "1"}
    response = buyer_client.post(reverse("cart:reorder_add"), data, follow=True)
    assert response.redirect_chain == [(reverse("cart:detail"), 302)]
    assert dict(CartLine.objects.filter(cart__user=buyer).values_list("product_id", "quantity")) == {
        first.pk: Decimal("6"), second.pk: Decimal("3")}
    html = response.content.decode()
    assert "2 позиции добавлены в корзину." in html and 'id="reorder"' not in html


def test_a_product_outside_the_assortment_or_inactive_is_refused(buyer_client, buyer, shop, priced_product):
    allowed, outside = priced_product(), priced_product()
    shop["region"].assortment_restricted = True
    shop["region"].save(update_fields=["assortment_restricted"])
    AssortmentItem.objects.create(region=shop["region"], product=allowed)
    inactive = priced_product(is_active=False)
    for product in (outside, inactive):
        response = buyer_client.post(reverse("cart:reorder_add"),
                                     {"product": product.pk, f"q-{product.pk}": "1", "only": product.pk},
                                     headers=HTMX)
        assert response.status_code == 422
        assert 'role="alert"' in response.content.decode()
    assert not CartLine.objects.exists()


def test_a_quantity_off_the_multiplicity_is_refused_with_the_choices(buyer_client, buyer, priced_product):
    product = priced_product(multiplicity=Decimal("6"))
    buy(buyer.client, product, 42, 28, 14)
    response = buyer_client.post(reverse("cart:reorder_add"),
                                 {"product": product.pk, f"q-{product.pk}": "5", "only": product.pk}, headers=HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Кратность" in html or "кратн" in html
    assert f'id="reorder-{product.pk}"' in html  # still suggested
    assert not CartLine.objects.exists()


def test_reorder_add_needs_the_cart_role_and_post(client, buyer):
    accountant = ClientUserFactory(client=buyer.client, role=User.Role.ACCOUNTANT)
    client.force_login(accountant)
    assert client.post(reverse("cart:reorder_add"), {"product": "1", "q-1": "1"}).status_code == 403
    client.force_login(buyer)
    assert client.get(reverse("cart:reorder_add")).status_code == 405


@pytest.mark.parametrize("count", [2, 30])
def test_cart_page_with_suggestions_costs_one_query_more(buyer_client, buyer, shop, priced_product, count,
                                                         django_assert_max_num_queries):
    for number in range(count):
        product = priced_product()
        buy(buyer.client, product, 42, 28, 14)
        if number % 2:
            cart_add_line(user=buyer, product_id=priced_product().pk, quantity=Decimal("2"))
    # The cart page's twelve (see test_cart_views) and the purchase history; the suggestions are priced
    # with the cart's lines, in the same two queries.
    with django_assert_max_num_queries(13):
        html = buyer_client.get(reverse("cart:detail")).content.decode()
    assert html.count('<tr id="reorder-') == min(count, 20)


def test_suggestions_use_the_carts_contract_price(buyer_client, buyer, shop, priced_product):
    """The cart's terms price the suggestions as they price its lines (a price type on the contract)."""
    product = priced_product()
    special = PriceTypeFactory()
    PriceFactory(product=product, price_type=special, amount=Decimal("7.77"))
    entity = LegalEntityFactory(client=buyer.client)
    contract = ContractFactory(legal_entity=entity, price_type=special)
    buy(buyer.client, product, 42, 28, 14)
    cart_add_line(user=buyer, product_id=priced_product().pk, quantity=Decimal("1"))
    buyer.cart.legal_entity, buyer.cart.contract = entity, contract
    buyer.cart.save()
    html = buyer_client.get(reverse("cart:detail")).content.decode()
    assert "7,77&nbsp;₽" in html
