import os

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL; outside CI they are skipped on SQLite."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")):
        return
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
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
