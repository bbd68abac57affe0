"""A user of a company still awaiting approval learns so when he signs in, and who approves it."""

import pytest
from django.urls import reverse

from accounts.models import Client
from tests.accounts.factories import region_with_manager
from tests.factories import ClientFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Zv3zda-Portal-2026"


def _applicant(company: Client):
    user = UserFactory(client=company, role="administrator", email="anna@example.com", is_active=False)
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(client):
    return client.post(reverse("account_login"), {"login": "anna@example.com", "password": PASSWORD}, follow=True)


def test_pending_company_names_the_regions_managers(client):
    region, manager = region_with_manager()
    _applicant(ClientFactory(region=region, status=Client.Status.PENDING, manager=None, name="ООО «Ромашка»"))

    page = _sign_in(client).content.decode()

    assert "_auth_user_id" not in client.session
    assert "Учётная запись отключена" not in page
    assert "ожидает одобрения" in page and "«ООО «Ромашка»»" in page
    assert "Ольга Менеджерова" in page and manager.email in page and "+7 495 111-22-33" in page


def test_pending_company_names_its_personal_manager(client):
    region, regional = region_with_manager()
    personal = StaffUserFactory(first_name="Игорь", last_name="Личный")
    _applicant(ClientFactory(region=region, status=Client.Status.PENDING, manager=personal))

    page = _sign_in(client).content.decode()

    assert "Игорь Личный" in page and personal.email in page
    assert regional.email not in page


def test_blocked_company_user_still_gets_account_inactive(client):
    region, _manager = region_with_manager()
    _applicant(ClientFactory(region=region, status=Client.Status.BLOCKED))

    response = _sign_in(client)

    assert response.redirect_chain[-1][0] == reverse("account_inactive")
    assert "_auth_user_id" not in client.session


def test_wrong_password_of_a_pending_user_tells_nothing(client):
    region, manager = region_with_manager()
    _applicant(ClientFactory(region=region, status=Client.Status.PENDING, manager=None))

    page = client.post(reverse("account_login"), {"login": "anna@example.com", "password": "wrong-one-2026"}).content

    assert manager.email.encode() not in page and "ожидает одобрения".encode() not in page
