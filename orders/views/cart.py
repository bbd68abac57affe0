"""The cart's pages and endpoints (/cart/...): the cart page, adding from the catalog, line edits, terms.

Every endpoint answers htmx with the fragment it swaps (the line row, the totals and the header
counter out of band) and a plain POST with a redirect and a message, so the cart works without
JavaScript. A refused quantity is never changed silently: htmx gets the nearest valid quantities
as buttons ("Кратность 24: 48 или 72?") that post again; a plain POST gets them in the message.
"""

from decimal import Decimal
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from accounts.roles import Action, client_action_required
from base.params import parse_decimal, parse_id
from catalog.availability import STATUS_LABELS
from catalog.models import Product
from orders.access import access_cart_line_for_user
from orders.quantities import format_quantity
from orders.selectors import CartPage, cart_line_count, cart_page
from orders.services import (
    CartLineInput,
    CartLineRefused,
    CartRefusal,
    cart_accept_changes,
    cart_add_lines,
    cart_clear,
    cart_remove_line,
    cart_set_terms,
    cart_update_line,
)

#: The most one cart line may take at once, in the chosen unit (the quantity columns hold 13 digits).
MAX_CART_QUANTITY = Decimal(1_000_000_000)
#: The most rows one bulk add takes (a listing page shows at most 100).
MAX_BULK_LINES = 200
#: Addresses other parts of the cart may offer; a link shows only when its address exists.
OPTIONAL_LINKS = {"checkout": "cart:checkout"}


def _quantity(text: str | None) -> Decimal | None:
    return parse_decimal(text, maximum=MAX_CART_QUANTITY, places=3)


def _quantity_error() -> str:
    return _("Enter the quantity as a number up to %(max)s with at most 3 decimals.") % {
        "max": number_format(MAX_CART_QUANTITY, force_grouping=True)}


def _choice(text: str | None, parts: int) -> list[str] | None:
    """A choice button's value: "product:quantity:unit" (adding) or "quantity:unit" (a cart line)."""
    values = (text or "").split(":")
    return values if len(values) == parts else None


def _back(request: HttpRequest, default: str = "catalog:index") -> HttpResponse:
    """Redirect to the page the form came from (a local path only), else to `default`."""
    target = request.POST.get("next", "")
    # A path only: `redirect` would take "catalog:index"-like text for a URL name and fail on others.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = default
    return redirect(target)


def _offers(refusal: CartRefusal) -> list[dict]:
    """The choice buttons of a refusal: label and the value they post ("product:quantity:unit")."""
    return [{"label": label, "value": f"{refusal.line.product_id}:{choice.quantity.normalize():f}:{unit_id or ''}"}
            for choice, label, unit_id in refusal.offers()]


# Adding from the catalog


def _add_lines(request: HttpRequest, lines: list[CartLineInput]) -> tuple[int, list[CartRefusal]]:
    result = cart_add_lines(user=request.user, lines=lines)
    return len(result.added), result.refused


def _status_fragment(*, added: bool, refusal: CartRefusal | None, error: str = "", post_url: str) -> str:
    # Fragments are rendered without the request: its context processors would count the cart again.
    return render_to_string("orders/partials/_cart_status.html", {
        "added": added, "error": refusal.short_message if refusal else error,
        "offers": _offers(refusal) if refusal else [], "post_url": post_url})


@require_POST
@client_action_required(Action.USE_CART)
def cart_add(request: HttpRequest) -> HttpResponse:
    """Add a product to the cart: htmx gets a status fragment and the header counter; a plain POST redirects back.

    A `choice` button ("product:quantity:unit", offered when the multiplicity refused the quantity)
    replaces the typed product, quantity and unit.
    """
    choice = _choice(request.POST.get("choice"), 3)
    product_id, quantity, unit = (choice if choice else
                                  (request.POST.get("product"), request.POST.get("quantity"), request.POST.get("unit")))
    product_id, quantity, unit_id = parse_id(product_id), _quantity(quantity), parse_id(unit)
    refusal, error = None, ""
    if product_id is None:
        error = _("Choose a product.")
    elif quantity is None:
        error = _quantity_error()
    else:
        _added, refused = _add_lines(request, [CartLineInput(product_id, quantity, unit_id)])
        refusal = refused[0] if refused else None
    failed = bool(error or refusal)
    if request.htmx:
        html = _status_fragment(added=not failed, refusal=refusal, error=error, post_url=reverse("cart:add"))
        html += _counter(request)
        return HttpResponse(html, status=422 if failed else 200)
    if failed:
        messages.error(request, refusal.message if refusal else error)
    else:
        messages.success(request, _("Added to the cart."))
    return _back(request)


