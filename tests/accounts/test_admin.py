"""Django admin doors on users, clients and legal entities: the forms cannot change role, activity, client
status or a legal entity's confirmation; the actions call the same services as the cabinet and the approval flow."""

import pytest
from django.core.exceptions import ValidationError

from accounts import user_services
from accounts.models import Client, Notification, User
from tests.accounts.factories import region_with_manager
from tests.admin_forms import change_form_data
from tests.factories import ClientFactory, ClientUserFactory, LegalEntityFactory, UserFactory

pytestmark = pytest.mark.django_db
ADMIN, BUYER = User.Role.ADMINISTRATOR, User.Role.MANAGER
USERS = "/admin/accounts/user/"
CLIENTS = "/admin/accounts/client/"


@pytest.fixture
def company():
    region, manager = region_with_manager()
    company = ClientFactory(region=region)
    head = ClientUserFactory(client=company, role=ADMIN, email="head@example.com")
    buyer = ClientUserFactory(client=company, role=BUYER, email="buyer@example.com")
    return company, manager, head, buyer


@pytest.fixture
def superuser(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _action(client, url: str, action: str, *objects) -> list[str]:
    response = client.post(url, {"action": action, "_selected_action": [o.pk for o in objects]}, follow=True)
    assert response.status_code == 200
    return _messages(response)


def test_user_change_form_does_not_change_client_role_or_activity(client, superuser, company):
    _company, _manager, head, _buyer = company
    page = client.get(f"{USERS}{head.pk}/change/")
    assert page.status_code == 200
    data = change_form_data(page)
    data.update(first_name="Пётр", role=BUYER, client=str(ClientFactory().pk))
    data.pop("is_active", None)  # the checkbox unticked
    response = client.post(f"{USERS}{head.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    head.refresh_from_db()
    assert head.first_name == "Пётр", "the rest of the form is saved"
    assert (head.client, head.role, head.is_active) == (company[0], ADMIN, True)


def test_client_change_form_does_not_change_status_or_its_users(client, superuser, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    region, _manager = region_with_manager()
    pending = ClientFactory(region=region, status=Client.Status.PENDING)
    applicant = ClientUserFactory(client=pending, role=ADMIN, is_active=False)
    page = client.get(f"{CLIENTS}{pending.pk}/change/")
    data = change_form_data(page)
    assert any(key.startswith("users-") for key in data), "the users inline is on the page"
    data.update(name="ООО «Новое имя»", status=Client.Status.ACTIVE, rejection_reason="—")
    data.update({key: User.Role.ACCOUNTANT for key in data if key.startswith("users-") and key.endswith("-role")})
    data.update({key[:-len("-id")] + "-is_active": "on" for key in data if key.startswith("users-")
                 and key.endswith("-id")})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{CLIENTS}{pending.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    pending.refresh_from_db()
    applicant.refresh_from_db()
    assert pending.name == "ООО «Новое имя»", "the rest of the form is saved"
    assert (pending.status, pending.approved_at, pending.rejection_reason) == (Client.Status.PENDING, None, "")
    assert (applicant.role, applicant.is_active) == (ADMIN, False)
    assert not mailoutbox and not Notification.objects.filter(event="registration_approved").exists()


def test_role_and_activity_actions_keep_the_last_administrator(client, superuser, company):
    _company, _manager, head, buyer = company
    refused = _action(client, USERS, "make_manager", head)
    assert any(head.email in text and "администратор" in text for text in refused), refused
    refused = _action(client, USERS, "deactivate", head)
    assert any(head.email in text for text in refused), refused
    head.refresh_from_db()
    assert (head.role, head.is_active) == (ADMIN, True)

    _action(client, USERS, "make_administrator", buyer)
    _action(client, USERS, "make_accountant", head)
    _action(client, USERS, "deactivate", head)
    head.refresh_from_db()
    buyer.refresh_from_db()
    assert (head.role, head.is_active, buyer.role) == (User.Role.ACCOUNTANT, False, ADMIN)
    _action(client, USERS, "activate", head)
    head.refresh_from_db()
    assert head.is_active


@pytest.mark.parametrize("door", ["cabinet", "admin action", "service by the client", "service by staff"])
@pytest.mark.parametrize("change", ["demote", "deactivate"])
def test_last_administrator_stays_through_every_door(client, company, door, change):
    _company, manager, head, _buyer = company
    if door == "cabinet":
        client.force_login(head)
        url, data = ((f"/cabinet/users/{head.pk}/role/", {"role": BUYER}) if change == "demote"
                     else (f"/cabinet/users/{head.pk}/active/", {"active": "0"}))
        assert "последний активный администратор" in client.post(url, data, follow=True).content.decode()
    elif door == "admin action":
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
        _action(client, USERS, "make_manager" if change == "demote" else "deactivate", head)
    else:
        by = head if door == "service by the client" else manager
        with pytest.raises(ValidationError, match="последний|last active"):
            if change == "demote":
                user_services.user_change_role(by=by, user=head, role=BUYER)
            else:
                user_services.user_set_active(by=by, user=head, active=False)
    head.refresh_from_db()
    assert (head.role, head.is_active) == (ADMIN, True)


def test_block_and_unblock_actions(client, company):
    company, manager, _head, _buyer = company
    client.force_login(manager)
    _action(client, CLIENTS, "block_clients", company)
    company.refresh_from_db()
    assert company.status == Client.Status.BLOCKED
    _action(client, CLIENTS, "unblock_clients", company)
    company.refresh_from_db()
    assert company.status == Client.Status.ACTIVE
    pending = ClientFactory(region=company.region, status=Client.Status.PENDING)
    refused = _action(client, CLIENTS, "block_clients", pending)
    assert any(str(pending) in text for text in refused), refused
    pending.refresh_from_db()
    assert pending.status == Client.Status.PENDING


def test_a_client_user_cannot_be_deleted_in_admin(client, superuser, company):
    _company, _manager, head, buyer = company
    for user in (head, buyer):
        assert client.get(f"{USERS}{user.pk}/delete/").status_code == 403
        assert client.post(f"{USERS}{user.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(USERS, {"action": "delete_selected", "_selected_action": [head.pk, buyer.pk],
                                   "post": "yes"}, follow=True)
    assert response.status_code == 200
    assert User.objects.filter(pk__in=[head.pk, buyer.pk]).count() == 2
    staff = UserFactory(is_staff=True)
    assert client.get(f"{USERS}{staff.pk}/delete/").status_code == 200


ENTITIES = "/admin/accounts/legalentity/"


def test_legal_entity_forms_do_not_change_confirmation(client, superuser, company):
    company, _manager, _head, _buyer = company
    entity = LegalEntityFactory(client=company, is_confirmed=False)
    page = client.get(f"{ENTITIES}{entity.pk}/change/")
    data = change_form_data(page)
    assert "is_confirmed" not in data
    data.update(name="ООО «Переименовано»", is_confirmed="on")
    response = client.post(f"{ENTITIES}{entity.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entity.refresh_from_db()
    assert (entity.name, entity.is_confirmed) == ("ООО «Переименовано»", False)

    page = client.get(f"{CLIENTS}{company.pk}/change/")
    data = change_form_data(page)
    assert any(key.startswith("legal_entities-") for key in data), "the legal entities inline is on the page"
    data.update({key[:-len("-id")] + "-is_confirmed": "on" for key in data if key.startswith("legal_entities-")
                 and key.endswith("-id")})
    assert client.post(f"{CLIENTS}{company.pk}/change/", data).status_code == 302
    entity.refresh_from_db()
    assert not entity.is_confirmed
    assert not Notification.objects.filter(event="legal_entity_confirmed").exists()


def test_confirmation_actions_and_button_call_the_services_in_the_managers_regions(client, company):
    company, manager, head, _buyer = company
    own = LegalEntityFactory(client=company, is_confirmed=False)
    foreign = LegalEntityFactory(client=ClientFactory(region=region_with_manager()[0]), is_confirmed=False)
    client.force_login(manager)
    listing = client.get(ENTITIES).content.decode()
    assert own.name in listing and foreign.name not in listing
    assert own.name in client.get(f"{CLIENTS}{company.pk}/change/").content.decode(), "the client page's inline"

    done = _action(client, ENTITIES, "confirm_legal_entities", own, foreign)
    own.refresh_from_db()
    foreign.refresh_from_db()
    assert (own.is_confirmed, foreign.is_confirmed) == (True, False), done
    assert Notification.objects.filter(event="legal_entity_confirmed", recipient=head).exists()
    refused = _action(client, ENTITIES, "confirm_legal_entities", own)
    assert any(str(own) in text for text in refused), refused

    page = client.get(f"{ENTITIES}{own.pk}/change/").content.decode()
    assert f'action="{ENTITIES}{own.pk}/confirmation/"' in page
    response = client.post(f"{ENTITIES}{own.pk}/confirmation/", {"confirmed": "0"})
    assert response.status_code == 302 and response["Location"] == f"{ENTITIES}{own.pk}/change/"
    own.refresh_from_db()
    assert not own.is_confirmed
    assert client.post(f"{ENTITIES}{foreign.pk}/confirmation/", {"confirmed": "1"}).status_code == 404
    assert client.post(f"{ENTITIES}nonsense/confirmation/", {"confirmed": "1"}).status_code == 404
    assert client.get(f"{ENTITIES}{own.pk}/confirmation/").status_code == 405
    foreign.refresh_from_db()
    assert not foreign.is_confirmed
