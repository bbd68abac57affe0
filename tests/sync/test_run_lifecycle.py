"""The life of a run: unexpected errors, a broker that is down, dead workers, session folders, the
embedded background import, the protocol version and the old sale protocol."""

import base64
import json
import os
import socket
import threading
import time
from datetime import timedelta
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from orders.status import OrderStatus
from sync import services, tasks
from sync.exchange import session_dir
from sync.importers.offers import OffersImport
from sync.models import ExchangeSession, SyncRun
from sync.runner import FileImport
from sync.services import sync_import_file, sync_runs_reap, sync_stream_run
from tests.factories import OrderFactory

from .brokers import database_url, wait_for
from .factories import ERP_PASSWORD, erp_user
from .helpers import fixture, ok, snapshot

pytestmark = pytest.mark.django_db
URL = "/1c/exchange"
GILL = "gillbeits-commerceml/"
GILL_CATALOG = fixture(GILL + "import___b815e2db-7a65-4265-9241-5f0c4f0565a7.xml")
GILL_OFFERS = fixture(GILL + "offers___7f304edc-2527-4d3d-b058-6e4ee53de2e0.xml")

CATALOG = """<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="2.07"><Классификатор><Ид>c</Ид><Наименование>К</Наименование>
<Группы><Группа><Ид>g1</Ид><Наименование>Обувь</Наименование></Группа></Группы></Классификатор>
<Каталог СодержитТолькоИзменения="true"><Ид>c</Ид><ИдКлассификатора>c</ИдКлассификатора><Наименование>К</Наименование>
<Товары><Товар><Ид>p1</Ид><Артикул>A-1</Артикул><Наименование>Ботинки</Наименование>
<БазоваяЕдиница Код="796">шт</БазоваяЕдиница><Группы><Ид>g1</Ид></Группы></Товар></Товары></Каталог>
</КоммерческаяИнформация>"""

# УТ 11: a characteristic offer listing two prices of one price type.
REPEATED_PRICE = """<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="2.07"><ПакетПредложений СодержитТолькоИзменения="true"><Ид>c#</Ид>
<Наименование>П</Наименование><ИдКаталога>c</ИдКаталога><ИдКлассификатора>c</ИдКлассификатора>
<ТипыЦен><ТипЦены><Ид>opt</Ид><Наименование>Опт</Наименование><Валюта>RUB</Валюта></ТипЦены></ТипыЦен>
<Предложения><Предложение><Ид>p1#ch1</Ид><Наименование>Ботинки, 42</Наименование>
<БазоваяЕдиница Код="796">шт</БазоваяЕдиница><Цены>
<Цена><ИдТипаЦены>opt</ИдТипаЦены><ЦенаЗаЕдиницу>100</ЦенаЗаЕдиницу><Валюта>RUB</Валюта></Цена>
<Цена><ИдТипаЦены>opt</ИдТипаЦены><ЦенаЗаЕдиницу>120</ЦенаЗаЕдиницу><Валюта>RUB</Валюта></Цена>
</Цены></Предложение></Предложения></ПакетПредложений></КоммерческаяИнформация>"""


