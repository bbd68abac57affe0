"""Requisites are ASCII digits 0-9, never all zeros, stored and compared without spaces, at every door."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from lxml import etree

from accounts import services, validators
from accounts.models import Client, LegalEntity, User
from sync.commerceml.parse import parse_counterparty
from sync.importers.counterparties import CounterpartyImport
from sync.jsonformat import _Context
from tests.accounts.factories import region_with_manager, registration_data
from tests.factories import ClientUserFactory, LegalEntityFactory

pytestmark = pytest.mark.django_db

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def foreign(value: str, table=FULLWIDTH, keep_last: int = 1) -> str:
    """The value with all but its last `keep_last` digits written in other Unicode digits."""
    return value[:-keep_last].translate(table) + value[-keep_last:]


@pytest.mark.parametrize("validate", [validators.validate_inn, validators.validate_ogrn, validators.validate_kpp,
                                      validators.validate_bik, validators.validate_account_number])
@pytest.mark.parametrize("value", ["７７０７０８３８９３", "٧٧٠٧٠٨٣٨٩٣", "7707083８93", "²707083893"])
def test_non_ascii_digits_are_refused_with_their_own_message(validate, value, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationError) as excinfo:
        validate(value)
    assert excinfo.value.code == "digits"
    assert "use only the digits 0-9" in excinfo.value.messages[0]


@pytest.mark.parametrize(("check", "value"), [
    (validators.is_valid_inn, "7707083893".translate(FULLWIDTH)),
    (validators.is_valid_inn, "500100732259".translate(ARABIC_INDIC)),
    (validators.is_valid_ogrn, "1027700132195".translate(FULLWIDTH)),
    (validators.is_valid_kpp, "773601001".translate(ARABIC_INDIC)),
    (validators.is_valid_bik, "044525225".translate(FULLWIDTH)),
])
def test_checks_refuse_non_ascii_digits(check, value):
    assert not check(value)


@pytest.mark.parametrize(("validate", "value"), [
    (validators.validate_inn, "0000000000"), (validators.validate_inn, "000000000000"),
    (validators.validate_ogrn, "0000000000000"), (validators.validate_ogrn, "000000000000000"),
    (validators.validate_kpp, "000000000"), (validators.validate_account_number, "0" * 20),
])
def test_all_zeros_are_refused(validate, value):
    with pytest.raises(ValidationError) as excinfo:
        validate(value)
    assert excinfo.value.code == "zeros"


def test_all_zero_bik_and_accounts_fail_their_checks():
    assert not validators.is_valid_inn("0000000000") and not validators.is_valid_ogrn("0000000000000")
    assert not validators.is_valid_bik("040000000")
    assert not validators.is_valid_settlement_account("044525225", "0" * 20)


def test_normalize_requisite_strips_every_space_and_upper_cases():
    assert validators.normalize_requisite(" 7707\u00a0083 893\t") == "7707083893"
    assert validators.normalize_requisite("7736ab001") == "7736AB001"
    assert validators.normalize_requisite(None) == ""


@pytest.mark.parametrize("table", [FULLWIDTH, ARABIC_INDIC])
@pytest.mark.parametrize("field", ["inn", "kpp", "ogrn", "bik", "account"])
def test_registration_refuses_non_ascii_digits_and_stores_nothing(client, table, field):
    region, _ = region_with_manager()
    LegalEntityFactory(inn="7707083893", kpp="773601001")
    data = registration_data(region)
    data[field] = foreign(data[field], table)
    response = client.post(reverse("accounts:register"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Client.objects.count() == 1 and LegalEntity.objects.count() == 1


def test_registration_refuses_all_zero_inn(client):
    region, _ = region_with_manager()
    for inn in ["0000000000", "0000 0000 00"]:
        response = client.post(reverse("accounts:register"), registration_data(region, inn=inn))
        assert "inn" in response.context["form"].errors
    assert not Client.objects.exists()


def test_registration_finds_the_duplicate_on_the_normalised_value(
        client, mailoutbox, django_capture_on_commit_callbacks):
    # A duplicate gets the same answer as a fresh registration (no enumeration); the registrant learns it by e-mail.
    region, _ = region_with_manager()
    LegalEntityFactory(inn="7707083893", kpp="773601001")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:register"), registration_data(region, inn=" 7707 083893"))
    assert response.status_code == 302
    assert LegalEntity.objects.count() == 1 and Client.objects.count() == 1
    assert any("7707083893" in mail.body for mail in mailoutbox)


def test_registration_stores_requisites_normalised(client):
    region, _ = region_with_manager()
    response = client.post(reverse("accounts:register"), registration_data(
        region, inn="7707 083893", account="40702 81093 80000 00001"))
    assert response.status_code == 302
    entity = LegalEntity.objects.get()
    assert (entity.inn, entity.bank_accounts.get().bik) == ("7707083893", "044525225")
    assert entity.bank_accounts.get().account == "40702810938000000001"


def test_registration_refuses_a_phone_without_digits(client):
    region, _ = region_with_manager()
    for phone in ["+(((((((((((", "+７ ４９５ １２３-４５-６７"]:
        response = client.post(reverse("accounts:register"), registration_data(region, phone=phone))
        assert "phone" in response.context["form"].errors
    assert not Client.objects.exists()


@pytest.fixture
def head():
    return ClientUserFactory(role=User.Role.ADMINISTRATOR)


def _entity_data(**overrides) -> dict:
    """Valid cabinet legal-entity form data (ПАО Сбербанк's published requisites)."""
    data = {
        "kind": "company", "full_name": "ПАО «Сбербанк России»", "name": "ПАО Сбербанк", "inn": "7707083893",
        "kpp": "773601001", "ogrn": "1027700132195", "legal_address": "Москва", "actual_address": "Москва",
        "bik": "044525225", "bank_name": "ПАО Сбербанк", "account": "40702810938000000001",
        "correspondent_account": "30101810400000000225",
    }
    return {**data, **overrides}


@pytest.mark.parametrize("inn", ["7707083893".translate(FULLWIDTH), "7707083893".translate(ARABIC_INDIC)])
def test_cabinet_refuses_non_ascii_digits(client, head, inn):
    LegalEntityFactory(inn="7707083893", kpp="773601001")
    client.force_login(head)
    response = client.post(reverse("cabinet:legal_entity_add"), _entity_data(inn=inn))
    assert response.status_code == 200 and "inn" in response.context["form"].errors
    assert LegalEntity.objects.count() == 1


def test_cabinet_finds_the_duplicate_on_the_normalised_value(client, head):
    LegalEntityFactory(inn="7707083893", kpp="773601001")
    client.force_login(head)
    response = client.post(reverse("cabinet:legal_entity_add"), _entity_data(inn="7707 083893"))
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert LegalEntity.objects.count() == 1


def test_services_normalise_and_check_requisites_themselves(head):
    LegalEntityFactory(inn="7707083893", kpp="773601001")
    data = _entity_data(inn="7707 083893")
    with pytest.raises(services.DuplicateCompany):
        services.legal_entity_create(by=head, data=data)
    with pytest.raises(ValidationError) as excinfo:
        services.legal_entity_create(by=head, data=_entity_data(inn="7707083893".translate(FULLWIDTH)))
    assert "inn" in excinfo.value.message_dict
    created = services.legal_entity_create(by=head, data=_entity_data(inn="7736 207 543", kpp="7736 01 001"))
    created.refresh_from_db()
    assert (created.inn, created.kpp) == ("7736207543", "773601001")


def test_erp_json_finds_a_legal_entity_by_the_normalised_inn():
    entity = LegalEntityFactory(inn="7707083893", kpp="773601001")
    context = _Context(now=None)
    assert context.legal_entity({"inn": "7707083893\n", "kpp": " 773601001"}, "/balances/0") == entity


def test_commerceml_counterparty_matches_by_the_normalised_inn():
    entity = LegalEntityFactory(inn="7707083893", kpp="773601001", erp_id=None)
    element = etree.fromstring("<Контрагент><Ид>cp-1</Ид><ИНН> 7707 083893 </ИНН><КПП>773601001</КПП>"
                               "</Контрагент>")
    counterparties = CounterpartyImport()
    counterparties.counterparty(parse_counterparty(element))
    entity.refresh_from_db()
    assert entity.erp_id == "cp-1" and counterparties.finish().counts["legal_entities"]["updated"] == 1
