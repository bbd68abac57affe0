"""The sign-in lockout on every door: the site's form, the admin form and the password reset.

The 1C exchange door (Basic auth) is tested in tests/sync/test_exchange_auth.py. Every test
locks an account with wrong passwords and then tries the RIGHT password.
"""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import ClientUserFactory, StaffUserFactory, UserFactory

PASSWORD = "correct-horse-battery"
OFFICE = "198.51.100.10"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Every test signs in several times: a cheap hasher keeps it quick (the policy does not depend on it)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def site_login(client, email: str, password: str, ip: str = OFFICE):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip)


def admin_login(client, email: str, password: str, ip: str = OFFICE):
    return client.post(reverse("admin:login"), {"username": email, "password": password, "next": "/admin/"},
                       REMOTE_ADDR=ip)


def lock(client, login, email: str, ip: str = OFFICE):
    """Wrong passwords up to the limit; the last one already answers with the lockout page."""
    responses = [login(client, email, "wrong-password", ip) for _ in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[-1].status_code == 429
    return responses[-1]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# -- each door refuses a locked account with the right password ---------------------------------

def test_site_form_refuses_a_locked_account_with_the_right_password(client):
    user = ClientUserFactory()
    lock(client, site_login, user.email)
    response = site_login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    assert AccessAttempt.objects.filter(username=user.email).exists()
    assert not AccessAttempt.objects.filter(username__isnull=True).exists()


def test_admin_form_refuses_a_locked_account_with_the_right_password(client):
    user = StaffUserFactory(is_superuser=True)
    lock(client, admin_login, user.email)
    response = admin_login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302  # still the login page
    assert AccessAttempt.objects.filter(username=user.email).exists()
    assert not AccessAttempt.objects.filter(username__isnull=True).exists()


def test_a_lock_earned_on_one_door_closes_the_other(client):
    user = StaffUserFactory()
    lock(client, site_login, user.email)
    assert admin_login(client, user.email, PASSWORD).status_code == 429
    assert not signed_in(client)


def test_the_login_is_matched_whatever_its_case(client):
    user = ClientUserFactory()
    for _ in range(5):
        site_login(client, user.email.upper(), "wrong-password")
    assert site_login(client, user.email, PASSWORD).status_code == 429
    assert not signed_in(client)


def test_below_the_limit_the_right_password_signs_in_and_clears_the_failures(client):
    user = ClientUserFactory()
    for _ in range(4):
        site_login(client, user.email, "wrong-password")
    assert site_login(client, user.email, PASSWORD).status_code == 302
    assert signed_in(client)
    assert not AccessAttempt.objects.filter(username=user.email).exists()


# -- by account, not by address ------------------------------------------------------------------

def test_a_colleague_behind_the_same_address_is_not_locked(client):
    victim, colleague = ClientUserFactory(), ClientUserFactory()
    lock(client, site_login, victim.email)
    response = site_login(client, colleague.email, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_colleague_behind_the_same_address_may_use_the_admin(client):
    victim, colleague = StaffUserFactory(), StaffUserFactory(is_superuser=True)
    lock(client, admin_login, victim.email)
    assert admin_login(client, colleague.email, PASSWORD).status_code == 302
    assert signed_in(client)


def test_one_account_guessed_from_many_addresses_is_locked(client):
    user = ClientUserFactory()
    codes = [site_login(client, user.email, "wrong-password", ip=f"203.0.113.{n}").status_code for n in range(1, 6)]
    assert codes[-1] == 429
    assert site_login(client, user.email, PASSWORD, ip="192.0.2.99").status_code == 429
    assert admin_login(client, user.email, PASSWORD, ip="192.0.2.100").status_code == 429
    assert not signed_in(client)


# -- what the locked user is told ----------------------------------------------------------------

def test_the_lock_page_says_in_russian_until_when(client):
    user = ClientUserFactory()
    page = lock(client, site_login, user.email).content.decode()
    until = timezone.localtime(AccessAttempt.objects.get(username=user.email).attempt_time + timedelta(minutes=15))
    assert "Слишком много неудачных попыток входа" in page
    assert f"Вход в эту учётную запись заблокирован до {until:%H:%M}" in page
    assert re.search(r"\(через 1[45] минут\)", page)


def test_a_refused_attempt_during_the_lock_does_not_move_the_announced_time(client):
    user = ClientUserFactory()
    lock(client, site_login, user.email)
    before = AccessAttempt.objects.get(username=user.email)
    site_login(client, user.email, PASSWORD)
    site_login(client, user.email, "wrong-password")
    after = AccessAttempt.objects.get(username=user.email)
    assert (after.attempt_time, after.failures_since_start) == (before.attempt_time, 5)


# -- the password reset is no way around a lock --------------------------------------------------

def reset_password(client, email: str, new_password: str):
    """The whole reset flow: request, the e-mailed link, the new password; returns the last response."""
    assert client.post(reverse("account_reset_password"), {"email": email}, REMOTE_ADDR=OFFICE).status_code == 302
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(link, REMOTE_ADDR=OFFICE)["Location"]
    return client.post(form_url, {"password1": new_password, "password2": new_password}, REMOTE_ADDR=OFFICE)


def test_reset_request_does_not_tell_a_locked_account_from_another(client):
    locked, free = ClientUserFactory(), ClientUserFactory()
    lock(client, site_login, locked.email)
    answers = [client.post(reverse("account_reset_password"), {"email": email}, REMOTE_ADDR=OFFICE)
               for email in (locked.email, free.email, "nobody@example.com")]
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, reverse("account_reset_password_done"))}
    assert len(mail.outbox) == 3  # the locked account gets its link like any other


def test_a_reset_changes_the_password_but_does_not_lift_the_lock(client):
    user = ClientUserFactory()
    lock(client, site_login, user.email)
    reset_password(client, user.email, "a-new-long-passphrase")
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase")
    assert not signed_in(client)
    assert site_login(client, user.email, "a-new-long-passphrase").status_code == 429
    assert not signed_in(client)


def test_login_on_reset_does_not_sign_in_a_locked_account(client, settings):
    settings.ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
    user = ClientUserFactory()
    lock(client, site_login, user.email)
    response = reset_password(client, user.email, "a-new-long-passphrase")
    assert response.status_code == 429
    assert "Вход в эту учётную запись заблокирован до" in response.content.decode()
    assert not signed_in(client)


def test_login_on_reset_signs_in_an_account_that_is_not_locked(client, settings):
    settings.ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
    user = UserFactory()
    reset_password(client, user.email, "a-new-long-passphrase")
    assert signed_in(client)
