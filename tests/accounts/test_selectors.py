"""Reads of accounts: each scoped to the right client or region."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import selectors
from accounts.models import ContractRequest, RegionHead, User
from tests.accounts.factories import region_with_manager
from tests.factories import ClientUserFactory, LegalEntityFactory, PriceTypeFactory, RegionFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
ADMIN = User.Role.ADMINISTRATOR


def test_region_staff_are_its_active_managers_and_head_once():
    region, manager = region_with_manager()
    head = StaffUserFactory()
    RegionHead.objects.create(region=region, user=head)
    region.managers.add(head, StaffUserFactory(is_active=False))
    region_with_manager()  # another region's manager
    assert set(selectors.region_staff(region)) == {manager, head}
    assert selectors.region_staff(region).count() == 2


def test_client_administrators_and_users_stay_in_the_client():
    head = ClientUserFactory(role=ADMIN)
    company = head.client
    ClientUserFactory(client=company, role=ADMIN, is_active=False)
    buyer = ClientUserFactory(client=company)
    ClientUserFactory(role=ADMIN)  # another client's administrator
    assert list(selectors.client_administrators(company)) == [head]
    assert set(selectors.client_users(buyer)) == set(User.objects.filter(client=company))


def test_legal_entities_of_the_users_client_with_pending_requests():
    head = ClientUserFactory(role=ADMIN)
    entity = LegalEntityFactory(client=head.client)
    LegalEntityFactory()  # another client's
    request = ContractRequest.objects.create(client=head.client, legal_entity=entity, requested_by=head)
    [found] = selectors.legal_entities_for_user(head)
    assert found == entity and found.pending_requests == [request]


def test_invited_user_needs_a_valid_unspent_link():
    invited = ClientUserFactory()
    uid = urlsafe_base64_encode(force_bytes(invited.pk))
    token = default_token_generator.make_token(invited)
    assert selectors.invited_user(uidb64=uid, token=token) == invited
    assert selectors.invited_user(uidb64="not-base64", token=token) is None
    assert selectors.invited_user(uidb64=uid, token="1-wrong") is None
    invited.set_password("a-new-Password-2026")
    invited.save()
    assert selectors.invited_user(uidb64=uid, token=token) is None, "a set password spends the link"


def test_signed_in_user_comes_with_its_clients_pricing_terms(django_assert_num_queries):
    own, base = PriceTypeFactory(), PriceTypeFactory()
    user = ClientUserFactory(client__price_type=own, client__region=RegionFactory(base_price_type=base))
    with django_assert_num_queries(1):
        loaded = selectors.signed_in_user(user.pk)
        client = selectors.client_with_terms(loaded)
        assert (client.pk, client.region.pk, client.price_type.pk) == (user.client.pk, user.client.region.pk, own.pk)
        assert client.region.base_price_type.pk == base.pk
        assert (loaded.email, loaded.role, loaded.password) == (user.email, user.role, user.password)


def test_signed_in_staff_user_has_no_client_and_an_unknown_id_is_nobody():
    staff = StaffUserFactory()
    assert selectors.signed_in_user(staff.pk).client is None
    assert selectors.signed_in_user(staff.pk + 1000) is None


def test_session_of_a_deactivated_user_signs_nobody_in(client):
    user = ClientUserFactory()
    client.force_login(user)
    assert client.get("/cabinet/").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/cabinet/").status_code == 302
