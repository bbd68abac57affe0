"""Order templates (шаблоны заказов) and repeat orders: saved lists of lines that go back into the cart."""

from dataclasses import replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.roles import Action, require_action
from catalog.models import Product
from orders.models import (
    CartLine,
    Order,
    OrderTemplate,
    OrderTemplateLine,
)
from orders.quantities import QUANTITY_MAX
from orders.selectors import cart_for_user, orders_for_user
from orders.services.cart import (
    CartAddResult,
    CartLineInput,
    CartRefusal,
    _product_units,
    _refusal,
    _unit,
    cart_add_lines,
)

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


