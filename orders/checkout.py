"""Checkout: the terms of an order, its quote (the lines priced on the server, now) and the credit check.

Nothing here writes; the services (`order_place_from_cart`, `order_submit`) call it under the
cart's or the order's lock.

- **Terms** (`CheckoutTerms`, `check_terms`): a confirmed legal entity of the client, a contract
  of it in force (required when it has any), delivery to an address or pickup at an active pickup
  warehouse of the client's region, and a desired date the delivery calendar allows
  (`base.calendar`).
- **Quote** (`quote_items`): the lines priced by the purchase strategy under the chosen legal
  entity and contract, with availability, VAT (included in the price), weight, volume, and a
  `digest` signed with the secret key over what the buyer is shown (currency, terms, and per line
  product, quantity, price and backorder flag). The page carries the digest; a different digest at
  submit means something changed and the buyer confirms the new totals. Prices and quantities
  never come from the request: only the cart's (or draft's) lines in the database count.
  A line is a backorder (под заказ) when the region's stock is less than its quantity.
- **Credit** (`credit_state`, `credit_stop`), from the ERP's `Balance` of the legal entity, whose
  `amount` is the debt to the supplier (positive) or a prepayment (negative), as in the ERP balances
  format (docs/schemas/erp-balances.schema.json):

      available credit = credit_limit − amount − open orders

  where open orders are the legal entity's orders placed but not yet shipped (awaiting approval,
  approved, submitted, accepted, assembling; shipped goods are in the ERP's debt already),
  converted into the balance's currency at the supplier's rates. A credit limit of 0 means the
  ERP gave none (the balances format leaves it out for clients without credit): no limit is
  checked then. Without a Balance row nothing is checked. A shipment block stops checkout with its
  reason and the overdue debt to pay; a total over the available credit stops it with the excess
  to pay. Either way the order can be saved as a draft.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.models import Balance, Contract, LegalEntity
from accounts.selectors import legal_entity_balance, ordering_contracts
from base.calendar import check_date
from base.models import Currency, Warehouse
from catalog.availability import Availability
from catalog.models import Product, ProductUnit
from catalog.pricing import HUNDRED, round_money
from catalog.purchase import CannotBuy, PurchaseInfo, purchase_strategy
from catalog.selectors import visible_products

from .models import Cart, CartLine, Order
from .status import OrderStatus

#: Orders placed but not yet shipped: they will become debt, so they use up the credit limit.
OPEN_STATUSES = (OrderStatus.AWAITING_APPROVAL, OrderStatus.APPROVED, OrderStatus.SUBMITTED,
                 OrderStatus.ACCEPTED, OrderStatus.ASSEMBLING)
GRAM = Decimal("0.001")
CUBIC_CENTIMETRE = Decimal("0.000001")


# Terms


@dataclass(frozen=True)
class CheckoutTerms:
    """Under what terms an order is placed; objects already checked for access by the caller."""

    legal_entity: LegalEntity
    contract: Contract | None
    delivery_method: str = Order.Delivery.DELIVERY
    delivery_address: str = ""
    pickup_warehouse: Warehouse | None = None
    desired_date: datetime.date | None = None
    comment: str = ""
    po_number: str = ""


def pickup_warehouses(region_id: int):
    """The region's active pickup points, in their order."""
    return Warehouse.objects.filter(region_id=region_id, is_active=True, is_pickup_point=True).order_by(
        "position", "name", "pk")


def check_terms(*, user, terms: CheckoutTerms, now: datetime.datetime | None = None, draft: bool = False) -> None:
    """Raise ValidationError (a dict by field) unless an order may be placed under `terms`.

    A draft may leave the desired date empty; a date it gives is checked all the same.
    `user.client` must have its region loaded (the purchase strategy loads it).
    """
    errors: dict[str, str] = {}
    today = timezone.localdate(now or timezone.now())
    entity, contract = terms.legal_entity, terms.contract
    if entity.client_id != user.client_id or not entity.is_confirmed:
        errors["legal_entity"] = _("Choose a confirmed legal entity of your company.")
    else:
        contracts = ordering_contracts(user, on=today).filter(legal_entity=entity)
        if contract is None:
            if contracts.exists():
                errors["contract"] = _("Choose a contract.")
        elif not contracts.filter(pk=contract.pk).exists():
            errors["contract"] = _("The contract is not in force for %(entity)s: choose another one.") % {
                "entity": entity.name}
    region = user.client.region
    if terms.delivery_method == Order.Delivery.PICKUP:
        warehouse = terms.pickup_warehouse
        if warehouse is None or not pickup_warehouses(region.pk).filter(pk=warehouse.pk).exists():
            errors["pickup_warehouse"] = _("Choose a pickup warehouse of your region.")
        date_field = "pickup_date"
    elif terms.delivery_method == Order.Delivery.DELIVERY:
        if not terms.delivery_address.strip():
            errors["delivery_address"] = _("Enter the delivery address.")
        date_field = "delivery_date"
    else:
        raise ValidationError({"delivery_method": _("Choose delivery or pickup.")})
    if terms.desired_date is None:
        if not draft:
            errors[date_field] = _("Choose the desired date.")
    else:
        try:
            check_date(region, terms.delivery_method, terms.desired_date, now)
        except ValidationError as error:
            errors[date_field] = error.messages[0]
    if errors:
        raise ValidationError(errors)


