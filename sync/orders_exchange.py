"""Orders to the ERP as CommerceML documents, and the `type=sale` answers of the 1C protocol.

Export is idempotent: every submitted order not yet acknowledged is sent again on each query with
the same Ид (the order number), so a re-sent order is the same document to 1C. `mode=success`
acknowledges the orders of the session's last query (`erp_exported_at`).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from lxml import etree

from orders.models import Order
from orders.selectors import orders_pending_erp_export
from orders.services import order_mark_exported
from orders.status import OrderStatus

from .models import ExchangeSession, Stream, SyncRun
from .runs import sync_run_not_configured

SCHEMA_VERSION = "2.10"


def pending_orders():
    return orders_pending_erp_export()


def _sub(parent, name: str, value="") -> etree._Element:
    el = etree.SubElement(parent, name)
    if value not in ("", None):
        el.text = str(value)
    return el


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _document(root, order: Order) -> None:
    doc = _sub(root, "Документ")
    when = timezone.localtime(order.submitted_at or order.created_at)
    for name, value in (("Ид", order.number), ("Номер", order.number), ("Дата", when.date().isoformat()),
                        ("Время", when.strftime("%H:%M:%S")), ("ХозОперация", "Заказ товара"), ("Роль", "Продавец"),
                        ("Валюта", order.currency_id), ("Курс", "1"), ("Сумма", _money(order.total_amount)),
                        ("Комментарий", order.comment)):
        _sub(doc, name, value)
    party = _sub(_sub(doc, "Контрагенты"), "Контрагент")
    le = order.legal_entity
    for name, value in (("Ид", le.erp_id or f"portal-le-{le.pk}"), ("Наименование", le.name),
                        ("ОфициальноеНаименование", le.full_name or le.name), ("ИНН", le.inn), ("КПП", le.kpp),
                        ("Роль", "Покупатель")):
        _sub(party, name, value)
    goods = _sub(doc, "Товары")
    for line in order.lines.all():
        item = _sub(goods, "Товар")
        _sub(item, "Ид", line.product.erp_id or f"portal-{line.product_id}")
        _sub(item, "Артикул", line.sku)
        _sub(item, "Наименование", line.name)
        unit = line.product.base_unit
        base = _sub(item, "БазоваяЕдиница", line.unit_name)
        base.set("Код", unit.code)
        base.set("НаименованиеПолное", unit.name)
        for name, value in (("ЦенаЗаЕдиницу", _money(line.price)), ("Количество", f"{line.quantity.normalize():f}"),
                            ("Сумма", _money(line.amount))):
            _sub(item, name, value)
        reqs = _sub(item, "ЗначенияРеквизитов")
        for name, value in (("ВидНоменклатуры", "Товар"), ("ТипНоменклатуры", "Товар")):
            req = _sub(reqs, "ЗначениеРеквизита")
            _sub(req, "Наименование", name)
            _sub(req, "Значение", value)
    reqs = _sub(doc, "ЗначенияРеквизитов")
    for name, value in (("Статус заказа", order.get_status_display()), ("Статуса заказа ИД", order.status),
                        ("Договор", order.contract.number if order.contract else "")):
        if value:
            req = _sub(reqs, "ЗначениеРеквизита")
            _sub(req, "Наименование", name)
            _sub(req, "Значение", value)


def orders_document(orders, version: str = SCHEMA_VERSION) -> bytes:
    """The CommerceML document of `orders`: UTF-8 with BOM, or windows-1251 (PORTAL_ERP_ORDER_ENCODING).

    In version 3.x (agreed at `init`) each document is wrapped in a `Контейнер`, as 3.x readers expect.
    """
    root = etree.Element("КоммерческаяИнформация", ВерсияСхемы=version,
                         ДатаФормирования=timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S"))
    for order in orders:
        _document(etree.SubElement(root, "Контейнер") if version.startswith("3") else root, order)
    encoding = settings.PORTAL_ERP_ORDER_ENCODING.lower()
    if encoding in ("windows-1251", "cp1251"):
        return etree.tostring(root, xml_declaration=True, encoding="windows-1251", pretty_print=True)
    return b"\xef\xbb\xbf" + etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _charset() -> str:
    return "windows-1251" if settings.PORTAL_ERP_ORDER_ENCODING.lower() in ("windows-1251", "cp1251") else "utf-8"


def query_response(session: ExchangeSession) -> HttpResponse:
    orders = list(pending_orders())
    session.exported_orders = [o.pk for o in orders]
    session.save(update_fields=["exported_orders", "last_seen_at"])
    now = timezone.now()
    SyncRun.objects.create(stream=Stream.ORDER_EXPORT, source=SyncRun.Source.HTTP, status=SyncRun.Status.SUCCESS,
                           started_at=now, finished_at=now, counts={"orders": {"exported": len(orders)}})
    return HttpResponse(orders_document(orders, session.version if session.version.startswith("3") else SCHEMA_VERSION),
                        content_type=f"application/xml; charset={_charset()}")


def confirm(session: ExchangeSession) -> str:
    n = order_mark_exported(order_ids=session.exported_orders)
    session.exported_orders = []
    session.save(update_fields=["exported_orders", "last_seen_at"])
    return f"success\n{n} orders acknowledged\n"


def info_response() -> HttpResponse:
    """Order statuses for 1C's mapping UI; note the Latin C of `Cтатусы` that 1C expects."""
    root = etree.Element("Справочник")
    statuses = etree.SubElement(root, "C\u0442атусы")
    for value, label in OrderStatus.choices:
        item = etree.SubElement(statuses, "Элемент")
        etree.SubElement(item, "Ид").text = value
        etree.SubElement(item, "Название").text = str(label)
    etree.SubElement(root, "ПлатежныеСистемы")
    etree.SubElement(root, "СлужбыДоставки")
    body = etree.tostring(root, xml_declaration=True, encoding="windows-1251")
    return HttpResponse(body, content_type="application/xml; charset=windows-1251")


def export_to_outbox(*, source: str) -> SyncRun:
    """Scheduled order export: write pending orders to PORTAL_SYNC_INBOX/order_export/outbox/ as one
    file and mark them exported (the file is this transport's delivery). Without the folder the stream
    is "not configured"."""
    folder = Path(settings.PORTAL_SYNC_INBOX) / Stream.ORDER_EXPORT
    if not folder.is_dir():
        return sync_run_not_configured(stream=Stream.ORDER_EXPORT, source=source)
    now = timezone.now()
    orders = list(pending_orders())
    status = SyncRun.Status.SUCCESS if orders else SyncRun.Status.NOTHING_TO_DO
    name = ""
    if orders:
        outbox = folder / "outbox"
        outbox.mkdir(exist_ok=True)
        target = outbox / f"orders-{now:%Y%m%d-%H%M%S}.xml"
        target.write_bytes(orders_document(orders))
        name = str(target)
        # the file is the delivery of this transport: the orders are not written to the outbox again
        order_mark_exported(order_ids=[o.pk for o in orders], at=now)
    return SyncRun.objects.create(stream=Stream.ORDER_EXPORT, source=source, status=status, started_at=now,
                                  finished_at=timezone.now(), file_name=name,
                                  counts={"orders": {"exported": len(orders)}})
