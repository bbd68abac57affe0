"""The regional manager approving a registration sees what he approves: requisites with their checks and the
applicant, read-only, on the client's page and in the pending list."""

import re

import pytest

from accounts.models import Client, User
from tests.accounts.factories import region_with_manager
from tests.factories import BankAccountFactory, ClientFactory, ClientUserFactory, LegalEntityFactory

pytestmark = pytest.mark.django_db
CLIENTS = "/admin/accounts/client/"
GOOD_ACCOUNT, BAD_ACCOUNT = "40702810938000000001", "40702810938000000002"


def _pending(region, number: int):
    company = ClientFactory(region=region, status=Client.Status.PENDING, name=f"ООО «Заявитель {number}»")
    entity = LegalEntityFactory(client=company, is_confirmed=False, legal_address=f"г. Москва, ул. Правды, д. {number}",
                                actual_address="г. Москва, ул. Складская, д. 1")
    BankAccountFactory(legal_entity=entity)
    ClientUserFactory(client=company, role=User.Role.ADMINISTRATOR, is_active=False, first_name="Пётр",
                      last_name=f"Заявкин{number}", email=f"applicant{number}@example.com",
                      phone=f"+7 900 000-00-{number:02d}", position="Директор")
    return company, entity


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_client_page_shows_requisites_checks_and_applicant_read_only(client):
    region, manager = region_with_manager()
    company, entity = _pending(region, 1)
    BankAccountFactory(legal_entity=entity, account=BAD_ACCOUNT, is_primary=False)
    client.force_login(manager)
    html = client.get(f"{CLIENTS}{company.pk}/change/").content.decode()
    text = _text(html)
    assert "Заявитель и реквизиты" in text
    for shown in (f"ИНН {entity.inn} ✓", f"КПП {entity.kpp} ✓", f"ОГРН {entity.ogrn} ✓", "БИК 044525225 ✓",
                  f"расчётный счёт {GOOD_ACCOUNT} ✓", "корреспондентский счёт 30101810400000000225 ✓",
                  f"расчётный счёт {BAD_ACCOUNT} ✗ не проходит проверку",
                  "юридический адрес г. Москва, ул. Правды, д. 1", "фактический адрес г. Москва, ул. Складская, д. 1",
                  "ПАО Сбербанк", "контактное лицо Пётр Заявкин1", "должность Директор",
                  "e-mail applicant1@example.com ✓ подтверждён", "телефон +7 900 000-00-01"):
        assert shown in text, shown
    block = html.split("Заявитель и реквизиты", 1)[1].split("</fieldset>", 1)[0]
    assert "<input" not in block and "<textarea" not in block and "<select" not in block


def test_wrong_checksums_are_flagged(client):
    region, manager = region_with_manager()
    company, entity = _pending(region, 2)
    type(entity).objects.filter(pk=entity.pk).update(inn=entity.inn[:-1] + str((int(entity.inn[-1]) + 1) % 10),
                                                     ogrn="1027700132196")
    client.force_login(manager)
    text = _text(client.get(f"{CLIENTS}{company.pk}/change/").content.decode())
    assert re.search(r"ИНН \d{10} ✗ не проходит проверку", text)
    assert re.search(r"ОГРН 1027700132196 ✗ не проходит проверку", text)


def test_pending_list_shows_requisites_and_applicant_in_constant_queries(client, django_assert_max_num_queries):
    region, manager = region_with_manager()
    companies = [_pending(region, number) for number in range(1, 3)]
    client.force_login(manager)
    with django_assert_max_num_queries(40) as small:
        client.get(CLIENTS, {"status__exact": "pending"})
    companies += [_pending(region, number) for number in range(3, 8)]
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(CLIENTS, {"status__exact": "pending"}).content.decode()
    text = _text(html)
    assert "Реквизиты и проверки" in text
    for company, entity in companies:
        assert company.name in text
        assert f"ИНН: {entity.inn} ✓" in text and f"КПП: {entity.kpp} ✓" in text and f"ОГРН: {entity.ogrn} ✓" in text
        assert "БИК: 044525225 ✓" in text and f"расчётный счёт: {GOOD_ACCOUNT} ✓" in text
    assert "Пётр Заявкин7 applicant7@example.com +7 900 000-00-07" in text


def test_foreign_regions_client_page_stays_hidden(client):
    region, manager = region_with_manager()
    other, _other_manager = region_with_manager()
    company, _entity = _pending(other, 9)
    client.force_login(manager)
    response = client.get(f"{CLIENTS}{company.pk}/change/")
    assert response.status_code in (302, 404) and company.name not in response.content.decode()
