"""Registration to first invitation in a real browser (Debian's Chromium driven by Playwright).

A company registers (first with mistakes, each field gets its message), confirms the e-mail,
a regional manager approves it in Django admin, the new administrator signs in, sees the
cabinet and invites an accountant. With SCREENSHOTS=1 the pages go to artifacts/screenshots/.
"""

import re
import shutil

import pytest
from django.core import mail

from accounts.models import Client, User
from tests.accounts.factories import PASSWORD, region_with_manager
from tests.browser.pages import CHROMIUM, chromium, new_page, shot, sign_in
from tests.factories import ClientFactory, PriceTypeFactory, RegionFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM}"),
]
STAFF_PASSWORD = "Manager-Pass-2026"


@pytest.fixture
def world(transactional_db, monkeypatch):
    # The test checks the database between browser steps, inside Playwright's event loop thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    region, manager = region_with_manager(name="Поволжье", code="volga", base_price_type=PriceTypeFactory())
    manager.email = "olga@supplier.example"
    manager.set_password(STAFF_PASSWORD)
    manager.save()
    manager.emailaddress_set.update(email=manager.email)  # the verified login address follows the change
    RegionFactory(name="Урал", code="ural")
    for n in range(3):  # a pending client of another region must stay invisible to this manager
        ClientFactory(name=f"ООО «Чужой {n}»", status=Client.Status.PENDING, region=RegionFactory())
    return {"region": region, "manager": manager}


def _fill_registration(page, region_pk: int, **overrides) -> None:
    values = {
        "full_name": "Общество с ограниченной ответственностью «Стройснаб-Поволжье»",
        "name": "ООО «Стройснаб-Поволжье»", "inn": "7707083894", "kpp": "773601001", "ogrn": "1027700132195",
        "legal_address": "443001, г. Самара, ул. Ленинградская, д. 1",
        "actual_address": "443001, г. Самара, ул. Ленинградская, д. 1",
        "bik": "044525225", "bank_name": "ПАО Сбербанк", "account": "40702810938000000002",
        "correspondent_account": "30101810400000000225", "contact_name": "Анна Смирнова",
        "contact_position": "Директор по закупкам", "email": "anna@stroysnab.example", "phone": "+7 846 200-00-00",
        "password1": PASSWORD, "password2": PASSWORD, "contract_comment": "Просим отсрочку 14 дней",
        **overrides,
    }
    for name, value in values.items():
        page.fill(f"[name={name}]", value)
    page.select_option("[name=region]", str(region_pk))
    page.check("[name=request_contract]")


def test_register_approve_sign_in_invite(live_server, world):
    with chromium() as browser:
        _run(browser, live_server.url, world)


def _run(browser, url: str, world) -> None:
    applicant = new_page(browser, "desktop")
    # 1. Register from the login page: a wrong INN and settlement account get their own messages.
    applicant.goto(f"{url}/accounts/login/")
    applicant.click("a[href='/accounts/register/']")
    applicant.wait_for_url(f"{url}/accounts/register/")
    _fill_registration(applicant, world["region"].pk)
    applicant.click("button[type=submit].btn-primary")
    applicant.wait_for_selector(".field-errors")
    errors = applicant.inner_text("form.register-form")
    assert "ИНН: неверная контрольная сумма" in errors
    assert "Расчётный счёт: контрольный ключ не соответствует БИК" in errors
    assert not Client.objects.filter(name__contains="Стройснаб").exists()
    shot(applicant, "registration-errors", also_phone=True)
    applicant.fill("[name=inn]", "7707083893")
    applicant.fill("[name=account]", "40702810938000000001")
    applicant.fill("[name=password1]", PASSWORD)
    applicant.fill("[name=password2]", PASSWORD)
    applicant.click("button[type=submit].btn-primary")
    applicant.wait_for_url(f"{url}/accounts/register/done/")
    company = Client.objects.get(name="ООО «Стройснаб-Поволжье»")
    assert company.status == Client.Status.PENDING
    # 2. Confirm the e-mail address with the link from the letter.
    letter = next(m for m in mail.outbox if m.to == ["anna@stroysnab.example"])
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", letter.body).group(0)
    applicant.goto(url + link.split("localhost:8000", 1)[-1])
    assert "подтверждён" in applicant.inner_text("main")
    # Signing in before the approval says so, and who approves: the region's manager.
    sign_in(applicant, url, "anna@stroysnab.example", password=PASSWORD, wait_for="")
    waiting = applicant.inner_text("main")
    assert "Компания ожидает одобрения" in waiting and "olga@supplier.example" in waiting
    assert "отключена" not in waiting

    # 3. The regional manager approves the registration in Django admin.
    staff = new_page(browser, "desktop")
    sign_in(staff, url, "olga@supplier.example", password=STAFF_PASSWORD, wait_for="")
    staff.goto(f"{url}/admin/accounts/client/?status__exact=pending")
    listing = staff.inner_text("#changelist")
    assert "Стройснаб" in listing and "Чужой" not in listing
    staff.click("#toggle-nav-sidebar")  # the admin's own sidebar toggle: room for the whole list
    shot(staff, "admin-approval-list")
    staff.check(f"input[name=_selected_action][value='{company.pk}']")
    staff.select_option("select[name=action]", "approve_registrations")
    staff.click("button[name=index]")
    staff.wait_for_selector(".messagelist")
    company.refresh_from_db()
    assert company.status == Client.Status.ACTIVE and company.manager == world["manager"]

    # 4. The new administrator signs in, sees the cabinet and invites an accountant.
    sign_in(applicant, url, "anna@stroysnab.example", password=PASSWORD, wait_for="")
    applicant.goto(f"{url}/cabinet/")
    cabinet = applicant.inner_text("main")
    assert "Менеджерова" in cabinet and "Поволжье" in cabinet
    # The bell's count arrives by htmx after the page loads: wait for it, don't race it.
    applicant.wait_for_selector("#notification-bell .notification-count")
    assert applicant.inner_text("#notification-bell").strip() == "1"  # the approval notification
    shot(applicant, "cabinet", also_phone=True)
    applicant.click("a[href='/cabinet/users/']")
    applicant.fill("[name=email]", "buh@stroysnab.example")
    applicant.select_option("#id_role", "accountant")
    applicant.fill("[name=first_name]", "Мария")
    applicant.click("section[aria-labelledby=invite-title] button[type=submit]")
    applicant.wait_for_selector(".alert-success")
    assert "buh@stroysnab.example" in applicant.inner_text(".users-table")
    invited = User.objects.get(email="buh@stroysnab.example")
    assert invited.client == company and invited.role == User.Role.ACCOUNTANT
    assert any(m.to == ["buh@stroysnab.example"] for m in mail.outbox)
    shot(applicant, "cabinet-users", also_phone=True)
    applicant.click("#notification-bell")
    applicant.wait_for_url(f"{url}/notifications/")
    assert "одобрена" in applicant.inner_text(".notification-list")
    shot(applicant, "notifications", also_phone=True)
