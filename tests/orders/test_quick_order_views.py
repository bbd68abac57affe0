"""The quick order by SKU list: preview of every line state, fixes in place, adding, and what is never trusted."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from catalog.models import AssortmentItem, ProductUnit
from orders.models import CartLine
from orders.order_lists import FIXABLE_ROWS
from tests.factories import (
    ClientUserFactory,
    ProductFactory,
    RegionFactory,
    StockFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal
CHECK, ADD = "/cart/quick/", "/cart/quick/add/"


@pytest.fixture
def catalog(shop, priced_product):
    """A restricted assortment: a plain product, one sold by 24 (and in packs of 12), two SKUs differing in case,
    one without a price, one hidden, and one only in another region's restricted assortment."""
    region = shop["region"]
    region.assortment_restricted = True
    region.save(update_fields=["assortment_restricted"])
    pack = UnitFactory(code="778", name="Упаковка", short_name="уп")
    products = {
        "plain": priced_product(sku="QO-1", name="Саморез"),
        "step": priced_product(sku="QO-24", name="Дюбель", multiplicity=D(24)),
        "twin_upper": priced_product(sku="TW-1", name="Анкер большой"),
        "twin_lower": priced_product(sku="tw-1", name="Анкер малый"),
        "on_request": ProductFactory(sku="QO-REQ", name="Под запрос"),
        "hidden": priced_product(sku="QO-HIDDEN"),
        "elsewhere": priced_product(sku="QO-SOUTH"),
    }
    ProductUnit.objects.create(product=products["step"], unit=pack, coefficient=D(12))
    for key, product in products.items():
        if key not in ("hidden", "elsewhere"):
            AssortmentItem.objects.create(region=region, product=product)
    south = RegionFactory(assortment_restricted=True, base_price_type=shop["base"])
    AssortmentItem.objects.create(region=south, product=products["elsewhere"])
    StockFactory(product=products["on_request"], warehouse=shop["warehouse"])
    return products


@pytest.fixture
def buyer_client(client, shop):
    client.force_login(shop["buyer"])
    return client


def row_states(html: str) -> dict[int, str]:
    return {int(number): state for number, state in re.findall(r'id="line-(\d+)" class="quick-row quick-row--(\w+)"',
                                                                   html)}


def textarea(html: str) -> str:
    found = re.search(r'<textarea id="quick-text"[^>]*>\n(.*?)</textarea>', html, re.S)
    return found.group(1).replace("&#x27;", "'").replace("&quot;", '"')


EVERY_STATE = "\n".join([
    "QO-1 3",  # recognised
    "NOPE-404 1",  # unknown SKU
    "Tw-1 2",  # ambiguous: TW-1 and tw-1
    "QO-HIDDEN 1",  # not in the client's assortment
    "QO-24 30",  # multiplicity 24: 24 or 48
    "QO-1 2 бухта",  # unknown unit
    "QO-1 два",  # bad quantity
    "QO-REQ 1",  # recognised, but no price: on request
    "QO-SOUTH 1",  # another region's restricted assortment
    "QO-24;2;уп",  # two packs of 12: recognised
])


def test_get_shows_the_empty_form(buyer_client, catalog):
    response = buyer_client.get(CHECK)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="quick-order"' in html and 'name="text"' in html
    assert f'href="{reverse("cart:upload")}"' in html


def test_every_line_state_in_the_preview(buyer_client, catalog):
    response = buyer_client.post(CHECK, {"text": EVERY_STATE})
    html = response.content.decode()
    assert response.status_code == 200
    assert row_states(html) == {
        1: "ok", 2: "unknown_sku", 3: "ambiguous", 4: "not_in_assortment", 5: "multiplicity", 6: "unknown_unit",
        7: "bad_quantity", 8: "on_request", 9: "not_in_assortment", 10: "ok",
    }
    # Prices of the recognised lines come from the purchase strategy: 3 × 12.50, and 2 packs of 12 × 12.50.
    assert "37,50" in html and "150,00" in html and "300,00" in html
    assert "337,50" in html  # the total of the lines ready
    # The ambiguous line offers both products, the multiplicity line the nearest quantities.
    assert 'name="row-3-pick-sku" value="TW-1"' in html and 'name="row-3-pick-sku" value="tw-1"' in html
    assert 'name="row-5-pick-quantity" value="24|шт"' in html and 'name="row-5-pick-quantity" value="48|шт"' in html
    assert "Кратность 24 шт: 24 шт или 48 шт?" in html
    # Problem rows are editable in place; the unknown unit stays chosen until the buyer picks another.
    assert 'name="row-2-sku" value="NOPE-404"' in html
    assert re.search(r'<option value="бухта" selected>', html)
    assert "row-8-sku" not in html  # nothing to fix on a line without a price
    assert not CartLine.objects.exists()  # checking adds nothing


