import pytest
from django.urls import reverse

from accounts.models import LegalEntity, Notification, User
from tests.factories import BankAccountFactory, ClientFactory, ClientUserFactory, LegalEntityFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
ADMIN = User.Role.ADMINISTRATOR

ENTITY = {
    "kind": "company", "full_name": "ООО «Ромашка»", "name": "Ромашка", "inn": "7736050003", "kpp": "772801001",
    "ogrn": "1027700070518", "legal_address": "Москва", "actual_address": "Москва", "bik": "044525225",
    "bank_name": "ПАО Сбербанк", "account": "40702810938000000001", "correspondent_account": "30101810400000000225",
}


@pytest.fixture
def admin(client):
    manager = StaffUserFactory(first_name="Ольга", last_name="Менеджерова", phone="+7 495 111-22-33")
    user = ClientUserFactory(role=ADMIN, client=ClientFactory(manager=manager))
    client.force_login(user)
    return user


def test_profile_shows_company_manager_and_region(client, admin, django_assert_max_num_queries):
    entity = LegalEntityFactory(client=admin.client)
    BankAccountFactory(legal_entity=entity)
    LegalEntityFactory(client=admin.client)
    with django_assert_max_num_queries(12):
        html = client.get("/cabinet/").content.decode()
    assert admin.client.name in html and admin.client.region.name in html
    assert "Менеджерова" in html and "+7 495 111-22-33" in html
    assert entity.name in html and entity.inn in html


def test_add_legal_entity_is_unconfirmed(client, admin):
    response = client.post("/cabinet/legal-entities/add/", ENTITY)
    assert response.status_code == 302
    entity = LegalEntity.objects.get(inn="7736050003")
    assert entity.client == admin.client and not entity.is_confirmed
    assert entity.bank_accounts.get().account == "40702810938000000001"


def test_add_legal_entity_validates_like_registration(client, admin):
    response = client.post("/cabinet/legal-entities/add/", {**ENTITY, "inn": "7736050004"})
    assert response.status_code == 200 and "inn" in response.context["form"].errors
    assert not LegalEntity.objects.filter(client=admin.client).exists()


def test_edit_requisites_takes_back_confirmation(client, admin):
    entity = LegalEntityFactory(client=admin.client, is_confirmed=True)
    BankAccountFactory(legal_entity=entity)
    form = client.get(f"/cabinet/legal-entities/{entity.pk}/")
    assert form.status_code == 200 and entity.inn in form.content.decode()
    client.post(f"/cabinet/legal-entities/{entity.pk}/", {**ENTITY, "inn": entity.inn, "kpp": entity.kpp,
                                                          "ogrn": entity.ogrn, "legal_address": "Тверь"})
    entity.refresh_from_db()
    assert entity.legal_address == "Тверь" and entity.is_confirmed
    client.post(f"/cabinet/legal-entities/{entity.pk}/", ENTITY)
    entity.refresh_from_db()
    assert entity.inn == "7736050003" and not entity.is_confirmed


def test_foreign_objects_are_404(client, admin):
    foreign_entity = LegalEntityFactory()
    foreign_user = ClientUserFactory()
    assert client.get(f"/cabinet/legal-entities/{foreign_entity.pk}/").status_code == 404
    assert client.post(f"/cabinet/legal-entities/{foreign_entity.pk}/", ENTITY).status_code == 404
    assert client.post(f"/cabinet/users/{foreign_user.pk}/role/", {"role": ADMIN}).status_code == 404
    assert client.post(f"/cabinet/users/{foreign_user.pk}/active/", {"active": "0"}).status_code == 404
    foreign_user.refresh_from_db()
    assert foreign_user.is_active and foreign_user.role == User.Role.MANAGER
    notification = Notification.objects.create(recipient=foreign_user, event="x", title="t")
    assert client.post(f"/notifications/{notification.pk}/read/").status_code == 404
    assert client.get("/cabinet/users/").content.decode().count(foreign_user.email) == 0


