"""Writes of the orders app: the cart, and the order status door (`order_transition`)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Action, require_action
from catalog.models import Product, ProductUnit
from catalog.selectors import visible_products

from .models import Cart, CartLine, Order, OrderStatusChange
from .quantities import QuantityChoice, format_quantity, multiplicity_choices
from .selectors import cart_for_user, cart_strategy
from .status import OrderStatus, can_transition

# Cart


@dataclass(frozen=True)
class CartLineInput:
    """One line to put into the cart: `quantity` of a product in `unit_id` (the base unit when None)."""

    product_id: int
    quantity: Decimal
    unit_id: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class CartRefusal:
    """A line the cart did not take, with the reason; `choices` are the nearest valid quantities
    (below, above; either may be None) when the quantity breaks the product's multiplicity."""

    line: CartLineInput
    code: str
    message: str
    choices: tuple[QuantityChoice | None, QuantityChoice | None] = (None, None)


@dataclass
class CartAddResult:
    added: list[CartLine] = field(default_factory=list)
    refused: list[CartRefusal] = field(default_factory=list)


def cart_add_lines(*, user, lines: Iterable[CartLineInput]) -> CartAddResult:
    """Add many lines to the user's cart at once; the valid ones are added, the others are refused.

    Quantities are converted to base units (by the unit's coefficient) and must be positive
    multiples of the product's multiplicity (кратность); they are never rounded: a refusal
    offers the nearest valid quantities. A product already in the cart gets the quantity added;
    a product given twice is added once with the sum. Products outside the client's assortment,
    units the product does not have and products without a price for the cart's contract
    ("price on request") are refused. The price and availability the buyer sees now are kept on
    the line, so the cart can flag a later change. A constant number of queries whatever the
    number of lines; the cart row is locked so concurrent adds serialise.
    Raises PermissionDenied for a role without the cart.
    """
    require_action(user, Action.USE_CART)
    lines = list(lines)
    result = CartAddResult()
    ids = {line.product_id for line in lines}
    products = {product.pk: product for product in
                visible_products(user=user).filter(pk__in=ids).select_related("base_unit")}
    units = {
        (product_id, unit_id): (coefficient, short_name) for product_id, unit_id, coefficient, short_name in
        ProductUnit.objects.filter(product_id__in=products).values_list(
            "product_id", "unit_id", "coefficient", "unit__short_name")
    }
    wanted: dict[int, tuple[Decimal, CartLineInput]] = {}
    for line in lines:
        product = products.get(line.product_id)
        refusal = _refusal(line, product, units)
        if refusal is not None:
            result.refused.append(refusal)
            continue
        coefficient = _unit(line, product, units)[0]
        previous = wanted.get(product.pk)
        quantity = line.quantity * coefficient + (previous[0] if previous else 0)
        wanted[product.pk] = (quantity, line)
    if not wanted:
        return result
    cart = cart_get_or_create(user=user)
    infos = {info.product.pk: info for info in
             cart_strategy(user=user, cart=cart).fetch([products[pk] for pk in wanted])}
    for product_id, (_quantity, line) in list(wanted.items()):
        if not infos[product_id].can_buy:
            del wanted[product_id]
            result.refused.append(CartRefusal(line, "on_request", _(
                "%(name)s has no price for you yet (price on request): ask your manager.")
                % {"name": products[product_id].name}))
    if not wanted:
        return result
    with transaction.atomic():
        cart = _lock_cart(cart.pk)
        existing = {line.product_id: line for line in CartLine.objects.filter(cart=cart, product_id__in=wanted)}
        new, changed = [], []
        for product_id, (quantity, line) in wanted.items():
            info = infos[product_id]
            seen_price = info.price.amount if info.price else None
            seen_status = str(info.stock.status) if info.stock else ""
            current = existing.get(product_id)
            if current is None:
                current = CartLine(cart=cart, product_id=product_id, quantity=quantity)
                new.append(current)
            else:
                current.quantity += quantity
                changed.append(current)
            current.unit_id = line.unit_id
            current.comment = line.comment or current.comment
            current.seen_price, current.seen_stock_status = seen_price, seen_status
            result.added.append(current)
        CartLine.objects.bulk_create(new)
        CartLine.objects.bulk_update(changed, ["quantity", "unit", "comment", "seen_price", "seen_stock_status"])
        _touch_cart(cart)
    return result


def cart_add_line(*, user, product_id: int, quantity: Decimal, unit_id: int | None = None) -> CartLine:
    """Add one product to the cart (`cart_add_lines` for one line).

    Raises PermissionDenied for a role without the cart, Http404 for a product the client may
    not see, ValidationError (with the refusal's code) for any other refusal.
    """
    result = cart_add_lines(user=user, lines=[CartLineInput(product_id, quantity, unit_id)])
    if result.refused:
        refusal = result.refused[0]
        if refusal.code == "not_found":
            raise Http404(refusal.message)
        raise ValidationError(refusal.message, code=refusal.code)
    return result.added[0]


def cart_get_or_create(*, user) -> Cart:
    """The user's cart, created empty on first use (with the cart's legal entity and contract loaded)."""
    cart = cart_for_user(user=user)
    if cart is None:
        Cart.objects.get_or_create(user=user, defaults={"client_id": user.client_id})
        cart = cart_for_user(user=user)
    return cart


def _lock_cart(pk: int) -> Cart:
    """Lock a cart row (select_for_update) for a change of its lines; the only place carts are locked."""
    return Cart.objects.select_for_update().get(pk=pk)


def _touch_cart(cart: Cart) -> None:
    """Count a change of the (locked) cart: a checkout started before it is of an older revision."""
    cart.revision += 1
    cart.save(update_fields=["revision", "updated_at"])


def _unit(line: CartLineInput, product: Product, units: dict) -> tuple[Decimal, str]:
    """The coefficient and short name of the line's unit (the base unit when none is given)."""
    if line.unit_id is None or line.unit_id == product.base_unit_id:
        return Decimal(1), product.base_unit.short_name
    return units[(product.pk, line.unit_id)]


def _refusal(line: CartLineInput, product: Product | None, units: dict) -> CartRefusal | None:
    """Why a line cannot go into the cart before pricing (assortment, unit, quantity), or None."""
    if product is None:
        return CartRefusal(line, "not_found", _("The product is not available to you."))
    if line.quantity is None or not line.quantity.is_finite() or line.quantity <= 0:
        return CartRefusal(line, "quantity", _("Enter a quantity greater than zero."))
    if line.unit_id not in (None, product.base_unit_id) and (product.pk, line.unit_id) not in units:
        return CartRefusal(line, "unit", _("The product is not sold in this unit."))
    coefficient, unit_name = _unit(line, product, units)
    below, above = multiplicity_choices(line.quantity * coefficient, product.multiplicity, coefficient)
    if above is None:
        return None
    base_name = product.base_unit.short_name

    def text(choice: QuantityChoice) -> str:
        return f"{format_quantity(choice.quantity)} {unit_name if choice.coefficient == coefficient else base_name}"

    values = {"step": format_quantity(product.multiplicity), "unit": base_name, "above": text(above)}
    if below is None:
        message = _("Multiplicity %(step)s %(unit)s: %(above)s?") % values
    else:
        message = _("Multiplicity %(step)s %(unit)s: %(below)s or %(above)s?") % {**values, "below": text(below)}
    return CartRefusal(line, "multiplicity", f"{product.name}: {message}", (below, above))


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
