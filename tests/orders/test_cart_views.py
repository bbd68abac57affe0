"""The cart's pages and endpoints: the cart page and its htmx regions, adding from the listing and the
product page (one row, many rows, the multiplicity offers), line edits, terms, roles, foreign ids."""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from catalog.models import ProductUnit
from orders.models import Cart, CartLine
from orders.services import cart_add_line
from tests.factories import ClientUserFactory, ContractFactory, LegalEntityFactory, UnitFactory

pytestmark = [pytest.mark.django_db]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def buyer_client(client, shop):
    client.force_login(shop["buyer"])
    return client


@pytest.fixture
def pack():
    return UnitFactory(code="778", name="Упаковка", short_name="упак")


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _line_form(line, quantity: str, unit="", shown_quantity="", shown_unit="") -> dict:
    return {"quantity": quantity, "unit": unit, "shown_quantity": shown_quantity, "shown_unit": shown_unit}


# The page


def test_header_badge_links_the_cart_page(buyer_client, shop, priced_product):
    cart_add_line(user=shop["buyer"], product_id=priced_product().pk, quantity=Decimal("1"))
    html = buyer_client.get("/catalog/").content.decode()
    assert re.search(r'<a class="cart-badge" href="/cart/"', html)
    assert '<span id="cart-count" class="cart-count">1</span>' in html


def test_cart_page_shows_lines_in_the_buyers_unit_with_price_vat_and_totals(buyer_client, shop, priced_product,
                                                                              pack):
    product = priced_product(multiplicity=Decimal("6"), weight=Decimal("0.5"))
    ProductUnit.objects.create(product=product, unit=pack, coefficient=Decimal("12"))
    cart_add_line(user=shop["buyer"], product_id=product.pk, quantity=Decimal("2"), unit_id=pack.pk)
    response = buyer_client.get(reverse("cart:detail"))
    assert response.status_code == 200
    html = response.content.decode()
    assert product.sku in html and f'href="{product.get_absolute_url()}"' in html
    assert f'<option value="{pack.pk}" selected>упак (12 шт)</option>' in html
    assert 'name="quantity" value="2"' in html
    assert "150,00&nbsp;₽" in html and "300,00&nbsp;₽" in html  # one pack, the line
    assert "= 24 шт" in html and "12 кг" in html
    assert 'class="cart-badge" href="/cart/" title="Корзина" aria-label=' in html and 'aria-current="page"' in html
    assert reverse("cart:clear") in html


def test_empty_cart_and_roles(client, shop):
    assert client.get(reverse("cart:detail")).status_code == 302  # to the sign-in page
    client.force_login(shop["buyer"])
    html = client.get(reverse("cart:detail")).content.decode()
    assert 'class="empty-state"' in html and reverse("catalog:index") in html
    accountant = ClientUserFactory(client=shop["buyer"].client, role=User.Role.ACCOUNTANT)
    client.force_login(accountant)
    assert client.get(reverse("cart:detail")).status_code == 403
    assert client.post(reverse("cart:add"), {"product": "1", "quantity": "1"}).status_code == 403
    assert "cart-badge" not in client.get("/catalog/").content.decode()


@pytest.mark.parametrize("count", [3, 50])
def test_cart_page_queries_are_constant(buyer_client, shop, priced_product, pack, count,
                                        django_assert_max_num_queries):
    entity = LegalEntityFactory(client=shop["buyer"].client)
    contract = ContractFactory(legal_entity=entity)
    Cart.objects.create(user=shop["buyer"], client=shop["buyer"].client, legal_entity=entity, contract=contract)
    for number in range(count):
        product = priced_product()
        if number % 2:
            ProductUnit.objects.create(product=product, unit=pack, coefficient=Decimal("10"))
        cart_add_line(user=shop["buyer"], product_id=product.pk, quantity=Decimal("10"))
    # session, user, client (the role check), cart, client with its price types (the strategy), lines, units,
    # purchase history (the reorder suggestions, priced with the lines), prices, stock, legal entities,
    # contracts, header counter
    with django_assert_max_num_queries(13):
        html = buyer_client.get(reverse("cart:detail")).content.decode()
    assert html.count('class="cart-line') == count