def basic(login: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


def lines(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode().split("\n")


def onec_client(kind: str = "catalog", version: str | None = "2.10") -> Client:
    user = erp_user()
    client = Client()
    answer = lines(client.get(URL, {"type": kind, "mode": "checkauth"},
                              HTTP_AUTHORIZATION=basic(user.email, ERP_PASSWORD)))
    client.cookies[answer[1]] = answer[2]
    params = {"type": kind, "mode": "init"}
    if version is not None:
        params["version"] = version
    lines(client.get(URL, params))
    return client


def post(client, kind: str, name: str, data: bytes) -> list[str]:
    return lines(client.post(f"{URL}?type={kind}&mode=file&filename={name}", data=data,
                             content_type="application/octet-stream"))


def import_call(client, name: str, kind: str = "catalog") -> list[str]:
    return lines(client.get(URL, {"type": kind, "mode": "import", "filename": name}))


@pytest.fixture
def boom(monkeypatch):
    """An unexpected fault (not a bad file) at the second offer of a file."""
    original = OffersImport.offer
    seen = []

    def offer(self, data):
        seen.append(data["erp_id"])
        if len(seen) == 2:
            raise RuntimeError("disk on fire")
        return original(self, data)

    monkeypatch.setattr(OffersImport, "offer", offer)
    return seen


# -- an unexpected error ends as a failed run ----------------------------------------------------

def test_an_unexpected_error_fails_the_run_with_the_element_and_line(boom):
    ok("catalog", GILL_CATALOG)
    before = snapshot()

    run = sync_import_file(stream="stock", path=GILL_OFFERS, source=SyncRun.Source.COMMAND)

    assert run.status == SyncRun.Status.FAILED
    assert run.error == "internal error: RuntimeError: disk on fire"
    assert run.error_location.startswith(f"Предложение {boom[1]}, line ")
    assert run.finished_at is not None
    assert snapshot() == before


@pytest.mark.postgres
def test_an_error_of_a_background_merge_is_placed_in_the_writing_not_in_an_offer(monkeypatch):
    from sync.importers.pipeline import Pipeline

    ok("catalog", GILL_CATALOG)
    ok("stock", GILL_OFFERS)  # creates the products: the rests are known products, merged in the background
    before = snapshot()

    def merge(self, channel, data, rows):
        raise RuntimeError("connection reset")

    monkeypatch.setattr(Pipeline, "_merge", merge)
    rests = fixture(GILL + "rests___1af6e7b8-a026-4690-9752-1c9d64cb914d.xml")
    run = sync_import_file(stream="stock", path=rests, source="command")

    assert (run.status, run.error) == (SyncRun.Status.FAILED, "internal error: RuntimeError: connection reset")
    assert run.error_location == "while writing the file's data"
    assert snapshot() == before


def test_erp_import_prints_json_for_an_unexpected_error(boom, capsys):
    ok("catalog", GILL_CATALOG)
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("erp_import", "stock", str(GILL_OFFERS), "--json", stdout=out)
    assert exit_info.value.code == 1
    (run,) = json.loads(out.getvalue())
    assert run["status"] == "failed" and run["error"].startswith("internal error: RuntimeError")
    assert "Предложение" in run["where"]
    assert "Traceback" not in capsys.readouterr().err


def test_the_drop_folder_moves_a_file_that_crashed_to_failed_and_imports_the_next(boom, settings, tmp_path):
    ok("catalog", GILL_CATALOG)
    settings.PORTAL_SYNC_INBOX = tmp_path / "inbox"
    folder = settings.PORTAL_SYNC_INBOX / "stock"
    folder.mkdir(parents=True)
    (folder / "a-offers.xml").write_bytes(GILL_OFFERS.read_bytes())
    (folder / "b-offers.xml").write_bytes(GILL_OFFERS.read_bytes())
    os.utime(folder / "a-offers.xml", (1, 1))  # oldest first

    runs = sync_stream_run(stream="stock")

    assert [r.status for r in runs] == ["failed", "success"]
    assert [p.name.split("-", 2)[-1] for p in (folder / "failed").iterdir()] == ["a-offers.xml"]
    assert [p.name.split("-", 2)[-1] for p in (folder / "done").iterdir()] == ["b-offers.xml"]
    assert not list(folder.glob("*.xml"))


def test_an_offer_with_two_prices_of_one_type_never_escapes_as_a_traceback(tmp_path, capsys):
    """Whatever the rule for repeated prices, the command answers with a run, in JSON."""
    (tmp_path / "import.xml").write_text(CATALOG)
    (tmp_path / "offers.xml").write_text(REPEATED_PRICE)
    ok("catalog", tmp_path / "import.xml")
    out = StringIO()
    try:
        call_command("erp_import", "prices", str(tmp_path / "offers.xml"), "--json", stdout=out)
    except SystemExit as exc:
        assert exc.code == 1
    (run,) = json.loads(out.getvalue())
    assert run["status"] in ("success", "failed")
    assert run["status"] == "success" or run["where"]
    assert "Traceback" not in capsys.readouterr().err


# -- the importing process is what is watched ----------------------------------------------------

def _backend(conn) -> str:
    pid, start = conn.execute("SELECT pid, backend_start::text FROM pg_stat_activity "
                              "WHERE pid = pg_backend_pid()").fetchone()
    return f"{pid}@{start}"


@pytest.mark.postgres
def test_a_run_whose_database_session_ended_is_marked_crashed_and_a_live_one_never():
    other = psycopg.connect(database_url().replace("/" + connection.settings_dict["NAME"], "/postgres"),
                            autocommit=True)
    # a worker elsewhere (another host: its pid cannot be checked here), alive through its session
    run = SyncRun.objects.create(stream="stock", source="http", started_at=timezone.now(), worker="worker-2:4242",
                                 db_session=_backend(other))
    assert sync_runs_reap() == 0
    assert SyncRun.objects.get(pk=run.pk).status == SyncRun.Status.RUNNING

    other.close()
    wait_for(lambda: sync_runs_reap() == 1, 10, "the ended session to be noticed")

    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED
    assert run.error.startswith("Crashed: its worker worker-2:4242 died: its database session")


def test_a_queued_run_has_no_worker_yet_and_is_not_reaped():
    """The web process that queued a run is not its worker: restarting the web never crashes it."""
    run = services.sync_run_queue(stream="catalog", source="http", file_name="/x/import.xml")
    assert (run.status, run.worker, run.db_session) == (SyncRun.Status.QUEUED, "", "")
    assert sync_runs_reap() == 0


def test_a_claimed_run_records_the_process_that_imports_it():
    run = services.sync_run_queue(stream="catalog", source="http", file_name=str(GILL_CATALOG))
    claimed = services.sync_run_claim(run_id=run.pk)
    assert claimed.status == SyncRun.Status.RUNNING
    assert claimed.worker == f"{socket.gethostname()}:{os.getpid()}"
    assert (claimed.db_session != "") == (connection.vendor == "postgresql")
    assert services.sync_run_claim(run_id=run.pk) is None  # a second message for the same run does nothing


# -- the broker is down: failure at once, queued again when it is back ---------------------------

@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_import_fails_at_once_and_the_run_is_queued_again_later(broker, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client = onec_client()
    assert post(client, "catalog", "import.xml", GILL_CATALOG.read_bytes())[0] == "success"
    broker.stop()

    started = time.monotonic()
    answer = import_call(client, "import.xml")
    assert time.monotonic() - started < 10
    assert answer[0] == "failure" and "could not be queued" in answer[1] and "queued again" in answer[1]
    run = SyncRun.objects.get()
    assert run.status == SyncRun.Status.QUEUED and run.error.startswith(services.QUEUE_FAILED)
    assert import_call(client, "import.xml")[0] == "failure"  # still down: never `progress` for nothing

    broker.start()
    assert tasks.sync_runs_requeue() == 1  # what every scheduled job does first
    assert broker.client().llen("celery") == 1
    assert SyncRun.objects.get().error == ""
    assert import_call(client, "import.xml")[0] == "progress"

    tasks.exchange_import.run(run.pk)  # what the worker does with the message
    answer = import_call(client, "import.xml")
    assert answer[0] == "success" and "categories: +" in answer[1]


@pytest.mark.django_db(transaction=True)
def test_a_poll_sends_again_the_task_of_a_run_that_could_not_be_queued(broker, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client = onec_client()
    post(client, "catalog", "import.xml", GILL_CATALOG.read_bytes())
    broker.stop()
    assert import_call(client, "import.xml")[0] == "failure"
    broker.start()
    assert import_call(client, "import.xml")[:2] == ["progress", "Import of import.xml queued"]
    assert broker.client().llen("celery") == 1


@pytest.mark.django_db(transaction=True)
def test_a_queued_import_no_worker_takes_answers_failure(broker, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr("sync.exchange.QUEUE_GRACE_SECONDS", 0)
    client = onec_client()
    post(client, "catalog", "import.xml", GILL_CATALOG.read_bytes())
    assert import_call(client, "import.xml")[0] == "progress"  # sent: no worker runs
    answer = import_call(client, "import.xml")
    assert answer[0] == "failure" and "no import worker answers" in answer[1]
    assert SyncRun.objects.get().status == SyncRun.Status.QUEUED  # imported when a worker starts


# -- session folders -----------------------------------------------------------------------------

@pytest.fixture
def onec(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.VAR_DIR = tmp_path
    client = onec_client()
    client.capture = django_capture_on_commit_callbacks
    return client


def import_until_done(client, name: str, kind: str = "catalog") -> list[str]:
    for _ in range(10):
        with client.capture(execute=True):
            answer = import_call(client, name, kind)
        if answer[0] != "progress":
            return answer
    raise AssertionError("import never finished")


def test_complete_removes_the_session_folder(onec):
    post(onec, "catalog", "import.xml", GILL_CATALOG.read_bytes())
    assert import_until_done(onec, "import.xml")[0] == "success"
    folder = session_dir(ExchangeSession.objects.get())
    assert folder.is_dir()

    assert lines(onec.get(URL, {"type": "catalog", "mode": "complete"}))[0] == "success"

    assert not folder.exists()
    assert SyncRun.objects.get().status == SyncRun.Status.SUCCESS


def test_sale_success_removes_the_session_folder(onec):
    folder = session_dir(ExchangeSession.objects.get())
    onec.get(URL, {"type": "sale", "mode": "query"})
    assert lines(onec.get(URL, {"type": "sale", "mode": "success"}))[0] == "success"
    assert not folder.exists()


def test_complete_keeps_the_files_of_an_import_still_running(onec):
    post(onec, "catalog", "import.xml", GILL_CATALOG.read_bytes())
    import_call(onec, "import.xml")  # queued: its task is sent only when the test's transaction commits
    lines(onec.get(URL, {"type": "catalog", "mode": "complete"}))
    assert (session_dir(ExchangeSession.objects.get()) / "import.xml").is_file()


def test_abandoned_sessions_expire_with_the_scheduled_jobs(settings, tmp_path):
    settings.VAR_DIR, settings.PORTAL_SYNC_INBOX = tmp_path, tmp_path / "inbox"
    user = erp_user()
    old, fresh, busy = (ExchangeSession.objects.create(token=t, user=user) for t in ("old", "fresh", "busy"))
    for session in (old, fresh, busy):
        session_dir(session).mkdir(parents=True)
        (session_dir(session) / "import.xml").write_bytes(b"<x/>")
    stray = tmp_path / "exchange" / "s999999"
    stray.mkdir()
    os.utime(stray, (1, 1))
    long_ago = timezone.now() - timedelta(hours=settings.PORTAL_ERP_SESSION_EXPIRE_HOURS + 1)
    ExchangeSession.objects.filter(pk__in=[old.pk, busy.pk]).update(last_seen_at=long_ago)
    running = services.sync_run_queue(stream="catalog", source="http", file_name="x")
    busy.imports.create(file_name="import.xml", run=running)

    tasks.sync_stream("stock")  # any scheduled job

    assert not session_dir(old).exists() and not stray.exists()
    assert session_dir(fresh).is_dir() and session_dir(busy).is_dir()
    assert set(ExchangeSession.objects.values_list("token", flat=True)) == {"fresh", "busy"}


# -- the version 1C asks for -----------------------------------------------------------------------

@pytest.mark.parametrize(("asked", "answered"), [
    ("3.1", "3.1"), ("2.08", "2.08"), ("2.10", "2.10"), ("", "2.10"), ("4.02", "3.1"), ("2.11", "2.10"),
    ("junk", "2.10")])
def test_init_answers_the_version_both_sides_speak(asked, answered, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    user = erp_user()
    client = Client()
    answer = lines(client.get(URL, {"type": "catalog", "mode": "checkauth"},
                              HTTP_AUTHORIZATION=basic(user.email, ERP_PASSWORD)))
    client.cookies[answer[1]] = answer[2]
    params = {"type": "sale", "mode": "init"} | ({"version": asked} if asked else {})
    assert lines(client.get(URL, params))[3] == f"version={answered}"


def test_a_sale_query_in_version_3_wraps_documents_in_containers(settings, tmp_path):
    from lxml import etree

    settings.VAR_DIR = tmp_path
    order = OrderFactory(status=OrderStatus.SUBMITTED)
    client = onec_client("sale", version="3.1")
    root = etree.fromstring(client.get(URL, {"type": "sale", "mode": "query"}).content[3:])
    assert root.get("ВерсияСхемы") == "3.1"
    assert [d.findtext("Номер") for d in root.iterfind("Контейнер/Документ")] == [order.number]


# -- the old sale protocol: a chunked file is applied once ---------------------------------------

def test_the_old_protocol_applies_a_chunked_documents_file_once_after_its_last_chunk(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PORTAL_ERP_FILE_LIMIT = 200
    order = OrderFactory(status=OrderStatus.SUBMITTED)
    client = onec_client("sale", version=None)  # no version: the old protocol
    body = (f'<?xml version="1.0" encoding="windows-1251"?><КоммерческаяИнформация ВерсияСхемы="2.03">'
            f"<Документ><Ид>{order.number}</Ид><Номер>{order.number}</Номер><ЗначенияРеквизитов>"
            "<ЗначениеРеквизита><Наименование>Отменен</Наименование><Значение>true</Значение></ЗначениеРеквизита>"
            "</ЗначенияРеквизитов></Документ></КоммерческаяИнформация>").encode("cp1251")
    chunks = [body[i:i + 200] for i in range(0, len(body), 200)]
    assert len(chunks) > 1

    answers = [post(client, "sale", "orders.xml", chunk) for chunk in chunks]

    assert [a[0] for a in answers] == ["success"] * len(chunks)
    assert SyncRun.objects.filter(stream="order_status").count() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_the_old_protocol_knows_a_file_of_whole_chunks_by_its_closing_tag(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    order = OrderFactory(status=OrderStatus.SUBMITTED)
    body = (f'<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.03">'
            f"<Документ><Ид>{order.number}</Ид><Номер>{order.number}</Номер><ЗначенияРеквизитов>"
            "<ЗначениеРеквизита><Наименование>Отменен</Наименование><Значение>true</Значение></ЗначениеРеквизита>"
            "</ЗначенияРеквизитов></Документ></КоммерческаяИнформация>\n").encode()
    settings.PORTAL_ERP_FILE_LIMIT = len(body) // 2 if len(body) % 2 == 0 else (len(body) + 1) // 2
    body += b" " * (2 * settings.PORTAL_ERP_FILE_LIMIT - len(body))  # exactly two full chunks
    client = onec_client("sale", version=None)
    limit = settings.PORTAL_ERP_FILE_LIMIT
    assert post(client, "sale", "orders.xml", body[:limit])[0] == "success"
    assert not SyncRun.objects.exists()
    assert post(client, "sale", "orders.xml", body[limit:])[0] == "success"
    assert SyncRun.objects.get().status == SyncRun.Status.SUCCESS


# -- without Redis the import runs in a thread: `import` never blocks ----------------------------

@pytest.mark.django_db(transaction=True)
def test_the_embedded_setup_imports_in_the_background_and_answers_at_once(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.PORTAL_SYNC_IMPORT_THREAD = True
    release = threading.Event()
    original = FileImport.run

    def slow_run(self, path):
        release.wait(20)
        return original(self, path)

    monkeypatch.setattr(FileImport, "run", slow_run)
    client = onec_client()
    post(client, "catalog", "import.xml", GILL_CATALOG.read_bytes())

    started = time.monotonic()
    try:
        assert import_call(client, "import.xml")[0] == "progress"
        assert time.monotonic() - started < 5, "the first import call waited for the import"
        wait_for(lambda: import_call(client, "import.xml")[:2] == ["progress", "Import of import.xml is running"],
                 10, "the thread to take the run")
    finally:
        release.set()
    answer = wait_for(lambda: (a := import_call(client, "import.xml"))[0] != "progress" and a, 30, "the import")
    assert answer[0] == "success"
    run = SyncRun.objects.get()
    assert run.worker == f"{socket.gethostname()}:{os.getpid()}"


# -- the ERP account -----------------------------------------------------------------------------

def _erp_account(*args, **env) -> str:
    out = StringIO()
    call_command("erp_account", *args, stdout=out)
    return out.getvalue()


def test_erp_account_creates_the_account_that_may_exchange(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = _erp_account("1c@supplier.example", "--password", "Long-enough-pass-42")
    assert "created the user 1c@supplier.example" in out and "granted sync.erp_exchange" in out
    answer = lines(Client().get(URL, {"type": "catalog", "mode": "checkauth"},
                                HTTP_AUTHORIZATION=basic("1c@supplier.example", "Long-enough-pass-42")))
    assert answer[0] == "success"
    assert "nothing to change" in _erp_account("1c@supplier.example")


def test_erp_account_takes_the_password_from_the_environment_and_updates_it(monkeypatch):
    _erp_account("1c@supplier.example", "--password", "Long-enough-pass-42")
    monkeypatch.setenv("PORTAL_ERP_PASSWORD", "Another-long-pass-77")
    assert "set a new password" in _erp_account("1c@supplier.example")
    from accounts.models import User

    assert User.objects.get(email="1c@supplier.example").check_password("Another-long-pass-77")


def test_erp_account_refuses_a_client_user_and_a_weak_password():
    from django.core.management.base import CommandError

    from tests.factories import ClientUserFactory

    buyer = ClientUserFactory()
    with pytest.raises(CommandError, match="is a user of a client"):
        _erp_account(buyer.email, "--password", "Long-enough-pass-42")
    with pytest.raises(CommandError):
        _erp_account("1c@supplier.example", "--password", "123")
    with pytest.raises(CommandError, match="needs a password"):
        _erp_account("1c-new@supplier.example")
    from accounts.models import User

    assert not User.objects.filter(email__startswith="1c").exists()
