"""Links in e-mails start with PORTAL_BASE_URL, which `make run` sets to the address it serves."""

import os
import subprocess
import sys
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
def test_make_run_serves_with_the_base_url_of_its_address(variables, expected):
    """The server and the feed of `make run` get PORTAL_BASE_URL from HOST and PORT unless it is set."""
    result = subprocess.run(["make", "-n", "run"], cwd=BASE_DIR, env={"PATH": os.environ["PATH"], **variables},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    recipe = result.stdout.split("export PORTAL_BASE_URL=", 1)[1]
    assert recipe.startswith(f"'{expected}';")
    assert "runserver" in recipe and "erp_demo_feed" in recipe


def test_settings_read_the_base_url(tmp_path):
    code = "import django; django.setup(); from django.conf import settings; print(settings.PORTAL_BASE_URL)"
    env = {"PATH": os.environ["PATH"], "PORTAL_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "portal.settings",
           "PORTAL_BASE_URL": "http://127.0.0.1:8722"}
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8722", result.stderr
