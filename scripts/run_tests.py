"""Run the test suite: ruff is run by the Makefile; this picks the databases and runs pytest.

PostgreSQL comes from DATABASE_URL, else 127.0.0.1:5432 (user postgres) when it answers.
Without PostgreSQL the suite runs on SQLite and skips only tests marked `postgres`, saying so;
under CI=true a missing PostgreSQL or Redis is an error, not a skip.
"""

import os
import socket
import sys

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/portal"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def main() -> int:
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    env = os.environ
    pytest_args = sys.argv[1:]

    if not env.get("DATABASE_URL"):
        if _reachable("127.0.0.1", 5432):
            env["DATABASE_URL"] = DEFAULT_PG
        elif ci:
            print("ERROR: CI=true and PostgreSQL is not reachable at 127.0.0.1:5432", file=sys.stderr)
            return 2
        else:
            print("NOTE: PostgreSQL is not reachable: running on SQLite, skipping tests marked 'postgres'.")
            pytest_args = ["-m", "not postgres", *pytest_args]
    if not env.get("REDIS_URL"):
        if _reachable("127.0.0.1", 6379):
            env["REDIS_URL"] = DEFAULT_REDIS
        elif ci:
            print("ERROR: CI=true and Redis is not reachable at 127.0.0.1:6379", file=sys.stderr)
            return 2
        else:
            print("NOTE: Redis is not reachable: using the local-memory cache.")
    env.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
    env.setdefault("DEBUG", "0")
    env.setdefault("SECURE_SSL_REDIRECT", "0")
    env.setdefault("PORTAL_MANIFEST_STATIC", "0")
    env.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    env.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    print(f"database: {env.get('DATABASE_URL') or 'SQLite'}; redis: {env.get('REDIS_URL') or 'none'}")
    sys.stdout.flush()
    os.execvp(sys.executable, [sys.executable, "-m", "pytest", *pytest_args])  # noqa: S606
    return 0


if __name__ == "__main__":
    sys.exit(main())
