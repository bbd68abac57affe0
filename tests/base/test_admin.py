"""The reference data admin: base's pages, with the staff links accounts adds to the region page."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import RegionHead
from accounts.services import client_approve
from base.models import CalendarDay
from tests.factories import ClientFactory, RegionFactory, StaffUserFactory, UserFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["currency", "pricetype", "region", "warehouse", "calendarday"])
def test_reference_pages_live_under_base(client, model):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse(f"admin:base_{model}_changelist")).status_code == 200


def test_region_page_edits_managers_and_the_head(client):
    region = RegionFactory(name="Казань")
    WarehouseFactory(region=region)
    head, manager = StaffUserFactory(email="head@example.com"), StaffUserFactory(email="manager@example.com")
    RegionHead.objects.create(region=region, user=head)
    manager.managed_regions.add(region)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:base_region_changelist")).content.decode()
    assert "head@example.com" in listing or str(head) in listing
    page = client.get(reverse("admin:base_region_change", args=[region.pk])).content.decode()
    assert "Менеджеры региона" in page or "regional managers" in page.lower()
    assert f'value="{manager.pk}" selected' in page and f'value="{head.pk}" selected' in page


def test_the_head_gets_a_client_of_a_region_without_managers(client):
    region = RegionFactory()
    head = StaffUserFactory()
    RegionHead.objects.create(region=region, user=head)
    pending = ClientFactory(region=region, status="pending")
    approved = client_approve(client=pending, by=UserFactory(is_staff=True, is_superuser=True))
    assert approved.manager == head


def test_delivery_calendar_admin_filters_by_region_and_date(client):
    kazan, samara = RegionFactory(name="Казань"), RegionFactory(name="Самара")
    CalendarDay.objects.create(date=datetime.date(2026, 6, 12), note="День России")
    CalendarDay.objects.create(region=kazan, date=datetime.date(2026, 8, 30), note="День Республики")
    CalendarDay.objects.create(region=samara, date=datetime.date(2026, 6, 13), is_working=True, note="Перенос")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:base_calendarday_changelist")
    page = client.get(url, {"region__id__exact": kazan.pk}).content.decode()
    assert "День Республики" in page and "День России" not in page and "Перенос" not in page
    page = client.get(url, {"date__year": "2026", "date__month": "6"}).content.decode()
    assert "День России" in page and "Перенос" in page and "День Республики" not in page
    region_page = client.get(reverse("admin:base_region_change", args=[kazan.pk])).content.decode()
    for field in ("order_cutoff", "delivery_lead_days", "pickup_lead_days"):
        assert f'name="{field}"' in region_page
