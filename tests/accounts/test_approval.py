import pytest
from django.contrib.auth.models import Permission
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.models import Client, ContractRequest, LegalEntity, Notification, User
from tests.accounts.factories import region_with_manager, registration_data
from tests.factories import PriceTypeFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def _pending(client, region):
    assert client.post("/accounts/register/", registration_data(region)).status_code == 302
    return Client.objects.get(users__email="anna@example.com")


@pytest.fixture
def setup(client):
    region, manager = region_with_manager(base_price_type=PriceTypeFactory())
    company = _pending(client, region)
    return region, manager, company


def test_approve_activates_assigns_and_emails(setup, mailoutbox, django_capture_on_commit_callbacks):
    region, manager, company = setup
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.client_approve(client=company, by=manager)
    company.refresh_from_db()
    assert company.status == Client.Status.ACTIVE and company.approved_at
    assert company.price_type == region.base_price_type
    assert company.manager == manager
    admin = User.objects.get(email="anna@example.com")
    assert admin.is_active
    assert LegalEntity.objects.get(client=company).is_confirmed
    assert Notification.objects.filter(recipient=admin, event="registration_approved").exists()
    [mail] = mailoutbox
    assert mail.to == ["anna@example.com"]
    assert "ПАО Сбербанк" in mail.subject


def test_approved_administrator_signs_in_and_reaches_the_cabinet(client, setup, django_capture_on_commit_callbacks):
    _region, manager, company = setup
    admin = User.objects.get(email="anna@example.com")
    services.registration_confirm_email(token=signing.dumps({"u": admin.pk, "e": admin.email},
                                                            salt=services.CONFIRM_SALT))
    with django_capture_on_commit_callbacks(execute=True):
        services.client_approve(client=company, by=manager)
    response = client.post("/accounts/login/", {"login": "anna@example.com", "password": "Zv3zda-Portal-2026"})
    assert response.status_code == 302
    page = client.get("/cabinet/")
    assert page.status_code == 200
    assert "Менеджерова" in page.content.decode() and "+7 495 111-22-33" in page.content.decode()


def test_reject_emails_the_reason(setup, mailoutbox, django_capture_on_commit_callbacks):
    _region, manager, company = setup
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.client_reject(client=company, by=manager, reason="ИНН не совпадает с выпиской ЕГРЮЛ")
    company.refresh_from_db()
    assert company.status == Client.Status.REJECTED
    assert not User.objects.get(email="anna@example.com").is_active
    assert ContractRequest.objects.get().status == ContractRequest.Status.REJECTED
    [mail] = mailoutbox
    assert mail.to == ["anna@example.com"] and "ИНН не совпадает с выпиской ЕГРЮЛ" in mail.body
    assert Notification.objects.filter(event="registration_rejected").count() == 1


def test_reject_needs_a_reason_and_decided_twice_fails(setup):
    _region, manager, company = setup
    with pytest.raises(ValidationError):
        services.client_reject(client=company, by=manager, reason="  ")
    services.client_approve(client=company, by=manager)
    with pytest.raises(ValidationError):
        services.client_approve(client=company, by=manager)


def test_manager_of_another_region_may_not_decide(setup):
    _region, _manager, company = setup
    _other_region, stranger = region_with_manager()
    with pytest.raises(PermissionDenied):
        services.client_approve(client=company, by=stranger)
    with pytest.raises(PermissionDenied):
        services.client_reject(client=company, by=stranger, reason="x")
    company.refresh_from_db()
    assert company.status == Client.Status.PENDING


def test_contract_request_decision(setup, mailoutbox, django_capture_on_commit_callbacks):
    _region, manager, company = setup
    services.client_approve(client=company, by=manager)
    request = ContractRequest.objects.get()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_request_decide(contract_request=request, by=manager, approve=False, reason="Нет лимита")
    request.refresh_from_db()
    assert request.status == ContractRequest.Status.REJECTED and request.decided_by == manager
    assert "Нет лимита" in mailoutbox[0].body


