"""Links in e-mails start with PORTAL_BASE_URL, which `make run` sets to the address it serves."""

import os
import subprocess
from pathlib import Path

import pytest

from accounts.emails import absolute_url
from accounts.user_services import user_invite
from tests.factories import ClientUserFactory

BASE_DIR = Path(__file__).resolve().parents[2]


def test_absolute_url_uses_the_configured_base(settings):
    settings.PORTAL_BASE_URL = "https://b2b.example.ru:8443/"
    assert absolute_url("/orders/7/") == "https://b2b.example.ru:8443/orders/7/"
    assert absolute_url("https://elsewhere.example/x") == "https://elsewhere.example/x"


@pytest.mark.django_db
def test_an_invitation_e_mail_links_to_the_configured_base(settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8722"
    head = ClientUserFactory(role="administrator")

    with django_capture_on_commit_callbacks(execute=True):
        user_invite(by=head, email="new@example.com", role="manager", first_name="Пётр", last_name="Новиков")

    (message,) = mailoutbox
    links = [word for word in message.body.split() if word.startswith("http")]
    assert links and all(link.startswith("http://127.0.0.1:8722/") for link in links), message.body
    assert "localhost:8000" not in message.body and "localhost:8000" not in message.alternatives[0][0]


@pytest.mark.parametrize(("variables", "expected"), [
    ({}, "http://127.0.0.1:8000"),
    ({"PORT": "8722"}, "http://127.0.0.1:8722"),
    ({"HOST": "localhost", "PORT": "9000"}, "http://localhost:9000"),
    ({"PORT": "8722", "PORTAL_BASE_URL": "https://portal.example.com"}, "https://portal.example.com"),
])
def test_make_run_sets_the_base_url_to_the_address_it_serves(variables, expected):
    """What the server and the feed of `make run` get in their environment."""
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", "show-base-url: ; @echo $$PORTAL_BASE_URL", "show-base-url",
         *(f"{name}={value}" for name, value in variables.items())],
        cwd=BASE_DIR, env={"PATH": os.environ["PATH"]}, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
