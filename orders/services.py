"""Writes of the orders app: the cart, order templates and repeat orders, the order status door
(`order_transition`) and checkout."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Balance, Contract, LegalEntity, User
from accounts.roles import Action, require_action
from accounts.selectors import ordering_contracts
from catalog.models import Product, ProductUnit
from catalog.selectors import visible_products

from .approval import order_approval, user_may_approve
from .checkout import (
    CheckoutTerms,
    CreditStop,
    Quote,
    cart_items,
    check_terms,
    credit_state,
    credit_stop,
    order_items,
    quote_digest,
    quote_items,
)
from .line_input import CheckedLine, LineStatus, RawLine, check_lines
from .line_resolver import CatalogResolver
from .models import (
    ApprovalRule,
    Cart,
    CartLine,
    Order,
    OrderLine,
    OrderSequence,
    OrderStatusChange,
    OrderTemplate,
    OrderTemplateLine,
)
from .notifications import notify_status_change
from .quantities import QUANTITY_MAX, QuantityChoice, format_quantity, multiplicity_choices
from .selectors import cart_for_user, cart_strategy, orders_for_user
from .status import OrderStatus, can_transition, may_move
from .transitions import order_movers

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
    """Lock a cart row (select_for_update) for a change of its lines; the only place carts are locked."""
    return Cart.objects.select_for_update().get(pk=pk)


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


# Order templates and repeat orders
# A template (шаблон заказа) and a past order are saved lists of lines; both go back into the cart
# through cart_add_lines, so they are priced today and checked by the cart's own rules.


class TemplateNameTaken(ValidationError):
    """The client already has a template of this name (names are compared whatever their letter case)."""

    def __init__(self, *, name: str, existing: OrderTemplate | None):
        self.name, self.existing = name, existing
        super().__init__(_("There is already a template named “%(name)s”.")
                         % {"name": existing.name if existing else name}, code="name_taken")


class TemplateLineRefused(ValidationError):
    """A quantity or unit of a template line that the cart would refuse; `refusal.choices` holds the
    nearest valid quantities when the product's multiplicity is broken."""

    def __init__(self, refusal: CartRefusal):
        self.refusal = refusal
        super().__init__(refusal.message, code=refusal.code)


def order_template_create_from_cart(*, user, name: str, replace_existing: bool = False) -> OrderTemplate:
    """Save the user's cart as a template of the client: its products, quantities and units, in cart order.

    A name the client already uses is refused with TemplateNameTaken unless `replace_existing`:
    then that template keeps its id and author and takes the new spelling of the name and the
    cart's lines instead of its own. No prices are kept: a template is priced when it goes into
    the cart. Raises PermissionDenied for a role without the cart, ValidationError for an empty or
    too long name or an empty cart.
    """
    require_action(user, Action.USE_CART)
    name = _template_name(name)
    with transaction.atomic():
        cart = cart_for_user(user=user)
        lines = list(CartLine.objects.filter(cart=cart).order_by("added_at", "pk")
                     .values_list("product_id", "quantity", "unit_id")) if cart else []
        if not lines:
            raise ValidationError(_("The cart is empty: put goods into it first, then save it as a template."),
                                  code="empty")
        template = (OrderTemplate.objects.select_for_update()
                    .filter(client_id=user.client_id, name__iexact=name).order_by("pk").first())
        if template is not None and not replace_existing:
            raise TemplateNameTaken(name=name, existing=template)
        if template is None:
            try:
                with transaction.atomic():
                    template = OrderTemplate.objects.create(client_id=user.client_id, name=name, created_by=user)
            except IntegrityError as exc:  # a colleague saved a template of this name a moment ago
                raise TemplateNameTaken(name=name, existing=None) from exc
        else:
            template.name = name
            template.save(update_fields=["name", "updated_at"])
            template.lines.all().delete()
        OrderTemplateLine.objects.bulk_create(
            OrderTemplateLine(template=template, product_id=product_id, quantity=quantity, unit_id=unit_id,
                              position=position)
            for position, (product_id, quantity, unit_id) in enumerate(lines))
    return template


