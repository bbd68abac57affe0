"""Writes of the orders app: the cart, and the order status door (`order_transition`)."""


# Cart
# Cart services (issue 4 engineer's section; the status door lives under "# Status").

from decimal import Decimal as _CartDecimal  # noqa: E402

from django.core.exceptions import ValidationError as _CartValidationError  # noqa: E402
from django.db import transaction as _cart_tx  # noqa: E402
from django.utils.translation import gettext as _cart_  # noqa: E402

from accounts.roles import Action as _CartAction  # noqa: E402
from accounts.roles import require_action as _cart_require_action  # noqa: E402

from .models import Cart, CartLine  # noqa: E402
from .selectors import cart_strategy  # noqa: E402


def cart_add_line(*, user, product_id: int, quantity: _CartDecimal, unit_id: int | None = None) -> CartLine:
    """Add `quantity` of a product (in `unit_id`, the base unit when None) to the user's cart.

    The quantity is converted to base units and must be a positive multiple of the product's
    multiplicity (кратность); a product already in the cart gets the quantity added. Raises
    PermissionDenied for a role without the cart, Http404 for a product the client may not see,
    ValidationError for a product without a price ("price on request"), a quantity that is
    not positive or not a multiple, or a unit the product does not have.
    """
    from catalog.access import access_product_for_user
    from catalog.models import ProductUnit

    _cart_require_action(user, _CartAction.USE_CART)
    product = access_product_for_user(user, product_id)
    if quantity is None or not quantity.is_finite() or quantity <= 0:
        raise _CartValidationError(_cart_("Enter a quantity greater than zero."), code="quantity")
    coefficient = _CartDecimal(1)
    if unit_id is not None and unit_id != product.base_unit_id:
        found = ProductUnit.objects.filter(product=product, unit_id=unit_id).values_list("coefficient", flat=True)
        if not found:
            raise _CartValidationError(_cart_("The product is not sold in this unit."), code="unit")
        coefficient = found[0]
    base_quantity = quantity * coefficient
    if base_quantity % product.multiplicity:
        raise _CartValidationError(
            _cart_("%(name)s is sold in multiples of %(step)s %(unit)s.") % {
                "name": product.name, "step": product.multiplicity.normalize(), "unit": product.base_unit.short_name},
            code="multiplicity")
    if not cart_strategy(user=user).fetch_one(product).can_buy:  # priced under the cart's contract
        raise _CartValidationError(
            _cart_("%(name)s has no price for you yet (price on request): ask your manager.") % {"name": product.name},
            code="on_request")
    with _cart_tx.atomic():
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
# The one door for order status moves (issue 5 engineer's section; the cart services live under "# Cart").

from django.db import transaction as _status_tx  # noqa: E402
from django.utils import timezone as _status_tz  # noqa: E402

from .models import Order as _StatusOrder  # noqa: E402
from .models import OrderStatusChange  # noqa: E402
from .status import can_transition  # noqa: E402


class OrderTransitionError(Exception):
    """A status move the transition table (orders/status.py TRANSITIONS) does not allow."""

    def __init__(self, *, order, from_status: str, to_status: str):
        self.order, self.from_status, self.to_status = order, from_status, to_status
        super().__init__(f"order {order.number}: moving from {from_status!r} to {to_status!r} is not allowed")


def order_transition(*, order, to_status: str, actor=None, source: str, comment: str = "") -> OrderStatusChange:
    """Move `order` to `to_status` if the table allows it; record who, when, from, to and why.

    The order row is locked (select_for_update) so two movers never both read the old status.
    Raises OrderTransitionError for a move the table does not allow (nothing is written then).
    """
    with _status_tx.atomic():
        locked = _StatusOrder.objects.select_for_update().get(pk=order.pk)
        from_status = locked.status
        if not can_transition(from_status, to_status):
            raise OrderTransitionError(order=locked, from_status=from_status, to_status=to_status)
        now = _status_tz.now()
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
