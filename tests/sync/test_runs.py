"""Commands, the drop folder, the stream lock, crashed runs, staleness and the staff page."""

import json
import shutil
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import Notification
from catalog.models import Price, Stock
from sync.models import SyncRun
from sync.services import StreamBusy, stream_lock, sync_runs_reap, sync_stream_run
from sync.tasks import sync_stream
from tests.factories import StaffUserFactory, UserFactory

from .helpers import fixture, ok, xcount

pytestmark = pytest.mark.django_db
GILL = "gillbeits-commerceml/"
RESTS = fixture(GILL + "rests___1af6e7b8-a026-4690-9752-1c9d64cb914d.xml")


@pytest.fixture
def inbox(settings, tmp_path):
    settings.PORTAL_SYNC_INBOX = tmp_path / "inbox"
    return settings.PORTAL_SYNC_INBOX


@pytest.fixture
def gill_catalog():
    ok("catalog", fixture(GILL + "import___b815e2db-7a65-4265-9241-5f0c4f0565a7.xml"))
    ok("catalog", fixture(GILL + "offers___7f304edc-2527-4d3d-b058-6e4ee53de2e0.xml"))


def test_erp_import_prints_counts_as_json(gill_catalog, capsys):
    out = StringIO()
    call_command("erp_import", "prices", str(fixture(GILL + "prices___d66a6b51-ce9c-4e7a-8c7c-25079721107f.xml")),
                 "--json", stdout=out)
    (run,) = json.loads(out.getvalue())
    assert run["status"] == "success"
    assert run["counts"]["prices"]["created"] == Price.objects.count() == 978
    path = fixture(GILL + "prices___d66a6b51-ce9c-4e7a-8c7c-25079721107f.xml")
    assert run["checksum"] == __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    assert SyncRun.objects.get(pk=run["id"]).checksum == run["checksum"]
    assert "[1/1]" in capsys.readouterr().err


def test_erp_import_dry_run_writes_nothing(gill_catalog):
    out = StringIO()
    call_command("erp_import", "stock", str(RESTS), "--dry-run", "--locale", "en", stdout=out)
    assert "dry run" in out.getvalue() and "stock" in out.getvalue()
    assert not Stock.objects.exists()