def order_template_rename(*, user, template: OrderTemplate, name: str) -> OrderTemplate:
    """Rename a template of the user's client.

    Raises TemplateNameTaken for a name another template of the client has, ValidationError for an
    empty or too long name, PermissionDenied for a role without the cart, Http404 for another
    client's template.
    """
    _check_template(user, template)
    name = _template_name(name)
    with transaction.atomic():
        locked = _lock_order_template(template.pk)
        taken = (OrderTemplate.objects.filter(client_id=locked.client_id, name__iexact=name)
                 .exclude(pk=locked.pk).first())
        if taken is not None:
            raise TemplateNameTaken(name=name, existing=taken)
        locked.name = name
        try:
            with transaction.atomic():
                locked.save(update_fields=["name", "updated_at"])
        except IntegrityError as exc:
            raise TemplateNameTaken(name=name, existing=None) from exc
    template.name, template.updated_at = locked.name, locked.updated_at
    return template


def order_template_update_line(*, user, template: OrderTemplate, line_id: int, quantity: Decimal,
                               unit_id: int | None = None) -> OrderTemplateLine:
    """Set the quantity of a template line, given in `unit_id` (the base unit when None).

    The same rules as the cart: the unit must be one the product is sold in, and the quantity,
    converted to base units by the unit's coefficient, a positive multiple of the product's
    multiplicity (кратность). It is never rounded. Raises TemplateLineRefused (its `refusal`
    carries the nearest valid quantities), PermissionDenied for a role without the cart, Http404
    for another client's template or a line not in it.
    """
    _check_template(user, template)
    with transaction.atomic():
        locked = _lock_order_template(template.pk)
        line = (OrderTemplateLine.objects.select_related("product__base_unit")
                .filter(template=locked, pk=line_id).first())
        if line is None:
            raise Http404("No such template line.")
        product = line.product
        units = {(product_id, unit): (coefficient, short_name) for product_id, unit, coefficient, short_name
                 in _product_units([product.pk])}
        wanted = CartLineInput(product.pk, quantity, unit_id)
        refusal = _refusal(wanted, product, units)
        if refusal is None and quantity * _unit(wanted, product, units)[0] >= QUANTITY_MAX:
            refusal = CartRefusal(wanted, "quantity", _("The quantity is too large."))
        if refusal is not None:
            raise TemplateLineRefused(refusal)
        line.quantity = quantity * _unit(wanted, product, units)[0]
        line.unit_id = None if unit_id == product.base_unit_id else unit_id
        line.save(update_fields=["quantity", "unit"])
        locked.save(update_fields=["updated_at"])
    return line


def order_template_remove_line(*, user, template: OrderTemplate, line_id: int) -> None:
    """Remove a line from a template (a template may be left empty).

    Raises PermissionDenied for a role without the cart, Http404 for another client's template or
    a line not in it.
    """
    _check_template(user, template)
    with transaction.atomic():
        locked = _lock_order_template(template.pk)
        deleted, _rows = OrderTemplateLine.objects.filter(template=locked, pk=line_id).delete()
        if not deleted:
            raise Http404("No such template line.")
        locked.save(update_fields=["updated_at"])


def order_template_delete(*, user, template: OrderTemplate) -> None:
    """Delete a template with its lines; the cart and past orders are not touched.

    Raises PermissionDenied for a role without the cart, Http404 for another client's template.
    """
    _check_template(user, template)
    with transaction.atomic():
        OrderTemplate.objects.filter(pk=template.pk).delete()


def order_template_add_to_cart(*, user, template: OrderTemplate) -> CartAddResult:
    """Put every line of a template into the user's cart at today's prices, by `cart_add_lines`' rules.

    A line goes in its unit where the product is still sold in it and the unit's coefficient
    divides the saved quantity, else in base units. Lines the cart does not take are in
    `refused`, a discontinued product ("discontinued") and one no longer in the client's
    assortment ("assortment") told apart. Raises PermissionDenied for a role without the cart,
    Http404 for another client's template.
    """
    _check_template(user, template)
    with transaction.atomic():
        rows = list(template.lines.order_by("position", "pk").values_list("product_id", "quantity", "unit_id"))
        coefficients = {(product_id, unit_id): coefficient for product_id, unit_id, coefficient, _name
                        in _product_units({product_id for product_id, _quantity, _unit_id in rows})}
        lines = [_line_in_unit(product_id, quantity, unit_id, coefficients.get((product_id, unit_id)))
                 for product_id, quantity, unit_id in rows]
        return _explain_unavailable(cart_add_lines(user=user, lines=lines))


