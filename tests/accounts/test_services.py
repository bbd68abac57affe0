"""Services on a client's users, its status and its legal entities' confirmation, called by supplier staff (admin)
and clients (cabinet)."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services, user_services
from accounts.models import Client, LegalEntity, Notification, User
from accounts.roles import Action, user_can
from tests.accounts.factories import region_with_manager
from tests.factories import ClientFactory, ClientUserFactory, LegalEntityFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db
ADMIN, BUYER = User.Role.ADMINISTRATOR, User.Role.MANAGER


@pytest.fixture
def company():
    region, manager = region_with_manager()
    company = ClientFactory(region=region)
    head = ClientUserFactory(client=company, role=ADMIN)
    buyer = ClientUserFactory(client=company, role=BUYER)
    return company, manager, head, buyer


def _stored(user: User) -> tuple[str, bool]:
    user.refresh_from_db()
    return user.role, user.is_active


def test_staff_change_role_and_activity_through_the_services(company):
    _company, manager, _head, buyer = company
    superuser = UserFactory(is_staff=True, is_superuser=True)
    user_services.user_change_role(by=superuser, user=buyer, role=User.Role.ACCOUNTANT)
    assert _stored(buyer) == (User.Role.ACCOUNTANT, True)
    user_services.user_set_active(by=manager, user=buyer, active=False)  # the regional manager of the client
    assert _stored(buyer) == (User.Role.ACCOUNTANT, False)
    user_services.user_set_active(by=manager, user=buyer, active=True)
    assert _stored(buyer) == (User.Role.ACCOUNTANT, True)


def test_last_administrator_guard_holds_for_staff(company):
    _company, manager, head, buyer = company
    for change in (lambda: user_services.user_change_role(by=manager, user=head, role=BUYER),
                   lambda: user_services.user_set_active(by=manager, user=head, active=False)):
        with pytest.raises(ValidationError) as refused:
            change()
        assert refused.value.code == "last_admin" and head.email in refused.value.messages[0]
        assert _stored(head) == (ADMIN, True)
    user_services.user_change_role(by=manager, user=buyer, role=ADMIN)
    user_services.user_change_role(by=manager, user=head, role=BUYER)
    assert _stored(head) == (BUYER, True)


def test_staff_outside_the_clients_region_or_without_permission_is_refused(company):
    _company, _manager, _head, buyer = company
    _other_region, stranger = region_with_manager()
    plain_staff = StaffUserFactory()
    for by in (stranger, plain_staff):
        with pytest.raises(PermissionDenied):
            user_services.user_change_role(by=by, user=buyer, role=ADMIN)
        with pytest.raises(PermissionDenied):
            user_services.user_set_active(by=by, user=buyer, active=False)
    assert _stored(buyer) == (BUYER, True)
    plain_staff.user_permissions.add(Permission.objects.get(codename="change_user", content_type__app_label="accounts"))
    plain_staff = User.objects.get(pk=plain_staff.pk)  # a fresh permission cache
    user_services.user_set_active(by=plain_staff, user=buyer, active=False)
    assert _stored(buyer) == (BUYER, False)


def test_a_client_administrator_manages_only_his_clients_users(company):
    _company, _manager, head, _buyer = company
    foreign = ClientUserFactory()
    with pytest.raises(ValidationError) as refused:
        user_services.user_set_active(by=head, user=foreign, active=False)
    assert refused.value.code == "foreign"
    with pytest.raises(PermissionDenied):
        user_services.user_set_active(by=ClientUserFactory(client=head.client, role=BUYER), user=head, active=False)
    assert _stored(foreign) == (BUYER, True)


def test_supplier_staff_have_no_client_role(company):
    staff = StaffUserFactory()
    with pytest.raises(ValidationError) as refused:
        user_services.user_change_role(by=UserFactory(is_staff=True, is_superuser=True), user=staff, role=ADMIN)
    assert refused.value.code == "staff"
    staff.refresh_from_db()
    assert staff.role == ""


def test_block_and_unblock_a_client(company):
    company, manager, head, _buyer = company
    services.client_set_blocked(client=company, by=manager, blocked=True)
    company.refresh_from_db()
    assert company.status == Client.Status.BLOCKED
    assert not user_can(User.objects.get(pk=head.pk), Action.VIEW_CATALOG)
    with pytest.raises(ValidationError):
        services.client_set_blocked(client=company, by=manager, blocked=True)
    services.client_set_blocked(client=company, by=manager, blocked=False)
    company.refresh_from_db()
    assert company.status == Client.Status.ACTIVE
    assert user_can(User.objects.get(pk=head.pk), Action.VIEW_CATALOG)


def test_block_is_refused_outside_the_region_and_for_a_pending_registration(company):
    company, manager, _head, _buyer = company
    _other_region, stranger = region_with_manager()
    with pytest.raises(PermissionDenied):
        services.client_set_blocked(client=company, by=stranger, blocked=True)
    pending = ClientFactory(region=company.region, status=Client.Status.PENDING)
    with pytest.raises(ValidationError):
        services.client_set_blocked(client=pending, by=manager, blocked=True)
    company.refresh_from_db()
    pending.refresh_from_db()
    assert (company.status, pending.status) == (Client.Status.ACTIVE, Client.Status.PENDING)


def test_confirm_and_withdraw_a_legal_entity(company):
    company, manager, head, buyer = company
    entity = LegalEntityFactory(client=company, is_confirmed=False)
    services.legal_entity_confirm(legal_entity=entity, by=manager)
    entity.refresh_from_db()
    assert entity.is_confirmed
    [note] = Notification.objects.filter(event="legal_entity_confirmed")
    assert note.recipient == head and entity.name in note.title, "the client's administrators are told"
    with pytest.raises(ValidationError) as refused:
        services.legal_entity_confirm(legal_entity=entity, by=manager)
    assert refused.value.code == "confirmed"

    services.legal_entity_unconfirm(legal_entity=entity, by=UserFactory(is_staff=True, is_superuser=True))
    entity.refresh_from_db()
    assert not entity.is_confirmed
    assert Notification.objects.filter(event="legal_entity_unconfirmed", recipient=head).count() == 1
    with pytest.raises(ValidationError) as refused:
        services.legal_entity_unconfirm(legal_entity=entity, by=manager)
    assert refused.value.code == "not_confirmed"
    assert not Notification.objects.filter(recipient=buyer).exists()


def test_confirmation_is_refused_outside_the_region_and_for_a_registration(company):
    company, manager, _head, _buyer = company
    entity = LegalEntityFactory(client=company, is_confirmed=False)
    confirmed = LegalEntityFactory(client=company, is_confirmed=True)
    _other_region, stranger = region_with_manager()
    for by in (stranger, StaffUserFactory(), ClientUserFactory(client=company, role=ADMIN)):
        with pytest.raises(PermissionDenied):
            services.legal_entity_confirm(legal_entity=entity, by=by)
        with pytest.raises(PermissionDenied):
            services.legal_entity_unconfirm(legal_entity=confirmed, by=by)
    pending = LegalEntityFactory(client=ClientFactory(region=company.region, status=Client.Status.PENDING),
                                 is_confirmed=False)
    with pytest.raises(ValidationError) as refused:
        services.legal_entity_confirm(legal_entity=pending, by=manager)
    assert refused.value.code == "registration"
    assert list(LegalEntity.objects.order_by("pk").values_list("is_confirmed", flat=True)) == [False, True, False]
    assert not Notification.objects.exists()