def test_erp_import_of_a_bad_file_exits_1(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<КоммерческаяИнформация><Каталог>")
    with pytest.raises(SystemExit) as exit_info:
        call_command("erp_import", "catalog", str(bad), stdout=StringIO())
    assert exit_info.value.code == 1
    assert SyncRun.objects.get().error.startswith("malformed XML")


def test_drop_folder_files_are_imported_in_order_and_moved(inbox, gill_catalog):
    folder = inbox / "stock"
    folder.mkdir(parents=True)
    shutil.copy(RESTS, folder / "rests.xml")
    (folder / "z-broken.xml").write_text("<КоммерческаяИнформация>")

    runs = sync_stream_run(stream="stock")

    assert [r.status for r in runs] == ["success", "failed"]
    assert Stock.objects.count() == xcount(RESTS, "//Остаток/Склад")
    assert [p.name.split("-", 2)[-1] for p in (folder / "done").iterdir()] == ["rests.xml"]
    assert [p.name.split("-", 2)[-1] for p in (folder / "failed").iterdir()] == ["z-broken.xml"]
    assert not list(folder.glob("*.xml"))


def test_scheduled_task_with_an_empty_folder_has_nothing_to_do(inbox):
    (inbox / "prices").mkdir(parents=True)
    run = SyncRun.objects.get(pk=sync_stream("prices"))
    assert run.status == SyncRun.Status.NOTHING_TO_DO


def test_scheduled_task_without_a_source_says_not_configured(inbox):
    run = SyncRun.objects.get(pk=sync_stream("counterparties"))
    assert run.status == SyncRun.Status.NOT_CONFIGURED and "not configured" in run.error


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_of_a_stream_never_overlap(inbox):
    """A second connection holding the stock lock makes a run step aside without touching anything."""
    from django.db import connections, transaction

    from sync.models import StreamLock
    from sync.services import sync_import_file

    StreamLock.objects.get_or_create(stream="stock")  # the data migration's row (flushed by transactional tests)
    held, release = threading.Event(), threading.Event()

    def holder():
        with transaction.atomic():
            stream_lock("stock")
            held.set()
            release.wait(10)
        connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    try:
        with pytest.raises(StreamBusy), transaction.atomic():
            stream_lock("stock")
        run = sync_import_file(stream="stock", path=RESTS, source="command")
        assert run.status == SyncRun.Status.NOTHING_TO_DO and "in progress" in run.error
    finally:
        release.set()
        thread.join()
    assert connection.vendor == "postgresql"


def test_crashed_runs_are_marked_failed(settings):
    now = timezone.now()
    old = SyncRun.objects.create(stream="stock", source="schedule", started_at=now - timedelta(hours=5),
                                 worker="elsewhere:1")
    gone = SyncRun.objects.create(stream="prices", source="schedule", started_at=now,
                                  worker=f"{__import__('socket').gethostname()}:999999")
    live = SyncRun.objects.create(stream="catalog", source="schedule", started_at=now, worker="elsewhere:2")

    assert sync_runs_reap() == 2

    old.refresh_from_db(), gone.refresh_from_db(), live.refresh_from_db()
    assert old.status == gone.status == SyncRun.Status.FAILED
    assert "did not finish" in old.error and "is gone" in gone.error
    assert live.status == SyncRun.Status.RUNNING


def test_stale_stock_notifies_ops_once(inbox):
    ops = UserFactory(is_superuser=True, is_staff=True)
    (inbox / "stock").mkdir(parents=True)

    sync_stream("stock")
    sync_stream("stock")

    assert Notification.objects.filter(recipient=ops, event="stock_stale").count() == 1


def test_erp_status_lists_every_stream():
    now = timezone.now()
    SyncRun.objects.create(stream="stock", source="schedule", status="success", started_at=now, finished_at=now)
    SyncRun.objects.create(stream="prices", source="schedule", status="failed", started_at=now, finished_at=now,
                           error="negative price", error_location="line 7")
    out = StringIO()
    with pytest.raises(SystemExit) as exit_status:  # the last prices run failed
        call_command("erp_status", "--json", stdout=out)
    assert exit_status.value.code == 1
    data = {row["stream"]: row for row in json.loads(out.getvalue())["streams"]}
    assert data["stock"]["age_minutes"] == 0
    assert data["prices"]["last_error"] == "negative price (line 7)"
    assert data["catalog"]["last_success"] is None


def test_staff_page_shows_data_age_and_the_stale_banner(client, django_assert_max_num_queries):
    client.force_login(StaffUserFactory())
    with django_assert_max_num_queries(40):
        response = client.get("/staff/sync/")
    assert response.status_code == 200
    assert "alert-warning" in response.content.decode()


def test_staff_page_is_not_for_clients(client):
    client.force_login(UserFactory())
    assert client.get("/staff/sync/").status_code in (302, 403, 404)


def test_order_export_to_the_outbox(inbox):
    from orders.status import OrderStatus
    from tests.factories import OrderFactory

    order = OrderFactory(status=OrderStatus.SUBMITTED)
    (inbox / "order_export").mkdir(parents=True)

    run = SyncRun.objects.get(pk=sync_stream("order_export"))
    again = SyncRun.objects.get(pk=sync_stream("order_export"))

    assert run.status == SyncRun.Status.SUCCESS and run.counts == {"orders": {"exported": 1}}
    content = (inbox / "order_export" / "outbox").glob("orders-*.xml").__next__().read_bytes()
    assert content.startswith(b"\xef\xbb\xbf") and order.number.encode() in content
    assert again.status == SyncRun.Status.NOTHING_TO_DO


def test_order_export_in_windows_1251(inbox, settings):
    from lxml import etree

    from orders.status import OrderStatus
    from sync.orders_exchange import orders_document
    from tests.factories import OrderFactory, OrderLineFactory

    settings.PORTAL_ERP_ORDER_ENCODING = "windows-1251"
    line = OrderLineFactory(order=OrderFactory(status=OrderStatus.SUBMITTED), name="Ботфорты")
    data = orders_document([line.order])
    assert data.startswith(b"<?xml version='1.0' encoding='windows-1251'?>")
    assert etree.fromstring(data).findtext("Документ/Товары/Товар/Наименование") == "Ботфорты"