def order_repeat(*, user, order: Order) -> CartAddResult:
    """Put the lines of a past order into the user's cart at today's prices, by `cart_add_lines`' rules.

    Nothing of the old prices is copied: the cart prices its lines when it is read. A line goes
    in the unit it was ordered in where the product is still sold in a unit of that name and
    coefficient, else in base units. Lines the cart does not take are in `refused`: a
    discontinued product ("discontinued"), one no longer in the client's assortment
    ("assortment"), one without a price now ("on_request"), a quantity that no longer fits the
    product's multiplicity ("multiplicity", with the nearest valid quantities). Raises
    PermissionDenied for a role without the cart, Http404 for an order the user may not see.
    """
    require_action(user, Action.USE_CART)
    if not orders_for_user(user=user).filter(pk=order.pk).exists():
        raise Http404("No such order.")
    with transaction.atomic():
        rows = list(order.lines.order_by("position", "pk").values_list(
            "product_id", "quantity", "ordered_unit_name", "ordered_unit_coefficient"))
        units = {(product_id, name, coefficient): unit_id for product_id, unit_id, coefficient, name
                 in _product_units({product_id for product_id, *_rest in rows})}
        lines = [_line_in_unit(product_id, quantity, units.get((product_id, name, coefficient)), coefficient)
                 for product_id, quantity, name, coefficient in rows]
        return _explain_unavailable(cart_add_lines(user=user, lines=lines))


def _template_name(name: str) -> str:
    """A template name with runs of spaces collapsed; raises ValidationError when empty or too long."""
    name = " ".join(name.split())
    limit = OrderTemplate._meta.get_field("name").max_length
    if not name:
        raise ValidationError(_("Enter a name for the template."), code="name")
    if len(name) > limit:
        raise ValidationError(_("A template name is at most %(max)s characters.") % {"max": limit}, code="name")
    return name


def _check_template(user, template: OrderTemplate) -> None:
    """Refuse a role without the cart (PermissionDenied) and another client's template (Http404)."""
    require_action(user, Action.USE_CART)
    if template.client_id != user.client_id:
        raise Http404("No such template.")


def _lock_order_template(pk: int) -> OrderTemplate:
    """Lock a template row (select_for_update) for a change of it or its lines; the only place templates
    are locked. Raises Http404 when it was deleted meanwhile."""
    template = OrderTemplate.objects.select_for_update().filter(pk=pk).first()
    if template is None:
        raise Http404("No such template.")
    return template


def _product_units(product_ids: Iterable[int]) -> list[tuple[int, int, Decimal, str]]:
    """(product id, unit id, coefficient, unit short name) of the products' alternative units, in one query."""
    return list(ProductUnit.objects.filter(product_id__in=product_ids).values_list(
        "product_id", "unit_id", "coefficient", "unit__short_name"))


def _line_in_unit(product_id: int, base_quantity: Decimal, unit_id: int | None,
                  coefficient: Decimal | None) -> CartLineInput:
    """A saved base quantity as a cart line in `unit_id` (of `coefficient` base units) when that unit
    is known and divides it, else in base units: the quantity itself never changes."""
    if unit_id is None or not coefficient or base_quantity % coefficient:
        return CartLineInput(product_id, base_quantity)
    return CartLineInput(product_id, base_quantity / coefficient, unit_id)


def _explain_unavailable(result: CartAddResult) -> CartAddResult:
    """Tell apart the products the cart did not find: no longer sold (inactive) or outside the
    client's assortment now; one query."""
    ids = {refusal.line.product_id for refusal in result.refused if refusal.code == "not_found"}
    if not ids:
        return result
    products = {pk: (name, is_active) for pk, name, is_active in
                Product.objects.filter(pk__in=ids).values_list("pk", "name", "is_active")}
    refused = []
    for refusal in result.refused:
        found = products.get(refusal.line.product_id) if refusal.code == "not_found" else None
        if found is not None:
            name, is_active = found
            if is_active:
                refusal = replace(refusal, code="assortment", message=_(
                    "%(name)s is no longer in your assortment.") % {"name": name})
            else:
                refusal = replace(refusal, code="discontinued", message=_(
                    "%(name)s is discontinued: it is no longer sold.") % {"name": name})
        refused.append(refusal)
    return CartAddResult(result.added, refused)


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


