"""The invoice for payment (счёт на оплату) of an order: the supplier's requisites from settings
(PORTAL_SUPPLIER_*), the buyer's from the legal entity, VAT by rate and the amount in words.

Line prices include VAT, as the catalog shows them: the VAT of a line is amount × rate / (100 + rate).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from base.words import rubles_in_words
from catalog.pricing import round_money

from .models import Order
from .status import OrderStatus

#: Orders not (or no longer) going to the supplier have no invoice.
NO_INVOICE_STATUSES = frozenset({OrderStatus.DRAFT, OrderStatus.REJECTED, OrderStatus.CANCELLED})


def has_invoice(order: Order) -> bool:
    return order.status not in NO_INVOICE_STATUSES


@dataclass(frozen=True)
class Supplier:
    name: str
    inn: str
    kpp: str
    address: str
    bank: str
    bik: str
    account: str
    correspondent_account: str
    director: str
    accountant: str


@dataclass(frozen=True)
class Invoice:
    order: Order
    supplier: Supplier
    bank_account: object | None  # the buyer's primary accounts.BankAccount
    vat: list[tuple[Decimal, Decimal]]  # (rate, amount) per rate, rates ascending
    vat_total: Decimal
    amount_in_words: str  # empty for a currency other than the ruble


def supplier() -> Supplier:
    return Supplier(**{field: getattr(settings, f"PORTAL_SUPPLIER_{field.upper()}", "")
                       for field in Supplier.__dataclass_fields__})


def order_invoice(order: Order) -> Invoice:
    """The invoice of an order whose lines and legal entity's bank accounts are loaded or loadable."""
    by_rate: dict[Decimal, Decimal] = {}
    for line in order.lines.all():
        rate = line.vat_rate or Decimal(0)
        by_rate[rate] = by_rate.get(rate, Decimal(0)) + line.amount * rate / (100 + rate)
    vat = [(rate, round_money(amount)) for rate, amount in sorted(by_rate.items()) if rate]
    accounts = list(order.legal_entity.bank_accounts.all())
    bank_account = next((item for item in accounts if item.is_primary), accounts[0] if accounts else None)
    words = rubles_in_words(order.total_amount) if order.currency.code in ("RUB", "RUR") else ""
    return Invoice(order=order, supplier=supplier(), bank_account=bank_account, vat=vat,
                   vat_total=sum((amount for _, amount in vat), Decimal(0)), amount_in_words=words)
