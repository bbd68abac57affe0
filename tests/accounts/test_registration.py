import re

import pytest
from allauth.account.models import EmailAddress
from django.core import signing
from django.urls import reverse

from accounts import services
from accounts.models import BankAccount, Client, ContractRequest, LegalEntity, Notification, User
from tests.accounts.factories import region_with_manager, registration_data
from tests.factories import LegalEntityFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/accounts/register/"


def test_login_page_links_to_registration(client):
    assert URL in client.get(reverse("account_login")).content.decode()


def test_happy_path(client, mailoutbox, django_capture_on_commit_callbacks):
    region, manager = region_with_manager()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, registration_data(region))
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("accounts:register_done")
    company = Client.objects.get()
    assert company.status == Client.Status.PENDING and company.region == region
    entity = LegalEntity.objects.get()
    assert (entity.client, entity.inn, entity.kpp, entity.is_confirmed) == (company, "7707083893", "773601001", False)
    assert BankAccount.objects.get().legal_entity == entity
    admin = User.objects.get(email="anna@example.com")
    assert (admin.client, admin.role, admin.is_active) == (company, User.Role.ADMINISTRATOR, False)
    assert admin.check_password("Zv3zda-Portal-2026")
    assert (admin.first_name, admin.last_name, admin.position) == ("Анна", "Смирнова", "Директор по закупкам")
    request = ContractRequest.objects.get()
    assert (request.legal_entity, request.comment, request.requested_by) == (entity, "Отсрочка 14 дней", admin)
    # the region's manager is told of the registration and of the contract request
    assert set(Notification.objects.filter(recipient=manager).values_list("event", flat=True)) == {
        "registration_submitted", "contract_requested"}
    confirm = next(m for m in mailoutbox if m.to == ["anna@example.com"])
    assert "Подтвердите адрес e-mail" in confirm.subject
    link = next(line for line in confirm.body.splitlines() if "/accounts/confirm-email/" in line).strip()
    assert not EmailAddress.objects.get(user=admin).verified
    page = client.get(link.replace("http://localhost:8000", ""))
    assert page.status_code == 200 and "anna@example.com" in page.content.decode()
    assert EmailAddress.objects.get(user=admin).verified
    # not approved yet: the administrator cannot sign in
    client.post(reverse("account_login"), {"login": "anna@example.com", "password": "Zv3zda-Portal-2026"})
    assert "_auth_user_id" not in client.session


def test_bad_confirmation_link(client):
    # Not a registration token: allauth's page for its own links says the link is bad and offers a new one.
    response = client.get("/accounts/confirm-email/garbage/")
    assert response.status_code == 200 and response.context["confirmation"] is None
    assert reverse("account_email") in response.content.decode()
    tampered = signing.dumps({"u": 1, "e": "x@example.com"}, salt=services.CONFIRM_SALT)[:-2] + "xx"
    assert client.get(f"/accounts/confirm-email/{tampered}/").status_code == 200
    assert not EmailAddress.objects.filter(verified=True).exists()


def test_without_contract_request(client):
    region, _ = region_with_manager()
    data = registration_data(region, request_contract=None, contract_comment=None)
    assert client.post(URL, data).status_code == 302
    assert not ContractRequest.objects.exists()


def test_sole_trader(client):
    region, _ = region_with_manager()
    data = registration_data(region, kind="sole_trader", inn="500100732259", kpp="", ogrn="304500116000157")
    assert client.post(URL, data).status_code == 302
    assert LegalEntity.objects.get().kind == "sole_trader"


BAD_FIELDS = [
    ("inn", "7707083894", "INN: wrong checksum."),
    ("inn", "77070838", "INN must have 10 digits (company) or 12 digits (sole trader)."),
    ("inn", "500100732259", "INN of a company has 10 digits (12 digits are for a sole trader)."),
    ("kpp", "", "KPP is required for a company."),
    ("kpp", "77360100", "KPP must have 9 characters: 4 digits, 2 digits or letters, 3 digits."),
    ("ogrn", "1027700132196", "OGRN: wrong checksum."),
    ("ogrn", "102770013", "OGRN must have 13 digits (OGRNIP: 15 digits)."),
    ("ogrn", "304500116000157", "OGRN of a company has 13 digits."),
    ("bik", "123456789", "BIK must have 9 digits and start with 04."),
    ("account", "40702810938000000002", "Settlement account: control key does not match the BIK."),
    ("account", "4070281093800000", "An account number has 20 digits."),
    ("correspondent_account", "30101810400000000226", "Correspondent account: must start with 301 and match the BIK."),
    ("email", "not-an-email", "Enter a valid email address."),
    ("phone", "12", "Phone: 10 to 20 digits, e.g. +7 495 123-45-67."),
    ("region", "", "Choose the region (branch) that will serve you."),
    ("password2", "Different-Pass-2026", "The two passwords differ."),
    ("full_name", "", "This field is required."),
    ("legal_address", "", "This field is required."),
    ("contact_name", "", "This field is required."),
    ("bank_name", "", "This field is required."),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_FIELDS)