class OrderTransitionRefused(OrderTransitionError):
    """A move the table allows from the order's status, but not to this actor (a buyer accepting an order,
    staff of another region, the ERP approving)."""

    def __init__(self, *, order, from_status: str, to_status: str):
        super().__init__(order=order, from_status=from_status, to_status=to_status)
        labels = dict(OrderStatus.choices)
        self.message = _("You may not move order %(number)s from “%(from)s” to “%(to)s”.") % {
            "number": order.number, "from": labels.get(from_status, from_status),
            "to": labels.get(to_status, to_status)}
        self.code = "not_allowed"
        self.error_list = [self]


def _lock_order(pk: int) -> Order:
    """Lock one order row (select_for_update) for a status or ERP write; the only place orders are locked."""
    return Order.objects.select_for_update().get(pk=pk)


def order_transition(*, order, to_status: str, actor=None, source: str, comment: str = "") -> OrderStatusChange:
    """Move `order` to `to_status` if the table allows it to this actor; record who, when, from, to and why.

    Every path moves orders here: client pages (`actor` a client user, source USER), the admin
    (supplier staff, USER), the ERP import (source ERP, no actor) and the portal itself (SYSTEM).
    The order row is locked (select_for_update) so two movers never both read the old status:
    the second one waits, then sees the new status and is refused.
    Whoever should know hears of the change (`notify_status_change`; e-mails go after commit).
    Raises OrderTransitionError (a ValidationError) for a move the table does not allow from the
    order's current status, and its subclass OrderTransitionRefused for an allowed move this actor
    may not make (orders/status.py MOVERS); nothing is written then.
    """
    with transaction.atomic():
        locked = _lock_order(order.pk)
        from_status = locked.status
        if not can_transition(from_status, to_status):
            raise OrderTransitionError(order=locked, from_status=from_status, to_status=to_status)
        if not may_move(from_status, to_status, order_movers(locked, actor, source)):
            raise OrderTransitionRefused(order=locked, from_status=from_status, to_status=to_status)
        now = timezone.now()
        locked.status = to_status
        locked.status_changed_at = now
        locked.escalation_level = 0
        fields = ["status", "status_changed_at", "escalation_level"]
        if to_status == OrderStatus.SUBMITTED and locked.submitted_at is None:
            locked.submitted_at = now  # when it first went to the supplier
            fields.append("submitted_at")
        locked.save(update_fields=fields)
        change = OrderStatusChange.objects.create(
            order=locked, from_status=from_status, to_status=to_status, changed_by=actor,
            source=source, comment=comment, created_at=now,
        )
        notify_status_change(locked, change)
    order.status, order.status_changed_at, order.escalation_level = to_status, now, 0
    order.submitted_at = locked.submitted_at
    return change


# Approval


class ApprovalDecided(ValidationError):
    """The order no longer awaits approval (another approver decided, or it was cancelled)."""

    def __init__(self, order: Order):
        self.order = order
        super().__init__(_("Order %(number)s no longer awaits approval: it is “%(status)s” now.") % {
            "number": order.number, "status": order.get_status_display()}, code="decided")


def order_approve(*, user, order: Order, comment: str = "") -> Order:
    """Approve an order waiting for the user; it goes to the supplier at once.

    Two history rows: awaiting approval → approved (by the approver, with his comment), then
    approved → submitted. Raises PermissionDenied when the user may not approve this order (his
    own, or named to another approver), ApprovalDecided when it no longer waits.
    """
    require_action(user, Action.APPROVE_ORDERS)
    with transaction.atomic():
        locked = _lock_order_for_decision(user, order)
        order_transition(order=locked, to_status=OrderStatus.APPROVED, actor=user,
                         source=OrderStatusChange.Source.USER, comment=comment.strip())
        order_transition(order=locked, to_status=OrderStatus.SUBMITTED, actor=user,
                         source=OrderStatusChange.Source.USER, comment=_("Sent to the supplier once approved."))
    return locked


