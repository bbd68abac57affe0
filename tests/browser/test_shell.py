"""The UI shell in a real browser (Debian's Chromium driven by Playwright), desktop and phone.

Sign in through the form, see the catalog with the client's name, open a product and the
orders, switch the language to English and back, log out; at 375 px nothing may scroll
sideways. With SCREENSHOTS=1 the pages are saved to artifacts/screenshots/.
"""

import shutil
from decimal import Decimal

import pytest

from accounts.models import User
from catalog.models import ProductUnit, Property, PropertyValue, Unit
from catalog.services import category_rebuild_tree
from orders.models import OrderStatusChange
from orders.status import OrderStatus
from tests.browser.pages import CHROMIUM, VIEWPORTS, assert_fits, chromium, new_page, shot, sign_in
from tests.factories import (
    CategoryFactory,
    ClientUserFactory,
    ContractFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    UnitFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture
def shell_data(transactional_db, settings):
    """A client user with a catalog of a few categories and products, and two orders."""
    settings.PORTAL_SUPPORT_PHONE = "+7 495 000-00-00"
    settings.PORTAL_SUPPORT_EMAIL = "support@example.com"

    user = ClientUserFactory(
        email="buyer@example.com",
        first_name="Анна",
        last_name="Смирнова",
        client__name="ООО «Стройснаб-Поволжье»",
        role=User.Role.MANAGER,
    )
    piece = UnitFactory()
    box = Unit.objects.create(code="778", name="Упаковка", short_name="уп")
    tools = CategoryFactory(name="Электроинструмент", slug="tools", position=1)
    drills = CategoryFactory(name="Дрели и шуруповёрты", slug="drills", parent=tools)
    CategoryFactory(name="Перфораторы", slug="hammers", parent=tools)
    fasteners = CategoryFactory(name="Крепёж", slug="fasteners", position=2)
    CategoryFactory(name="Сантехника", slug="plumbing", position=3)
    CategoryFactory(name="Электрика и кабель", slug="electric", position=4)
    category_rebuild_tree()

    power_property = Property.objects.create(name="Мощность, Вт", slug="power")
    power = PropertyValue.objects.create(property=power_property, value="750")
    drill = ProductFactory(
        sku="DR-750-01",
        name="Дрель ударная 750 Вт с быстрозажимным патроном",
        category=drills,
        brand="Интерскол",
        description="Для сверления дерева, металла и бетона.\n\nРеверс, регулировка оборотов.",
        weight=Decimal("2.100"),
        volume=Decimal("0.004500"),
        base_unit=piece,
    )
    drill.property_values.add(power)
    ProductUnit.objects.create(product=drill, unit=box, coefficient=Decimal("4"), barcode="4600000000017")
    for n in range(1, 12):
        ProductFactory(
            sku=f"BLT-M8-{n:03d}",
            name=f"Болт DIN 933 М8×{20 + 5 * n} оцинкованный",
            category=fasteners,
            brand="Крепикс",
            multiplicity=Decimal("100"),
            base_unit=piece,
        )
    ProductFactory(sku="SCR-3540", name="Шуруповёрт аккумуляторный 18 В", category=drills, base_unit=piece)

    contract = ContractFactory(legal_entity__client=user.client, legal_entity__name="ООО «Стройснаб»")
    orders = (("П-000128", OrderStatus.SHIPPED, "184350.00"), ("П-000131", OrderStatus.SUBMITTED, "12990.50"))
    for number, status, amount in orders:
        order = OrderFactory(
            number=number,
            client=user.client,
            legal_entity=contract.legal_entity,
            contract=contract,
            created_by=user,
            status=status,
            total_amount=Decimal(amount),
            delivery_address="г. Самара, ул. Промышленная, 12, склад 3",
        )
        OrderLineFactory(order=order, product=drill, quantity=Decimal("3"), price=Decimal(amount) / 3,
                         amount=Decimal(amount))
        OrderStatusChange.objects.create(
            order=order, from_status=OrderStatus.DRAFT, to_status=OrderStatus.SUBMITTED, changed_by=user,
            comment="Согласовано с отделом снабжения.",
        )
    return {"user": user, "drill": drill}


def _assert_styled(page) -> None:
    # The local stylesheet is applied: the body has the shell's background colour.
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(243, 245, 249)", background


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_shell_sign_in_browse_switch_language_log_out(live_server, shell_data, viewport):
    size = VIEWPORTS[viewport]
    width = size["width"]
    failed = []
    with chromium() as browser:
        page = new_page(browser, size, failed=failed)

        # A guest may browse the catalog (no prices) and is offered to sign in.
        page.goto(f"{live_server.url}/catalog/")
        assert page.locator(".header-login").is_visible()
        assert_fits(page, width)
        shot(page, f"catalog-guest-{viewport}")
        page.goto(f"{live_server.url}/accounts/password/reset/")
        assert page.locator("h1").inner_text() == "Восстановление пароля"
        assert_fits(page, width)
        shot(page, f"password-reset-{viewport}")

        # Sign in through the form.
        page.goto(f"{live_server.url}/accounts/login/")
        assert page.locator("html").get_attribute("lang") == "ru"
        assert page.locator("h1").inner_text() == "Вход в портал"
        _assert_styled(page)
        assert_fits(page, width)
        shot(page, f"login-{viewport}")
        sign_in(page, live_server.url, "buyer@example.com")

        # The catalog shell with the client's name and role.
        header = page.locator(".site-header")
        assert "ООО «Стройснаб-Поволжье»" in header.inner_html()
        assert "Закупщик" in header.inner_html()
        assert page.locator(".cart-badge").get_attribute("title") == "Корзина"
        assert page.locator(".category-list a", has_text="Крепёж").is_visible()
        _assert_styled(page)
        assert_fits(page, width)
        shot(page, f"catalog-{viewport}")

        # Into a category, then a product.
        page.locator(".category-list a", has_text="Крепёж").click()
        page.wait_for_url("**/catalog/fasteners/")
        assert page.locator(".breadcrumbs").is_visible()
        assert_fits(page, width)
        shot(page, f"category-{viewport}")

        page.goto(f"{live_server.url}{shell_data['drill'].get_absolute_url()}")
        assert "DR-750-01" in page.content()
        assert_fits(page, width)
        shot(page, f"product-{viewport}")

        # Search from the header.
        page.fill("#header-search-q", "Болт")
        page.press("#header-search-q", "Enter")
        page.wait_for_url("**/catalog/?q=*")
        assert page.locator(".product-table tbody tr").count() == 11
        assert_fits(page, width)

        # Orders through the user menu, then one order.
        page.locator(".user-menu-toggle").click()
        assert page.locator(".user-menu-panel").is_visible()
        shot(page, f"menu-{viewport}")
        page.locator(".user-menu-links a", has_text="Заказы").click()
        page.wait_for_url(f"{live_server.url}/orders/")
        assert page.locator("text=П-000128").first.is_visible()
        assert_fits(page, width)
        shot(page, f"orders-{viewport}")
        page.locator("a", has_text="П-000131").first.click()
        page.wait_for_url("**/orders/*/")
        assert page.locator(".timeline-item").count() == 1
        assert_fits(page, width)
        shot(page, f"order-{viewport}")

        # English and back, without JavaScript tricks: plain POST forms.
        page.locator(".lang-switch button[value=en]").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").inner_text().startswith("Order No.")
        assert "Buyer" in page.locator(".site-header").inner_html()
        assert_fits(page, width)
        shot(page, f"order-en-{viewport}")
        page.locator(".lang-switch button[value=ru]").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "ru"

        # Log out from the user menu.
        page.locator(".user-menu-toggle").click()
        page.locator(".user-menu-logout button").click()
        page.wait_for_url("**/accounts/login/")
        assert page.locator(".user-menu").count() == 0
    assert not failed, failed


def test_error_page_in_browser(live_server, shell_data):
    with chromium() as browser:
        page = new_page(browser, "phone")
        response = page.goto(f"{live_server.url}/no-such-page/")
        assert response.status == 404
        assert page.locator("h1").inner_text() == "Страница не найдена"
        _assert_styled(page)
        assert_fits(page, VIEWPORTS["phone"]["width"])
        shot(page, "404-phone")
