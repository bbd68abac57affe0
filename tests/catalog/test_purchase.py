"""The purchase strategy: one entry point per viewer, can-buy and why not, the price annotation of the listing."""

from decimal import Decimal

import pytest

from accounts.models import User
from catalog.models import Product
from catalog.pricing import PriceSource
from catalog.purchase import CannotBuy, purchase_strategy
from tests.catalog.factories import ClientPriceFactory
from tests.factories import (
    ClientFactory,
    ClientUserFactory,
    ContractFactory,
    LegalEntityFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    RegionFactory,
    StaffUserFactory,
    StockFactory,
    WarehouseFactory,
    rub,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    base = PriceTypeFactory()
    region = RegionFactory(base_price_type=base)
    warehouse = WarehouseFactory(region=region)
    client = ClientFactory(region=region, discount_percent=Decimal("10"), price_coefficient=Decimal("0.9"))
    priced, unpriced = ProductFactory(), ProductFactory()
    PriceFactory(product=priced, price_type=base, amount=Decimal("100.00"))
    StockFactory(product=priced, warehouse=warehouse, quantity=Decimal("40"))
    return {"base": base, "region": region, "client": client, "priced": priced, "unpriced": unpriced}


def test_buyer_can_buy_priced_products_only(shop):
    buyer = ClientUserFactory(client=shop["client"])
    priced, unpriced = purchase_strategy(user=buyer).fetch([shop["priced"], shop["unpriced"]])
    assert priced.can_buy and priced.price.amount == Decimal("81.00") and priced.stock.total == Decimal("40")
    assert not unpriced.can_buy and unpriced.reason == CannotBuy.ON_REQUEST and unpriced.price.on_request
    assert unpriced.reason_label


@pytest.mark.parametrize("who", ["accountant", "staff", "guest"])
def test_viewers_without_the_cart_cannot_buy(shop, who, settings, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    settings.PORTAL_GUEST_CATALOG = True
    user = {"accountant": lambda: ClientUserFactory(client=shop["client"], role=User.Role.ACCOUNTANT),
            "staff": StaffUserFactory, "guest": AnonymousUser}[who]()
    info = purchase_strategy(user=user).fetch_one(shop["priced"])
    assert info.reason == CannotBuy.NOT_A_BUYER
    # accountants see their price, guests (PORTAL_GUEST_CATALOG) the base price, staff no price
    expected = {"accountant": Decimal("81.00"), "staff": None, "guest": Decimal("100.00")}[who]
    assert (info.price.amount if info.price else None) == expected


def test_contract_and_legal_entity_must_be_the_clients(shop):
    buyer = ClientUserFactory(client=shop["client"])
    own = LegalEntityFactory(client=shop["client"])
    foreign_entity = LegalEntityFactory()
    foreign_contract = ContractFactory(legal_entity=foreign_entity, currency=rub())
    with pytest.raises(ValueError):
        purchase_strategy(user=buyer, legal_entity=foreign_entity)
    with pytest.raises(ValueError):
        purchase_strategy(user=buyer, contract=foreign_contract)
    with pytest.raises(ValueError):
        purchase_strategy(user=buyer, legal_entity=own, contract=foreign_contract)
    contract = ContractFactory(legal_entity=own, currency=rub())
    strategy = purchase_strategy(user=buyer, contract=contract)
    assert strategy.legal_entity == own and strategy.pricing.contract_id == contract.pk


def test_contract_individual_price_applies_only_under_that_contract(shop):
    buyer = ClientUserFactory(client=shop["client"])
    contract = ContractFactory(legal_entity=LegalEntityFactory(client=shop["client"]), currency=rub())
    ClientPriceFactory(client=shop["client"], product=shop["unpriced"], contract=contract, amount=Decimal("55.00"))
    assert not purchase_strategy(user=buyer).fetch_one(shop["unpriced"]).can_buy
    info = purchase_strategy(user=buyer, contract=contract).fetch_one(shop["unpriced"])
    assert info.can_buy and info.price.amount == Decimal("55.00") and info.price.source == PriceSource.INDIVIDUAL


def test_listing_price_annotation_uses_the_same_formula_as_rows(shop):
    """The price range filter's `list_price` equals the row price (region base × coefficient − discount)."""
    strategy = purchase_strategy(user=ClientUserFactory(client=shop["client"]))
    annotated = strategy.with_list_price(Product.objects.filter(pk=shop["priced"].pk), converted=True).get()
    assert round(annotated.list_price, 2) == strategy.fetch_one(shop["priced"]).price.amount
    own = PriceTypeFactory()
    shop["client"].price_type = own
    shop["client"].save()
    PriceFactory(product=shop["priced"], price_type=own, amount=Decimal("70.00"))
    strategy = purchase_strategy(user=ClientUserFactory(client=shop["client"]))
    annotated = strategy.with_list_price(Product.objects.filter(pk=shop["priced"].pk), converted=True).get()
    assert annotated.list_price == strategy.fetch_one(shop["priced"]).price.amount == Decimal("70.00")
