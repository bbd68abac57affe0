"""The admin shows a regional manager nothing of other regions: the "view on site" shortcut and
the personal-manager choices of a client.
"""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from accounts.models import Client, RegionHead, User
from orders.models import Order
from tests.accounts.factories import region_with_manager
from tests.factories import ClientFactory, ContractFactory, OrderFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions():
    north, north_manager = region_with_manager(name="Север")
    south, south_manager = region_with_manager(name="Юг")
    return north, north_manager, south, south_manager


def _order(region) -> Order:
    contract = ContractFactory(legal_entity__client__region=region)
    entity = contract.legal_entity
    return OrderFactory(client=entity.client, legal_entity=entity, contract=contract)


def _shortcut(obj) -> str:
    return f"/admin/r/{ContentType.objects.get_for_model(obj).pk}/{obj.pk}/"


def test_view_on_site_of_a_model_the_staff_member_may_not_view_is_404(client, regions):
    """The old shortcut answered 302 for an existing object and 404 for a missing one, to any staff."""
    _north, north_manager, south, _south_manager = regions
    order = _order(south)
    client.force_login(north_manager)
    assert client.get(_shortcut(order)).status_code == 404
    assert client.get(f"/admin/r/{ContentType.objects.get_for_model(Order).pk}/999999/").status_code == 404


def test_view_on_site_with_a_bad_address_is_404(client, regions):
    client.force_login(StaffUserFactory(is_superuser=True))
    assert client.get(f"/admin/r/{ContentType.objects.get_for_model(User).pk}/not-a-number/").status_code == 404
    assert client.get("/admin/r/999999/1/").status_code == 404


def test_view_on_site_of_a_scoped_admin_follows_its_queryset(client, regions, monkeypatch):
    north, north_manager, south, _south_manager = regions
    own, foreign = ClientFactory(region=north), ClientFactory(region=south)
    # Clients have no page of their own on the site; give them one for the shortcut to lead to.
    monkeypatch.setattr(Client, "get_absolute_url", lambda self: f"/clients/{self.pk}/", raising=False)
    client.force_login(north_manager)
    assert client.get(_shortcut(own)).status_code == 302
    assert client.get(_shortcut(foreign)).status_code == 404


def test_superuser_view_on_site_still_redirects(client, regions):
    order = _order(regions[2])
    client.force_login(StaffUserFactory(is_superuser=True))
    response = client.get(_shortcut(order))
    assert response.status_code == 302 and response["Location"].endswith(order.get_absolute_url())


def _manager_options(html: str) -> set[str]:
    select = re.search(r'<select name="manager"[^>]*>(.*?)</select>', html, re.S)
    assert select, "the personal manager is a plain select"
    return {label.strip() for value, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>',
                                                           select.group(1))}


def test_regional_manager_picks_the_personal_manager_among_his_regions_staff(client, regions):
    north, north_manager, _south, south_manager = regions
    head = StaffUserFactory(first_name="Глава", last_name="Севера")
    RegionHead.objects.create(region=north, user=head)
    StaffUserFactory(first_name="Посторонний", last_name="Сотрудник")
    company = ClientFactory(region=north)
    client.force_login(north_manager)
    response = client.get(f"/admin/accounts/client/{company.pk}/change/")
    assert response.status_code == 200
    assert _manager_options(response.content.decode()) == {str(north_manager), str(head)}


def test_the_current_manager_stays_a_choice_so_the_form_saves(client, regions):
    north, north_manager, _south, south_manager = regions
    company = ClientFactory(region=north, manager=south_manager)
    client.force_login(north_manager)
    html = client.get(f"/admin/accounts/client/{company.pk}/change/").content.decode()
    assert _manager_options(html) == {str(north_manager), str(south_manager)}


def test_superuser_picks_among_all_staff(client, regions):
    _north, north_manager, _south, south_manager = regions
    other = StaffUserFactory(first_name="Посторонний", last_name="Сотрудник")
    superuser = StaffUserFactory(is_superuser=True, first_name="Главный", last_name="Админ")
    company = ClientFactory(region=regions[0])
    client.force_login(superuser)
    html = client.get(f"/admin/accounts/client/{company.pk}/change/").content.decode()
    # The superuser's widget is the autocomplete: its choices come from the user admin's search.
    assert 'name="manager"' in html
    response = client.get("/admin/autocomplete/", {"app_label": "accounts", "model_name": "client",
                                                   "field_name": "manager", "term": ""})
    names = {row["text"] for row in response.json()["results"]}
    assert {str(north_manager), str(south_manager), str(other), str(superuser)} <= names
