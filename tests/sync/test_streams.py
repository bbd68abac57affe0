"""The stream of a run and its locks come from the file's content, decided before the run is recorded."""

import threading

import pytest
from django.db import connection, transaction

from sync.models import StreamLock, SyncRun
from sync.selectors import stream_status
from sync.services import stream_lock

from . import test_exchange_http as http
from .helpers import fixture, ok, run
from .test_bad_input import offer, offers
from .test_exchange_http import URL, import_until_done, lines, upload

onec, _on_commit = http.onec, http._on_commit  # the 1C client and the on-commit runner of the dialogue tests


@pytest.fixture
def catalog(db):
    ok("catalog", fixture("carono-php-commerceml/import.xml"))


@pytest.mark.django_db
def test_an_http_offers_file_with_prices_and_stock_counts_as_both(onec, catalog):
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    upload(onec, "catalog", "offers.xml", offers(offer("a")).encode())

    assert import_until_done(onec, "catalog", "offers.xml")[0] == "success"

    recorded = SyncRun.objects.get(source="http")
    assert (recorded.stream, recorded.also_streams) == ("stock", "prices")
    ages = {s.stream: s.last_success for s in stream_status()}
    assert ages["stock"] is not None and ages["prices"] is not None  # the price age is refreshed too


@pytest.mark.django_db
def test_a_failed_http_rests_file_is_recorded_as_stock_not_catalog(onec):
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    upload(onec, "catalog", "rests.xml", fixture("argentcrusade-commerceml/remainders-example.xml").read_bytes())

    assert import_until_done(onec, "catalog", "rests.xml")[0] == "failure"

    assert SyncRun.objects.get(source="http").stream == "stock"


@pytest.mark.django_db
def test_an_http_catalog_file_is_recorded_as_catalog(onec):
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    upload(onec, "catalog", "import.xml", fixture("bigperson-exchange1c/import.xml").read_bytes())

    assert import_until_done(onec, "catalog", "import.xml")[0] == "success"

    assert (SyncRun.objects.get(source="http").stream, SyncRun.objects.get(source="http").also_streams) == (
        "catalog", "")


@pytest.mark.django_db(transaction=True)
def test_a_prices_run_of_a_file_with_stock_waits_for_no_one_holding_the_stock_lock(tmp_path):
    """While a stock run holds its lock, a file that also writes stock is not imported under another stream."""
    ok("catalog", fixture("carono-php-commerceml/import.xml"))
    for stream in ("stock", "prices"):  # as the migration leaves them (a flush of an earlier test removed them)
        StreamLock.objects.get_or_create(stream=stream)
    path = tmp_path / "offers.xml"
    path.write_bytes(offers(offer("a")).encode())
    held, release = threading.Event(), threading.Event()

    def stock_run():
        try:
            with transaction.atomic():
                stream_lock("stock")
                held.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=stock_run)
    holder.start()
    try:
        assert held.wait(30)
        busy = run("prices", path)
    finally:
        release.set()
        holder.join()

    assert busy.status == SyncRun.Status.NOTHING_TO_DO
    assert ok("prices", path).also_streams == "stock"