# Quote


@dataclass(frozen=True)
class QuoteItem:
    """What is ordered: `quantity` base units of a product, entered in a unit of `coefficient` base units."""

    product: Product
    quantity: Decimal
    ordered_unit_name: str
    ordered_unit_coefficient: Decimal = Decimal(1)
    comment: str = ""


@dataclass(frozen=True)
class QuoteLine:
    """An item priced now; `problem` says why it cannot be ordered (then price and amount may be None)."""

    item: QuoteItem
    info: PurchaseInfo
    price: Decimal | None
    amount: Decimal | None
    vat: Decimal
    is_backorder: bool
    problem: str = ""

    @property
    def product(self) -> Product:
        return self.item.product

    @property
    def stock(self) -> Availability | None:
        return self.info.stock

    @property
    def expected_on(self) -> datetime.date | None:
        return self.info.stock.expected_on if self.is_backorder and self.info.stock else None

    @property
    def ordered_quantity(self) -> Decimal:
        """The quantity in the unit the buyer chose."""
        return self.item.quantity / self.item.ordered_unit_coefficient


@dataclass(frozen=True)
class Quote:
    lines: list[QuoteLine]
    currency: str
    amount: Decimal
    vat: Decimal
    weight: Decimal
    volume: Decimal
    digest: str

    @property
    def problems(self) -> list[str]:
        return [line.problem for line in self.lines if line.problem]

    @property
    def has_backorders(self) -> bool:
        return any(line.is_backorder for line in self.lines)


def cart_items(cart: Cart) -> list[QuoteItem]:
    """The cart's lines as items, in their order (two queries)."""
    lines = list(CartLine.objects.filter(cart=cart).select_related("product__base_unit", "unit")
                 .order_by("added_at", "pk"))
    coefficients = {
        (product_id, unit_id): coefficient for product_id, unit_id, coefficient in
        ProductUnit.objects.filter(product_id__in=[line.product_id for line in lines if line.unit_id])
        .values_list("product_id", "unit_id", "coefficient")}
    items = []
    for line in lines:
        product = line.product
        coefficient = coefficients.get((line.product_id, line.unit_id))
        if line.unit_id is None or line.unit_id == product.base_unit_id or coefficient is None:
            # A unit the product no longer has: the quantity (in base units) stands, shown in the base unit.
            items.append(QuoteItem(product, line.quantity, product.base_unit.short_name, Decimal(1), line.comment))
        else:
            items.append(QuoteItem(product, line.quantity, line.unit.short_name, coefficient, line.comment))
    return items


def order_items(order: Order) -> list[QuoteItem]:
    """An order's lines as items, in their order (one query)."""
    return [
        QuoteItem(line.product, line.quantity, line.ordered_unit_name or line.unit_name,
                  line.ordered_unit_coefficient, line.comment)
        for line in order.lines.select_related("product__base_unit").order_by("position", "pk")
    ]


def quote_items(*, user, items: list[QuoteItem], legal_entity: LegalEntity | None, contract: Contract | None,
                now: datetime.datetime | None = None) -> Quote:
    """Price `items` for the user under the legal entity and contract, now, in four queries.

    Lines the client may not order (outside its assortment, deactivated, price on request, a
    quantity off the multiplicity) carry a `problem`; they count in no total.
    """
    strategy = purchase_strategy(user=user, legal_entity=legal_entity, contract=contract)
    products = [item.product for item in items]
    infos = strategy.fetch(products, now=now) if products else []
    visible = set(visible_products(user=user).filter(pk__in=[p.pk for p in products]).values_list("pk", flat=True)
                  ) if products else set()
    currency = strategy.pricing.currency if strategy.pricing else settings.PORTAL_DEFAULT_CURRENCY
    lines, amount, vat, weight, volume = [], Decimal(0), Decimal(0), Decimal(0), Decimal(0)
    for item, info in zip(items, infos, strict=True):
        product = item.product
        problem = _problem(item, info, product.pk in visible)
        price = info.price.amount if info.price and not problem else None
        line_amount = round_money(price * item.quantity) if price is not None else None
        line_vat = Decimal(0)
        if line_amount is not None:
            line_vat = round_money(line_amount * product.vat_rate / (HUNDRED + product.vat_rate))
            amount += line_amount
            vat += line_vat
            weight += (product.weight or 0) * item.quantity
            volume += (product.volume or 0) * item.quantity
        backorder = info.stock is None or info.stock.total < item.quantity
        lines.append(QuoteLine(item, info, price, line_amount, line_vat, backorder, problem))
    digest = quote_digest(currency, legal_entity, contract,
                          [(line.product.pk, line.item.quantity, line.price, line.is_backorder) for line in lines])
    return Quote(lines, currency, amount, vat, weight.quantize(GRAM), volume.quantize(CUBIC_CENTIMETRE), digest)


