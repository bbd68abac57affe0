"""The cart's endpoints: add to cart by htmx and by a plain POST, the header counter, roles."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import User
from orders.models import CartLine
from tests.factories import ClientUserFactory

pytestmark = [pytest.mark.django_db]


def test_cart_add_view_htmx_and_fallback(client, shop, priced_product):
    product = priced_product()
    client.force_login(shop["buyer"])
    response = client.post(reverse("cart:add"), {"product": product.pk, "quantity": "2"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="cart-count"' in response.content.decode()
    response = client.post(reverse("cart:add"), {"product": product.pk, "quantity": "1", "next": "/catalog/"})
    assert response.status_code == 302 and response.url == "/catalog/"
    assert CartLine.objects.get().quantity == Decimal("3")


def test_cart_add_answers_a_bad_request_with_a_message(client, shop, priced_product):
    product = priced_product(multiplicity=Decimal("5"))
    client.force_login(shop["buyer"])
    response = client.post(reverse("cart:add"), {"product": product.pk, "quantity": "3"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and 'class="add-to-cart-error"' in response.content.decode()
    response = client.post(reverse("cart:add"), {"product": "x", "quantity": "1"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert not CartLine.objects.exists()


def test_accountant_has_no_cart(client, shop):
    accountant = ClientUserFactory(client=shop["buyer"].client, role=User.Role.ACCOUNTANT)
    client.force_login(accountant)
    assert client.post(reverse("cart:add"), {"product": "1", "quantity": "1"}).status_code == 403


def test_listing_and_product_page_forms_post_to_the_orders_cart(client, shop, priced_product):
    product = priced_product()
    client.force_login(shop["buyer"])
    url = reverse("cart:add")
    assert url == "/cart/add/"
    for page in ("/catalog/", product.get_absolute_url()):
        assert f'action="{url}"' in client.get(page).content.decode()


def test_header_counter_counts_cart_lines(client, shop, priced_product):
    client.force_login(shop["buyer"])
    for _ in range(2):
        client.post(reverse("cart:add"), {"product": priced_product().pk, "quantity": "1"})
    html = client.get("/catalog/").content.decode()
    assert '<span id="cart-count" class="cart-count">2</span>' in html