def _bulk_lines(request: HttpRequest) -> tuple[list[CartLineInput], list[tuple[int | None, str]]]:
    """The rows of a listing form to add, and the rows whose quantity cannot be read (product id, error).

    A `choice` button adds its one product; an `only` button (a row's own "Add") adds its row,
    one multiplicity step when the row's quantity is empty; else every row with a quantity.
    """
    post = request.POST
    choice = _choice(post.get("choice"), 3)
    if choice:
        product_id, quantity = parse_id(choice[0]), _quantity(choice[1])
        if product_id is None or quantity is None:
            return [], [(product_id, _quantity_error())]
        return [CartLineInput(product_id, quantity, parse_id(choice[2]))], []
    only = parse_id(post.get("only"))
    ids = [only] if only is not None else [parse_id(value) for value in post.getlist("product")[:MAX_BULK_LINES]]
    lines, errors = [], []
    for product_id in dict.fromkeys(pk for pk in ids if pk is not None):
        text = post.get(f"q-{product_id}", "").strip()
        if not text and product_id == only:
            step = Product.objects.filter(pk=product_id).values_list("multiplicity", flat=True).first()
            lines.append(CartLineInput(product_id, step or Decimal(1)))
        elif text:
            quantity = _quantity(text)
            if quantity is None:
                errors.append((product_id, _quantity_error()))
            else:
                lines.append(CartLineInput(product_id, quantity, parse_id(post.get(f"u-{product_id}"))))
    return lines, errors


@require_POST
@client_action_required(Action.USE_CART)
def cart_add_many(request: HttpRequest) -> HttpResponse:
    """Add the rows of a listing to the cart at once (one query set whatever their number).

    htmx gets a summary for the listing's bulk status, each row's status out of band (added, or
    refused with the multiplicity choices) and the header counter; a row's own button or a choice
    gets that row's status. A plain POST redirects back with a message per refused row.
    """
    lines, errors = _bulk_lines(request)
    added, refused = _add_lines(request, lines) if lines else (0, [])
    failed = len(refused) + len(errors)
    if not lines and not errors:
        errors.append((None, _("Enter the quantities of the products to add.")))
    summary = []
    if added:
        summary.append(ngettext("%(count)s line added to the cart.", "%(count)s lines added to the cart.",
                                added) % {"count": added})
    if failed:
        summary.append(ngettext("%(count)s line not added: see the row.", "%(count)s lines not added: see the rows.",
                                failed) % {"count": failed})
    if request.htmx:
        html = _bulk_answer(request, lines, refused, errors, summary, failed)
        return HttpResponse(html + _counter(request), status=422 if not added else 200)
    for message in [error for _pk, error in errors] + [refusal.message for refusal in refused]:
        messages.error(request, message)
    if added:
        messages.success(request, summary[0])
    return _back(request)


def _bulk_answer(request: HttpRequest, lines: list[CartLineInput], refused: list[CartRefusal],
                 errors: list[tuple[int | None, str]], summary: list[str], failed: int) -> str:
    """The listing's answer: each row's status (the row's own for one row, else out of band under a
    summary) and, for the added rows, their quantity input emptied out of band (ready for the next add)."""
    refusals = {refusal.line.product_id: refusal for refusal in refused}
    row_errors = {pk: error for pk, error in errors if pk is not None}
    added = [line.product_id for line in lines if line.product_id not in refusals]
    steps = dict(Product.objects.filter(pk__in=added).values_list("pk", "multiplicity")) if added else {}
    rows = [{"pk": pk, "added": True, "step": format_quantity(steps[pk])} for pk in added if pk in steps]
    rows += [{"pk": pk, "error": refusal.short_message, "offers": _offers(refusal)} for pk, refusal in refusals.items()]
    rows += [{"pk": pk, "error": error} for pk, error in row_errors.items()]
    general = [error for pk, error in errors if pk is None]
    return render_to_string("orders/partials/_cart_bulk.html", {
        "summary": " ".join(summary + general), "failed": failed or general, "rows": rows,
        "post_url": reverse("cart:add_many"),
        "single": bool(request.POST.get("only") or request.POST.get("choice"))})


