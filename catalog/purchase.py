"""The purchase strategy of one viewer: price, availability and whether it can be bought, for many products.

After django-oscar's partner strategy (`Strategy.fetch_for_product` → `PurchaseInfo`): one object
per viewer — the client, the legal entity and contract it buys under, the region whose stock it
sees — answers for a list of products, in two queries whatever their number (prices: one UNION
query, catalog.pricing; stock: one query, catalog.availability). The listing, search, product
page, related products, typeahead, price list and the cart all ask it; it also owns the price
annotation of the listing (sort by price, price range), so the region base formula exists once
(`PricingContext.shown`).

Build it with `purchase_strategy(user=..., legal_entity=..., contract=...)`, the one entry point.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Client, Contract, LegalEntity
from accounts.roles import Action, user_can
from accounts.selectors import client_with_terms
from base.models import Region

from .availability import Availability, availability_for
from .models import Product
from .pricing import PricingContext, ProductPrice, price_products


class CannotBuy(StrEnum):
    """Why a product cannot be put into the cart by this viewer."""

    NOT_A_BUYER = "not_a_buyer"  # a guest, supplier staff or a role without the cart (accountant)
    ON_REQUEST = "on_request"  # no price for this viewer: "price on request"


CANNOT_BUY_LABELS = {
    CannotBuy.NOT_A_BUYER: _("Ordering is open to the client's buyers."),
    CannotBuy.ON_REQUEST: _("Price on request: ask your manager."),
}


@dataclass(frozen=True)
class PurchaseInfo:
    """What a viewer sees of one product: price (None when it sees no prices), availability (None
    without a region), and whether it can be bought (`reason` says why not)."""

    product: Product
    price: ProductPrice | None
    stock: Availability | None
    reason: CannotBuy | None

    @property
    def can_buy(self) -> bool:
        return self.reason is None

    @property
    def reason_label(self) -> str:
        return CANNOT_BUY_LABELS[self.reason] if self.reason else ""


@dataclass(frozen=True)
class PurchaseStrategy:
    """Who buys and under what terms; build it with `purchase_strategy`.

    `client` has its region loaded; `region_id` is the region whose stock is shown (the client's,
    or the guest region); `pricing` is None when the viewer sees no prices.
    """

    user: object
    client: Client | None
    legal_entity: LegalEntity | None
    contract: Contract | None
    region_id: int | None
    pricing: PricingContext | None
    can_order: bool

    @property
    def sees_prices(self) -> bool:
        return self.pricing is not None

    @property
    def cache_key(self) -> str:
        """What changes the listing for this viewer: region, assortment, effective price type, currency."""
        restricted = self.client is not None and self.client.region.assortment_restricted
        pricing = self.pricing and (self.pricing.effective_price_type_id, self.pricing.currency)
        return f"{self.region_id}|{restricted}|{pricing}"

    def fetch(self, products, *, units: bool = False, now: datetime | None = None) -> list[PurchaseInfo]:
        """Purchase info of `products` (Product objects), in their order, in two queries.

        With `units=True` the products' prefetched `units` are priced too (`price.per_unit`).
        """
        products = list(products)
        prices = price_products(self.pricing, products, units=units) if self.pricing else {}
        stock = availability_for(region_id=self.region_id, products=products, now=now)
        result = []
        for product in products:
            price = prices.get(product.pk)
            if not self.can_order:
                reason = CannotBuy.NOT_A_BUYER
            elif price is None or price.on_request:
                reason = CannotBuy.ON_REQUEST
            else:
                reason = None
            result.append(PurchaseInfo(product, price, stock.get(product.pk), reason))
        return result

    def fetch_one(self, product: Product, *, units: bool = False) -> PurchaseInfo:
        return self.fetch([product], units=units)[0]

    def with_list_price(self, products: QuerySet[Product], *, converted: bool = False) -> QuerySet[Product]:
        """`products` annotated for sorting by price (`list_amount`) and, when `converted`, for the price
        range (`list_price`, in the shown currency); unchanged for a viewer without prices."""
        return self.pricing.with_list_price(products, converted=converted) if self.pricing else products


def purchase_strategy(*, user, legal_entity: LegalEntity | None = None,
                      contract: Contract | None = None) -> PurchaseStrategy:
    """The purchase strategy of a user, buying under an optional legal entity and contract.

    A client's user: no query for the session's user, which comes with its client's terms
    (`accounts.selectors.signed_in_user`), one for any other; prices when the role may see them, in the contract's
    currency when it has a real one. The contract should come with `currency` and `price_type` loaded, and
    `legal_entity` is taken from it when not given. Guests see the base prices and stock of the
    first active region only when PORTAL_GUEST_CATALOG is on; supplier staff see no prices.
    Raises ValueError for a legal entity or contract of another client (callers check access first).
    """
    if user.is_authenticated and user.client_id:
        # The price types come along for their VAT rule (PricingContext.vat_excluded).
        client = client_with_terms(user)
        if contract is not None and legal_entity is None:
            legal_entity = contract.legal_entity
        if legal_entity is not None and legal_entity.client_id != client.pk:
            raise ValueError(f"legal entity {legal_entity.pk} is not of client {client.pk}")
        if contract is not None and contract.legal_entity_id != legal_entity.pk:
            raise ValueError(f"contract {contract.pk} is not a contract of legal entity {legal_entity.pk}")
        pricing = _client_pricing(client, contract) if user_can(user, Action.VIEW_PRICES) else None
        return PurchaseStrategy(user, client, legal_entity, contract, client.region_id, pricing,
                                user_can(user, Action.USE_CART))
    if not user.is_authenticated and settings.PORTAL_GUEST_CATALOG:
        region = Region.objects.filter(is_active=True).select_related("base_price_type").order_by("pk").first()
        if region is not None:
            pricing = PricingContext(None, None, None, None, region.base_price_type_id,
                                     currency=settings.PORTAL_DEFAULT_CURRENCY,
                                     vat_excluded=_vat_excluded(region.base_price_type))
            return PurchaseStrategy(user, None, None, None, region.pk, pricing, False)
    return PurchaseStrategy(user, None, None, None, None, None, False)


def _client_pricing(client: Client, contract: Contract | None) -> PricingContext:
    """Price types, discount, coefficient and shown currency of a client under an optional contract."""
    currency, rate = settings.PORTAL_DEFAULT_CURRENCY, Decimal(1)
    if contract is not None and not contract.currency.is_internal:
        currency, rate = contract.currency.code, contract.currency.rate
    return PricingContext(
        client_id=client.pk,
        contract_id=contract.pk if contract else None,
        contract_price_type_id=contract.price_type_id if contract else None,
        client_price_type_id=client.price_type_id,
        base_price_type_id=client.region.base_price_type_id,
        discount_percent=client.discount_percent,
        coefficient=client.price_coefficient,
        currency=currency,
        currency_rate=rate,
        vat_excluded=_vat_excluded(client.region.base_price_type, client.price_type,
                                   contract.price_type if contract else None),
    )


def _vat_excluded(*price_types) -> frozenset[int]:
    """Ids of the given price types (None skipped) whose prices exclude VAT."""
    return frozenset(price_type.pk for price_type in price_types if price_type is not None
                     and not price_type.vat_included)
