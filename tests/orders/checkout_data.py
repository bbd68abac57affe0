"""Data for the checkout tests: a buyer with a confirmed legal entity, a contract, priced goods in the cart."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Client, Contract, LegalEntity, User
from base.calendar import date_window
from base.models import PriceType, Region, Warehouse
from catalog.models import Product
from orders.checkout import CheckoutTerms
from orders.models import Cart
from orders.selectors import cart_for_user, checkout_page
from orders.services import CartLineInput, cart_add_lines
from tests.factories import (
    ClientUserFactory,
    ContractFactory,
    LegalEntityFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    RegionFactory,
    StockFactory,
    WarehouseFactory,
)


@dataclass
class CheckoutData:
    base: PriceType
    region: Region
    warehouse: Warehouse
    buyer: User
    client: Client
    entity: LegalEntity
    contract: Contract
    products: list[Product]


def make_checkout_data(*, lines: int = 3, quantity: Decimal = Decimal("2"), stock: Decimal = Decimal("40"),
                       email: str | None = None) -> CheckoutData:
    """A buyer (role manager, the client's only user) whose cart holds `lines` goods at 12.50 each."""
    base = PriceTypeFactory()
    region = RegionFactory(base_price_type=base)
    warehouse = WarehouseFactory(region=region, name="Склад на Южной", address="г. Самара, ул. Южная, 5")
    buyer = ClientUserFactory(client__region=region, **({"email": email} if email else {}))
    entity = LegalEntityFactory(client=buyer.client, name="ООО «Стройснаб»",
                                actual_address="г. Самара, ул. Промышленная, 12, склад 3",
                                legal_address="г. Самара, ул. Ленина, 1, офис 10")
    contract = ContractFactory(legal_entity=entity)
    products = []
    for _n in range(lines):
        product = ProductFactory(weight=Decimal("1.250"), volume=Decimal("0.002000"))
        PriceFactory(product=product, price_type=base, amount=Decimal("12.50"))
        StockFactory(product=product, warehouse=warehouse, quantity=stock)
        products.append(product)
    Cart.objects.create(user=buyer, client=buyer.client, legal_entity=entity, contract=contract)
    cart_add_lines(user=buyer, lines=[CartLineInput(product.pk, quantity) for product in products])
    return CheckoutData(base, region, warehouse, buyer, buyer.client, entity, contract, products)


def earliest(data: CheckoutData, method: str = "delivery", now=None) -> datetime.date:
    return date_window(data.region, method, now).earliest


def terms_for(data: CheckoutData, *, method: str = "delivery", day: datetime.date | None = None, now=None,
              **changes) -> CheckoutTerms:
    """Valid terms of the data's buyer: delivery to the actual address, or pickup, on the earliest date."""
    values = {
        "legal_entity": data.entity, "contract": data.contract, "delivery_method": method,
        "delivery_address": data.entity.actual_address if method == "delivery" else "",
        "pickup_warehouse": data.warehouse if method == "pickup" else None,
        "desired_date": day or earliest(data, method, now), "comment": "Позвонить за час",
        "po_number": "PO-77/2026",
    }
    return CheckoutTerms(**{**values, **changes})


def shown(user, now=None) -> tuple[int, str]:
    """The cart revision and quote digest the checkout page carries for the user now."""
    cart = cart_for_user(user=user)
    page = checkout_page(user=user, cart=cart, now=now)
    return cart.revision, page.quote.digest