def _counter(request: HttpRequest) -> str:
    """The header's cart counter, swapped out of band."""
    return render_to_string("orders/partials/_cart_counter.html", {"cart_count": cart_line_count(user=request.user)})


# The cart page


def _links() -> dict[str, str]:
    links = {}
    for key, name in OPTIONAL_LINKS.items():
        try:
            links[key] = reverse(name)
        except NoReverseMatch:
            continue
    return links


def _labels() -> SimpleNamespace:
    """The words of the cart's rows, translated once per page: a gettext call per row and cell adds up."""
    return SimpleNamespace(
        price=_("Price"), quantity=_("Quantity"), amount=_("Amount"), stock=_("Availability"), unit=_("Unit"),
        incl_vat=_("with VAT"), excl_vat=_("without VAT"), per=_("per %(unit)s"), on_request=_("Price on request"),
        save=_("Save the quantity"), ok=_("OK"), remove=_("Remove"), remove_name=_("Remove %(name)s"),
        on_order=_("On order"), partly=_("%(quantity)s %(unit)s in stock, the rest on order"),
        expected=_("expected %(date)s"), stock_as_of=_("stock as of %(time)s"),
        price_changed=_("Price changed: was %(old)s, now %(new)s."),
        now_on_request=_("The price is now on request: the line cannot be ordered."),
        stock_changed=_("Availability changed: was “%(old)s”, now “%(new)s”."),
        accept_price=_("Accept the new price"), noted=_("OK, noted"),
        status={status: str(label) for status, label in STATUS_LABELS.items()},
    )


def _line_urls() -> dict[str, str]:
    """URL patterns of a line's forms ("/cart/lines/{}/..."), formatted per line without a reverse() each."""
    return {f"{name}_url": reverse(f"cart:line_{name}", args=[0]).replace("/0/", "/{}/")
            for name in ("update", "remove", "accept")}


def _render_cart(request: HttpRequest, page: CartPage, *, fragment: str = "", line_id: int | None = None,
                 error: CartRefusal | str | None = None, terms_error: str = "", reorder_notes: tuple = ((), ()),
                 status: int = 200) -> HttpResponse:
    """The cart page, or with htmx one of its regions: "cart" (the whole body), "line" (a row with the
    totals and counter out of band) or "totals" (after a removal). `reorder_notes` are the messages of
    a reorder add: (what was added, what was refused)."""
    refusal = error if isinstance(error, CartRefusal) else None
    context = {
        # One token for every form: Jinja2's own `csrf_token` masks a new one at every use.
        "page": page, "fragment": fragment, "line_id": line_id, "token": get_token(request),
        **_line_urls(), "links": _links(), "L": _labels(), "trash_icon": static("img/trash.svg"),
        "order_tools": mark_safe(render_to_string("orders/partials/_order_tools.html")),  # noqa: S308 - a template
        "error": refusal.short_message if refusal else (error or ""),
        "offers": [{"label": label, "value": f"{choice.quantity.normalize():f}:{unit_id or ''}"}
                   for choice, label, unit_id in refusal.offers()] if refusal else [],
        "cart_count": len(page.rows), "terms_error": terms_error,
        "reorder_added": reorder_notes[0], "reorder_errors": reorder_notes[1],
    }
    body = mark_safe(render_to_string("orders/cart.jinja", context, request, using="jinja2"))  # noqa: S308 - Jinja2 escapes
    if fragment:
        return HttpResponse(body, status=status)
    return render(request, "orders/cart.html", {"body": body, "cart_count": len(page.rows),
                                                "csrf_token": context["token"]}, status=status)


@require_GET
@client_action_required(Action.USE_CART)
def cart_detail(request: HttpRequest) -> HttpResponse:
    """The cart: lines in the buyer's units with the client's prices, availability, changes and totals."""
    return _render_cart(request, cart_page(user=request.user))


def _after_line_change(request: HttpRequest, line_id: int, *, error=None, status: int = 200) -> HttpResponse:
    if not request.htmx:
        if error is not None:
            messages.error(request, error.message if isinstance(error, CartRefusal) else error)
        return redirect("cart:detail")
    page = cart_page(user=request.user, terms=False, reorder=False)
    if not any(row.line.pk == line_id for row in page.rows):
        return _whole_cart(request)
    return _render_cart(request, page, fragment="line", line_id=line_id, error=error, status=status)


