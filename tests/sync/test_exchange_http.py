"""The 1C site-exchange protocol over HTTP: a full dialogue, then one test per failure answer."""

import base64
import io
import zipfile

import pytest
from django.test import Client
from lxml import etree

from catalog.models import Price, Product, Stock
from orders.models import Order, OrderStatusChange
from orders.status import OrderStatus
from sync.models import ExchangeSession, SyncRun
from tests.factories import OrderFactory, OrderLineFactory, UserFactory

from .factories import ERP_PASSWORD, erp_user
from .helpers import fixture, snapshot, xcount

pytestmark = pytest.mark.django_db
URL = "/1c/exchange"
CAPTURE = None


def basic(login: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


def lines(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode().split("\n")


@pytest.fixture
def onec(settings, tmp_path):
    """A 1C client that passed checkauth and init: the cookie is set as 1C sets it."""
    settings.VAR_DIR = tmp_path
    settings.PORTAL_ERP_FILE_LIMIT = 4096
    user = erp_user()
    client = Client()
    answer = lines(client.get(URL, {"type": "catalog", "mode": "checkauth"},
                              HTTP_AUTHORIZATION=basic(user.email, ERP_PASSWORD)))
    assert answer[0] == "success"
    client.cookies[answer[1]] = answer[2]
    return client


def upload(client, kind: str, name: str, data: bytes, limit: int = 4096):
    for start in range(0, len(data), limit):
        answer = lines(client.post(f"{URL}?type={kind}&mode=file&filename={name}", data=data[start:start + limit],
                                   content_type="application/octet-stream"))
        assert answer[0] == "success", answer


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    """The background import starts on commit; the test's transaction never commits, so run them here."""
    global CAPTURE
    CAPTURE = django_capture_on_commit_callbacks


def import_until_done(client, kind: str, name: str, limit: int = 10) -> list[str]:
    for _ in range(limit):
        with CAPTURE(execute=True):
            answer = lines(client.get(URL, {"type": kind, "mode": "import", "filename": name}))
        if answer[0] != "progress":
            return answer
    raise AssertionError("import never finished")


def test_full_1c_dialogue(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PORTAL_ERP_FILE_LIMIT = 4096
    user = erp_user()
    client = Client()

    # checkauth: success, cookie name, cookie value, sessid
    answer = lines(client.get(URL, {"type": "catalog", "mode": "checkauth"},
                              HTTP_AUTHORIZATION=basic(user.email, ERP_PASSWORD)))
    assert answer[0] == "success" and answer[1] == "erp_exchange" and answer[3] == f"sessid={answer[2]}"
    client.cookies[answer[1]] = answer[2]

    # init: zip and file_limit
    answer = lines(client.get(URL, {"type": "catalog", "mode": "init", "version": "2.10", "sessid": answer[2]}))
    assert answer[:2] == ["zip=yes", "file_limit=4096"]

    # a zip of import.xml + offers.xml, uploaded in chunks of file_limit
    catalog, offers = fixture("carono-php-commerceml/import.xml"), fixture("carono-php-commerceml/offers.xml")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(catalog, "import.xml")
        zf.write(offers, "offers.xml")
    data = buf.getvalue()
    assert len(data) > 4096  # more than one chunk
    upload(client, "catalog", "exchange.zip", data)

    answer = lines(client.get(URL, {"type": "catalog", "mode": "import", "filename": "import.xml"}))
    assert answer[0] == "progress"  # the archive is unpacked first
    assert import_until_done(client, "catalog", "import.xml")[0] == "success"
    assert import_until_done(client, "catalog", "offers.xml")[0] == "success"
    assert Product.objects.count() == xcount(catalog, "//Каталог/Товары/Товар") + xcount(
        offers, "//Предложение[contains(Ид, '#')]")
    assert Price.objects.count() == xcount(offers, "//Предложение/Цены/Цена")
    assert Stock.objects.count() == xcount(offers, "//Предложение/Склад")
    assert lines(client.get(URL, {"type": "catalog", "mode": "complete"}))[0] == "success"
    assert set(SyncRun.objects.values_list("source", "status")) == {("http", "success")}
    assert not (tmp_path / "exchange" / f"s{ExchangeSession.objects.get().pk}").exists()  # files removed

    # a second full cycle with the same files: a new session, everything imported again, nothing rewritten
    stored = snapshot()
    second = Client()
    answer = lines(second.get(URL, {"type": "catalog", "mode": "checkauth"},
                              HTTP_AUTHORIZATION=basic(user.email, ERP_PASSWORD)))
    second.cookies[answer[1]] = answer[2]
    assert lines(second.get(URL, {"type": "catalog", "mode": "init", "version": "3.1"}))[3] == "version=3.1"
    upload(second, "catalog", "exchange.zip", data)
    assert lines(second.get(URL, {"type": "catalog", "mode": "import", "filename": "import.xml"}))[0] == "progress"
    for name in ("import.xml", "offers.xml"):
        answer = import_until_done(second, "catalog", name)
        assert answer[0] == "success" and "+" in answer[1]
    assert lines(second.get(URL, {"type": "catalog", "mode": "complete"}))[0] == "success"
    done = SyncRun.objects.filter(source="http", status="success")
    ends = done.filter(file_name__startswith="end of the exchange cycle")
    assert (done.count() - ends.count(), ends.count()) == (4, 4)  # per cycle: 2 files, stock and catalog ends
    assert snapshot() == stored
    assert not any((tmp_path / "exchange").iterdir())

    # sale: query → the submitted order as CommerceML (UTF-8 with BOM)
    order = OrderFactory(status=OrderStatus.SUBMITTED)
    OrderLineFactory(order=order, product=Product.objects.first(), price=10, amount=20)
    response = client.get(URL, {"type": "sale", "mode": "query"})
    assert response["Content-Type"].startswith("application/xml")
    assert response.content.startswith(b"\xef\xbb\xbf<?xml")
    doc = etree.fromstring(response.content[3:])
    assert [d.findtext("Номер") for d in doc.iter("Документ")] == [order.number]
    # re-sending an unconfirmed order is harmless: the same document again
    again = etree.fromstring(client.get(URL, {"type": "sale", "mode": "query"}).content[3:])
    assert [d.findtext("Ид") for d in again.iter("Документ")] == [order.number]

    assert lines(client.get(URL, {"type": "sale", "mode": "success"}))[0] == "success"
    order.refresh_from_db()
    assert order.erp_exported_at is not None
    assert b"<\xd0\x94" not in client.get(URL, {"type": "sale", "mode": "query"}).content  # nothing pending

    # sale file with statuses (1C numbers, shipped), then import
    statuses = f"""<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.10" ДатаФормирования="2026-11-26T10:00:00">
<Документ><Ид>{order.number}</Ид><Номер>{order.number}</Номер><Номер1С>УТ-000123</Номер1С>
<ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>Статус заказа</Наименование><Значение>[N] Принят</Значение>
</ЗначениеРеквизита></ЗначенияРеквизитов></Документ></КоммерческаяИнформация>""".encode()
    lines(client.get(URL, {"type": "sale", "mode": "init", "version": "2.10"}))
    upload(client, "sale", "orders-1.xml", statuses)
    assert import_until_done(client, "sale", "orders-1.xml")[0] == "success"
    order.refresh_from_db()
    assert (order.status, order.erp_number) == (OrderStatus.ACCEPTED, "УТ-000123")
    change = OrderStatusChange.objects.get(order=order)
    assert (change.from_status, change.to_status, change.source) == ("submitted", "accepted", "erp")


def test_sale_info_lists_statuses_with_a_latin_c(onec):
    response = onec.get(URL, {"type": "sale", "mode": "info"})
    assert "windows-1251" in response["Content-Type"]
    root = etree.fromstring(response.content)
    assert root[0].tag == "C\u0442атусы"
    assert len(root[0]) == len(OrderStatus.choices)


# -- failure answers -----------------------------------------------------------------------------

def test_checkauth_without_credentials_fails():
    answer = lines(Client().get(URL, {"type": "catalog", "mode": "checkauth"}))
    assert answer[0] == "failure" and "Basic authentication" in answer[1]


def test_checkauth_with_wrong_password_fails():
    user = erp_user()
    answer = lines(Client().get(URL, {"type": "catalog", "mode": "checkauth"},
                                HTTP_AUTHORIZATION=basic(user.email, "wrong")))
    assert answer[:2] == ["failure", "wrong login or password"]


def test_checkauth_of_an_account_without_the_erp_permission_fails():
    user = UserFactory()
    answer = lines(Client().get(URL, {"type": "catalog", "mode": "checkauth"},
                                HTTP_AUTHORIZATION=basic(user.email, ERP_PASSWORD)))
    assert answer[:2] == ["failure", "this account may not exchange data as the ERP"]
    assert not ExchangeSession.objects.exists()


def test_a_call_without_the_session_cookie_fails():
    answer = lines(Client().get(URL, {"type": "catalog", "mode": "init"}))
    assert answer[0] == "failure" and "checkauth" in answer[1]


def test_unknown_mode_and_type_fail(onec):
    assert lines(onec.get(URL, {"type": "catalog", "mode": "warp"}))[:2] == [
        "failure", "unknown command: type=catalog mode=warp"]
    assert lines(onec.get(URL, {"type": "stars", "mode": "init"}))[0] == "failure"


@pytest.mark.parametrize("name", ["../../etc/passwd.xml", "/abs/../x.xml", "run.php", ".hidden.xml"])
def test_unsafe_file_names_fail(onec, name):
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    answer = lines(onec.post(f"{URL}?type=catalog&mode=file&filename={name}", data=b"<x/>",
                             content_type="application/octet-stream"))
    assert answer[0] == "failure" and ("unsafe file name" in answer[1] or "not accepted" in answer[1])


def test_windows_and_linux_paths_from_1c_are_accepted(onec, settings):
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    linux = "/tmp/import_files/ab/x.jpg"  # noqa: S108 (the prefix 1C on Linux sends)
    for name in ("C:\\v8_8789_c.xml", linux):
        answer = lines(onec.post(f"{URL}?type=catalog&mode=file&filename={name}", data=b"<x/>",
                                 content_type="application/octet-stream"))
        assert answer[0] == "success"


def test_file_with_get_fails(onec):
    assert lines(onec.get(URL, {"type": "catalog", "mode": "file", "filename": "import.xml"}))[0] == "failure"


def test_import_of_a_file_not_uploaded_fails(onec):
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    answer = lines(onec.get(URL, {"type": "catalog", "mode": "import", "filename": "import.xml"}))
    assert answer[:2] == ["failure", "file import.xml was not uploaded in this session"]


def test_empty_file_fails(onec):
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    onec.post(f"{URL}?type=catalog&mode=file&filename=import.xml", data=b"", content_type="application/octet-stream")
    answer = lines(onec.get(URL, {"type": "catalog", "mode": "import", "filename": "import.xml"}))
    assert answer[:2] == ["failure", "the file to import is empty"]


def test_truncated_upload_fails_and_changes_nothing(onec):
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    data = fixture("andrtechno-mod-exchange1c/import.xml").read_bytes()
    upload(onec, "catalog", "import.xml", data[: len(data) // 2])
    before = snapshot()

    answer = import_until_done(onec, "catalog", "import.xml")

    assert answer[0] == "failure" and "malformed XML" in answer[1]
    assert snapshot() == before
    assert SyncRun.objects.get().status == SyncRun.Status.FAILED


def test_zip_bomb_is_refused(onec):
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("import.xml", b"\0" * (20 * 1024 * 1024))
    upload(onec, "catalog", "bomb.zip", buf.getvalue())  # in parts of the announced file_limit
    before = snapshot()

    answer = lines(onec.get(URL, {"type": "catalog", "mode": "import", "filename": "import.xml"}))

    assert answer[0] == "failure" and "zip bomb" in answer[1]
    assert snapshot() == before


def test_zip_slip_is_refused(onec):
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../outside.xml", b"<x/>")
    upload(onec, "catalog", "evil.zip", buf.getvalue())
    answer = lines(onec.get(URL, {"type": "catalog", "mode": "import", "filename": "outside.xml"}))
    assert answer[0] == "failure" and "unsafe file name" in answer[1]


def test_xxe_upload_is_refused(onec, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    payload = f"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>
<КоммерческаяИнформация ВерсияСхемы="2.10"><Классификатор><Ид>1</Ид><Наименование>&e;</Наименование>
<Группы><Группа><Ид>g</Ид><Наименование>&e;</Наименование></Группа></Группы></Классификатор>
</КоммерческаяИнформация>""".encode()
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    upload(onec, "catalog", "import.xml", payload)
    answer = import_until_done(onec, "catalog", "import.xml")
    assert answer[0] == "failure" and "XXE" in answer[1]
    assert "top secret" not in answer[1]


def test_sale_success_without_a_query_acknowledges_nothing(onec):
    order = OrderFactory(status=OrderStatus.SUBMITTED)
    assert lines(onec.get(URL, {"type": "sale", "mode": "success"}))[:2] == ["success", "0 orders acknowledged"]
    assert Order.objects.get(pk=order.pk).erp_exported_at is None


def test_old_protocol_applies_a_sale_file_at_upload(onec):
    order = OrderFactory(status=OrderStatus.SUBMITTED)
    lines(onec.get(URL, {"type": "sale", "mode": "init"}))  # no version: the old protocol
    body = (f'<?xml version="1.0" encoding="windows-1251"?><КоммерческаяИнформация ВерсияСхемы="2.03">'
            f"<Документ><Ид>{order.number}</Ид><Номер>{order.number}</Номер><ЗначенияРеквизитов>"
            "<ЗначениеРеквизита><Наименование>Отменен</Наименование><Значение>true</Значение></ЗначениеРеквизита>"
            "</ЗначенияРеквизитов></Документ></КоммерческаяИнформация>").encode("cp1251")
    answer = lines(onec.post(f"{URL}?type=sale&mode=file&filename=orders.xml", data=body,
                             content_type="application/octet-stream"))
    assert answer[0] == "success"
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_a_new_cycle_imports_a_file_of_the_same_name_again(onec):
    path = fixture("bigperson-exchange1c/import.xml")
    for _ in range(2):
        lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
        upload(onec, "catalog", "import.xml", path.read_bytes())
        assert import_until_done(onec, "catalog", "import.xml")[0] == "success"
    files = SyncRun.objects.filter(status="success").exclude(file_name__startswith="end of the exchange cycle")
    assert files.count() == 2


def test_upload_over_the_session_limit_fails(onec, settings):
    settings.PORTAL_ERP_MAX_UPLOAD = 1000
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    answer = lines(onec.post(f"{URL}?type=catalog&mode=file&filename=import.xml", data=b"x" * 2000,
                             content_type="application/octet-stream"))
    assert answer[:2] == ["failure", "upload larger than 1000 bytes refused"]


def test_broken_zip_fails(onec):
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    upload(onec, "catalog", "exchange.zip", b"PK\x03\x04 this is not a zip")
    answer = lines(onec.get(URL, {"type": "catalog", "mode": "import", "filename": "import.xml"}))
    assert answer[0] == "failure" and "broken zip archive exchange.zip" in answer[1]


def test_import_of_a_bad_file_answers_failure_with_the_reason(onec):
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    upload(onec, "catalog", "offers.xml", fixture("argentcrusade-commerceml/remainders-example.xml").read_bytes())
    answer = import_until_done(onec, "catalog", "offers.xml")
    assert answer[0] == "failure" and "does not exist in the portal" in answer[1] and "Предложение" in answer[1]
