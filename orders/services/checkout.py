"""Checkout: placing the cart as an order once per cart revision, drafts and their submission."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Balance, Contract, User
from accounts.roles import Action, require_action
from orders.approval import order_approval
from orders.checkout import (
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
from orders.models import (
    CartLine,
    Order,
    OrderLine,
    OrderSequence,
    OrderStatusChange,
)
from orders.selectors import cart_for_user
from orders.services.cart import _lock_cart, _touch_cart
from orders.services.status import _lock_order, order_transition
from orders.status import OrderStatus


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


