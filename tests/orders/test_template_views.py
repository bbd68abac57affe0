"""The order template pages: list, save the cart, edit lines with htmx and without, delete, add to cart;
a foreign template is a 404, a role without the cart a 403; query counts of the list and the page."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import User
from catalog.models import ProductUnit
from orders.models import CartLine, OrderTemplate, OrderTemplateLine
from orders.services import cart_add_line, order_template_create_from_cart
from tests.factories import ClientUserFactory, UnitFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def saved(shop, priced_product):
    buyer = shop["buyer"]
    products = [priced_product(multiplicity=Decimal("6")), priced_product()]
    for product in products:
        cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("6"))
    template = order_template_create_from_cart(user=buyer, name="Объект на Садовой")
    return {"buyer": buyer, "template": template, "products": products}


def _urls(template, line):
    return {
        "detail": reverse("orders:template_detail", args=[template.pk]),
        "rename": reverse("orders:template_rename", args=[template.pk]),
        "update": reverse("orders:template_line_update", args=[template.pk, line.pk]),
        "remove": reverse("orders:template_line_remove", args=[template.pk, line.pk]),
        "delete": reverse("orders:template_delete", args=[template.pk]),
        "add": reverse("orders:template_add_to_cart", args=[template.pk]),
    }


def test_another_clients_template_is_a_404_everywhere(client, saved, shop):
    template = saved["template"]
    urls = _urls(template, template.lines.first())
    client.force_login(ClientUserFactory(client__region=shop["region"]))
    assert client.get(urls.pop("detail")).status_code == 404
    for url in urls.values():
        assert client.post(url, {"name": "Чужой", "quantity": "12"}).status_code == 404, url
    template.refresh_from_db()
    assert template.name == "Объект на Садовой" and template.lines.count() == 2


def test_a_role_without_the_cart_is_refused_and_a_guest_signs_in(client, saved):
    template = saved["template"]
    urls = _urls(template, template.lines.first())
    client.force_login(ClientUserFactory(client=saved["buyer"].client, role=User.Role.ACCOUNTANT))
    assert client.get(reverse("orders:templates")).status_code == 403
    assert client.get(urls.pop("detail")).status_code == 403
    assert client.post(reverse("orders:template_save"), {"name": "Бух"}).status_code == 403
    for url in urls.values():
        assert client.post(url, {"name": "Бух", "quantity": "12"}).status_code == 403, url
    assert "/orders/templates/" not in client.get(reverse("orders:list")).content.decode()  # no link in menus
    client.logout()
    response = client.get(reverse("orders:templates"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_list_in_constant_queries_with_lines_and_author(client, saved, shop, session_queries,
                                                                            django_assert_num_queries):
    buyer = saved["buyer"]
    client.force_login(buyer)
    client.get(reverse("orders:templates"))  # the session and the first-request caches
    with django_assert_num_queries(3 + session_queries) as few:
        html = client.get(reverse("orders:templates")).content.decode()
    assert "Объект на Садовой" in html and buyer.get_full_name() in html
    for number in range(5):
        colleague = ClientUserFactory(client=buyer.client)
        cart_add_line(user=colleague, product_id=saved["products"][1].pk, quantity=Decimal("1"))
        order_template_create_from_cart(user=colleague, name=f"Шаблон {number}")
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(reverse("orders:templates")).content.decode()
    assert html.count('class="cell-name"') == 6


def test_the_template_page_in_constant_queries(client, saved, priced_product, session_queries,
                                                django_assert_num_queries):
    template = saved["template"]
    pack = UnitFactory(code="778", name="Упаковка", short_name="уп")
    client.force_login(saved["buyer"])
    url = reverse("orders:template_detail", args=[template.pk])
    client.get(url)
    with django_assert_num_queries(9 + session_queries) as few:
        assert client.get(url).status_code == 200
    for position in range(2, 12):
        product = priced_product()
        ProductUnit.objects.create(product=product, unit=pack, coefficient=Decimal("10"))
        OrderTemplateLine.objects.create(template=template, product=product, quantity=20, unit=pack,
                                         position=position)
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count('class="quantity-form"') == 12


def test_round_quantities_show_as_typed_not_in_exponent_form(client, saved, priced_product):
    """10 reads "10" in the quantity input, the pack and the step (`str()` of a normalized 10 is "1E+1")."""
    template = saved["template"]
    pack = UnitFactory(code="778", name="Упаковка", short_name="уп")
    product = priced_product(multiplicity=Decimal("10"))
    ProductUnit.objects.create(product=product, unit=pack, coefficient=Decimal("10"))
    line = OrderTemplateLine.objects.create(template=template, product=product, quantity=Decimal("10"), position=2)
    client.force_login(saved["buyer"])
    html = client.get(reverse("orders:template_detail", args=[template.pk])).content.decode()
    assert "E+" not in html
    assert re.search(rf'id="quantity-{line.pk}"[^>]* value="10"', html)
    assert "(10 шт)" in html
    assert "Кратность 10 шт" in html


def test_save_the_cart_and_a_name_in_use_asks_to_replace(client, saved, priced_product):
    buyer = saved["buyer"]
    client.force_login(buyer)
    response = client.post(reverse("orders:template_save"), {"name": "Склад"})
    created = OrderTemplate.objects.get(name="Склад")
    assert response.status_code == 302 and response.url == reverse("orders:template_detail", args=[created.pk])

    other = priced_product()
    cart_add_line(user=buyer, product_id=other.pk, quantity=Decimal("1"))
    response = client.post(reverse("orders:template_save"), {"name": "склад"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Склад" in html and 'name="replace" value="1"' in html
    assert created.lines.count() == 2

    response = client.post(reverse("orders:template_save"), {"name": "склад", "replace": "1"})
    assert response.status_code == 302
    assert created.lines.count() == 3 and OrderTemplate.objects.filter(client=buyer.client).count() == 2

    response = client.post(reverse("orders:template_save"), {"name": "  "})
    assert response.status_code == 422 and 'class="alert alert-error' in response.content.decode()


def test_an_empty_cart_has_no_save_form(client, shop):
    client.force_login(shop["buyer"])
    html = client.get(reverse("orders:templates")).content.decode()
    assert 'class="template-save-form"' not in html
    response = client.post(reverse("orders:template_save"), {"name": "Пусто"})
    assert response.status_code == 422 and not OrderTemplate.objects.exists()


def test_line_edit_with_htmx_offers_the_multiplicity_choices(client, saved):
    template = saved["template"]
    line = template.lines.get(product=saved["products"][0])
    url = reverse("orders:template_line_update", args=[template.pk, line.pk])
    client.force_login(saved["buyer"])

    response = client.post(url, {"quantity": "10", "unit": ""}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section class="card template-lines"')
    assert 'role="alert"' in html and 'name="quantity" value="6"' in html and 'name="quantity" value="12"' in html
    line.refresh_from_db()
    assert line.quantity == Decimal("6")

    response = client.post(url, {"quantity": "12", "unit": ""}, headers=HTMX)
    assert response.status_code == 200 and 'class="saved-mark"' in response.content.decode()
    line.refresh_from_db()
    assert line.quantity == Decimal("12")


def test_line_edit_without_javascript(client, saved):
    template = saved["template"]
    line = template.lines.get(product=saved["products"][0])
    url = reverse("orders:template_line_update", args=[template.pk, line.pk])
    client.force_login(saved["buyer"])
    response = client.post(url, {"quantity": "7"})
    assert response.status_code == 422 and "<html" in response.content.decode()
    response = client.post(url, {"quantity": "abc"})
    assert response.status_code == 422
    response = client.post(url, {"quantity": "18"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.quantity == Decimal("18")


def test_remove_rename_delete(client, saved):
    template = saved["template"]
    line = template.lines.first()
    urls = _urls(template, line)
    client.force_login(saved["buyer"])
    response = client.post(urls["remove"], headers=HTMX)
    assert response.status_code == 200 and f'id="line-{line.pk}"' not in response.content.decode()
    assert client.post(urls["remove"]).status_code == 404

    assert client.post(urls["rename"], {"name": ""}).status_code == 422
    assert client.post(urls["rename"], {"name": "Объект на Лесной"}).status_code == 302
    template.refresh_from_db()
    assert template.name == "Объект на Лесной"

    assert client.post(urls["delete"]).status_code == 302
    assert not OrderTemplate.objects.exists()
    assert client.get(urls["detail"]).status_code == 404


def test_add_to_cart_reports_on_the_template_page_once(client, saved):
    template = saved["template"]
    buyer = saved["buyer"]
    CartLine.objects.filter(cart__user=buyer).delete()
    first = saved["products"][0]
    first.multiplicity = Decimal("4")
    first.save(update_fields=["multiplicity"])
    client.force_login(buyer)

    response = client.post(reverse("orders:template_add_to_cart", args=[template.pk]))

    assert response.status_code == 302 and response.url == reverse("orders:template_detail", args=[template.pk])
    html = client.get(response.url).content.decode()
    assert 'class="cart-report"' in html and first.sku in html
    assert 'name="quantity" value="4"' in html and 'name="quantity" value="8"' in html
    assert 'class="cart-report"' not in client.get(response.url).content.decode()
    assert list(CartLine.objects.filter(cart__user=buyer).values_list("product_id", flat=True)) == [
        saved["products"][1].pk]


def test_a_buyer_reaches_the_templates_from_the_user_menu_and_the_orders_page(client, shop):
    client.force_login(shop["buyer"])
    html = client.get(reverse("orders:list")).content.decode()
    assert html.count(f'href="{reverse("orders:templates")}"') == 2
