"""Documents 1C → site (order changes): 1C numbers, statuses, payment and shipment facts.

Each Документ is matched to a portal order by its Ид or Номер (the portal sends the order number
as both). Every write on the order goes through orders.services (erp.py); status moves go through
the status door (source ERP) and land in the order history. Rules (counted): a document of an order
the portal does not have is skipped (`unknown_order`: 1C sends its own documents too); a status the
table does not allow from the order's current status is skipped (`transition_refused`); an unmapped
status text is skipped (`unknown_status`); a payment or shipment date that cannot be read is skipped
(`unreadable_date`). "Дата оплаты по 1С" and "Дата отгрузки по 1С" are stored on the order
(`erp_paid_at`, `erp_shipped_at`).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from orders.models import Order
from orders.selectors import order_for_erp_document
from orders.services import OrderTransitionError, order_erp_move, order_set_erp_dates, order_set_erp_number
from orders.status import OrderStatus

from ..commerceml.xml import boolean
from . import bulk
from .result import ImportResult

#: ERP status texts and codes → portal statuses (lower case, "[N] " prefixes stripped).
STATUS_MAP = {
    "принят": OrderStatus.ACCEPTED, "n": OrderStatus.ACCEPTED, "подтвержден": OrderStatus.ACCEPTED,
    "открыт": OrderStatus.ACCEPTED, "согласован": OrderStatus.ACCEPTED, "к выполнению": OrderStatus.ACCEPTED,
    "в работе": OrderStatus.ASSEMBLING, "собирается": OrderStatus.ASSEMBLING, "к обеспечению": OrderStatus.ASSEMBLING,
    "сборка": OrderStatus.ASSEMBLING, "отгружен": OrderStatus.SHIPPED, "к отгрузке": OrderStatus.ASSEMBLING,
    "доставлен": OrderStatus.DELIVERED, "f": OrderStatus.DELIVERED, "закрыт": OrderStatus.DELIVERED,
    "выполнен": OrderStatus.DELIVERED, "отменен": OrderStatus.CANCELLED, "отменён": OrderStatus.CANCELLED,
}
STATUS_MAP.update({s.value: s.value for s in OrderStatus})


def target_status(doc: dict) -> str | None:
    """The portal status a parsed document reports: None for none, "?" for a status text not in STATUS_MAP."""
    reqs = doc["requisites"]
    if boolean(reqs.get("отменен")) or doc["deleted"] or boolean(reqs.get("пометкаудаления")):
        return OrderStatus.CANCELLED
    raw = (reqs.get("статуса заказа ид") or reqs.get("статус заказа") or "").strip().lower()
    if raw.startswith("[") and "]" in raw:
        raw = raw.split("]", 1)[1].strip() or raw[1:raw.index("]")]
    if raw:
        return STATUS_MAP.get(raw, "?")
    if boolean(reqs.get("отгружен")) or reqs.get("номер отгрузки по 1с"):
        return OrderStatus.SHIPPED
    if boolean(reqs.get("проведен")):
        return OrderStatus.ACCEPTED
    return None


class DocumentImport:
    def __init__(self, *, now):
        self.now = now
        self.tally = bulk.tally()

    def _note(self, key: str) -> None:
        self.tally[key] = self.tally.get(key, 0) + 1

    def document(self, doc: dict) -> None:
        """One parsed document (commerceml.parse.parse_document)."""
        order = order_for_erp_document(doc_id=doc["erp_id"], number=doc["number"])
        if order is None:
            self._note("unknown_order")
            return
        changed = self._erp_fields(order, doc)
        status = target_status(doc)
        if status == "?":
            self._note("unknown_status")
        elif status:
            try:
                changed = order_erp_move(order=order, to_status=status, comment=f"1C: {doc['where']}") or changed
            except OrderTransitionError:
                self._note("transition_refused")
        self.tally["updated" if changed else "unchanged"] += 1

    def _erp_fields(self, order: Order, doc: dict) -> bool:
        reqs = doc["requisites"]
        changed = order_set_erp_number(order=order, erp_number=doc["erp_number"], at=self.now)
        dates = order_set_erp_dates(order=order, paid_at=self._moment(reqs.get("дата оплаты по 1с")),
                                    shipped_at=self._moment(reqs.get("дата отгрузки по 1с")))
        return changed or dates

    def _moment(self, raw: str | None) -> datetime | None:
        """A 1C date or date-time (`2015-06-29T15:39:10`, `2015-06-29`, `29.06.2015 15:39:10`) in the portal's
        time zone; 1C's empty date (`0001-01-01…`) is none; one that cannot be read is skipped and counted."""
        raw = (raw or "").strip()
        if not raw or raw.startswith("0001-01-01"):
            return None
        for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y"):
            try:
                moment = datetime.strptime(raw[:19], fmt)
            except ValueError:
                continue
            return timezone.make_aware(moment)
        self._note("unreadable_date")
        return None

    def finish(self) -> ImportResult:
        return ImportResult({"orders": self.tally})  # no product is touched
