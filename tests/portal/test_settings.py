"""Settings come from the environment only: each case starts a fresh interpreter with a controlled env."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
SETTINGS_FILE = BASE_DIR / "portal" / "settings.py"
RUN_TESTS_FILE = BASE_DIR / "scripts" / "run_tests.py"
ENV_EXAMPLE = BASE_DIR / ".env.example"
TEST_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/portal"

# Names read by settings.py: os.environ.get("X"), os.environ["X"], os.getenv("X"), env_bool/env_int/env_list("X").
SETTINGS_READ = re.compile(
    r"""(?:os\.environ\.get|os\.getenv|env_bool|env_int|env_list)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""
)
# Names read or defaulted by the test runner: env.get("X"), env["X"], env.setdefault("X", ...).
RUN_TESTS_READ = re.compile(r"""\b(?:env|os\.environ)(?:\.get|\.setdefault)?[(\[]\s*["']([A-Z][A-Z0-9_]*)["']""")
ENV_EXAMPLE_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def _base_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    """A clean environment: nothing from the test run leaks in but PATH."""
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "PORTAL_VAR_DIR": str(tmp_path / "var")}
    env.update(variables)
    return env


def _run_settings(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    code = (
        "import django, json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; django.setup(); "
        "from django.conf import settings; "
        f"print(json.dumps({expression}, default=str))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


def _settings(env: dict[str, str], expression: str):
    result = _run_settings(env, expression)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _names_read(pattern: re.Pattern, path: Path) -> set[str]:
    return {next(group for group in match.groups() if group) for match in pattern.finditer(path.read_text())}


def test_database_url_unset_means_sqlite_file_under_var_dir(tmp_path):
    env = _base_env(tmp_path, DEBUG="1")
    database = _settings(env, "settings.DATABASES['default']")

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == tmp_path / "var" / "portal.sqlite3"
    assert (tmp_path / "var").is_dir(), "the var folder is created so the first migrate works"


def test_database_url_means_postgresql(tmp_path):
    env = _base_env(tmp_path, DEBUG="1", DATABASE_URL="postgres://shop:pw@db.example.com:6543/wholesale")
    database = _settings(env, "settings.DATABASES['default']")

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["NAME"] == "wholesale"
    assert database["HOST"] == "db.example.com"
    assert database["PORT"] == 6543
    assert database["USER"] == "shop"
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True
    assert not (tmp_path / "var").exists(), "no SQLite folder is made when PostgreSQL is configured"


def test_db_conn_max_age_is_read(tmp_path):
    env = _base_env(tmp_path, DEBUG="1", DATABASE_URL="postgres://u@h/n", DB_CONN_MAX_AGE="0")
    assert _settings(env, "settings.DATABASES['default']['CONN_MAX_AGE']") == 0


def test_redis_url_unset_means_local_memory_cache_and_eager_tasks(tmp_path):
    env = _base_env(tmp_path, DEBUG="1", CELERY_TASK_ALWAYS_EAGER="0")
    values = _settings(
        env,
        "{'cache': settings.CACHES['default']['BACKEND'], 'eager': settings.CELERY_TASK_ALWAYS_EAGER, "
        "'broker': settings.CELERY_BROKER_URL, 'redis': settings.REDIS_URL, 'sessions': settings.SESSION_ENGINE}",
    )

    assert values == {
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "eager": True,  # forced: there is no broker to send tasks to
        "broker": "memory://",
        "redis": "",
        # Sessions stay in the database: a process's own memory cache would miss another's sign-out.
        "sessions": "django.contrib.sessions.backends.db",
    }


def test_redis_url_means_redis_cache_and_broker(tmp_path):
    env = _base_env(tmp_path, DEBUG="1", REDIS_URL="redis://cache.example.com:6379/2")
    values = _settings(
        env,
        "{'cache': settings.CACHES['default'], 'eager': settings.CELERY_TASK_ALWAYS_EAGER, "
        "'broker': settings.CELERY_BROKER_URL, "
        "'celery_broker': __import__('portal').celery_app.conf.broker_url, "
        "'celery_eager': __import__('portal').celery_app.conf.task_always_eager, "
        "'sessions': settings.SESSION_ENGINE}",
    )

    assert values["cache"] == {"BACKEND": "portal.cache.RedisCache", "LOCATION": "redis://cache.example.com:6379/2",
                               "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    # Sessions are read from Redis and written through to the database.
    assert values["sessions"] == "django.contrib.sessions.backends.cached_db"
    assert values["eager"] is False
    assert values["broker"] == values["celery_broker"] == "redis://cache.example.com:6379/2"
    assert values["celery_eager"] is False


def test_celery_broker_url_overrides_redis_url_for_the_broker(tmp_path):
    env = _base_env(
        tmp_path, DEBUG="1", REDIS_URL="redis://cache.example.com/2", CELERY_BROKER_URL="redis://broker.example.com/3"
    )
    assert _settings(env, "settings.CELERY_BROKER_URL") == "redis://broker.example.com/3"


def test_debug_off_without_secret_key_is_an_error_with_a_database_url(tmp_path):
    result = _run_settings(_base_env(tmp_path, DEBUG="0", DATABASE_URL=TEST_POSTGRES_URL), "settings.SECRET_KEY")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is required" in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists(), "no key is generated for a production setup"


def test_debug_defaults_to_off(tmp_path):
    """An environment with a database is production: it refuses to start without a key."""
    result = _run_settings(_base_env(tmp_path, DATABASE_URL=TEST_POSTGRES_URL), "settings.DEBUG")

    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_embedded_default_generates_its_key_once_into_var(tmp_path):
    env = _base_env(tmp_path)  # no SECRET_KEY, no DATABASE_URL, DEBUG off: what `manage.py <command>` gets

    first = _settings(env, "{'key': settings.SECRET_KEY, 'debug': settings.DEBUG}")
    second = _settings(env | {"DEBUG": "1"}, "settings.SECRET_KEY")

    key_file = tmp_path / "var" / "secret_key"
    assert first == {"key": key_file.read_text().strip(), "debug": False}
    assert second == first["key"] and len(first["key"]) >= 50
    assert key_file.stat().st_mode & 0o077 == 0, "readable by its owner only"


def test_a_given_secret_key_wins_over_the_generated_one(tmp_path):
    assert _settings(_base_env(tmp_path, SECRET_KEY="given-" + "k" * 50), "settings.SECRET_KEY") == "given-" + "k" * 50
    assert not (tmp_path / "var" / "secret_key").exists()


def test_manage_py_reports_a_configuration_error_as_itself(tmp_path):
    env = _base_env(tmp_path, DATABASE_URL=TEST_POSTGRES_URL)
    result = subprocess.run([sys.executable, "manage.py", "erp_status"], cwd=BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=60)

    assert result.returncode == 1
    assert "Configuration error: SECRET_KEY is required" in result.stderr
    assert "KeyError" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean"),
        ("EMAIL_USE_TLS", "sometimes", "EMAIL_USE_TLS must be a boolean"),
        ("AXES_ENABLED", "2", "AXES_ENABLED must be a boolean"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT must be an integer"),
    ],
)
def test_malformed_value_is_an_error_naming_the_variable(tmp_path, name, value, message):
    env = _base_env(tmp_path, DEBUG="1")
    env[name] = value
    result = _run_settings(env, "settings.DEBUG")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
    assert repr(value) in result.stderr


def test_debug_off_defaults_are_strict(tmp_path):
    env = _base_env(tmp_path, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50))
    values = _settings(
        env,
        "{name: getattr(settings, name) for name in ['ALLOWED_HOSTS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD']} | "
        "{'static': settings.STORAGES['staticfiles']['BACKEND']}",
    )

    assert values == {
        "ALLOWED_HOSTS": [],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "static": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    }


def test_debug_on_defaults_are_local(tmp_path):
    env = _base_env(tmp_path, DEBUG="1")
    values = _settings(
        env, "{'hosts': settings.ALLOWED_HOSTS, 'redirect': settings.SECURE_SSL_REDIRECT, 'key': settings.SECRET_KEY}"
    )

    assert values["hosts"] == ["127.0.0.1", "localhost"]
    assert values["redirect"] is False
    assert values["key"] == (tmp_path / "var" / "secret_key").read_text().strip()


def test_debug_on_with_a_database_url_uses_the_fixed_development_key(tmp_path):
    env = _base_env(tmp_path, DEBUG="1", DATABASE_URL=TEST_POSTGRES_URL)
    assert _settings(env, "settings.SECRET_KEY").startswith("insecure-")


def test_lists_are_comma_separated(tmp_path):
    env = _base_env(
        tmp_path,
        DEBUG="1",
        ALLOWED_HOSTS=" portal.example.com, .example.org ,",
        CSRF_TRUSTED_ORIGINS="https://portal.example.com",
    )
    values = _settings(env, "[settings.ALLOWED_HOSTS, settings.CSRF_TRUSTED_ORIGINS]")

    assert values == [["portal.example.com", ".example.org"], ["https://portal.example.com"]]


def test_behind_proxy_trusts_forwarded_proto(tmp_path):
    env = _base_env(tmp_path, DEBUG="1", PORTAL_BEHIND_PROXY="1")
    assert _settings(env, "settings.SECURE_PROXY_SSL_HEADER") == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    """`manage.py check --deploy` in the production configuration reports nothing at all."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        database_url = TEST_POSTGRES_URL
    env = _base_env(
        tmp_path,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example.com",
        CSRF_TRUSTED_ORIGINS="https://portal.example.com",
        DATABASE_URL=database_url,
        REDIS_URL="redis://127.0.0.1:6379/15",
        PORTAL_BEHIND_PROXY="1",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_env_example_documents_every_variable_settings_read():
    """The doc cannot rot: a new os.environ/env_* read in settings.py must be added to .env.example."""
    read = _names_read(SETTINGS_READ, SETTINGS_FILE)
    documented = set(ENV_EXAMPLE_LINE.findall(ENV_EXAMPLE.read_text()))

    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= read, "the pattern no longer finds the reads"
    assert sorted(read - documented) == []


def test_env_example_documents_every_variable_the_test_runner_reads():
    read = _names_read(RUN_TESTS_READ, RUN_TESTS_FILE)
    documented = set(ENV_EXAMPLE_LINE.findall(ENV_EXAMPLE.read_text()))

    assert {"CI", "DATABASE_URL", "REDIS_URL"} <= read, "the pattern no longer finds the reads"
    assert sorted(read - documented) == []


def test_env_example_documents_nothing_that_is_not_read():
    """Every variable in .env.example is read by settings, the test runner or the containers."""
    documented = set(ENV_EXAMPLE_LINE.findall(ENV_EXAMPLE.read_text()))
    read = _names_read(SETTINGS_READ, SETTINGS_FILE) | _names_read(RUN_TESTS_READ, RUN_TESTS_FILE)
    container_files = (BASE_DIR / "Dockerfile").read_text() + (BASE_DIR / "docker-compose.yml").read_text()

    stale = sorted(name for name in documented - read if not re.search(rf"\b{name}\b", container_files))
    assert stale == []


def test_env_example_sets_no_secret():
    """Secrets in the example stay empty, so a copied .env cannot start with a published key."""
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE.read_text(), re.MULTILINE))

    assert values["SECRET_KEY"] == ""
    assert values["POSTGRES_PASSWORD"] == ""
    assert values["DEBUG"] == "0"
