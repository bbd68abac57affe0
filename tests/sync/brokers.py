"""A Redis server of the test's own (stopped and started by the test) and real Celery worker processes.

The shared Redis on 6379 is never stopped: each test that needs Redis down starts its own server on a
free port in a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.db import connection

from portal.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """`redis-server` on a free port, without persistence, in its own folder."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_timeout=0.5).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


@pytest.fixture
def own_redis(tmp_path):
    if not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def _reset_connections() -> None:
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(own_redis, settings):
    """The Celery app of this process sends to the test's own Redis, for real (not eagerly)."""
    settings.PORTAL_SYNC_IMPORT_THREAD = False
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = own_redis.url, False
    _reset_connections()
    yield own_redis
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
    _reset_connections()


def database_url() -> str:
    """The test database, as a URL a subprocess can use."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def celery_worker(redis_url: str, log: Path, **env_extra: str):
    """`celery -A portal worker` (prefork, one child) on the test database and the given Redis, as ops
    start it; stopped at the end."""
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": redis_url, "CELERY_TASK_ALWAYS_EAGER": "0",
           "PORTAL_SYNC_IMPORT_THREAD": "0", **env_extra}
    env.pop("CELERY_BROKER_URL", None)
    celery = Path(sys.executable).with_name("celery")
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(celery), "-A", "portal", "worker", "--concurrency", "1", "--loglevel", "INFO", "--without-gossip",
             "--without-mingle", "--hostname", f"test-{os.getpid()}@%h"],
            cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for(lambda: b"ready" in log.read_bytes() or process.poll() is not None, 60, "the worker to start")
            if process.poll() is not None:
                raise AssertionError(f"the worker exited: {log.read_text()[-3000:]}")
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(10)


def wait_for(condition, seconds: float, what: str, step: float = 0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(step)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")
