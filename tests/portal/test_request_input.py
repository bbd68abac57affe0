"""Numbers and text from a request (base.params) and the net under the views (RequestInputMiddleware)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from base.params import MAX_ID, clean_text, parse_decimal, parse_id, parse_int, parse_page
from tests.catalog.factories import PropertyValueFactory
from tests.factories import ClientUserFactory, PriceFactory, PriceTypeFactory, ProductFactory, RegionFactory

NOT_NUMBERS = ["²", "٣", "７", "１２", "1e999999", "1e3", "NaN", "Infinity", "-Infinity", "", " ", "1.5", "0x10",
               "1_000", "' OR 1=1 --", None, "9" * 500]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_parse_int_takes_ascii_digits_only(text):
    assert parse_int(text, default=7) == 7


def test_parse_int_bounds_and_sign():
    assert parse_int(" 42 ") == 42 and parse_int("-3") == -3 and parse_int("+3") == 3
    assert parse_int("5", minimum=6, default=0) == 0 and parse_int("5", maximum=4, default=0) == 0
    assert parse_id("0") is None and parse_id(str(MAX_ID)) == MAX_ID and parse_id(str(MAX_ID + 1)) is None
    assert parse_page("9" * 30) == 1 and parse_page("-1") == 1 and parse_page("3") == 3


@pytest.mark.parametrize("text", ["²", "٣", "７", "1e999999", "1E5", "NaN", "Infinity", "", " ", ".", "-", "1.2.3",
                                  "1,2,3", "9" * 500, None, "1.2345", "-1", "1001"])
def test_parse_decimal_refuses(text):
    assert parse_decimal(text, maximum=1000, places=3) is None


def test_parse_decimal_reads_people_s_numbers():
    assert parse_decimal("12,5", maximum=100, places=2) == Decimal("12.5")
    assert parse_decimal("1 200.50", maximum=10_000, places=2) == Decimal("1200.50")
    assert parse_decimal("1\u00a0200", maximum=10_000, places=0) == Decimal(1200)
    assert parse_decimal("0", maximum=1, places=0) == 0 and parse_decimal(".5", maximum=1, places=1) == Decimal("0.5")
    assert parse_decimal("2.500", maximum=10, places=1) == Decimal("2.5")  # trailing zeros are not places


def test_clean_text_drops_nul_and_control_characters():
    assert clean_text("a\x00b\x07c", max_length=10) == "abc"
    assert clean_text(" line\nnext\ttab ", max_length=100) == "line\nnext\ttab"
    assert clean_text("x" * 50, max_length=5) == "xxxxx" and clean_text(None, max_length=5) == ""


@pytest.fixture
def buyer():
    base = PriceTypeFactory()
    return ClientUserFactory(client__region=RegionFactory(base_price_type=base)), base


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["?per_page=²", "?f=brand:²", "?q=x&page=²", "?page=" + "9" * 30,
                                   "?price_min=1e999999", "?price_max=" + "9" * 500, "?q=%00", "?q=a%00b"])
def test_listing_bad_numbers_and_nul(client, buyer, query):
    client.force_login(buyer[0])
    response = client.get("/catalog/" + query)
    assert response.status_code in (200, 400)


@pytest.mark.django_db
def test_nul_in_a_query_or_form_is_a_400(client, buyer):
    client.force_login(buyer[0])
    assert client.get("/catalog/suggest/?q=a%00b").status_code == 400
    response = client.post(reverse("cart:add"), {"product": "1", "quantity": "1\x00"})
    assert response.status_code == 400 and "400" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{"product": "²"}, {"unit": "²"}, {"quantity": "1e999999"},
                                  {"quantity": "9" * 500}, {"quantity": "NaN"}, {"next": "catalog"}])
def test_cart_add_answers_bad_input_with_a_message(client, buyer, data):
    user, base = buyer
    product = ProductFactory()
    PriceFactory(product=product, price_type=base)
    client.force_login(user)
    response = client.post(reverse("cart:add"), {"product": str(product.pk), "quantity": "1", **data},
                           HTTP_HX_REQUEST="true")
    assert response.status_code in (200, 422)


@pytest.mark.django_db
def test_review_with_bad_rating_or_nul_text(client, buyer):
    user, _base = buyer
    product = ProductFactory()
    client.force_login(user)
    url = reverse("catalog:reviews", args=[product.pk])
    assert client.post(url, {"rating": "²", "text": "ok"}, HTTP_HX_REQUEST="true").status_code == 200
    assert not product.reviews.exists()


@pytest.mark.django_db
def test_thousands_of_facet_values_show_the_listing_with_a_note(client, settings, buyer):
    value = PropertyValueFactory()
    query = "&".join(f"f={value.property.slug}:{number}" for number in range(3000))
    for debug in (False, True):
        settings.DEBUG = debug
        response = client.get(f"/catalog/?{query}", HTTP_ACCEPT_LANGUAGE="en", HTTP_COOKIE="django_language=en")
        assert response.status_code == 200
        assert "Only the first 50 filter values are applied." in response.content.decode()
