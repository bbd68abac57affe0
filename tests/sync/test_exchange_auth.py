"""Who may use the 1C exchange: the lockout on Basic auth, the ERP permission, the announced file limit."""

import base64

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, Permission
from django.test import Client

from sync.exchange import session_dir
from sync.models import ExchangeSession
from tests.factories import UserFactory

from .factories import ERP_PASSWORD, erp_user

pytestmark = pytest.mark.django_db
URL = "/1c/exchange"
ERP_HOST = "192.0.2.50"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Every test signs in several times: a cheap hasher keeps it quick (the policy does not depend on it)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def basic(login: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


def lines(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode().split("\n")


def checkauth(client, login: str, password: str, kind: str = "catalog", ip: str = ERP_HOST):
    return client.get(URL, {"type": kind, "mode": "checkauth"}, HTTP_AUTHORIZATION=basic(login, password),
                      REMOTE_ADDR=ip)


def lock_by_checkauth(client, login: str) -> list[str]:
    answers = [lines(checkauth(client, login, "wrong")) for _ in range(5)]
    assert all(a[:2] == ["failure", "wrong login or password"] for a in answers[:4])
    return answers[-1]


# -- the lockout answers in the protocol ---------------------------------------------------------

def test_wrong_passwords_lock_the_erp_account_with_a_plain_text_failure():
    user = erp_user()
    answer = lock_by_checkauth(Client(), user.email)
    assert answer[0] == "failure"
    assert answer[1].startswith("too many failed logins: this account is locked until ")
    assert AccessAttempt.objects.filter(username=user.email).exists()
    assert not AccessAttempt.objects.filter(username__isnull=True).exists()


@pytest.mark.parametrize("kind", ["catalog", "sale"])
def test_a_locked_erp_account_is_refused_with_the_right_password(kind):
    user = erp_user()
    client = Client()
    lock_by_checkauth(client, user.email)
    response = checkauth(client, user.email, ERP_PASSWORD, kind=kind)
    answer = lines(response)  # 200 text/plain, never the HTML lockout page
    assert answer[0] == "failure" and "locked until" in answer[1]
    assert "<html" not in response.content.decode()
    assert not ExchangeSession.objects.exists()


def test_a_locked_erp_account_gets_no_session_from_another_mode():
    user = erp_user()
    client = Client()
    lock_by_checkauth(client, user.email)
    for mode in ("init", "query"):
        response = client.get(URL, {"type": "sale", "mode": mode}, HTTP_AUTHORIZATION=basic(user.email, ERP_PASSWORD),
                              REMOTE_ADDR=ERP_HOST)
        assert lines(response)[0] == "failure"
    assert not ExchangeSession.objects.exists()


def test_a_lock_earned_on_the_admin_form_closes_the_exchange():
    user = erp_user(is_staff=True)
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": user.email, "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    answer = lines(checkauth(client, user.email, ERP_PASSWORD))
    assert answer[0] == "failure" and "locked until" in answer[1]


def test_another_account_from_the_erp_host_is_not_locked():
    erp_user()
    other = erp_user(email="1c-backup@supplier.example")
    client = Client()
    lock_by_checkauth(client, "1c@supplier.example")
    assert lines(checkauth(client, other.email, ERP_PASSWORD))[0] == "success"


# -- only the ERP account may exchange -----------------------------------------------------------

def test_a_superuser_may_not_exchange():
    admin = UserFactory(is_staff=True, is_superuser=True)
    answer = lines(checkauth(Client(), admin.email, ERP_PASSWORD))
    assert answer[:2] == ["failure", "this account may not exchange data as the ERP"]
    assert not ExchangeSession.objects.exists()


def test_the_erp_group_may_exchange():
    user = UserFactory()
    user.groups.add(Group.objects.create(name="erp"))
    assert lines(checkauth(Client(), user.email, ERP_PASSWORD))[0] == "success"


def test_the_permission_given_through_a_group_may_exchange():
    group = Group.objects.create(name="integrations")
    group.permissions.add(Permission.objects.get(codename="erp_exchange", content_type__app_label="sync"))
    user = UserFactory()
    user.groups.add(group)
    assert lines(checkauth(Client(), user.email, ERP_PASSWORD))[0] == "success"


# -- the announced file_limit holds for each request ---------------------------------------------

@pytest.fixture
def erp_session(settings, tmp_path):
    """A 1C client after checkauth and init with the default limit (2 MB)."""
    settings.VAR_DIR = tmp_path
    user = erp_user()
    client = Client()
    answer = lines(checkauth(client, user.email, ERP_PASSWORD))
    client.cookies[answer[1]] = answer[2]
    init = lines(client.get(URL, {"type": "catalog", "mode": "init"}))
    assert init[1] == f"file_limit={2 * 1024 * 1024}"
    return client


def post_file(client, name: str, data: bytes):
    return client.post(f"{URL}?type=catalog&mode=file&filename={name}", data=data,
                       content_type="application/octet-stream")


def test_a_request_over_the_announced_file_limit_is_refused_and_nothing_is_stored(erp_session):
    answer = lines(post_file(erp_session, "import.xml", b"x" * (6 * 1024 * 1024)))
    assert answer[:2] == ["failure", "a request of the file is larger than file_limit=2097152 bytes: send it in parts"]
    session = ExchangeSession.objects.get()
    assert session.uploaded_bytes == 0
    assert not (session_dir(session) / "import.xml").exists()


def test_a_part_over_the_limit_leaves_the_parts_already_sent_untouched(erp_session):
    assert lines(post_file(erp_session, "import.xml", b"a" * 1000))[0] == "success"
    assert lines(post_file(erp_session, "import.xml", b"b" * (2 * 1024 * 1024 + 1)))[0] == "failure"
    session = ExchangeSession.objects.get()
    assert session.uploaded_bytes == 1000
    assert (session_dir(session) / "import.xml").read_bytes() == b"a" * 1000


def test_a_request_of_exactly_the_limit_is_accepted(erp_session):
    assert lines(post_file(erp_session, "import.xml", b"x" * (2 * 1024 * 1024)))[0] == "success"


@pytest.mark.parametrize("path", [URL, URL + "/"])
@pytest.mark.parametrize(("kind", "mode", "method"), [
    ("catalog", "checkauth", "get"), ("sale", "checkauth", "get"), ("catalog", "init", "get"),
    ("catalog", "file", "post"), ("catalog", "import", "get"), ("catalog", "deactivate", "get"),
    ("catalog", "complete", "get"), ("sale", "query", "get"), ("sale", "success", "get"), ("sale", "info", "get"),
    ("sale", "file", "post")])
def test_every_mode_answers_a_locked_account_in_plain_text(path, kind, mode, method):
    """After the failures that lock the account, no door of the exchange answers with the HTML 429 page."""
    user = erp_user()
    client = Client()
    lock_by_checkauth(client, user.email)
    for password in ("wrong", ERP_PASSWORD):
        response = getattr(client, method)(f"{path}?type={kind}&mode={mode}&filename=import.xml",
                                           HTTP_AUTHORIZATION=basic(user.email, password), REMOTE_ADDR=ERP_HOST)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
        answer = response.content.decode().split("\n")
        assert answer[0] == "failure" and answer[1]
        assert "<html" not in response.content.decode().lower()
