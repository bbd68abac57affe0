"""seed_demo's accounts part: pending registrations to approve, several legal entities, every role."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.db.models import Count

from accounts.access import clients_for_staff
from accounts.models import Client, ContractRequest, Notification, User
from accounts.notifications import ops_recipients
from portal.demo.seed import seed_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_demo_has_the_accounts_workflow(client):
    seed_demo(products=50, clients=6, seed=3, now=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC),
              progress=lambda message: None)
    pending = list(Client.objects.filter(status=Client.Status.PENDING))
    assert len(pending) == 2
    admins = User.objects.filter(client__in=pending, role=User.Role.ADMINISTRATOR)
    assert admins.count() == 2 and not admins.filter(is_active=True).exists()
    assert sorted(EmailAddress.objects.filter(user__in=admins).values_list("verified", flat=True)) == [False, True]
    assert ContractRequest.objects.filter(client__in=pending).exists()
    assert Client.objects.annotate(n=Count("legal_entities")).filter(n__gt=1, status="active").exists()
    for company in Client.objects.filter(status=Client.Status.ACTIVE):
        assert set(company.users.values_list("role", flat=True)) == set(User.Role.values)
    assert Client.objects.filter(buyers_see_all_orders=True).exists()
    assert list(ops_recipients().values_list("email", flat=True)) == ["admin@demo.local"]
    # the regional manager of a pending client is notified and sees it in admin, and approves it there
    company = pending[0]
    manager = company.region.managers.order_by("pk").first()
    assert Notification.objects.filter(recipient=manager, event="registration_submitted").exists()
    assert company in clients_for_staff(manager)
    client.force_login(manager)
    html = client.get("/admin/accounts/client/?status__exact=pending").content.decode()
    assert company.name.replace("«", "&laquo;") in html or company.name in html
    client.post("/admin/accounts/client/", {"action": "approve_registrations", "_selected_action": [company.pk]})
    company.refresh_from_db()
    assert company.status == Client.Status.ACTIVE
    assert User.objects.get(client=company, role=User.Role.ADMINISTRATOR).is_active
