import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from accounts.forms import SetPasswordForm
from accounts.middleware import parse_networks
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@override_settings(PORTAL_ADMIN_ALLOWED_IPS=["10.0.0.0/8", "192.0.2.7/32"])
def test_admin_outside_allowed_networks_is_404(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/", REMOTE_ADDR="203.0.113.5").status_code == 404
    assert client.get("/admin/login/", REMOTE_ADDR="203.0.113.5").status_code == 404
    assert client.get("/admin/", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/admin/", REMOTE_ADDR="192.0.2.7").status_code == 200
    assert client.get("/accounts/login/", REMOTE_ADDR="203.0.113.5").status_code != 404  # only the admin


def test_no_list_means_no_restriction(client, settings):
    settings.PORTAL_ADMIN_ALLOWED_IPS = []
    assert client.get("/admin/login/", REMOTE_ADDR="203.0.113.5").status_code == 200


def test_bad_cidr_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        parse_networks(["10.0.0.0/33"])


def test_password_validators_apply_to_invitations():
    form = SetPasswordForm({"password1": "12345", "password2": "12345"}, user=UserFactory())
    assert not form.is_valid() and "password1" in form.errors


def test_password_reset_is_rate_limited(client):
    codes = [client.post("/accounts/password/reset/", {"email": "x@example.com"}).status_code for _ in range(7)]
    assert 429 in codes