def test_cart_page_links_the_other_ways_to_order_and_the_checkout(buyer_client, shop, priced_product):
    cart_add_line(user=shop["buyer"], product_id=priced_product().pk, quantity=Decimal("1"))
    html = buyer_client.get(reverse("cart:detail")).content.decode()
    for name in ("cart:quick", "cart:upload", "orders:templates"):
        assert f'href="{reverse(name)}' in html
    try:
        checkout = reverse("cart:checkout")
    except NoReverseMatch:  # the checkout is not there yet: no link
        checkout = None
    assert checkout is None or f'href="{checkout}"' in html


# Line edits


def test_htmx_quantity_change_swaps_the_row_totals_and_counter(buyer_client, shop, priced_product):
    line = cart_add_line(user=shop["buyer"], product_id=priced_product().pk, quantity=Decimal("2"))
    url = reverse("cart:line_update", args=[line.pk])
    response = buyer_client.post(url, _line_form(line, "4", shown_quantity="2"), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="line-{line.pk}"')
    assert 'id="cart-totals"' in html and 'hx-swap-oob="true"' in html and 'id="cart-count"' in html
    assert "50,00&nbsp;₽" in html
    line.refresh_from_db()
    assert line.quantity == Decimal("4")


def test_refused_quantity_offers_the_choices_and_a_choice_posts_again(buyer_client, shop, priced_product):
    line = cart_add_line(user=shop["buyer"], product_id=priced_product(multiplicity=Decimal("24")).pk,
                         quantity=Decimal("48"))
    url = reverse("cart:line_update", args=[line.pk])
    response = buyer_client.post(url, _line_form(line, "50", shown_quantity="48"), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert "Кратность 24 шт: 48 шт или 72 шт?" in html
    assert 'name="choice" value="48:"' in html and 'name="choice" value="72:"' in html
    line.refresh_from_db()
    assert line.quantity == Decimal("48")
    response = buyer_client.post(url, {**_line_form(line, "50", shown_quantity="48"), "choice": "72:"}, headers=HTMX)
    assert response.status_code == 200
    line.refresh_from_db()
    assert line.quantity == Decimal("72")
    # Without JavaScript: back to the cart, the choices named in the message.
    response = buyer_client.post(url, _line_form(line, "50", shown_quantity="72"))
    assert response.status_code == 302 and response.url == reverse("cart:detail")
    assert any("48 шт или 72 шт" in message for message in _messages(response))
    response = buyer_client.post(url, _line_form(line, "много"), headers=HTMX)
    assert response.status_code == 422 and 'class="line-error" role="alert"' in response.content.decode()


def test_a_change_of_unit_keeps_the_quantity(buyer_client, shop, priced_product, pack):
    product = priced_product(multiplicity=Decimal("6"))
    ProductUnit.objects.create(product=product, unit=pack, coefficient=Decimal("12"))
    line = cart_add_line(user=shop["buyer"], product_id=product.pk, quantity=Decimal("24"))
    url = reverse("cart:line_update", args=[line.pk])
    form = _line_form(line, "24", unit=str(pack.pk), shown_quantity="24", shown_unit=str(product.base_unit_id))
    html = buyer_client.post(url, form, headers=HTMX).content.decode()
    assert 'name="quantity" value="2"' in html and "= 24 шт" in html
    line.refresh_from_db()
    assert (line.quantity, line.unit_id) == (Decimal("24"), pack.pk)
    # A new quantity together with the unit is in that unit.
    buyer_client.post(url, _line_form(line, "3", unit=str(pack.pk), shown_quantity="2", shown_unit=str(pack.pk)),
                      headers=HTMX)
    line.refresh_from_db()
    assert line.quantity == Decimal("36")


def test_tampered_prices_in_requests_are_ignored(buyer_client, shop, priced_product):
    product = priced_product()
    buyer_client.post(reverse("cart:add"), {"product": product.pk, "quantity": "2", "price": "0.01",
                                            "amount": "0.02"}, headers=HTMX)
    line = CartLine.objects.get()
    assert line.seen_price == Decimal("12.50")
    buyer_client.post(reverse("cart:line_update", args=[line.pk]),
                      {**_line_form(line, "4", shown_quantity="2"), "price": "0.01"}, headers=HTMX)
    html = buyer_client.get(reverse("cart:detail")).content.decode()
    assert "50,00&nbsp;₽" in html and "0,01" not in html


def test_foreign_line_and_legal_entity_are_404(buyer_client, shop, priced_product):
    colleague = ClientUserFactory(client=shop["buyer"].client)
    theirs = cart_add_line(user=colleague, product_id=priced_product().pk, quantity=Decimal("1"))
    for name in ("cart:line_update", "cart:line_remove", "cart:line_accept"):
        response = buyer_client.post(reverse(name, args=[theirs.pk]), _line_form(theirs, "5"), headers=HTMX)
        assert response.status_code == 404, name
    other = ContractFactory()
    response = buyer_client.post(reverse("cart:terms"), {"terms": f"{other.legal_entity_id}:{other.pk}"})
    assert response.status_code == 404
    assert CartLine.objects.get(pk=theirs.pk).quantity == Decimal("1")


def test_remove_swaps_the_totals_and_the_last_one_the_whole_cart(buyer_client, shop, priced_product):
    first, second = (cart_add_line(user=shop["buyer"], product_id=priced_product().pk, quantity=Decimal("1"))
                     for _ in range(2))
    response = buyer_client.post(reverse("cart:line_remove", args=[first.pk]), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<tr" not in html and 'id="cart-totals"' in html
    response = buyer_client.post(reverse("cart:line_remove", args=[second.pk]), headers=HTMX)
    assert response.headers["HX-Retarget"] == "#cart" and response.headers["HX-Reswap"] == "outerHTML"
    assert 'class="empty-state"' in response.content.decode()
    assert not CartLine.objects.exists()


def test_clear_and_accept_all(buyer_client, shop, priced_product):
    cart_add_line(user=shop["buyer"], product_id=priced_product().pk, quantity=Decimal("1"))
    response = buyer_client.post(reverse("cart:accept"), headers=HTMX)
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#cart"
    response = buyer_client.post(reverse("cart:clear"))
    assert response.status_code == 302 and not CartLine.objects.exists()


def test_changed_price_is_flagged_with_an_accept_button(buyer_client, shop, priced_product):
    product = priced_product()
    line = cart_add_line(user=shop["buyer"], product_id=product.pk, quantity=Decimal("1"))
    CartLine.objects.filter(pk=line.pk).update(seen_price=Decimal("11.00"))
    html = buyer_client.get(reverse("cart:detail")).content.decode()
    assert 'class="cart-line is-changed"' in html and "была 11,00 ₽, стала 12,50 ₽" in html
    assert reverse("cart:line_accept", args=[line.pk]) in html and reverse("cart:accept") in html
    html = buyer_client.post(reverse("cart:line_accept", args=[line.pk]), headers=HTMX).content.decode()
    assert "is-changed" not in html


# Terms


def test_terms_chooser_lists_confirmed_entities_and_contracts_in_force(buyer_client, shop, priced_product):
    buyer = shop["buyer"]
    entity = LegalEntityFactory(client=buyer.client, name="ООО «Снабженец»")
    contract = ContractFactory(legal_entity=entity, number="Д-77")
    ContractFactory(legal_entity=entity, number="Д-старый", is_active=False)
    LegalEntityFactory(client=buyer.client, name="ООО «Неподтверждённое»", is_confirmed=False)
    cart_add_line(user=buyer, product_id=priced_product().pk, quantity=Decimal("1"))
    html = buyer_client.get(reverse("cart:detail")).content.decode()
    assert "Д-77" in html and "Д-старый" not in html and "Неподтверждённое" not in html
    value = f"{entity.pk}:{contract.pk}"
    response = buyer_client.post(reverse("cart:terms"), {"terms": value}, headers=HTMX)
    assert response.status_code == 200 and f'<option value="{value}" selected>' in response.content.decode()
    cart = Cart.objects.get(user=buyer)
    assert (cart.legal_entity_id, cart.contract_id) == (entity.pk, contract.pk)
    unconfirmed = LegalEntityFactory(client=buyer.client, is_confirmed=False)
    response = buyer_client.post(reverse("cart:terms"), {"terms": f"{unconfirmed.pk}:"}, headers=HTMX)
    assert response.status_code == 422 and 'role="alert"' in response.content.decode()


# Adding from the product page (one form per product)


def test_cart_add_view_htmx_and_fallback(buyer_client, priced_product):
    product = priced_product()
    response = buyer_client.post(reverse("cart:add"), {"product": product.pk, "quantity": "2"}, headers=HTMX)
    assert response.status_code == 200 and 'id="cart-count"' in response.content.decode()
    response = buyer_client.post(reverse("cart:add"), {"product": product.pk, "quantity": "1", "next": "/catalog/"})
    assert response.status_code == 302 and response.url == "/catalog/"
    assert CartLine.objects.get().quantity == Decimal("3")


def test_cart_add_offers_the_multiplicity_choices(buyer_client, priced_product, pack):
    product = priced_product(multiplicity=Decimal("24"))
    ProductUnit.objects.create(product=product, unit=pack, coefficient=Decimal("12"))
    response = buyer_client.post(reverse("cart:add"), {"product": product.pk, "quantity": "5", "unit": pack.pk},
                                 headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 422 and 'class="add-to-cart-error"' in html
    assert "Кратность 24 шт: 4 упак или 6 упак?" in html
    assert f'name="choice" value="{product.pk}:6:{pack.pk}"' in html and 'hx-post="/cart/add/"' in html
    assert not CartLine.objects.exists()
    response = buyer_client.post(reverse("cart:add"), {"product": product.pk, "quantity": "5", "unit": pack.pk,
                                                       "choice": f"{product.pk}:6:{pack.pk}"}, headers=HTMX)
    assert response.status_code == 200
    assert CartLine.objects.values_list("quantity", "unit_id").get() == (Decimal("72"), pack.pk)
    response = buyer_client.post(reverse("cart:add"), {"product": product.pk, "quantity": "50", "next": "/catalog/"})
    assert response.status_code == 302 and any("48 шт или 72 шт" in text for text in _messages(response))
    response = buyer_client.post(reverse("cart:add"), {"product": "x", "quantity": "1"}, headers=HTMX)
    assert response.status_code == 422


def test_product_page_offers_units_and_says_vat(buyer_client, priced_product, pack):
    product = priced_product(multiplicity=Decimal("6"))
    ProductUnit.objects.create(product=product, unit=pack, coefficient=Decimal("12"))
    html = buyer_client.get(product.get_absolute_url()).content.decode()
    assert f'action="{reverse("cart:add")}"' in html
    assert f'<option value="{pack.pk}">упак (12 шт)</option>' in html and 'name="quantity"' in html
    assert 'value="6"' in html and 'step="' not in html  # one multiplicity step; no browser-side check
    assert "с НДС" in html


# Adding from the listing (one form, a button per row, "add selected")


def test_listing_rows_share_one_form_with_units(buyer_client, priced_product, pack):
    product, plain = priced_product(multiplicity=Decimal("24")), priced_product()
    ProductUnit.objects.create(product=product, unit=pack, coefficient=Decimal("12"))
    html = buyer_client.get("/catalog/").content.decode()
    assert html.count('<form id="cart-pick"') == 1 and f'action="{reverse("cart:add_many")}"' in html
    assert f'name="q-{product.pk}"' in html and f'name="q-{plain.pk}"' in html
    assert f'<select class="unit-select" name="u-{product.pk}"' in html and f'name="u-{plain.pk}"' not in html
    assert f'name="only" value="{product.pk}"' in html and 'placeholder="24"' in html
    assert "Цена с НДС" in html


def test_add_selected_adds_rows_with_a_quantity_and_offers_choices_for_the_others(buyer_client, priced_product, pack):
    first, strict, untouched = priced_product(), priced_product(multiplicity=Decimal("24")), priced_product()
    ProductUnit.objects.create(product=first, unit=pack, coefficient=Decimal("10"))
    form = {"product": [first.pk, strict.pk, untouched.pk], f"q-{first.pk}": "2", f"u-{first.pk}": pack.pk,
            f"q-{strict.pk}": "50", f"q-{untouched.pk}": "", "next": "/catalog/"}
    response = buyer_client.post(reverse("cart:add_many"), form, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 позиция добавлена в корзину. 1 позиция не добавлена: причина указана в строке товара." in html
    assert f'<span id="st-{first.pk}" class="add-to-cart-status" role="status" hx-swap-oob="true">' in html
    assert f'<span id="st-{strict.pk}"' in html and f'value="{strict.pk}:48:"' in html
    assert f'st-{untouched.pk}' not in html
    assert '<span id="cart-count" class="cart-count" hx-swap-oob="true">1</span>' in html
    assert CartLine.objects.values_list("product_id", "quantity").get() == (first.pk, Decimal("20"))
    # The choice adds that one row; the answer is the row's status.
    response = buyer_client.post(reverse("cart:add_many"), {**form, "choice": f"{strict.pk}:72:"}, headers=HTMX)
    assert response.status_code == 200 and 'class="add-to-cart-ok"' in response.content.decode()
    assert CartLine.objects.get(product=strict).quantity == Decimal("72")
    assert CartLine.objects.get(product=first).quantity == Decimal("20")


def test_a_rows_own_button_adds_one_step_when_no_quantity_is_typed(buyer_client, priced_product):
    product = priced_product(multiplicity=Decimal("24"))
    form = {"product": [product.pk], f"q-{product.pk}": "", "only": product.pk}
    response = buyer_client.post(reverse("cart:add_many"), form, headers=HTMX)
    assert response.status_code == 200 and "hx-swap-oob" in response.content.decode()  # the counter only
    assert CartLine.objects.get().quantity == Decimal("24")


def test_add_selected_without_javascript_names_the_choices(buyer_client, priced_product):
    strict = priced_product(multiplicity=Decimal("24"))
    response = buyer_client.post(reverse("cart:add_many"), {"product": [strict.pk], f"q-{strict.pk}": "50",
                                                            "next": "/catalog/?page=2"})
    assert response.status_code == 302 and response.url == "/catalog/?page=2"
    assert any("48 шт или 72 шт" in text for text in _messages(response))
    response = buyer_client.post(reverse("cart:add_many"), {"product": [strict.pk], f"q-{strict.pk}": ""},
                                 headers=HTMX)
    assert response.status_code == 422  # nothing typed: nothing to add, and the answer says so
    assert not CartLine.objects.exists()


def test_header_counter_counts_cart_lines(buyer_client, priced_product):
    for _ in range(2):
        buyer_client.post(reverse("cart:add"), {"product": priced_product().pk, "quantity": "1"})
    html = buyer_client.get("/catalog/").content.decode()
    assert '<span id="cart-count" class="cart-count">2</span>' in html
