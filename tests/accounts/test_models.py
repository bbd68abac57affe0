"""Database constraints of accounts: e-mail identity, roles, requisites."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Client, LegalEntity, User
from tests.factories import ClientFactory, ClientUserFactory, LegalEntityFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


def _violates(fn) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_email_is_the_login_and_case_insensitive_unique():
    user = User.objects.create_user("Buyer@Example.COM", "pw-Long-enough-1")
    assert user.email == "buyer@example.com"
    assert User.USERNAME_FIELD == "email"
    _violates(lambda: User.objects.create(email="BUYER@example.com"))
    assert User.objects.get_by_natural_key("BUYER@EXAMPLE.com") == user


def test_client_user_has_role_and_staff_has_none():
    client = ClientFactory()
    _violates(lambda: User.objects.create(email="a@example.com", client=client, role=""))
    _violates(lambda: User.objects.create(email="b@example.com", client=None, role=User.Role.MANAGER))
    assert ClientUserFactory(client=client).role == User.Role.MANAGER
    assert StaffUserFactory().is_supplier_staff


def test_legal_entity_inn_kpp_unique_and_kpp_by_kind():
    entity = LegalEntityFactory()
    _violates(lambda: LegalEntityFactory(inn=entity.inn, kpp=entity.kpp))
    LegalEntityFactory(inn=entity.inn, kpp="770201001")  # a branch (обособленное подразделение)
    _violates(lambda: LegalEntityFactory(kind=LegalEntity.Kind.SOLE_TRADER, kpp="770101001"))
    _violates(lambda: LegalEntityFactory(kind=LegalEntity.Kind.COMPANY, kpp=""))


def test_legal_entity_full_clean_reports_checksum_field():
    from django.core.exceptions import ValidationError

    entity = LegalEntityFactory.build(client=ClientFactory(), inn="7707083894", kpp="770101001")
    with pytest.raises(ValidationError) as excinfo:
        entity.full_clean()
    assert "inn" in excinfo.value.message_dict


def test_client_discount_range():
    _violates(lambda: ClientFactory(discount_percent=Decimal("100")))
    _violates(lambda: ClientFactory(price_coefficient=Decimal("0")))
    assert ClientFactory(discount_percent=Decimal("-5")).status == Client.Status.ACTIVE


def test_balance_legal_entity_must_belong_to_its_client():
    from django.core.exceptions import ValidationError

    from tests.factories import BalanceFactory

    balance = BalanceFactory.build(legal_entity=LegalEntityFactory(), client=ClientFactory())
    with pytest.raises(ValidationError) as excinfo:
        balance.clean()
    assert "legal_entity" in excinfo.value.message_dict