def order_reject(*, user, order: Order, comment: str) -> Order:
    """Reject an order waiting for the user, saying why; it goes back to its author as a draft.

    Two history rows: awaiting approval → rejected (with the reason), then rejected → draft, which
    the author may change and submit again. Raises ValidationError without a reason, and as
    `order_approve` does.
    """
    require_action(user, Action.APPROVE_ORDERS)
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Say why the order is rejected: the author will read it.")},
                              code="required")
    with transaction.atomic():
        locked = _lock_order_for_decision(user, order)
        order_transition(order=locked, to_status=OrderStatus.REJECTED, actor=user,
                         source=OrderStatusChange.Source.USER, comment=comment)
        order_transition(order=locked, to_status=OrderStatus.DRAFT, actor=user,
                         source=OrderStatusChange.Source.USER, comment=_("Returned to the author for changes."))
    return locked


def _lock_order_for_decision(user, order: Order) -> Order:
    if order.client_id != user.client_id:
        raise PermissionDenied("an order of another client")
    locked = _lock_order(order.pk)
    if locked.status != OrderStatus.AWAITING_APPROVAL:
        raise ApprovalDecided(locked)
    if not user_may_approve(user, locked):
        raise PermissionDenied("the user may not approve this order")
    return locked


def approval_rule_create(*, user, author_role: str = "", amount_over: Decimal | None = None,
                         with_backorder: bool = False, approver=None) -> ApprovalRule:
    """Add an approval rule to the user's client (its administrator's right); the client's default
    rule no longer applies once it has rules of its own.

    Raises ValidationError for an unknown role, a negative amount, or an approver who is not an
    active administrator of the client.
    """
    require_action(user, Action.MANAGE_USERS)
    errors = {}
    if author_role and author_role not in User.Role.values:
        errors["author_role"] = _("Unknown role.")
    if amount_over is not None and amount_over < 0:
        errors["amount_over"] = _("The amount cannot be negative.")
    if approver is not None and not (approver.client_id == user.client_id and approver.is_active
                                     and approver.role == User.Role.ADMINISTRATOR):
        errors["approver"] = _("The approver must be an active administrator of your company.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return ApprovalRule.objects.create(client_id=user.client_id, author_role=author_role,
                                           amount_over=amount_over, with_backorder=with_backorder,
                                           approver=approver, created_by=user)


def approval_rule_delete(*, user, rule: ApprovalRule) -> None:
    """Remove one of the client's rules; orders already waiting keep their approver."""
    require_action(user, Action.MANAGE_USERS)
    if rule.client_id != user.client_id:
        raise Http404
    with transaction.atomic():
        rule.delete()


# Checkout


class CartChanged(ValidationError):
    """The cart changed since the checkout page showed it (another tab, a line added): nothing was placed."""

    def __init__(self):
        super().__init__(_("Your cart has changed since this page was opened: check the lines and place the "
                           "order again."), code="cart_changed")


class QuoteChanged(ValidationError):
    """Prices or availability changed since the buyer saw them: the buyer confirms `quote` first."""

    def __init__(self, quote: Quote):
        self.quote = quote
        super().__init__(_("Prices or availability have changed since you opened the page: check the new totals "
                           "and confirm the order."), code="quote_changed")


class CheckoutStopped(ValidationError):
    """A shipment block or the credit limit stops the order (`stop` says what to pay); a draft may be saved."""

    def __init__(self, stop: CreditStop):
        self.stop = stop
        super().__init__(stop.message, code=stop.code)


@dataclass(frozen=True)
class PlaceResult:
    order: Order
    created: bool  # False: the order of this cart revision existed already (a repeated request)


@dataclass(frozen=True)
class SubmitResult:
    order: Order
    changed: bool = False  # the draft was repriced: the buyer checks the new totals and submits again


def checkout_key(cart_id: int, revision: int) -> str:
    """The idempotency key of the checkout of one cart revision: all requests for it make one order."""
    return f"cart:{cart_id}:{revision}"


