"""With Redis stopped the portal keeps serving and signing in; tasks wait in the database; /healthz says 503.

A real Redis of the test's own (a free port, a temporary folder; never the shared one) is stopped and
started again under a real server (runserver on a temporary SQLite, REDIS_URL pointing at that Redis,
tasks queued to it as in production).
"""

import html
import http.cookiejar
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import types
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import redis

from tests.accounts.factories import registration_data

pytestmark = [pytest.mark.sqlite,
              pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")]

BASE_DIR = Path(__file__).resolve().parents[2]
BUYER, HEAD = "buyer@demo.local", "head@demo.local"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server of this test only: no persistence, in a temporary folder."""

    def __init__(self, folder: Path):
        self.folder, self.port, self.process = folder, _free_port(), None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "own redis-server did not start"
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def queued(self) -> int:
        return redis.Redis(port=self.port).llen("celery")


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    folder = tmp_path_factory.mktemp("redis-down")
    own_redis = OwnRedis(folder)
    own_redis.start()
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "PORTAL_VAR_DIR": str(folder / "var"), "DEBUG": "1",
           "REDIS_URL": f"redis://127.0.0.1:{own_redis.port}/0", "CELERY_TASK_ALWAYS_EAGER": "0"}
    for args in (["migrate", "--noinput", "-v0"], ["seed_demo", "--products", "30", "--clients", "2", "--if-empty"]):
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, result.stderr
    port = _free_port()
    log = folder / "runserver.log"
    with log.open("w") as log_file:
        server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                                  cwd=BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert server.poll() is None, log.read_text()
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=5)  # noqa: S310 (loopback)
            break
        except OSError:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
    yield {"base": base, "redis": own_redis, "env": env, "log": log, "db": folder / "var" / "portal.sqlite3"}
    server.terminate()
    server.wait(timeout=15)
    own_redis.stop()


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.url, html.unescape(response.read().decode())
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode(errors="replace")

    def post_form(self, path: str, fields: dict) -> tuple[int, str, str]:
        status, _url, page = self.get(path)
        assert status == 200, page[-3000:]
        token = re.search(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=30) as response:
                return response.status, response.url, html.unescape(response.read().decode())
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode(errors="replace")

    def sign_in(self, email: str) -> str:
        status, url, page = self.post_form("/accounts/login/", {"login": email, "password": "demo-portal-2026"})
        assert status == 200 and not url.endswith("/accounts/login/"), page[-3000:]
        return page


def _health(base: str) -> int:
    return Browser(base).get("/healthz")[0]


def _client_name(db: Path, email: str) -> str:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT c.name FROM accounts_client c JOIN accounts_user u ON u.client_id = c.id "
                           "WHERE u.email = ?", (email,)).fetchone()[0]


def _deferred(db: Path) -> list[str]:
    with sqlite3.connect(db) as con:
        return [row[0] for row in con.execute("SELECT name FROM portal_deferredtask ORDER BY id")]


def test_pages_sign_in_and_tasks_survive_redis_going_down_and_coming_back(portal):
    base, own_redis, db = portal["base"], portal["redis"], portal["db"]
    buyer = Browser(base)
    buyer.sign_in(BUYER)  # the session is in Redis and in the database
    assert _health(base) == 200

    own_redis.stop()
    try:
        for path in ("/", "/catalog/", "/accounts/login/"):
            status, _url, page = Browser(base).get(path)
            assert status == 200, f"{path}: {status}\n{page[-3000:]}"
        status, url, page = buyer.get("/catalog/")
        assert status == 200 and url == f"{base}/catalog/", "the signed-in buyer stays signed in"
        assert _client_name(db, BUYER) in page
        head = Browser(base)
        assert _client_name(db, HEAD) in head.sign_in(HEAD) + head.get("/catalog/")[2], "a new sign-in works"
        assert _health(base) == 503

        with sqlite3.connect(db) as con:
            region_id = con.execute("SELECT id FROM base_region WHERE is_active ORDER BY id").fetchone()[0]
        status, url, page = Browser(base).post_form(
            "/accounts/register/", registration_data(types.SimpleNamespace(pk=region_id), email="new@example.com"))
        assert status == 200 and url.endswith("/accounts/register/done/"), page[-3000:]
        waiting = _deferred(db)
        assert "accounts.tasks.send_templated_email" in waiting, waiting
        assert "Redis unreachable" in portal["log"].read_text(), "the outage is logged"
    finally:
        own_redis.start()

    assert _health(base) == 200
    status, url, _page = buyer.get("/catalog/")
    assert status == 200 and url == f"{base}/catalog/"
    resend = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from portal.tasks import deferred_tasks_send; print(deferred_tasks_send())"],
        cwd=BASE_DIR, env=portal["env"], capture_output=True, text=True, timeout=120)
    assert resend.returncode == 0, resend.stderr
    assert int(resend.stdout.strip().splitlines()[-1]) == len(waiting)
    assert _deferred(db) == [] and own_redis.queued() == len(waiting)
    assert json.loads(Browser(base).get("/healthz")[2])["redis"]["ok"] is True