# --- Django admin: scoping to the regional manager's regions ---------------------------------

def _other_pending(client):
    region, manager = region_with_manager()
    data = registration_data(region, inn="7736050003", kpp="772801001", ogrn="1027700070518", email="b@example.com",
                             name="ПАО Газпром")
    assert client.post("/accounts/register/", data).status_code == 302, "second registration"
    return Client.objects.get(name="ПАО Газпром"), manager


def test_admin_list_is_scoped_to_the_managers_regions(client, setup):
    _region, manager, company = setup
    other, _other_manager = _other_pending(client)
    client.force_login(manager)
    page = client.get("/admin/accounts/client/?status__exact=pending")
    assert page.status_code == 200
    html = page.content.decode()
    assert "ПАО Сбербанк" in html and "ПАО Газпром" not in html
    assert client.get(f"/admin/accounts/client/{company.pk}/change/").status_code == 200
    assert client.get(f"/admin/accounts/client/{other.pk}/change/").status_code in {302, 403, 404}
    assert "ПАО Газпром" not in client.get("/admin/accounts/contractrequest/").content.decode()


def test_regional_manager_edits_a_client_with_plain_selects(client, setup):
    """Without view permission on users and price types the form offers selects, not dead autocompletes."""
    _region, manager, company = setup
    client.force_login(manager)
    html = client.get(f"/admin/accounts/client/{company.pk}/change/").content.decode()
    assert 'name="manager"' in html and "admin-autocomplete" not in html
    assert f'<option value="{manager.pk}">' in html
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert "admin-autocomplete" in client.get(f"/admin/accounts/client/{company.pk}/change/").content.decode()


def test_superuser_sees_all(client, setup):
    _other_pending(client)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get("/admin/accounts/client/").content.decode()
    assert "ПАО Сбербанк" in html and "ПАО Газпром" in html


def test_admin_approve_action(client, setup, mailoutbox, django_capture_on_commit_callbacks):
    _region, manager, company = setup
    other, _ = _other_pending(client)
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/accounts/client/", {
            "action": "approve_registrations", "_selected_action": [company.pk, other.pk]})
    assert response.status_code == 302
    company.refresh_from_db()
    other.refresh_from_db()
    assert company.status == Client.Status.ACTIVE
    assert other.status == Client.Status.PENDING  # not in the manager's region: filtered out of the queryset


def test_admin_reject_action_asks_for_a_reason(client, setup, mailoutbox, django_capture_on_commit_callbacks):
    _region, manager, company = setup
    client.force_login(manager)
    form = client.post("/admin/accounts/client/", {"action": "reject_registrations", "_selected_action": [company.pk]})
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/accounts/client/", {"action": "reject_registrations", "_selected_action": [company.pk],
                                                "apply": "1", "reason": "Дубль"})
    company.refresh_from_db()
    assert company.status == Client.Status.REJECTED and company.rejection_reason == "Дубль"
    assert "Дубль" in mailoutbox[0].body


def test_staff_without_regions_or_permissions_sees_nothing(client, setup):
    staff = StaffUserFactory()
    client.force_login(staff)
    assert client.get("/admin/accounts/client/").status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_client"))
    client.force_login(staff)
    assert "ПАО Сбербанк" not in client.get("/admin/accounts/client/").content.decode()


def test_notifications_come_in_the_recipients_language(setup, mailoutbox, django_capture_on_commit_callbacks):
    _region, manager, company = setup
    User.objects.filter(email="anna@example.com").update(language="en")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.client_approve(client=company, by=manager)
    note = Notification.objects.get(event="registration_approved")
    assert note.title.startswith("Your company ПАО Сбербанк is approved")
    assert "Details:" in mailoutbox[0].body
    staff_note = Notification.objects.get(recipient=manager, event="registration_submitted")
    assert staff_note.title.startswith("Новая регистрация")
