"""Login addresses (/accounts/email/): only a verified address signs in or becomes the login.

A new address waits unverified until the link e-mailed to it is opened; then it replaces the old
one. An address another account uses is refused with a message, never a 500.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import signing
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import User
from tests.factories import ClientUserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
LINK = re.compile(r"https?://[^\s\"<>]+/accounts/confirm-email/([^/\s\"<>]+)/")


@pytest.fixture
def buyer():
    return ClientUserFactory(email="buyer@example.com")


@pytest.fixture
def logged_in(client, buyer):
    client.force_login(buyer)
    return client


def _sign_in(email: str) -> bool:
    browser = Client()
    response = browser.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    return response.status_code == 302 and browser.get("/cabinet/").status_code == 200


def _add(client, email: str):
    return client.post(reverse("account_email"), {"email": email, "action_add": ""})


def test_a_new_address_waits_unverified_and_is_not_the_login(logged_in, buyer, mailoutbox):
    response = _add(logged_in, "new@example.com")
    assert response.status_code == 302
    address = EmailAddress.objects.get(user=buyer, email="new@example.com")
    assert not address.verified and not address.primary
    buyer.refresh_from_db()
    assert buyer.email == "buyer@example.com"
    [mail] = mailoutbox
    assert mail.to == ["new@example.com"] and LINK.search(mail.body)


def test_an_unverified_address_cannot_be_made_primary(logged_in, buyer):
    # Even a user with no verified address at all (allauth lets him, we do not).
    EmailAddress.objects.filter(user=buyer).update(verified=False)
    EmailAddress.objects.create(user=buyer, email="new@example.com", verified=False, primary=False)
    response = logged_in.post(reverse("account_email"), {"email": "new@example.com", "action_primary": ""},
                              follow=True)
    assert response.status_code == 200
    assert "подтвердите адрес по ссылке" in response.content.decode().lower()
    buyer.refresh_from_db()
    assert buyer.email == "buyer@example.com"
    assert not EmailAddress.objects.get(user=buyer, email="new@example.com").primary


def test_a_user_without_a_verified_address_confirms_it_before_changing_it(logged_in, buyer):
    EmailAddress.objects.filter(user=buyer).update(verified=False)
    response = _add(logged_in, "new@example.com")
    assert response.status_code == 200
    assert "подтвердите текущий адрес" in response.content.decode()
    buyer.refresh_from_db()
    assert buyer.email == "buyer@example.com"
    assert list(EmailAddress.objects.filter(user=buyer).values_list("email", flat=True)) == ["buyer@example.com"]


def test_an_unverified_address_does_not_sign_in(logged_in, buyer):
    _add(logged_in, "new@example.com")
    assert not _sign_in("new@example.com")
    assert _sign_in("buyer@example.com")


def test_an_unverified_login_address_does_not_sign_in(buyer, mailoutbox):
    EmailAddress.objects.filter(user=buyer).update(verified=False)
    assert not _sign_in("buyer@example.com")
    # Instead, the address gets a confirmation link.
    assert [mail.to for mail in mailoutbox] == [["buyer@example.com"]]


def test_the_confirmed_address_replaces_the_login(logged_in, buyer, mailoutbox):
    _add(logged_in, "new@example.com")
    key = LINK.search(mailoutbox[-1].body).group(1)
    page = logged_in.get(reverse("account_confirm_email", args=[key]))
    assert page.status_code == 200
    assert logged_in.post(reverse("account_confirm_email", args=[key])).status_code == 302
    buyer.refresh_from_db()
    assert buyer.email == "new@example.com"
    assert list(EmailAddress.objects.filter(user=buyer).values_list("email", "verified", "primary")) == [
        ("new@example.com", True, True)]
    assert _sign_in("new@example.com")
    assert not _sign_in("buyer@example.com")


@pytest.mark.parametrize("other_email", ["colleague@example.com", "COLLEAGUE@example.com"])
def test_another_accounts_address_is_refused_with_a_message(logged_in, buyer, other_email, mailoutbox):
    other = ClientUserFactory(email="colleague@example.com", first_name="Пётр", last_name="Сидоров",
                              client__name="ООО «Соседи»")
    response = _add(logged_in, other_email)
    assert response.status_code == 200
    text = response.content.decode()
    assert "этот адрес нельзя использовать для вашей учётной записи" in text
    # Nothing tells whose address it is.
    assert other.client.name not in text and other.get_full_name() not in text
    assert not EmailAddress.objects.filter(user=buyer, email__iexact="colleague@example.com").exists()
    assert mailoutbox == []


def test_another_accounts_address_cannot_be_made_primary(logged_in, buyer):
    """The old 500: a user without a verified address made another account's address (added before) primary."""
    EmailAddress.objects.filter(user=buyer).update(verified=False)
    ClientUserFactory(email="colleague@example.com")
    EmailAddress.objects.create(user=buyer, email="colleague@example.com", verified=False, primary=False)
    response = logged_in.post(reverse("account_email"), {"email": "colleague@example.com", "action_primary": ""})
    assert response.status_code == 302
    buyer.refresh_from_db()
    assert buyer.email == "buyer@example.com"


def test_confirming_an_address_another_account_took_meanwhile_is_refused(logged_in, buyer, mailoutbox):
    _add(logged_in, "new@example.com")
    key = LINK.search(mailoutbox[-1].body).group(1)
    ClientUserFactory(email="new@example.com")
    response = logged_in.post(reverse("account_confirm_email", args=[key]), follow=True)
    assert response.status_code == 200
    buyer.refresh_from_db()
    assert buyer.email == "buyer@example.com"
    assert not EmailAddress.objects.get(user=buyer, email="new@example.com").verified


def test_registration_link_still_confirms_at_the_shared_address(client, buyer):
    """The registration's own links live at the same /accounts/confirm-email/<token>/ address."""
    EmailAddress.objects.filter(user=buyer).update(verified=False)
    token = signing.dumps({"u": buyer.pk, "e": buyer.email}, salt=services.CONFIRM_SALT)
    assert client.get(reverse("accounts:confirm_email", args=[token])).status_code == 200
    assert EmailAddress.objects.get(user=buyer, email=buyer.email).verified
    assert User.objects.get(pk=buyer.pk).email == "buyer@example.com"
