import os
import shutil
from decimal import Decimal

import pytest
from django.db import connection

from tests.factories import (
    ClientUserFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    RegionFactory,
    StockFactory,
    WarehouseFactory,
)
from tests.vendors import run_on_vendor, vendor  # noqa: F401 - the fixture, for every test module


def pytest_pyfunc_call(pyfuncitem):
    """A case parametrised by `vendor` for the other database than the session's runs there (tests.vendors)."""
    return True if run_on_vendor(pyfuncitem) else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test is a failure: the skips guard a developer's machine (no PostgreSQL,
    Redis or redis-server there), and a green CI must have run every test."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true: {report.longrepr}"


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


@pytest.fixture
def session_queries(settings) -> int:
    """Queries a page spends on the session: none with Redis (sessions.backends.cached_db reads it there), else one."""
    return 0 if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db" else 1


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


# A region with a base price type and a warehouse, a buyer in it, and priced products (catalog and cart tests).


@pytest.fixture
def shop():
    base = PriceTypeFactory()
    region = RegionFactory(base_price_type=base)
    warehouse = WarehouseFactory(region=region)
    buyer = ClientUserFactory(client__region=region)
    return {"base": base, "region": region, "warehouse": warehouse, "buyer": buyer}


@pytest.fixture
def priced_product(shop):
    """Make a product with a base price of 12.50 and stock in the shop's warehouse."""

    def make(**kwargs):
        product = ProductFactory(**kwargs)
        PriceFactory(product=product, price_type=shop["base"], amount=Decimal("12.50"))
        StockFactory(product=product, warehouse=shop["warehouse"], quantity=Decimal("40"))
        return product

    return make