def quote_digest(currency: str, legal_entity: LegalEntity | None, contract: Contract | None, lines) -> str:
    """A signature of what the buyer is shown: `lines` are (product id, quantity, price, backorder)."""
    parts = [currency, str(legal_entity.pk if legal_entity else ""), str(contract.pk if contract else "")]
    parts += [f"{pk}:{quantity.normalize():f}:{'' if price is None else f'{price:.2f}'}:{int(backorder)}"
              for pk, quantity, price, backorder in lines]
    return salted_hmac("orders.checkout.quote", "|".join(parts), algorithm="sha256").hexdigest()


def _problem(item: QuoteItem, info: PurchaseInfo, visible: bool) -> str:
    product = item.product
    name = f"{product.sku} {product.name}"
    if not visible:
        return _("%(name)s is no longer available to you: remove it from the cart.") % {"name": name}
    if info.reason == CannotBuy.ON_REQUEST:
        return _("%(name)s has no price for you (price on request): remove it or ask your manager.") % {
            "name": name}
    if info.reason is not None:
        return info.reason_label
    if item.quantity % product.multiplicity:
        return _("%(name)s is sold in multiples of %(step)s %(unit)s now: change the quantity in the cart.") % {
            "name": name, "step": f"{product.multiplicity.normalize():f}", "unit": product.base_unit.short_name}
    return ""


# Credit


@dataclass(frozen=True)
class CreditState:
    """A legal entity's settlements for checkout; amounts in the balance's currency."""

    balance: Balance | None
    open_orders: Decimal = Decimal(0)

    @property
    def has_limit(self) -> bool:
        return self.balance is not None and self.balance.credit_limit > 0

    @property
    def available(self) -> Decimal | None:
        """Credit left for new orders (the module docstring's formula); None without a limit."""
        if not self.has_limit:
            return None
        return self.balance.credit_limit - self.balance.amount - self.open_orders


@dataclass(frozen=True)
class CreditStop:
    """Why an order may not be placed now, and what to pay to lift that (in `currency`)."""

    code: str  # "shipment_blocked" or "credit_limit"
    message: str
    to_pay: Decimal
    currency: Currency


def credit_state(legal_entity: LegalEntity, *, balance: Balance | None = None) -> CreditState:
    """The legal entity's balance (loaded unless given) and its open orders' total (two queries)."""
    balance = balance or legal_entity_balance(legal_entity)
    if balance is None:
        return CreditState(None)
    rows = (Order.objects.filter(legal_entity=legal_entity, status__in=OPEN_STATUSES)
            .values_list("currency__rate").annotate(total=Sum("total_amount")).order_by())
    open_orders = sum((round_money(total * rate / balance.currency.rate) for rate, total in rows), Decimal(0))
    return CreditState(balance, open_orders)


def credit_stop(state: CreditState, *, total: Decimal, currency_code: str) -> CreditStop | None:
    """Why an order of `total` (in `currency_code`) may not be placed, or None when it may."""
    balance = state.balance
    if balance is None:
        return None
    entity, currency = balance.legal_entity.name, balance.currency
    if balance.shipment_blocked:
        reason = balance.block_reason.strip().rstrip(".")
        if reason:
            message = _("Shipments to %(entity)s are blocked: %(reason)s.") % {"entity": entity, "reason": reason}
        else:
            message = _("Shipments to %(entity)s are blocked by the supplier.") % {"entity": entity}
        if balance.overdue_debt > 0:
            message += " " + _("Pay the overdue debt of %(amount)s to lift the block.") % {
                "amount": money(balance.overdue_debt, currency)}
        else:
            message += " " + _("Ask your manager to lift the block.")
        return CreditStop("shipment_blocked", message, balance.overdue_debt, currency)
    available = state.available
    if available is None:
        return None
    converted = _convert(total, currency_code, currency)
    if converted <= available:
        return None
    to_pay = converted - available
    values = {
        "entity": entity, "total": money(converted, currency), "available": money(available, currency),
        "limit": money(balance.credit_limit, currency), "debt": money(balance.amount, currency),
        "open": money(state.open_orders, currency), "to_pay": money(to_pay, currency),
    }
    message = _("The order total %(total)s is over the credit left to %(entity)s, %(available)s (credit limit "
                "%(limit)s, debt %(debt)s, orders not yet shipped %(open)s). Pay %(to_pay)s to place it.") % values
    return CreditStop("credit_limit", message, to_pay, currency)


def _convert(amount: Decimal, code: str, to: Currency) -> Decimal:
    if code == to.code:
        return amount
    rate = Currency.objects.filter(code=code).values_list("rate", flat=True).first() or Decimal(1)
    return round_money(amount * rate / to.rate)


def money(amount: Decimal, currency: Currency) -> str:
    """An amount with kopecks and grouped thousands in the active language, and the currency's symbol."""
    return f"{number_format(amount, 2, force_grouping=True)}\u00a0{currency.symbol or currency.code}"