def test_invite_accept_and_sign_in(client, admin, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/cabinet/users/", {"email": "Buh@Example.com", "role": "accountant",
                                                   "first_name": "Мария", "last_name": ""})
    assert response.status_code == 302
    invited = User.objects.get(email="buh@example.com")
    assert invited.client == admin.client and invited.role == "accountant" and not invited.has_usable_password()
    mail = next(m for m in mailoutbox if m.to == ["buh@example.com"])
    link = next(line for line in mail.body.splitlines() if "/accounts/invitation/" in line).strip()
    path = link.replace("http://localhost:8000", "")
    client.logout()
    assert client.get(path).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"password1": "Buhgalter-2026!", "password2": "Buhgalter-2026!"})
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=admin, event="user_activated").exists()
    assert client.get(path).status_code == 400  # the link works once
    client.post(reverse("account_login"), {"login": "buh@example.com", "password": "Buhgalter-2026!"})
    assert client.get("/cabinet/").status_code == 200
    assert client.get("/cabinet/users/").status_code == 403  # an accountant does not manage users


def test_invite_existing_email_refused(client, admin):
    response = client.post("/cabinet/users/", {"email": admin.email, "role": "manager"})
    assert response.status_code == 200 and "email" in response.context["form"].errors


def test_change_role_and_deactivate(client, admin):
    buyer = ClientUserFactory(client=admin.client)
    client.post(f"/cabinet/users/{buyer.pk}/role/", {"role": "accountant"})
    buyer.refresh_from_db()
    assert buyer.role == "accountant"
    client.post(f"/cabinet/users/{buyer.pk}/active/", {"active": "0"})
    buyer.refresh_from_db()
    assert not buyer.is_active


def test_last_active_administrator_cannot_be_demoted_or_deactivated(client, admin):
    response = client.post(f"/cabinet/users/{admin.pk}/role/", {"role": "manager"}, follow=True)
    assert "last active administrator" in response.content.decode() or "последний" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == ADMIN
    second = ClientUserFactory(client=admin.client, role=ADMIN, is_active=False)
    client.post(f"/cabinet/users/{admin.pk}/active/", {"active": "0"})
    admin.refresh_from_db()
    assert admin.is_active  # the other administrator is inactive, so this one is the last
    client.post(f"/cabinet/users/{second.pk}/active/", {"active": "1"})
    client.post(f"/cabinet/users/{admin.pk}/role/", {"role": "manager"})
    admin.refresh_from_db()
    assert admin.role == "manager"


def test_users_page_query_count(client, admin, django_assert_max_num_queries):
    for _ in range(10):
        ClientUserFactory(client=admin.client)
    with django_assert_max_num_queries(10):
        assert client.get("/cabinet/users/").status_code == 200


def test_request_a_contract_from_the_cabinet(client, admin, django_capture_on_commit_callbacks):
    from accounts.models import ContractRequest

    region_manager = StaffUserFactory()
    admin.client.region.managers.add(region_manager)
    entity = LegalEntityFactory(client=admin.client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/cabinet/legal-entities/{entity.pk}/contract-request/", {"comment": "Отсрочка 30 дней"})
    request = ContractRequest.objects.get()
    assert (request.legal_entity, request.comment, request.requested_by) == (entity, "Отсрочка 30 дней", admin)
    assert Notification.objects.filter(recipient=region_manager, event="contract_requested").exists()
    client.post(f"/cabinet/legal-entities/{entity.pk}/contract-request/", {"comment": "ещё раз"})
    assert ContractRequest.objects.count() == 1  # one waiting request per legal entity
    client.cookies["django_language"] = "en"
    page = client.get("/cabinet/legal-entities/")
    assert "Contract requested" in page.content.decode()
    foreign = LegalEntityFactory()
    assert client.post(f"/cabinet/legal-entities/{foreign.pk}/contract-request/").status_code == 404
