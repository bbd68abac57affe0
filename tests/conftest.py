import os
import shutil

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL; outside CI they are skipped on SQLite.

    Browser tests skip themselves without Chromium on a developer's machine; under CI a missing
    Chromium is an error, so a green CI always includes them.
    """
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    chromium = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
    if ci and not shutil.which(chromium) and any("browser" in item.keywords for item in items):
        raise pytest.UsageError(f"CI=true needs Chromium at {chromium} for the browser tests")
    if os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")):
        return
    if ci:
        raise pytest.UsageError("CI=true needs PostgreSQL: set DATABASE_URL")
    skip = pytest.mark.skip(reason="needs PostgreSQL (running on SQLite)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
