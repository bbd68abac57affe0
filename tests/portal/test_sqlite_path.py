"""The `make run` path on the embedded default: SQLite, no Redis, DEBUG=1, a demo seed and runserver.

Everything runs in subprocesses with a clean environment, as a developer's first `make run` would.
"""

import html
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite

BASE_DIR = Path(__file__).resolve().parents[2]
BUYER = "buyer@demo.local"


@pytest.fixture(scope="module")
def embedded(tmp_path_factory) -> dict:
    """A migrated and seeded SQLite portal under a temporary PORTAL_VAR_DIR, and its environment."""
    var_dir = tmp_path_factory.mktemp("embedded") / "var"
    env = {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "PORTAL_VAR_DIR": str(var_dir),
        "DEBUG": "1",
    }
    manage(env, "migrate", "--noinput", "-v0", timeout=240)
    seeded = manage(env, "seed_demo", "--products", "50", "--clients", "2", "--if-empty", "--json", timeout=240)
    return {"env": env, "var_dir": var_dir, "seed": parse_json(seeded.stdout)}


def manage(env: dict[str, str], *args: str, timeout: int) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def parse_json(output: str) -> dict:
    """The JSON document a command printed (tolerating lines printed before it)."""
    start = output.find("{")
    assert start >= 0, f"no JSON in {output!r}"
    document, _ = json.JSONDecoder().raw_decode(output[start:])
    return document


def test_database_is_the_sqlite_file_under_var_dir(embedded):
    assert (embedded["var_dir"] / "portal.sqlite3").is_file()


def test_seed_reports_what_it_made(embedded):
    seed = embedded["seed"]

    assert seed["created"] is True
    assert seed["password"]
    assert seed["counts"]
    buyer = next(login for login in seed["logins"] if login["email"] == BUYER)
    assert buyer["client"]
    assert buyer["staff"] is False
    assert any(login["staff"] for login in seed["logins"]), "a supplier staff login for the admin"


def test_second_seed_if_empty_skips(embedded):
    seed_args = ("seed_demo", "--products", "50", "--clients", "2", "--if-empty")
    again = manage(embedded["env"], *seed_args, "--json", timeout=120)
    assert parse_json(again.stdout)["created"] is False

    plain = manage(embedded["env"], *seed_args, timeout=120)
    assert "skip" in (plain.stdout + plain.stderr).lower()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_healthz(base: str, server: subprocess.Popen, log: Path, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        assert server.poll() is None, f"runserver exited:\n{log.read_text()}"
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:  # noqa: S310 (loopback)
                return json.loads(response.read())
        except OSError:
            assert time.monotonic() < deadline, f"no /healthz within {seconds} s:\n{log.read_text()}"
            time.sleep(0.3)


def test_runserver_serves_the_seeded_catalog_to_the_buyer(embedded, tmp_path):
    seed = embedded["seed"]
    buyer = next(login for login in seed["logins"] if login["email"] == BUYER)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "runserver.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=BASE_DIR,
            env=embedded["env"],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        health = _wait_for_healthz(base, server, log)
        assert health["database"] == {"ok": True, "vendor": "sqlite"}
        assert health["redis"]["configured"] is False

        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with browser.open(f"{base}/catalog/", timeout=30) as response:
            assert buyer["client"] not in html.unescape(response.read().decode()), "nothing of a client before login"
        with browser.open(f"{base}/accounts/login/", timeout=30) as response:
            assert response.status == 200
            login_page = response.read().decode()
        match = re.search(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"', login_page)
        assert match, "the login form carries a CSRF token"

        form = urllib.parse.urlencode(
            {"login": BUYER, "password": seed["password"], "csrfmiddlewaretoken": match.group(1)}
        ).encode()
        with browser.open(f"{base}/accounts/login/", data=form, timeout=30) as response:
            assert response.status == 200
            assert not response.url.endswith("/accounts/login/"), "the login was accepted and redirected"

        with browser.open(f"{base}/catalog/", timeout=30) as response:
            assert response.status == 200
            assert response.url == f"{base}/catalog/", "the buyer stays on the catalog, not sent to log in"
            catalog = html.unescape(response.read().decode())
        assert buyer["client"] in catalog
    except urllib.error.HTTPError as error:
        pytest.fail(f"{error.code} from {error.url}:\n{log.read_text()}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
