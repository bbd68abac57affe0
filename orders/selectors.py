"""Reads of the orders app, scoped to the user's client."""

from dataclasses import dataclass
from decimal import Decimal

from accounts.roles import Action, user_can
from catalog.pricing import round_money
from catalog.purchase import PurchaseInfo, PurchaseStrategy, purchase_strategy

from .models import Cart, CartLine, Order


@dataclass(frozen=True)
class PricedCartLine:
    """A cart line with what the purchase strategy says of its product; `amount` is None without a price."""

    line: CartLine
    info: PurchaseInfo

    @property
    def amount(self) -> Decimal | None:
        price = self.info.price
        return None if price is None or price.amount is None else round_money(price.amount * self.line.quantity)


def cart_for_user(*, user) -> Cart | None:
    """The user's cart with its chosen legal entity and contract (and the contract's currency) loaded."""
    return Cart.objects.select_related("legal_entity", "contract__currency").filter(user=user).first()


def cart_strategy(*, user, cart: Cart | None = None) -> PurchaseStrategy:
    """The purchase strategy of the user under the cart's legal entity and contract (the cart is
    loaded when not given): cart lines are priced as they will be ordered."""
    cart = cart if cart is not None else cart_for_user(user=user)
    if cart is None:
        return purchase_strategy(user=user)
    return purchase_strategy(user=user, legal_entity=cart.legal_entity, contract=cart.contract)


def cart_lines(*, user) -> list[PricedCartLine]:
    """The lines of the user's cart, priced under the cart's contract, in five queries whatever their number."""
    cart = cart_for_user(user=user)
    if cart is None:
        return []
    lines = list(cart.lines.select_related("product__base_unit", "unit").order_by("added_at", "pk"))
    infos = cart_strategy(user=user, cart=cart).fetch([line.product for line in lines])
    return [PricedCartLine(line, info) for line, info in zip(lines, infos, strict=True)]


def cart_line_count(*, user) -> int:
    """Number of lines in the user's cart (the header counter)."""
    if not user.is_authenticated or not user.client_id:
        return 0
    return CartLine.objects.filter(cart__user=user).count()


def orders_for_user(*, user):
    """Orders the user's role lets them see, newest first: all of the client's (administrator,
    accountant, a buyer where the client allows it) or only their own (buyer); none otherwise.
    """
    if not user_can(user, Action.VIEW_OWN_ORDERS):
        return Order.objects.none()
    orders = Order.objects.filter(client_id=user.client_id)
    if not user_can(user, Action.VIEW_ALL_ORDERS):
        orders = orders.filter(created_by=user)
    return (
        orders
        .select_related("legal_entity", "contract", "created_by", "currency", "pickup_warehouse")
        .order_by("-created_at", "-pk")
    )
