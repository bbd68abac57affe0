"""Writes of the orders app: the cart, and the order status door (`order_transition`)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Action, require_action
from catalog.access import access_product_for_user
from catalog.models import ProductUnit

from .models import Cart, CartLine, Order, OrderStatusChange
from .selectors import cart_strategy
from .status import OrderStatus, can_transition

# Cart


def cart_add_line(*, user, product_id: int, quantity: Decimal, unit_id: int | None = None) -> CartLine:
    """Add `quantity` of a product (in `unit_id`, the base unit when None) to the user's cart.

    The quantity is converted to base units and must be a positive multiple of the product's
    multiplicity (кратность); a product already in the cart gets the quantity added. Raises
    PermissionDenied for a role without the cart, Http404 for a product the client may not see,
    ValidationError for a product without a price ("price on request"), a quantity that is
    not positive or not a multiple, or a unit the product does not have.
    """
    require_action(user, Action.USE_CART)
    product = access_product_for_user(user, product_id)
    if quantity is None or not quantity.is_finite() or quantity <= 0:
        raise ValidationError(_("Enter a quantity greater than zero."), code="quantity")
    coefficient = Decimal(1)
    if unit_id is not None and unit_id != product.base_unit_id:
        found = ProductUnit.objects.filter(product=product, unit_id=unit_id).values_list("coefficient", flat=True)
        if not found:
            raise ValidationError(_("The product is not sold in this unit."), code="unit")
        coefficient = found[0]
    base_quantity = quantity * coefficient
    if base_quantity % product.multiplicity:
        raise ValidationError(
            _("%(name)s is sold in multiples of %(step)s %(unit)s.") % {
                "name": product.name, "step": product.multiplicity.normalize(), "unit": product.base_unit.short_name},
            code="multiplicity")
    if not cart_strategy(user=user).fetch_one(product).can_buy:  # priced under the cart's contract
        raise ValidationError(
            _("%(name)s has no price for you yet (price on request): ask your manager.") % {"name": product.name},
            code="on_request")
    with transaction.atomic():
        cart, _created = Cart.objects.get_or_create(user=user, defaults={"client_id": user.client_id})
        cart = Cart.objects.select_for_update().get(pk=cart.pk)  # serialises adds to one cart
        line = CartLine.objects.filter(cart=cart, product=product).first()
        if line is None:
            return CartLine.objects.create(cart=cart, product=product, quantity=base_quantity, unit_id=unit_id)
        line.quantity += base_quantity
        line.unit_id = unit_id
        line.save(update_fields=["quantity", "unit"])
        return line


# Status


class OrderTransitionError(ValidationError):
    """A status move the transition table (orders/status.py TRANSITIONS) does not allow."""

    def __init__(self, *, order, from_status: str, to_status: str):
        self.order, self.from_status, self.to_status = order, from_status, to_status
        labels = dict(OrderStatus.choices)
        super().__init__(
            _("Order %(number)s cannot move from “%(from)s” to “%(to)s”.") % {
                "number": order.number, "from": labels.get(from_status, from_status),
                "to": labels.get(to_status, to_status)},
            code="transition")


def _lock_order(pk: int) -> Order:
    """Lock one order row (select_for_update) for a status or ERP write; the only place orders are locked."""
    return Order.objects.select_for_update().get(pk=pk)


def order_transition(*, order, to_status: str, actor=None, source: str, comment: str = "") -> OrderStatusChange:
    """Move `order` to `to_status` if the table allows it; record who, when, from, to and why.

    The order row is locked (select_for_update) so two movers never both read the old status:
    the second one waits, then sees the new status and is refused.
    Raises OrderTransitionError (a ValidationError) for a move the table does not allow from the
    order's current status; nothing is written then.
    """
    with transaction.atomic():
        locked = _lock_order(order.pk)
        from_status = locked.status
        if not can_transition(from_status, to_status):
            raise OrderTransitionError(order=locked, from_status=from_status, to_status=to_status)
        now = timezone.now()
        locked.status = to_status
        locked.status_changed_at = now
        locked.escalation_level = 0
        locked.save(update_fields=["status", "status_changed_at", "escalation_level"])
        change = OrderStatusChange.objects.create(
            order=locked, from_status=from_status, to_status=to_status, changed_by=actor,
            source=source, comment=comment, created_at=now,
        )
    order.status, order.status_changed_at, order.escalation_level = to_status, now, 0
    return change


# ERP
# What the ERP exchange (sync) writes on orders: the export acknowledgement and the ERP's number.
# The actor is the ERP; status moves from ERP documents go through order_transition (source ERP).


def order_mark_exported(*, order_ids: list[int], at=None) -> int:
    """Record that the ERP has received these orders (`erp_exported_at`); return how many changed.

    Orders already marked keep their first time, so a repeated acknowledgement changes nothing.
    """
    with transaction.atomic():
        return Order.objects.filter(pk__in=order_ids, erp_exported_at__isnull=True).update(
            erp_exported_at=at or timezone.now())


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
