"""The UI shell: sign-in pages, header, language switch, error pages, catalog and order pages."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.db import connection
from django.template import Context, engines, loader
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.safestring import mark_safe

from accounts.models import User
from catalog.fragments import catalog_version_bump
from orders.models import OrderStatusChange
from orders.status import OrderStatus
from portal import views as portal_views
from tests.factories import (
    CategoryFactory,
    ClientUserFactory,
    ContractFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    StaffUserFactory,
)

PASSWORD = "correct-horse-battery"

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_user():
    return ClientUserFactory(client__name="ООО «Ромашка»", role=User.Role.MANAGER)


@pytest.fixture
def logged_in(client, client_user):
    client.force_login(client_user)
    return client


class _AssetCollector(HTMLParser):
    """Collects the URLs a page loads by itself: scripts, stylesheets, icons, images, frames."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"script", "img", "iframe", "source", "video", "audio", "embed"} and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def _asset_urls(html: str) -> list[str]:
    parser = _AssetCollector()
    parser.feed(html)
    return parser.urls


# ---------- Sign-in, language ----------


def test_login_page_is_russian_by_default(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert "Вход" in html
    assert "Пароль" in html
    assert "Нет доступа?" in html and "менеджер" in html
    assert 'name="login"' in html and 'name="password"' in html and 'name="remember"' in html
    assert "csrfmiddlewaretoken" in html
    assert reverse("account_reset_password") in html
    # No open sign-up: the adapter closes it and the page offers no link to it.
    assert "/accounts/signup/" not in html


def test_english_browser_still_gets_russian_until_the_switch(client):
    """Russian is the default whatever the browser's Accept-Language says; English is one click away."""
    login_url = reverse("account_login")
    html = client.get(login_url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="ru">' in html
    client.post(reverse("set_language"), {"language": "en", "next": login_url})
    html = client.get(login_url, HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9").content.decode()
    assert '<html lang="en">' in html


def test_language_switch_to_english_and_back(client):
    login_url = reverse("account_login")
    response = client.post(reverse("set_language"), {"language": "en", "next": login_url})
    assert response.status_code == 302
    assert response.url == login_url
    html = client.get(login_url).content.decode()
    assert '<html lang="en">' in html
    assert "Sign in to the portal" in html
    assert "Password" in html
    assert "No access?" in html

    client.post(reverse("set_language"), {"language": "ru", "next": login_url})
    assert "Вход" in client.get(login_url).content.decode()


def test_login_with_email_redirects_to_catalog(client, client_user):
    response = client.post(
        reverse("account_login"), {"login": client_user.email.upper(), "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("catalog:index")
    assert response.wsgi_request.user == client_user
    assert "ООО «Ромашка»" in response.content.decode()


def test_wrong_password_shows_an_error(client, client_user):
    response = client.post(reverse("account_login"), {"login": client_user.email, "password": "wrong-password"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "alert-error" in html
    assert "пароль неверны" in html
    assert not response.wsgi_request.user.is_authenticated


def test_logout_by_post(logged_in):
    page = logged_in.get(reverse("catalog:index")).content.decode()
    assert f'action="{reverse("account_logout")}"' in page
    response = logged_in.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response.url == reverse("account_login")
    response = logged_in.get(reverse("orders:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_logout_by_get_only_asks_to_confirm(logged_in):
    response = logged_in.get(reverse("account_logout"))
    assert response.status_code == 200
    assert "Вы уверены" in response.content.decode()
    assert response.wsgi_request.user.is_authenticated


def test_password_reset_pages(client, client_user, mailoutbox):
    html = client.get(reverse("account_reset_password")).content.decode()
    assert "Восстановление пароля" in html
    response = client.post(reverse("account_reset_password"), {"email": client_user.email}, follow=True)
    assert response.status_code == 200
    assert "Проверьте почту" in response.content.decode()
    assert len(mailoutbox) == 1


def test_repeated_failures_lock_the_sign_in_for_15_minutes(client, client_user, settings):
    responses = [
        client.post(reverse("account_login"), {"login": client_user.email, "password": "wrong-password"})
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    locked = responses[-1]
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Слишком много неудачных попыток входа. Вход в эту учётную запись заблокирован до " in html
    assert re.search(r"\(через 1[45] минут\)", html)
    assert reverse("account_reset_password") in html


def test_lockout_page_says_when_to_try_again(client):
    from datetime import timedelta

    html = loader.render_to_string(
        "account/lockout.html", {"cooloff_timedelta": timedelta(minutes=15), "failure_limit": 5}
    )
    assert "Слишком много неудачных попыток" in html
    assert "15 минут" in html


# ---------- Header ----------


def test_messages_are_escaped_unless_marked_safe():
    """The shell's messages (a Jinja2 partial) are shown like Django's `{{ message }}`: text escaped, safe HTML kept."""
    template = engines["jinja2"].get_template("partials/messages.jinja")
    html = template.render({"messages": [Message(constants.ERROR, "<b>нет</b>"),
                                         Message(constants.SUCCESS, mark_safe('<a href="/orders/">заказ</a>'))]})
    assert '<div class="alert alert-error">&lt;b&gt;нет&lt;/b&gt;</div>' in html
    assert '<div class="alert alert-success"><a href="/orders/">заказ</a></div>' in html
    assert template.render({"messages": []}).strip() == ""


def test_header_shows_client_role_cart_and_htmx(logged_in, client_user):
    html = logged_in.get(reverse("catalog:index")).content.decode()
    assert "ООО «Ромашка»" in html
    assert "Закупщик" in html
    assert 'title="Корзина"' in html
    assert 'class="cart-count is-empty">0<' in html
    assert f'src="{settings.STATIC_URL}django_htmx/htmx-2.min.js"' in html
    assert """hx-headers='{"X-CSRFToken": \"""" in html
    assert f'action="{reverse("set_language")}"' in html
    assert f'href="{reverse("orders:list")}"' in html
    assert reverse("admin:index") not in html
    # The search box sends `q` to the catalog.
    assert f'action="{reverse("catalog:index")}"' in html and 'name="q"' in html


def test_header_for_staff_links_the_admin(client):
    client.force_login(StaffUserFactory())
    html = client.get(reverse("catalog:index")).content.decode()
    assert f'href="{reverse("admin:index")}"' in html
    assert "cart-badge" not in html


def test_anonymous_catalog_offers_sign_in(client):
    response = client.get(reverse("catalog:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("account_login") in html
    assert "user-menu" not in html


@pytest.mark.parametrize("url_name", ["account_login", "catalog:index", "orders:list"])
def test_pages_load_no_assets_from_other_hosts(logged_in, url_name):
    if url_name == "account_login":
        logged_in.logout()
    response = logged_in.get(reverse(url_name))
    assert response.status_code == 200
    urls = _asset_urls(response.content.decode())
    assert any(url.endswith("css/portal.css") for url in urls)
    for url in urls:
        assert url.startswith(settings.STATIC_URL) or url.startswith(settings.MEDIA_URL), url


# ---------- Error pages ----------


def test_unknown_url_renders_the_404_page(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Страница не найдена" in html
    assert 'class="site-header"' in html


def test_500_handler_renders_without_database(rf, django_assert_num_queries):
    request = rf.get("/")
    with django_assert_num_queries(0):
        response = portal_views.server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert settings.PORTAL_NAME in html
    assert 'href="/static/css/portal.css"' in html


def test_500_template_renders_with_a_plain_context():
    html = loader.get_template("500.html").template.render(Context({"portal_name": "Портал"}))
    assert "Портал" in html and "500" in html


def test_403_page(rf, client_user):
    request = rf.get("/")
    request.user = client_user
    response = portal_views.permission_denied(request)
    assert response.status_code == 403
    assert "Доступ запрещён" in response.content.decode()


# ---------- Catalog ----------


def _page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_catalog_listing_query_count_is_constant(logged_in, django_assert_max_num_queries):
    category = CategoryFactory()
    ProductFactory.create_batch(5, category=category)
    url = reverse("catalog:index")
    few = _page_queries(logged_in, url)
    ProductFactory.create_batch(25, category=category)
    catalog_version_bump()  # what an import does after writing products: the cached listing is retired
    many = _page_queries(logged_in, url)
    assert few == many
    # The bound: session, user, client, categories, count, facets, page, prices, stock, cart counter.
    with django_assert_max_num_queries(10):
        logged_in.get(url)


def test_catalog_lists_products_with_categories_and_pagination(logged_in):
    root = CategoryFactory(name="Крепёж")
    ProductFactory.create_batch(30, category=root)
    html = logged_in.get(reverse("catalog:index")).content.decode()
    assert "Крепёж" in html
    assert "30 товаров" in html
    assert "?page=2" in html
    page_two = logged_in.get(reverse("catalog:index"), {"page": 2}).content.decode()
    assert "Страница 2 из 2" in page_two


def test_catalog_search_by_name_and_sku(logged_in):
    ProductFactory(name="Болт М8", sku="BOLT-8")
    ProductFactory(name="Гайка М8", sku="NUT-8")
    html = logged_in.get(reverse("catalog:index"), {"q": "Болт"}).content.decode()
    assert "Болт М8" in html and "Гайка М8" not in html
    html = logged_in.get(reverse("catalog:index"), {"q": "nut"}).content.decode()
    assert "Гайка М8" in html and "Болт М8" not in html
    html = logged_in.get(reverse("catalog:index"), {"q": "ничего такого"}).content.decode()
    assert "Ничего не найдено" in html


@pytest.mark.postgres
def test_catalog_search_ignores_cyrillic_case(logged_in):
    """SQLite folds only ASCII case, so this holds on PostgreSQL (full-text search)."""
    ProductFactory(name="Болт М8", sku="BOLT-8")
    html = logged_in.get(reverse("catalog:index"), {"q": "бОЛТ"}).content.decode()
    assert "Болт М8" in html


def test_catalog_results_partial_renders_alone(logged_in):
    ProductFactory(name="Шуруп")
    html = logged_in.get(reverse("catalog:index"), headers={"HX-Request": "true"}).content.decode()
    assert "Шуруп" in html and 'id="catalog-results"' in html and "<header" not in html


def test_category_page_shows_breadcrumbs_and_subcategories(logged_in):
    from catalog.services import category_rebuild_tree

    root = CategoryFactory(name="Инструмент")
    child = CategoryFactory(name="Дрели", parent=root)
    CategoryFactory(name="Аккумуляторные", parent=child)
    category_rebuild_tree()
    ProductFactory(name="Дрель ударная", category=child)
    html = logged_in.get(child.get_absolute_url()).content.decode()
    assert 'class="breadcrumbs"' in html
    assert root.get_absolute_url() in html
    assert "Аккумуляторные" in html
    assert "Дрель ударная" in html


def test_product_page(logged_in):
    product = ProductFactory(name="Перфоратор", brand="Бренд", description="Мощный.")
    html = logged_in.get(product.get_absolute_url()).content.decode()
    assert "Перфоратор" in html
    assert product.sku in html
    assert "Кратность" in html
    assert "Мощный." in html


# ---------- Orders ----------


def test_order_list_and_detail(logged_in, client_user):
    order = OrderFactory(
        client=client_user.client,
        created_by=client_user,
        contract=ContractFactory(legal_entity__client=client_user.client),
        total_amount="1234567.50",
    )
    OrderLineFactory(order=order, price="617283.75", amount="1234567.50")
    OrderStatusChange.objects.create(
        order=order, from_status=OrderStatus.DRAFT, to_status=OrderStatus.SUBMITTED, changed_by=client_user,
        comment="Срочно",
    )
    html = logged_in.get(reverse("orders:list")).content.decode()
    assert order.number in html
    assert "Передан поставщику" in html
    assert "1\xa0234\xa0567,50" in html

    html = logged_in.get(order.get_absolute_url()).content.decode()
    assert order.number in html
    assert order.legal_entity.name in html
    assert "Срочно" in html
    assert "Черновик" in html


def test_order_pages_query_counts_do_not_grow(logged_in, client_user):
    def make_orders(count: int):
        for _ in range(count):
            order = OrderFactory(client=client_user.client, created_by=client_user)
            OrderLineFactory.create_batch(2, order=order)
            OrderStatusChange.objects.create(order=order, to_status=OrderStatus.SUBMITTED, changed_by=client_user)
        return order

    order = make_orders(2)
    list_few = _page_queries(logged_in, reverse("orders:list"))
    detail_few = _page_queries(logged_in, order.get_absolute_url())
    order = make_orders(10)
    OrderLineFactory.create_batch(8, order=order)
    assert _page_queries(logged_in, reverse("orders:list")) == list_few
    assert _page_queries(logged_in, order.get_absolute_url()) == detail_few


def test_order_list_empty_state(logged_in):
    html = logged_in.get(reverse("orders:list")).content.decode()
    assert "Заказов пока нет" in html


def test_other_clients_order_is_404(logged_in):
    other = OrderFactory()
    assert logged_in.get(other.get_absolute_url()).status_code == 404


def test_orders_need_login(client):
    response = client.get(reverse("orders:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
