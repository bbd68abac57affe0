"""Security headers and cookie flags the portal sends outside DEBUG (the tests run with DEBUG=0)."""

import pytest
from django.urls import reverse

from tests.factories import ClientUserFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/register/", "/accounts/password/reset/"])
def test_pages_carry_a_content_security_policy_without_inline_script(client, url):
    policy = _policy(client.get(url))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]


def test_catalog_and_admin_carry_the_policy(client):
    client.force_login(ClientUserFactory())
    assert "script-src 'self'" in client.get(reverse("catalog:index"), follow=True)["Content-Security-Policy"]
    client.force_login(StaffUserFactory(is_superuser=True))
    assert "script-src 'self'" in client.get("/admin/")["Content-Security-Policy"]


def test_pages_hold_no_inline_script_or_event_handler(client):
    client.force_login(ClientUserFactory())
    html = client.get(reverse("catalog:index"), follow=True).content.decode()
    assert "<script>" not in html and " onclick=" not in html and "hx-on" not in html
    assert '<meta name="htmx-config"' in html and '"allowEval":false' in html
    assert '"includeIndicatorStyles":false' in html


def test_language_cookie_is_secure_same_site_and_http_only(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    cookie = response.cookies["django_language"]
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True