def order_place_from_cart(*, user, terms: CheckoutTerms, revision: int, digest: str = "", draft: bool = False,
                          now: datetime.datetime | None = None) -> PlaceResult:
    """Place the user's cart as an order under `terms`, or save it as a draft; the cart is emptied.

    Idempotent per cart revision (the one the checkout page showed): the cart row is locked, and
    the order made from that revision already is returned (`created=False`), so a double click, a
    retried request or a second tab make one order. Prices and availability are recomputed from
    the cart's lines in the database; nothing priced comes from the request, and `digest` (the
    quote the page showed) must match the quote now. The order takes the year's next number,
    line snapshots and totals, then enters the workflow through `order_transition`: awaiting
    approval when `order_needs_approval`, else submitted. A draft skips the price confirmation
    and the credit check, may leave the date empty, and stays a draft.

    Raises PermissionDenied for a role that may not order; ValidationError for an empty cart, bad
    terms (a dict by field) or lines that cannot be ordered; CartChanged when the cart moved on
    from `revision`; QuoteChanged when the quote changed; CheckoutStopped for a shipment block or
    the credit limit. Nothing is written then.
    """
    require_action(user, Action.PLACE_ORDER)
    cart = cart_for_user(user=user)
    if cart is None:
        raise ValidationError(_("Your cart is empty."), code="empty")
    with transaction.atomic():
        cart = _lock_cart(cart.pk)
        key = checkout_key(cart.pk, revision)
        existing = Order.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return PlaceResult(existing, False)
        if cart.revision != revision:
            raise CartChanged()
        check_terms(user=user, terms=terms, now=now, draft=draft)
        quote = quote_items(user=user, items=cart_items(cart), legal_entity=terms.legal_entity,
                            contract=terms.contract, now=now)
        _check_quote(quote)
        if not draft:
            if quote.digest != digest:
                raise QuoteChanged(quote)
            _check_credit(terms, quote)
        order = _order_create(user=user, terms=terms, quote=quote, key=key, now=now)
        CartLine.objects.filter(cart=cart).delete()
        _touch_cart(cart)
        if draft:
            OrderStatusChange.objects.create(order=order, to_status=OrderStatus.DRAFT, changed_by=user,
                                             created_at=order.created_at)
        else:
            _order_enter_workflow(order=order, user=user)
    return PlaceResult(order, True)


def order_submit(*, user, order: Order, desired_date: datetime.date | None = None,
                 now: datetime.datetime | None = None) -> SubmitResult:
    """Submit a draft through the checks of checkout; its author or an administrator may.

    The terms are checked again (with `desired_date` when given) and the lines repriced now: when
    a price or availability differs from the draft's snapshots, the draft takes today's prices
    and is returned with `changed=True` for the buyer to check and submit again. Then the credit
    check, and the workflow as for a placed cart. An order that is no longer a draft (a repeated
    request) is returned unchanged.

    Raises PermissionDenied for another user's draft or a role that may not order; ValidationError
    for bad terms or lines, CheckoutStopped for a shipment block or the credit limit.
    """
    require_action(user, Action.PLACE_ORDER)
    if order.client_id != user.client_id or (order.created_by_id != user.pk and user.role != User.Role.ADMINISTRATOR):
        raise PermissionDenied("only the author or an administrator submits a draft")
    with transaction.atomic():
        locked = _lock_order(order.pk)
        if locked.status != OrderStatus.DRAFT:
            return SubmitResult(locked)
        contract = Contract.objects.select_related("currency").filter(pk=locked.contract_id).first()
        terms = CheckoutTerms(
            legal_entity=locked.legal_entity, contract=contract, delivery_method=locked.delivery_method,
            delivery_address=locked.delivery_address, pickup_warehouse=locked.pickup_warehouse,
            desired_date=desired_date or locked.desired_date, comment=locked.comment, po_number=locked.po_number)
        check_terms(user=user, terms=terms, now=now)
        if locked.desired_date != terms.desired_date:
            locked.desired_date = terms.desired_date
            locked.save(update_fields=["desired_date"])
        lines = list(locked.lines.order_by("position", "pk"))
        quote = quote_items(user=user, items=order_items(locked), legal_entity=terms.legal_entity,
                            contract=contract, now=now)
        _check_quote(quote)
        stored = quote_digest(locked.currency_id, terms.legal_entity, contract,
                              [(line.product_id, line.quantity, line.price, line.is_backorder) for line in lines])
        if stored != quote.digest:
            _order_reprice(locked, quote)
            return SubmitResult(locked, changed=True)
        _check_credit(terms, quote)
        _order_enter_workflow(order=locked, user=user)
    return SubmitResult(locked)