def _whole_cart(request: HttpRequest, *, terms_error: str = "", reorder_notes: tuple = ((), ()),
                status: int | None = None) -> HttpResponse:
    """The whole cart body, swapped into #cart whatever the element that asked."""
    response = _render_cart(request, cart_page(user=request.user), fragment="cart", terms_error=terms_error,
                            reorder_notes=reorder_notes, status=status or (422 if terms_error else 200))
    return reswap(retarget(response, "#cart"), "outerHTML")


@require_POST
@client_action_required(Action.USE_CART)
def cart_reorder_add(request: HttpRequest) -> HttpResponse:
    """Add products due for reorder to the cart, as the listing's bulk form posts them: a row's own button
    (`only`) adds its row, "add all" every row with a quantity. The cart service refuses what the client
    may not buy (outside its assortment, inactive, no price) and quantities off the multiplicity.

    htmx gets the whole cart (the new lines in it, the suggestions without them, the refusals above
    the suggestions); a plain POST redirects to the cart with a message per refused row.
    """
    lines, errors = _bulk_lines(request)
    added, refused = _add_lines(request, lines) if lines else (0, [])
    problems = [error for _pk, error in errors] + [refusal.message for refusal in refused]
    if not lines and not errors:
        problems.append(_("Enter the quantities of the products to add."))
    done = [ngettext("%(count)s line added to the cart.", "%(count)s lines added to the cart.", added)
            % {"count": added}] if added else []
    if request.htmx:
        return _whole_cart(request, reorder_notes=(done, problems), status=200 if added else 422)
    for message in problems:
        messages.error(request, message)
    if done:
        messages.success(request, done[0])
    return redirect("cart:detail")


@require_POST
@client_action_required(Action.USE_CART)
def cart_line_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a line's quantity and unit. A change of unit alone keeps the quantity (re-counted in the new
    unit); a `choice` button ("quantity:unit") is an offered valid quantity."""
    choice = _choice(request.POST.get("choice"), 2)
    text, unit = choice if choice else (request.POST.get("quantity"), request.POST.get("unit"))
    unit_id, quantity = parse_id(unit), _quantity(text)
    unit_only = (not choice and text == request.POST.get("shown_quantity")
                 and unit != request.POST.get("shown_unit"))
    if quantity is None and not unit_only:
        return _after_line_change(request, pk, error=_quantity_error(), status=422)
    try:
        cart_update_line(user=request.user, line_id=pk, quantity=None if unit_only else quantity, unit_id=unit_id)
    except CartLineRefused as exc:
        return _after_line_change(request, pk, error=exc.refusal, status=422)
    return _after_line_change(request, pk)


@require_POST
@client_action_required(Action.USE_CART)
def cart_line_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a line: htmx gets an empty row with the totals and counter out of band (the empty cart
    when it was the last line)."""
    cart_remove_line(user=request.user, line_id=pk)
    if not request.htmx:
        messages.success(request, _("The line is removed from the cart."))
        return redirect("cart:detail")
    page = cart_page(user=request.user, terms=False, reorder=False)
    if not page.rows:
        return _whole_cart(request)
    return _render_cart(request, page, fragment="totals")


@require_POST
@client_action_required(Action.USE_CART)
def cart_line_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a line's new price and availability as seen (its change flag goes)."""
    access_cart_line_for_user(request.user, pk)
    cart_accept_changes(user=request.user, line_ids=[pk])
    return _after_line_change(request, pk)


@require_POST
@client_action_required(Action.USE_CART)
def cart_accept(request: HttpRequest) -> HttpResponse:
    """Take every line's new price and availability as seen."""
    cart_accept_changes(user=request.user)
    if request.htmx:
        return _whole_cart(request)
    return redirect("cart:detail")


@require_POST
@client_action_required(Action.USE_CART)
def cart_clear_view(request: HttpRequest) -> HttpResponse:
    """Remove every line from the cart."""
    cart_clear(user=request.user)
    if request.htmx:
        return _whole_cart(request)
    messages.success(request, _("The cart is cleared."))
    return redirect("cart:detail")


@require_POST
@client_action_required(Action.USE_CART)
def cart_terms(request: HttpRequest) -> HttpResponse:
    """Choose the legal entity and contract the cart is bought under ("entity:contract", either may be empty)."""
    entity, _sep, contract = request.POST.get("terms", "").partition(":")
    error = ""
    try:
        cart_set_terms(user=request.user, legal_entity_id=parse_id(entity), contract_id=parse_id(contract))
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        return _whole_cart(request, terms_error=error)
    if error:
        messages.error(request, error)
    return redirect("cart:detail")