def test_each_bad_field_gets_its_message_and_nothing_is_stored(client, settings, field, value, message):
    settings.LANGUAGE_CODE = "en"
    region, _ = region_with_manager()
    response = client.post(URL, registration_data(region, **{field: value}), HTTP_COOKIE="django_language=en")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert message in errors[field]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Client.objects.exists() and not User.objects.filter(client__isnull=False).exists()


def test_messages_are_russian_by_default(client):
    region, _ = region_with_manager()
    response = client.post(URL, registration_data(region, inn="7707083894"))
    assert "ИНН: неверная контрольная сумма" in response.content.decode()


def test_weak_password_rejected(client):
    region, _ = region_with_manager()
    response = client.post(URL, registration_data(region, password1="12345678", password2="12345678"))
    assert "password1" in response.context["form"].errors
    assert not Client.objects.exists()


def _register(client, data, capture) -> tuple:
    with capture(execute=True):
        response = client.post(URL, data)
    done = client.get(response["Location"]) if response.status_code == 302 else None
    return response, done


def _same_answer(client, region, capture, data) -> None:
    """The answer to `data` is that of a fresh registration: the redirect and the "check your e-mail" page."""
    response, done = _register(client, data, capture)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:register_done")
    assert done.status_code == 200
    text = done.content.decode()
    assert "Проверьте почту" in text and data["email"] in text
    for word in ("учётная запись", "уже зарегистрирован", "администратор"):
        assert word not in text


@pytest.mark.parametrize("owner", ["client user", "superuser", "other case"])
def test_existing_address_gets_the_same_answer_and_its_owner_an_email(
        client, mailoutbox, django_capture_on_commit_callbacks, owner):
    region, _ = region_with_manager()
    if owner == "client user":
        UserFactory(email="anna@example.com", client=LegalEntityFactory().client, role=User.Role.MANAGER)
    elif owner == "superuser":
        UserFactory(email="anna@example.com", is_staff=True, is_superuser=True)
    else:
        UserFactory(email="Anna@Example.com")
    _same_answer(client, region, django_capture_on_commit_callbacks, registration_data(region))
    # Nothing is created; the owner of the address hears of it, with sign-in and reset links.
    assert Client.objects.count() == (1 if owner == "client user" else 0)
    assert User.objects.filter(email__iexact="anna@example.com").count() == 1
    [mail] = mailoutbox
    assert mail.to == ["anna@example.com"]
    assert "уже есть учётная запись" in mail.body
    assert "/accounts/login/" in mail.body and "/accounts/password/reset/" in mail.body
    assert "/accounts/confirm-email/" not in mail.body


def test_another_accounts_verified_address_counts_as_taken(client, mailoutbox, django_capture_on_commit_callbacks):
    region, _ = region_with_manager()
    owner = UserFactory(email="old@example.com")
    EmailAddress.objects.create(user=owner, email="anna@example.com", verified=True, primary=False)
    _same_answer(client, region, django_capture_on_commit_callbacks, registration_data(region))
    assert not Client.objects.exists()
    assert [mail.to for mail in mailoutbox] == [["anna@example.com"]]
    assert "уже есть учётная запись" in mailoutbox[0].body


def test_duplicate_company_gets_the_same_answer_and_an_email(
        client, mailoutbox, django_capture_on_commit_callbacks):
    region, _ = region_with_manager()
    existing = LegalEntityFactory(inn="7707083893", kpp="773601001")
    head = UserFactory(client=existing.client, role=User.Role.ADMINISTRATOR, email="head@example.com")
    _same_answer(client, region, django_capture_on_commit_callbacks, registration_data(region))
    assert Client.objects.count() == 1 and LegalEntity.objects.get() == existing
    assert not User.objects.filter(email="anna@example.com").exists()
    mail = next(m for m in mailoutbox if m.to == ["anna@example.com"])
    assert "уже зарегистрирована" in mail.body and "пригласить" in mail.body and "7707083893" in mail.body
    assert existing.client.name not in mail.body
    # The company's administrators learn who asked, to invite a colleague.
    notice = Notification.objects.get(recipient=head, event="registration_duplicate_company")
    assert "anna@example.com" in notice.body


def test_fresh_and_taken_answers_are_the_same_page(client, django_capture_on_commit_callbacks):
    region, _ = region_with_manager()
    fresh, fresh_done = _register(client, registration_data(region), django_capture_on_commit_callbacks)
    client.cookies.clear()
    taken, taken_done = _register(client, registration_data(region, inn="500100732259", kind="sole_trader",
                                                            kpp="", ogrn="304500116000157"),
                                  django_capture_on_commit_callbacks)
    assert (fresh.status_code, fresh["Location"]) == (taken.status_code, taken["Location"])
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
    assert strip.sub("", fresh_done.content.decode()) == strip.sub("", taken_done.content.decode())


def test_registration_is_rate_limited(client, settings):
    settings.PORTAL_REGISTRATION_RATE_LIMIT = 2
    region, _ = region_with_manager()
    for _attempt in range(2):
        assert client.post(URL, registration_data(region, inn="1")).status_code == 200
    assert client.post(URL, registration_data(region)).status_code == 429
    assert not Client.objects.exists()
    assert client.get(URL).status_code == 200  # showing the form is not counted
