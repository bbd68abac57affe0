"""Real Celery workers: installed from the runtime dependencies alone, importing 1C files, killed mid-import.

Each test starts its own redis-server on a free port and `celery -A portal worker` as a subprocess
on the test database, and drives the exchange as 1C does.
"""

import base64
import importlib.metadata
import json
import os
import signal
import subprocess
import sys
import time
import tomllib

import psycopg
import pytest
from django.db import connection
from django.test import Client
from packaging.requirements import Requirement

from catalog.models import Product
from sync.models import SyncRun

from .brokers import BASE_DIR, celery_worker, database_url, wait_for
from .factories import ERP_PASSWORD, erp_user
from .helpers import fixture, snapshot

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
URL = "/1c/exchange"
CATALOG = fixture("carono-php-commerceml/import.xml")
#: Loaded when present, never needed: celery tries greenlet and falls back to threads; setuptools' .pth hook.
OPTIONAL = {"greenlet", "setuptools"}
RENAMED = ("Женские ботфорты коричневые", "Женские ботфорты тёмно-коричневые")


def lines(response) -> list[str]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    return response.content.decode().split("\n")


def cycle_start(user) -> Client:
    """checkauth and init, as 1C opens every exchange cycle."""
    client = Client()
    auth = "Basic " + base64.b64encode(f"{user.email}:{ERP_PASSWORD}".encode()).decode()
    answer = lines(client.get(URL, {"type": "catalog", "mode": "checkauth"}, HTTP_AUTHORIZATION=auth))
    assert answer[0] == "success"
    client.cookies[answer[1]] = answer[2]
    assert lines(client.get(URL, {"type": "catalog", "mode": "init", "version": "3.1"}))[0] == "zip=yes"
    return client


def upload_and_import(client, data: bytes) -> None:
    answer = lines(client.post(f"{URL}?type=catalog&mode=file&filename=import.xml", data=data,
                               content_type="application/octet-stream"))
    assert answer[0] == "success"
    assert lines(client.get(URL, {"type": "catalog", "mode": "import", "filename": "import.xml"}))[0] == "progress"


def waits_on_a_lock(backend: int) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [backend])
        row = cur.fetchone()
    return row is not None and row[0] == "Lock"


def poll(client, seconds: float) -> list[str]:
    def answered():
        answer = lines(client.get(URL, {"type": "catalog", "mode": "import", "filename": "import.xml"}))
        return answer if answer[0] != "progress" else None

    return wait_for(answered, seconds, "the import to end", step=0.5)


@pytest.fixture
def worker(broker, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    with celery_worker(broker.url, tmp_path / "worker.log", PORTAL_VAR_DIR=str(tmp_path)) as process:
        yield process


def test_a_worker_imports_what_1c_uploads(worker):
    user = erp_user()
    client = cycle_start(user)
    upload_and_import(client, CATALOG.read_bytes())

    answer = poll(client, 90)

    assert answer[0] == "success", answer
    run = SyncRun.objects.get()
    host, _, pid = run.worker.rpartition(":")
    assert int(pid) not in (os.getpid(), worker.pid)  # the worker's pool process, not the web's nor the parent
    assert run.db_session
    assert Product.objects.filter(name=RENAMED[0]).exists()
    assert lines(client.get(URL, {"type": "catalog", "mode": "complete"}))[0] == "success"


def test_a_worker_killed_mid_import_is_reported_within_30_seconds_and_the_next_cycle_imports(worker):
    user = erp_user()
    client = cycle_start(user)
    upload_and_import(client, CATALOG.read_bytes())
    assert poll(client, 90)[0] == "success"
    lines(client.get(URL, {"type": "catalog", "mode": "complete"}))
    before = snapshot()
    renamed = CATALOG.read_bytes().replace(RENAMED[0].encode(), RENAMED[1].encode())

    # second cycle: the import is held mid-way by a lock on the products, then its process is killed
    blocker = psycopg.connect(database_url())
    blocker.execute("LOCK TABLE catalog_product IN EXCLUSIVE MODE")
    try:
        client = cycle_start(user)
        upload_and_import(client, renamed)
        run = wait_for(lambda: SyncRun.objects.filter(status=SyncRun.Status.RUNNING).first(), 60, "a running run")
        backend = int(run.db_session.split("@")[0])
        wait_for(lambda: waits_on_a_lock(backend), 60, "the import to wait mid-way")
        worker_pid = int(run.worker.rpartition(":")[2])

        os.kill(worker_pid, signal.SIGKILL)
        killed = time.monotonic()
        answer = poll(client, 30)

        assert time.monotonic() - killed < 30
        assert answer[0] == "failure" and answer[1].startswith(f"Crashed: its worker {run.worker}")
    finally:
        blocker.rollback()
        blocker.close()
    assert snapshot() == before
    assert not Product.objects.filter(name=RENAMED[1]).exists()

    # the next cycle imports, through the pool process the worker started again
    client = cycle_start(user)
    upload_and_import(client, renamed)
    answer = poll(client, 90)
    assert answer[0] == "success", answer
    assert Product.objects.filter(name=RENAMED[1]).exists()


# -- `make install` (no test extras) is enough for the worker and beat ---------------------------

def _runtime_closure() -> set[str]:
    """Distributions `pip install -e .` installs: pyproject's dependencies and what they require, with
    the extras asked for."""
    pyproject = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())
    todo = [Requirement(r) for r in pyproject["project"]["dependencies"]]
    seen: set[str] = set()
    while todo:
        req = todo.pop()
        name = req.name.lower().replace("_", "-")
        key = f"{name}[{','.join(sorted(req.extras))}]"
        if key in seen:
            continue
        seen.add(key)
        for raw in importlib.metadata.requires(req.name) or []:
            sub = Requirement(raw)
            extras = req.extras or {""}
            if sub.marker is None or any(sub.marker.evaluate({"extra": extra}) for extra in extras):
                todo.append(sub)
    return {k.split("[")[0] for k in seen}


def test_the_worker_and_beat_import_only_runtime_dependencies(tmp_path):
    """Every module the worker and beat load (Redis transport included) comes from a runtime dependency."""
    script = ("import json, sys, importlib.metadata as md\n"
              "import django; django.setup()\n"
              "import portal.celery, celery.apps.worker, celery.apps.beat, celery.worker.consumer\n"
              "import kombu.transport.redis, django_celery_beat.schedulers, portal.beat, sync.tasks\n"
              "dists = md.packages_distributions()\n"
              "names = {m.split('.')[0] for m in list(sys.modules)}\n"
              "print(json.dumps(sorted({d for n in names for d in dists.get(n, [])})))\n")
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "portal.settings"}
    out = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    loaded = {d.lower().replace("_", "-") for d in json.loads(out.splitlines()[-1])}
    missing = loaded - _runtime_closure() - {"b2b-portal"} - OPTIONAL
    assert not missing, f"the worker imports distributions `make install` does not install: {sorted(missing)}"
    assert "packaging" in loaded  # kombu's Redis transport