def test_htmx_check_renders_the_form_only(buyer_client, catalog):
    response = buyer_client.post(CHECK, {"text": "QO-1 1"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="quick-order"') and "<html" not in html
    assert row_states(html) == {1: "ok"}


def test_preview_queries_do_not_grow_with_lines(buyer_client, shop, catalog, priced_product):
    more = [priced_product(sku=f"QN-{n:03d}") for n in range(40)]
    AssortmentItem.objects.bulk_create(AssortmentItem(region=shop["region"], product=p) for p in more)
    counts = []
    for products in (more[:2], more):
        text = "\n".join(f"{p.sku} 1" for p in products) + "\nNOPE 1\nqo 1;1"
        with CaptureQueriesContext(connection) as queries:
            response = buyer_client.post(CHECK, {"text": text})
        assert list(row_states(response.content.decode()).values()).count("ok") == len(products) + 1
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def _fix(number: int, line: str, sku: str, quantity: str, unit: str = "") -> dict:
    prefix = f"row-{number}-"
    return {prefix + "line": line, prefix + "sku": sku, prefix + "quantity": quantity, prefix + "unit": unit}


def test_fixing_a_multiplicity_line_then_adding(buyer_client, catalog):
    text = "QO-1 2\nQO-24 30"
    html = buyer_client.post(CHECK, {"text": text}).content.decode()
    assert row_states(html) == {1: "ok", 2: "multiplicity"}
    # The buyer clicks «48 шт»: the whole form is posted with the clicked choice.
    html = buyer_client.post(CHECK, {"text": text, **_fix(2, "QO-24 30", "QO-24", "30", "шт"),
                                     "row-2-pick-quantity": "48|шт"}).content.decode()
    assert row_states(html) == {1: "ok", 2: "ok"}
    fixed = textarea(html)
    assert fixed.splitlines() == ["QO-1 2", "QO-24\t48\tшт"]
    with translation.override("ru"):
        assert translation.ngettext("Add %(counter)s line to the cart", "Add %(counter)s lines to the cart", 2) % {
            "counter": 2} in html
    response = buyer_client.post(ADD, {"text": fixed}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert {(line.product.sku, line.quantity) for line in CartLine.objects.select_related("product")} == {
        ("QO-1", D(2)), ("QO-24", D(48))}
    assert textarea(html) == "" and row_states(html) == {}
    assert 'id="cart-count"' in html and 'hx-swap-oob="true">2<' in html


def test_fixing_lines_in_place(buyer_client, catalog):
    text = "NOPE-404 1\nTw-1 2\nQO-1 2 бухта\nQO-1\tдва\t\tк пятнице"
    data = {"text": text, **_fix(1, "NOPE-404 1", "QO-1", "1"), **_fix(3, "QO-1 2 бухта", "QO-1", "2", "шт"),
            **_fix(4, "QO-1\tдва\t\tк пятнице", "QO-1", "4"), "row-2-line": "Tw-1 2", "row-2-sku": "Tw-1",
            "row-2-quantity": "2", "row-2-pick-sku": "tw-1"}
    html = buyer_client.post(CHECK, data).content.decode()
    assert row_states(html) == {1: "ok", 2: "ok", 3: "ok", 4: "ok"}
    assert textarea(html).splitlines() == ["QO-1\t1\t", "tw-1\t2\t", "QO-1\t2\tшт", "QO-1\t4\t\tк пятнице"]


def test_a_fix_of_a_line_edited_since_is_dropped(buyer_client, catalog):
    # The buyer changed the text after the check: the row's fix no longer matches its line and is ignored.
    data = {"text": "QO-1 5\nNOPE 1", **_fix(2, "OTHER 1", "QO-1", "1")}
    html = buyer_client.post(CHECK, data).content.decode()
    assert row_states(html) == {1: "ok", 2: "unknown_sku"}
    assert textarea(html) == "QO-1 5\nNOPE 1"


def test_add_reports_what_was_added_and_keeps_the_rest(buyer_client, catalog):
    response = buyer_client.post(ADD, {"text": EVERY_STATE})
    html = response.content.decode()
    assert response.status_code == 200
    lines = {line.product.sku: line for line in CartLine.objects.select_related("product", "unit")}
    assert set(lines) == {"QO-1", "QO-24"}
    assert lines["QO-1"].quantity == D(3)
    assert (lines["QO-24"].quantity, lines["QO-24"].unit.short_name) == (D(24), "уп")
    assert lines["QO-1"].seen_price == D("12.50")
    # The lines not added stay in the text, renumbered, each with its reason.
    assert textarea(html).splitlines() == EVERY_STATE.splitlines()[1:9]
    assert row_states(html) == {1: "unknown_sku", 2: "ambiguous", 3: "not_in_assortment", 4: "multiplicity",
                                5: "unknown_unit", 6: "bad_quantity", 7: "on_request", 8: "not_in_assortment"}
    assert "alert-success" in html


def test_tampered_post_is_checked_again(buyer_client, catalog):
    # A price, a product id and a choice the server never offered: all ignored or checked again.
    data = {"text": "QO-24 30", "price": "0.01", "product": str(catalog["hidden"].pk),
            **_fix(1, "QO-24 30", "QO-24", "30", "шт"), "row-1-pick-quantity": "30|шт"}
    html = buyer_client.post(ADD, data).content.decode()
    assert not CartLine.objects.exists()
    assert row_states(html) == {1: "multiplicity"}
    buyer_client.post(ADD, {"text": "QO-1 2", "price": "0.01", "amount": "0.02"})
    assert CartLine.objects.get().seen_price == D("12.50")


def test_a_client_never_adds_a_product_outside_its_assortment(buyer_client, catalog):
    hidden, elsewhere = catalog["hidden"], catalog["elsewhere"]
    for text in ("QO-HIDDEN 1", "qo hidden;1", "QO-SOUTH 1", f"{elsewhere.sku.lower()} 1"):
        html = buyer_client.post(ADD, {"text": text}).content.decode()
        assert row_states(html) == {1: "not_in_assortment"}, text
    # Nor by picking a SKU of the hidden product as a "candidate".
    buyer_client.post(ADD, {"text": "Tw-1 1", "row-1-line": "Tw-1 1", "row-1-sku": "Tw-1", "row-1-quantity": "1",
                            "row-1-pick-sku": hidden.sku})
    assert not CartLine.objects.exists()


@override_settings(PORTAL_UPLOAD_MAX_LINES=3)
def test_too_many_lines_are_refused_with_nothing_added(buyer_client, catalog):
    response = buyer_client.post(ADD, {"text": "QO-1 1\n" * 4})
    assert response.status_code == 200 and "alert-error" in response.content.decode()
    assert not CartLine.objects.exists()


def test_empty_text_and_control_characters(buyer_client, catalog):
    assert "alert-error" in buyer_client.post(ADD, {"text": "  \n\n"}).content.decode()
    html = buyer_client.post(CHECK, {"text": "QO-1\x07 2"}).content.decode()  # a stray control character is dropped
    assert row_states(html) == {1: "ok"}
    assert buyer_client.post(ADD, {"text": "QO-1\x00 2"}).status_code == 400  # NUL: the portal's middleware
    assert not CartLine.objects.exists()


def test_roles_without_the_cart(client, shop, catalog):
    accountant = ClientUserFactory(client=shop["buyer"].client, role=User.Role.ACCOUNTANT)
    client.force_login(accountant)
    assert client.get(CHECK).status_code == 403
    assert client.post(ADD, {"text": "QO-1 1"}).status_code == 403
    client.logout()
    response = client.get(CHECK)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_only_the_first_problems_get_inputs_so_the_form_stays_postable(buyer_client, catalog, settings):
    # Four fields a fixable row: 200 of them stay under Django's DATA_UPLOAD_MAX_NUMBER_FIELDS (1000).
    text = "\n".join(f"NOPE-{n} 1" for n in range(FIXABLE_ROWS + 5))
    html = buyer_client.post(CHECK, {"text": text}).content.decode()
    assert html.count('-line" value=') == FIXABLE_ROWS
    assert len(row_states(html)) == FIXABLE_ROWS + 5
    fields = re.findall(r'<(?:input|select|textarea)[^>]* name="([^"]+)"', html)
    assert len(fields) < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
