"""What the ERP exchange (sync) writes on orders: the export acknowledgement, the ERP's number, its payment
and shipment times, and the status moves its documents report. Sync writes no order field but through these."""

from django.db import transaction
from django.utils import timezone

from orders.models import Order, OrderStatusChange
from orders.services.status import _lock_order, order_transition


def order_mark_exported(*, order_ids: list[int], at=None) -> int:
    """Record that the ERP has received these orders (`erp_exported_at`); return how many changed.

    Orders already marked keep their first time, so a repeated acknowledgement changes nothing.
    """
    with transaction.atomic():
        return Order.objects.filter(pk__in=order_ids, erp_exported_at__isnull=True).update(
            erp_exported_at=at or timezone.now())


def order_set_erp_dates(*, order, paid_at=None, shipped_at=None) -> bool:
    """Store the ERP's payment and shipment times of an order (Дата оплаты / отгрузки по 1С).

    A time not given (None) leaves the stored one as it is. Returns whether anything changed.
    """
    wanted = {name: value for name, value in (("erp_paid_at", paid_at), ("erp_shipped_at", shipped_at))
              if value is not None}
    if not wanted:
        return False
    with transaction.atomic():
        locked = _lock_order(order.pk)
        fields = [name for name, value in wanted.items() if getattr(locked, name) != value]
        for name in fields:
            setattr(locked, name, wanted[name])
        if fields:
            locked.save(update_fields=fields)
    order.erp_paid_at, order.erp_shipped_at = locked.erp_paid_at, locked.erp_shipped_at
    return bool(fields)


def order_set_erp_number(*, order, erp_number: str, at=None) -> bool:
    """Store the ERP's number of an order (номер по 1С); the first number also confirms the order.

    Returns whether anything changed; an empty number changes nothing.
    """
    erp_number = erp_number[:50]
    if not erp_number:
        return False
    with transaction.atomic():
        locked = _lock_order(order.pk)
        fields = []
        if locked.erp_number != erp_number:
            locked.erp_number = erp_number
            fields.append("erp_number")
        if locked.erp_confirmed_at is None:
            locked.erp_confirmed_at = at or timezone.now()
            fields.append("erp_confirmed_at")
        if fields:
            locked.save(update_fields=fields)
    order.erp_number, order.erp_confirmed_at = locked.erp_number, locked.erp_confirmed_at
    return bool(fields)


def order_erp_move(*, order, to_status: str, comment: str = "") -> bool:
    """Move an order to the status an ERP document reports, through the status door (source ERP, no actor).

    Returns False when the order already has that status (nothing is written), True when it moved.
    Raises OrderTransitionError for a move the table does not allow from the order's status; nothing
    is written then.
    """
    if order.status == to_status:
        return False
    order_transition(order=order, to_status=to_status, source=OrderStatusChange.Source.ERP, comment=comment)
    return True
