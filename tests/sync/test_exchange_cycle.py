"""Exchange cycles over HTTP as 1C drives them: several zips in one session, full packages split over
several files, what `success` reports, and the step at the end of the cycle."""

import io
import zipfile
from decimal import Decimal

import pytest

from catalog.models import Price
from sync.models import SyncRun

from . import test_exchange_http as http
from .helpers import fixture, ok
from .test_bad_input import offer, offers
from .test_exchange_http import URL, import_until_done, lines, upload

onec, _on_commit = http.onec, http._on_commit  # the 1C client and the on-commit runner of the dialogue tests

pytestmark = pytest.mark.django_db


def zipped(**files: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name.replace("__", "."), text.encode())
    return buf.getvalue()


def import_zip(client, data: bytes, *names: str) -> list[list[str]]:
    upload(client, "catalog", "exchange.zip", data)
    assert lines(client.get(URL, {"type": "catalog", "mode": "import", "filename": names[0]}))[0] == "progress"
    return [import_until_done(client, "catalog", name) for name in names]


@pytest.fixture
def catalog():
    ok("catalog", fixture("carono-php-commerceml/import.xml"))


def test_a_second_zip_in_the_same_session_is_imported(onec, catalog):
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    first = import_zip(onec, zipped(offers__xml=offers(offer("a", price="100"))), "offers.xml")
    assert first[0][0] == "success"

    second = import_zip(onec, zipped(offers__xml=offers(offer("a", price="200"))), "offers.xml")

    assert second[0][0] == "success"
    assert Price.objects.get(product__erp_id="a").amount == Decimal("200")
    assert SyncRun.objects.filter(status="success", source="http").count() == 2
