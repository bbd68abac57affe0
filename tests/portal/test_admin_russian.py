"""Every admin page in Russian: app headings, model names, filters, column headers, form labels and the
objects' names (inline rows included), and no "Add" link reading "В корзину"."""

import html as html_lib
import io
import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from orders.models import Order, OrderStatusChange
from orders.status import OrderStatus
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]

CYRILLIC = re.compile("[А-Яа-яЁё]")
#: Words that stay as they are in Russian admin texts (codes, units, abbreviations, brand names).
ALLOWED = {"ID", "ERP id", "e-mail", "E-mail", "URL", "UUID", "ERP", "JSON", "1C", "Celery", "cron", "crontab",
           "IP", "HTTP", "SKU", "PDF", "Crontab", "—", ""}
#: What a heading may never be: the English names the issue reported, among others.
ENGLISH = {"AXES", "Axes", "CATALOG", "Catalog", "ORDERS", "Orders", "SYNC", "Sync", "Task Name", "Periodic Tasks",
           "Base", "Accounts"}
PATTERNS = {
    "app heading": r'<caption>\s*<a [^>]*class="section"[^>]*>(.*?)</a>',
    "model": r'<th scope="row" id="[^"]*"><a [^>]*>(.*?)</a>',
    "filter": r'data-filter-title="(.*?)"',
    "column": r'<th scope="col"[^>]*>\s*(?:<div class="sortoptions">.*?</div>\s*)?'
              r'<div class="text">(?:<a [^>]*>|<span>)(.*?)(?:</a>|</span>)',
    "label": r"<label[^>]*>(.*?)</label>",
    "heading": r'<h2[^>]*class="[^"]*(?:fieldset-heading|inline-heading)[^"]*"[^>]*>(.*?)</h2>',
    "fieldset": r'<legend[^>]*>(.*?)</legend>',
    "inline row": r'<td class="original">\s*<p>(.*?)</p>',
}


def _texts(page: str) -> list[tuple[str, str]]:
    found = []
    for kind, pattern in PATTERNS.items():
        for match in re.findall(pattern, page, re.S):
            text = html_lib.unescape(re.sub(r"<[^>]+>", "", match)).strip().rstrip(":").strip()
            found.append((kind, text))
    return found


def _english(text: str) -> bool:
    if text in ALLOWED or CYRILLIC.search(text):
        return False
    return bool(re.search("[A-Za-z]{3,}", text))


@pytest.fixture
def russian_admin(client):
    call_command("seed_demo", products=40, clients=2, stdout=io.StringIO())
    superuser = UserFactory(is_staff=True, is_superuser=True, email="root@example.com")
    client.force_login(superuser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    return client


def _get(client, url: str) -> str:
    response = client.get(url, headers={"accept-language": "ru"})
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _pages(client):
    """The admin index, then per registered model its list, its add form and the page of one object."""
    yield reverse("admin:index"), _get(client, reverse("admin:index"))
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        url = reverse("admin:{}_{}_changelist".format(*info))
        yield url, _get(client, url)
        request_user = User.objects.get(email="root@example.com")
        fake = type("Request", (), {"user": request_user, "method": "GET", "GET": {}, "POST": {}})()
        if model_admin.has_add_permission(fake):
            url = reverse("admin:{}_{}_add".format(*info))
            yield url, _get(client, url)
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
            yield url, _get(client, url)


def test_every_admin_page_is_in_russian(russian_admin):
    english, carts = [], []
    for url, page in _pages(russian_admin):
        if "В корзину" in page:
            carts.append(url)
        english += [(url, kind, text) for kind, text in _texts(page) if _english(text) or text in ENGLISH]
    assert not carts, carts
    assert not english, "\n".join(f"{url}: {kind} {text!r}" for url, kind, text in sorted(set(english)))


def test_index_headings_and_add_links(russian_admin):
    page = _get(russian_admin, reverse("admin:index"))
    headings = {text for kind, text in _texts(page) if kind == "app heading"}
    assert {"Каталог", "Заказы", "Обмен с ERP", "Блокировка входа", "Периодические задачи"} <= headings
    assert not headings & ENGLISH
    assert "В корзину" not in page and "Добавить" in page


def test_status_history_rows_read_as_labels_and_a_date(russian_admin):
    order = Order.objects.order_by("pk").first()
    change = OrderStatusChange.objects.create(order=order, from_status=OrderStatus.DRAFT,
                                              to_status=OrderStatus.SUBMITTED, created_at=timezone.now())
    when = timezone.localtime(change.created_at).strftime("%d.%m.%Y %H:%M")
    assert str(change) == f"{order.number}: {OrderStatus.DRAFT.label} → {OrderStatus.SUBMITTED.label}, {when}"
    assert "draft" not in str(change) and str(order.pk) + ":" not in str(change)
