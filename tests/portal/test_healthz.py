"""/healthz: 200 when the database and Redis answer, 503 when one does not; real services, no mocks."""

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

BASE_DIR = Path(__file__).resolve().parents[2]
DEAD_REDIS = "redis://127.0.0.1:1/0"  # port 1: nothing listens there, the connection is refused


@pytest.mark.django_db
def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["redis"]["ok"] is True
    assert body["redis"]["configured"] is bool(settings.REDIS_URL)


@pytest.mark.django_db
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Redis not reachable (CI=true makes that an error)")
def test_healthz_talks_to_redis_when_configured(client):
    from django.core.cache import cache

    assert settings.CACHES["default"]["BACKEND"] == "portal.cache.RedisCache"
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["redis"] == {"ok": True, "configured": True}
    assert cache.get("healthz") == "1", "the check wrote through the real cache"


@pytest.mark.django_db
def test_healthz_is_503_when_redis_is_down(client, caplog):
    dead_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_REDIS}}
    with override_settings(CACHES=dead_cache, REDIS_URL=DEAD_REDIS):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is False
    assert body["redis"]["configured"] is True
    assert body["redis"]["error"] == "ConnectionError"
    assert "healthz: redis check failed" in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_healthz_allows_only_get(client, method):
    response = getattr(client, method)("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET"


@pytest.mark.django_db
def test_healthz_is_not_redirected_to_https(client):
    """The load balancer probes over plain HTTP even where every other page redirects to HTTPS."""
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert client.get("/healthz").status_code == 200
        assert client.get("/accounts/login/").status_code == 301


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _dockerfile_cmd() -> list[str]:
    match = re.search(r"^CMD (\[.*\])$", (BASE_DIR / "Dockerfile").read_text(), re.MULTILINE)
    assert match, "the Dockerfile has an exec-form CMD"
    return json.loads(match.group(1))


def _get(url: str, host: str, **headers: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Host": host, **headers})  # noqa: S310 (http to loopback)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.django_db
def test_container_web_command_serves_healthz_and_static(tmp_path):
    """The image's production path: collectstatic as in the Dockerfile, then its gunicorn CMD, DEBUG=0."""
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "LANG": "C.UTF-8",
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "portal.example.com",
        "PORTAL_BEHIND_PROXY": "1",
        "WEB_CONCURRENCY": "1",
    }
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]

    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env={**env, "SECRET_KEY": "", "PORTAL_ALLOW_INSECURE_KEY": "1"},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert collect.returncode == 0, collect.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]

    port = _free_port()
    command = [arg.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for arg in _dockerfile_cmd()]
    assert command[:2] == ["gunicorn", "portal.wsgi:application"]
    log = tmp_path / "gunicorn.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, log.read_text()
            try:
                status, _, body = _get(f"{base}/healthz", "portal.example.com")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.2)

        assert status == 200, body
        health = json.loads(body)
        assert health["database"] == {"ok": True, "vendor": connection.vendor}
        assert health["redis"]["configured"] is bool(env.get("REDIS_URL"))

        # Plain HTTP is sent to HTTPS; through the TLS proxy the page is served.
        status, headers, _ = _get(f"{base}/accounts/login/", "portal.example.com")
        assert status == 301
        assert headers["Location"] == "https://portal.example.com/accounts/login/"
        status, _, _ = _get(f"{base}/accounts/login/", "portal.example.com", **{"X-Forwarded-Proto": "https"})
        assert status == 200

        # Hashed static files from collectstatic, served by WhiteNoise with a far-future cache.
        hashed = manifest["admin/css/base.css"]
        status, headers, _ = _get(f"{base}/static/{hashed}", "portal.example.com", **{"X-Forwarded-Proto": "https"})
        assert status == 200
        assert "immutable" in headers["Cache-Control"]

        status, _, _ = _get(f"{base}/healthz", "evil.example.net")
        assert status == 400, "hosts outside ALLOWED_HOSTS are refused"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
        # Shown by pytest when the test fails: the traceback of a 500 is in gunicorn's log.
        print(log.read_text())
