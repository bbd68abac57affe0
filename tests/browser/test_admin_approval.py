"""The Russian admin in a real browser, desktop (1280 px) and phone (375 px): the regional manager opens a
pending registration and reads the requisites with their checks and the applicant before approving it; the
superuser's admin index has Russian headings and "Добавить" links. With SCREENSHOTS=1 the pages are saved
to artifacts/screenshots/admin-approval-<viewport>.png and admin-index-<viewport>.png."""

import pytest

from accounts.models import Client, User
from tests.accounts.factories import region_with_manager
from tests.browser.pages import VIEWPORTS, chromium, new_page, shot, sign_in
from tests.factories import BankAccountFactory, ClientFactory, ClientUserFactory, LegalEntityFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


@pytest.fixture
def pending(transactional_db):
    region, manager = region_with_manager(name="Москва")
    manager.email = "manager@example.com"
    manager.save(update_fields=["email"])
    company = ClientFactory(region=region, status=Client.Status.PENDING, name="ООО «Кровля-Сервис»")
    entity = LegalEntityFactory(client=company, is_confirmed=False, name="ООО «Кровля-Сервис»",
                                full_name="Общество с ограниченной ответственностью «Кровля-Сервис»",
                                legal_address="123456, г. Москва, ул. Правды, д. 24, стр. 1",
                                actual_address="123456, г. Москва, ул. Складская, д. 3")
    BankAccountFactory(legal_entity=entity)
    ClientUserFactory(client=company, role=User.Role.ADMINISTRATOR, is_active=False, first_name="Пётр",
                      last_name="Заявкин", email="director@krovlya.example", phone="+7 495 123-45-67",
                      position="Генеральный директор")
    UserFactory(is_staff=True, is_superuser=True, email="root@example.com")
    return company


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_manager_reads_requisites_and_the_index_is_russian(live_server, pending, viewport):
    size = VIEWPORTS[viewport]
    with chromium() as browser:
        page = new_page(browser, size)
        sign_in(page, live_server.url, "manager@example.com", admin=True)
        page.goto(f"{live_server.url}/admin/accounts/client/?status__exact=pending")
        assert page.get_by_text("Реквизиты и проверки").first.is_visible()
        assert page.get_by_text("+7 495 123-45-67").first.is_visible()
        page.goto(f"{live_server.url}/admin/accounts/client/{pending.pk}/change/")
        block = page.locator("fieldset").first
        text = block.inner_text()
        for shown in ("Заявитель и реквизиты", "ИНН", "ОГРН", "044525225 ✓", "Пётр Заявкин", "+7 495 123-45-67",
                      "director@krovlya.example", "ул. Правды, д. 24"):
            assert shown in text, shown
        assert block.locator(".requisite-ok").count() >= 6 and block.locator(".requisite-bad").count() == 0
        shot(page, f"admin-approval-{viewport}")

        root = new_page(browser, size)
        sign_in(root, live_server.url, "root@example.com", admin=True)
        headings = root.locator("caption a.section").all_inner_texts()
        assert {"КАТАЛОГ", "ЗАКАЗЫ", "ОБМЕН С ERP", "БЛОКИРОВКА ВХОДА", "ПЕРИОДИЧЕСКИЕ ЗАДАЧИ"} <= {
            heading.upper() for heading in headings}
        assert "В корзину" not in root.content() and root.get_by_text("Добавить").first.is_visible()
        shot(root, f"admin-index-{viewport}")