def _check_quote(quote: Quote) -> None:
    if not quote.lines:
        raise ValidationError(_("Your cart is empty."), code="empty")
    if quote.problems:
        raise ValidationError({"lines": quote.problems})


def _lock_balance(legal_entity) -> Balance | None:
    """Lock the legal entity's balance row: checkouts against one credit limit take turns."""
    return (Balance.objects.select_for_update(of=("self",)).select_related("currency", "legal_entity")
            .filter(legal_entity=legal_entity).first())


def _check_credit(terms: CheckoutTerms, quote: Quote) -> None:
    state = credit_state(terms.legal_entity, balance=_lock_balance(terms.legal_entity))
    stop = credit_stop(state, total=quote.amount, currency_code=quote.currency)
    if stop is not None:
        raise CheckoutStopped(stop)


def _next_order_number(year: int) -> str:
    """The year's next order number (2026-000123); the year's sequence row stays locked until commit."""
    OrderSequence.objects.get_or_create(year=year)
    sequence = OrderSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{year}-{sequence.last:06d}"


def _order_create(*, user, terms: CheckoutTerms, quote: Quote, key: str, now: datetime.datetime | None) -> Order:
    """A draft order with the quote's lines and totals (the caller moves it on)."""
    now = now or timezone.now()
    pickup = terms.delivery_method == Order.Delivery.PICKUP
    order = Order.objects.create(
        number=_next_order_number(timezone.localdate(now).year), client_id=user.client_id,
        legal_entity=terms.legal_entity, contract=terms.contract, created_by=user, status=OrderStatus.DRAFT,
        status_changed_at=now, delivery_method=terms.delivery_method,
        delivery_address="" if pickup else terms.delivery_address.strip(),
        pickup_warehouse=terms.pickup_warehouse if pickup else None, desired_date=terms.desired_date,
        comment=terms.comment.strip(), po_number=terms.po_number.strip(), currency_id=quote.currency,
        total_amount=quote.amount, total_weight=quote.weight, total_volume=quote.volume, idempotency_key=key,
        created_at=now,
    )
    OrderLine.objects.bulk_create(_order_lines(order, quote))
    return order


def _order_lines(order: Order, quote: Quote) -> list[OrderLine]:
    """Snapshots of the quote's lines: quantities and prices per base unit, how the buyer ordered."""
    return [
        OrderLine(
            order=order, product=line.product, sku=line.product.sku, name=line.product.name,
            unit_name=line.product.base_unit.short_name, quantity=line.item.quantity,
            ordered_unit_name=line.item.ordered_unit_name,
            ordered_unit_coefficient=line.item.ordered_unit_coefficient, is_backorder=line.is_backorder,
            expected_on=line.expected_on, comment=line.item.comment[:500], price=line.price, amount=line.amount,
            vat_rate=line.product.vat_rate, price_source=str(line.info.price.source), position=position,
        )
        for position, line in enumerate(quote.lines, start=1)
    ]


def _order_reprice(order: Order, quote: Quote) -> None:
    """Give a (locked) draft the quote's lines and totals."""
    order.lines.all().delete()
    OrderLine.objects.bulk_create(_order_lines(order, quote))
    order.currency_id, order.total_amount = quote.currency, quote.amount
    order.total_weight, order.total_volume = quote.weight, quote.volume
    order.save(update_fields=["currency", "total_amount", "total_weight", "total_volume"])


def _order_enter_workflow(*, order: Order, user) -> None:
    """Move a new order on from draft: to approval (by the approver the client's rules name) or to
    the supplier; the transition tells who should know."""
    decision = order_approval(order, user)
    if decision.held:
        order.approver = decision.approver
        order.save(update_fields=["approver"])
        order_transition(order=order, to_status=OrderStatus.AWAITING_APPROVAL, actor=user,
                         source=OrderStatusChange.Source.USER)
    else:
        order_transition(order=order, to_status=OrderStatus.SUBMITTED, actor=user,
                         source=OrderStatusChange.Source.USER)


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
