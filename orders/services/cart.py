"""The cart: adding many lines at once, editing, clearing, the terms it is priced under."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Contract, LegalEntity
from accounts.roles import Action, require_action
from accounts.selectors import ordering_contracts
from catalog.models import Product, ProductUnit
from catalog.selectors import visible_products
from orders.line_input import CheckedLine, LineStatus, RawLine, check_lines
from orders.line_resolver import CatalogResolver
from orders.models import (
    Cart,
    CartLine,
)
from orders.quantities import QUANTITY_MAX, QuantityChoice, format_quantity, multiplicity_choices
from orders.selectors import cart_for_user, cart_strategy


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
    choice_labels: tuple[str, str] = ("", "")  # the choices in words, with their unit ("48 шт", "4 упак")
    reason: str = ""  # the message without the product's name, for a place that shows the product already

    @property
    def short_message(self) -> str:
        return self.reason or self.message

    def offers(self) -> list[tuple[QuantityChoice, str, int | None]]:
        """The offered quantities with their label and unit id (None: the base unit), below first."""
        unit_id, offered = self.line.unit_id, []
        for choice, label in zip(self.choices, self.choice_labels, strict=True):
            if choice is not None:
                offered.append((choice, label, unit_id if choice.coefficient != 1 or unit_id is None else None))
        return offered


class CartLineRefused(ValidationError):
    """A cart change refused for one line; `refusal` carries its code and, for the multiplicity, the choices."""

    def __init__(self, refusal: CartRefusal):
        self.refusal = refusal
        super().__init__(refusal.message, code=refusal.code)


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
    units = _unit_table(list(products))
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
    with transaction.atomic():
        # Priced under the locked cart's contract: a contract changed meanwhile waits for the lock.
        cart = _lock_users_cart(user)
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


#: What a refusal of `cart_add_lines` makes of an order-list line that `check_lines` had recognised.
_REFUSAL_STATUS = {
    "not_found": LineStatus.NOT_IN_ASSORTMENT,
    "quantity": LineStatus.BAD_QUANTITY,
    "unit": LineStatus.UNKNOWN_UNIT,
    "multiplicity": LineStatus.MULTIPLICITY,
    "on_request": LineStatus.ON_REQUEST,
}
_COMMENT_MAX = CartLine._meta.get_field("comment").max_length


def cart_add_order_list(*, user, lines: Sequence[RawLine]) -> list[CheckedLine]:
    """Check typed or uploaded order lines against the catalog and add the recognised ones to the cart.

    Every line is checked again here (`check_lines` with the user's `CatalogResolver`), whatever
    a preview said; the recognised lines go through `cart_add_lines` (with their comment), the
    others are left out. Returns one `CheckedLine` per line, in order: those with status OK
    are in the cart, the others say why not (a product given on several lines is refused on all
    of them when it has no price). A constant number of queries whatever the number of lines.
    Raises PermissionDenied for a role without the cart.
    """
    require_action(user, Action.USE_CART)
    checked = check_lines(lines, resolver=CatalogResolver(user=user))
    inputs = {
        index: CartLineInput(line.product.pk, line.quantity,
                             None if line.unit.pk == line.product.base_unit.pk else line.unit.pk,
                             line.raw.comment[:_COMMENT_MAX])
        for index, line in enumerate(checked) if line.ok
    }
    if not inputs:
        return checked
    result = cart_add_lines(user=user, lines=inputs.values())
    refused = {id(refusal.line): refusal for refusal in result.refused}
    by_product = {refusal.line.product_id: refusal for refusal in result.refused}
    added = {line.product_id for line in result.added}
    for index, line_input in inputs.items():
        refusal = refused.get(id(line_input))
        if refusal is None and line_input.product_id in added:
            continue
        refusal = refusal or by_product[line_input.product_id]
        checked[index] = replace(checked[index], status=_REFUSAL_STATUS.get(refusal.code, LineStatus.BAD_QUANTITY),
                                 message=refusal.message, choices=refusal.choices)
    return checked


def cart_update_line(*, user, line_id: int, quantity: Decimal | None, unit_id: int | None = None) -> CartLine:
    """Set a cart line to `quantity` in `unit_id` (the product's base unit when None).

    The same rules as adding (`cart_add_lines`): the product must still be in the client's
    assortment, the unit one the product has, the quantity positive and, in base units, a multiple
    of the product's multiplicity; it is never rounded: the refusal carries the nearest choices.
    `quantity=None` changes the unit only: the line keeps its quantity in base units.
    The price and availability seen stay as they were (a change stays flagged until accepted).
    Raises PermissionDenied for a role without the cart, Http404 for a line not in the user's
    cart, CartLineRefused (a ValidationError with the refusal) for any other refusal; nothing
    is written then.
    """
    require_action(user, Action.USE_CART)
    with transaction.atomic():
        cart = _lock_cart(_cart_id_of_line(user, line_id))
        line = CartLine.objects.filter(cart=cart, pk=line_id).first()
        if line is None:
            raise Http404("no such cart line")
        product = visible_products(user=user).select_related("base_unit").filter(pk=line.product_id).first()
        units = _unit_table([line.product_id])
        entry = CartLineInput(line.product_id, quantity, unit_id)
        if quantity is None:  # the unit alone: check it, and the quantity in base units as it stands
            entry = CartLineInput(line.product_id, line.quantity)
            foreign_unit = unit_id not in (None, getattr(product, "base_unit_id", None))
            if product is not None and foreign_unit and (product.pk, unit_id) not in units:
                raise CartLineRefused(CartRefusal(entry, "unit", _("The product is not sold in this unit.")))
        refusal = _refusal(entry, product, units)
        if refusal is None and quantity is not None and quantity * _unit(entry, product, units)[0] >= QUANTITY_MAX:
            refusal = CartRefusal(entry, "quantity", _("The quantity is too large."))
        if refusal is not None:
            raise CartLineRefused(refusal)
        if quantity is not None:
            line.quantity = quantity * _unit(entry, product, units)[0]
        line.unit_id = None if unit_id == product.base_unit_id else unit_id
        line.save(update_fields=["quantity", "unit"])
        _touch_cart(cart)
    return line


def cart_remove_line(*, user, line_id: int) -> None:
    """Remove one line from the user's cart.

    Raises PermissionDenied for a role without the cart, Http404 for a line not in the user's cart.
    """
    require_action(user, Action.USE_CART)
    with transaction.atomic():
        cart = _lock_cart(_cart_id_of_line(user, line_id))
        if not CartLine.objects.filter(cart=cart, pk=line_id).delete()[0]:
            raise Http404("no such cart line")
        _touch_cart(cart)


def cart_clear(*, user) -> int:
    """Remove every line from the user's cart; returns how many were removed (0 without a cart).

    Raises PermissionDenied for a role without the cart.
    """
    require_action(user, Action.USE_CART)
    cart_id = Cart.objects.filter(user=user).values_list("pk", flat=True).first()
    if cart_id is None:
        return 0
    with transaction.atomic():
        cart = _lock_cart(cart_id)
        removed = CartLine.objects.filter(cart=cart).delete()[0]
        if removed:
            _touch_cart(cart)
    return removed


def cart_set_terms(*, user, legal_entity_id: int | None, contract_id: int | None = None) -> Cart:
    """Buy under a legal entity and contract of the user's client: the cart is priced under them.

    Only a confirmed legal entity and one of its contracts that is active and not expired can be
    chosen; no legal entity clears both, no contract prices by the client's own terms. Lines keep
    their quantities; the prices they show now are taken as seen (the buyer chose the new terms
    and sees their prices), availability changes stay flagged.
    Raises PermissionDenied for a role without the cart, Http404 for a legal entity of another
    client or a contract not of the legal entity, ValidationError for one that cannot be used.
    """
    require_action(user, Action.USE_CART)
    entity = contract = None
    if legal_entity_id is not None:
        entity = LegalEntity.objects.filter(pk=legal_entity_id, client_id=user.client_id).first()
        if entity is None:
            raise Http404("no such legal entity")
        if not entity.is_confirmed:
            raise ValidationError(_("%(name)s is not confirmed by the supplier yet: orders cannot be placed on its "
                                    "behalf.") % {"name": entity.name}, code="legal_entity")
    if contract_id is not None:
        if entity is None:
            raise Http404("a contract without its legal entity")
        contract = Contract.objects.select_related("currency", "price_type").filter(
            pk=contract_id, legal_entity=entity).first()
        if contract is None:
            raise Http404("no such contract")
        if not ordering_contracts(user, on=timezone.localdate()).filter(pk=contract.pk).exists():
            raise ValidationError(_("Contract %(number)s is not in force: choose another one.")
                                  % {"number": contract.number}, code="contract")
    cart = cart_get_or_create(user=user)
    with transaction.atomic():
        locked = _lock_cart(cart.pk)
        locked.legal_entity, locked.contract = entity, contract
        locked.save(update_fields=["legal_entity", "contract", "updated_at"])
        lines = list(CartLine.objects.filter(cart=locked).select_related("product"))
        infos = cart_strategy(user=user, cart=locked).fetch([line.product for line in lines])
        for line, info in zip(lines, infos, strict=True):
            line.seen_price = info.price.amount if info.price else None
        CartLine.objects.bulk_update(lines, ["seen_price"])
        _touch_cart(locked)
    return locked


def cart_accept_changes(*, user, line_ids: Iterable[int] | None = None) -> int:
    """Take the current price and availability of cart lines as seen: their change flags go.

    All lines of the user's cart, or only `line_ids` (ids not in the cart are ignored).
    Returns how many lines were updated. Raises PermissionDenied for a role without the cart.
    """
    require_action(user, Action.USE_CART)
    cart = cart_for_user(user=user)
    if cart is None:
        return 0
    with transaction.atomic():
        locked = _lock_cart(cart.pk)
        lines = CartLine.objects.filter(cart=locked).select_related("product")
        if line_ids is not None:
            lines = lines.filter(pk__in=list(line_ids))
        lines = list(lines)
        infos = cart_strategy(user=user, cart=cart).fetch([line.product for line in lines])
        for line, info in zip(lines, infos, strict=True):
            line.seen_price = info.price.amount if info.price else None
            line.seen_stock_status = str(info.stock.status) if info.stock else ""
        CartLine.objects.bulk_update(lines, ["seen_price", "seen_stock_status"])
        if lines:
            _touch_cart(locked)
    return len(lines)


def cart_get_or_create(*, user) -> Cart:
    """The user's cart, created empty on first use (with the cart's legal entity and contract loaded)."""
    cart = cart_for_user(user=user)
    if cart is None:
        Cart.objects.get_or_create(user=user, defaults={"client_id": user.client_id})
        cart = cart_for_user(user=user)
    return cart


def _lock_cart(pk: int) -> Cart:
    """Lock a cart row (select_for_update) for a change of its lines; with `_lock_users_cart`, the only
    places carts are locked."""
    return Cart.objects.select_for_update().get(pk=pk)


def _lock_users_cart(user) -> Cart:
    """The user's cart, created empty on first use, locked as `_lock_cart` locks it, with its legal entity and
    contract loaded (as `cart_for_user` loads them): what adding lines needs, in one query."""
    carts = Cart.objects.select_related("legal_entity", "contract__currency", "contract__price_type").select_for_update(
        of=("self",)).filter(user=user)
    cart = carts.first()
    if cart is None:
        Cart.objects.get_or_create(user=user, defaults={"client_id": user.client_id})
        cart = carts.first()
    return cart


def _touch_cart(cart: Cart) -> None:
    """Count a change of the (locked) cart: a checkout started before it is of an older revision."""
    cart.revision += 1
    cart.save(update_fields=["revision", "updated_at"])


def _cart_id_of_line(user, line_id: int) -> int:
    """The id of the cart holding `line_id` if it is the user's cart; Http404 otherwise."""
    cart_id = CartLine.objects.filter(pk=line_id, cart__user=user).values_list("cart_id", flat=True).first()
    if cart_id is None:
        raise Http404("no such cart line")
    return cart_id


def _unit_table(product_ids) -> dict[tuple[int, int], tuple[Decimal, str]]:
    """(product id, unit id) → (coefficient, short name) of the products' alternative units, one query."""
    return {(product_id, unit_id): (coefficient, short_name)
            for product_id, unit_id, coefficient, short_name in _product_units(product_ids)}


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
    return CartRefusal(line, "multiplicity", f"{product.name}: {message}", (below, above),
                       (text(below) if below else "", text(above)), message)


def _product_units(product_ids: Iterable[int]) -> list[tuple[int, int, Decimal, str]]:
    """(product id, unit id, coefficient, unit short name) of the products' alternative units, in one query."""
    return list(ProductUnit.objects.filter(product_id__in=product_ids).values_list(
        "product_id", "unit_id", "coefficient", "unit__short_name"))
