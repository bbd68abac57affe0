"""Prices of the purchase strategy: every rule and its precedence in one table; conversion, rounding, queries."""

from decimal import Decimal

import pytest

from catalog.pricing import PriceSource, round_money
from catalog.purchase import purchase_strategy
from tests.catalog.factories import ClientPriceFactory, currency
from tests.factories import (
    ClientFactory,
    ClientUserFactory,
    ContractFactory,
    LegalEntityFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    RegionFactory,
    rub,
)

pytestmark = pytest.mark.django_db


def _prices(client, products, contract=None):
    """Prices of `products` for a buyer of `client` under `contract`, through the purchase strategy."""
    strategy = purchase_strategy(user=ClientUserFactory(client=client), contract=contract)
    return {info.product.pk: info.price for info in strategy.fetch(products)}

# (case, what exists, discount %, coefficient, expected amount, expected source)
CASES = [
    ("base only", {"base": "100.00"}, "0", "1", "100.00", PriceSource.REGION_BASE),
    ("base with discount", {"base": "100.00"}, "10", "1", "90.00", PriceSource.REGION_BASE),
    ("base with markup", {"base": "100.00"}, "-5", "1", "105.00", PriceSource.REGION_BASE),
    ("base with dealer coefficient", {"base": "100.00"}, "0", "0.85", "85.00", PriceSource.REGION_BASE),
    ("coefficient and discount", {"base": "100.00"}, "10", "0.9", "81.00", PriceSource.REGION_BASE),
    ("client type beats base", {"base": "100.00", "client_type": "95.00"}, "10", "0.5", "95.00",
     PriceSource.CLIENT_PRICE_TYPE),
    ("contract type beats client type", {"base": "100", "client_type": "95", "contract_type": "93"}, "0", "1",
     "93.00", PriceSource.CONTRACT_PRICE_TYPE),
    ("individual beats price types", {"base": "100", "client_type": "95", "contract_type": "93",
                                       "individual": "80"}, "0", "1", "80.00", PriceSource.INDIVIDUAL),
    ("contract individual beats client individual", {"base": "100", "individual": "80",
                                                      "contract_individual": "77"}, "0", "1", "77.00",
     PriceSource.INDIVIDUAL),
    ("expired individual ignored", {"base": "100", "expired_individual": "50"}, "0", "1", "100.00",
     PriceSource.REGION_BASE),
    ("other contract's individual ignored", {"base": "100", "other_contract_individual": "50"}, "0", "1",
     "100.00", PriceSource.REGION_BASE),
    ("no price: on request", {}, "0", "1", None, PriceSource.ON_REQUEST),
    # the coefficient as stored (4 decimals): 10.00 × 0.1235 = 1.235 → 1.24
    ("rounding half-up", {"base": "10.00"}, "0", "0.1235", "1.24", PriceSource.REGION_BASE),
    ("rounding half-up at .5", {"base": "0.10"}, "0", "0.05", "0.01", PriceSource.REGION_BASE),
]


@pytest.mark.parametrize(("case", "rows", "discount", "coefficient", "expected", "source"), CASES,
                         ids=[case[0] for case in CASES])
def test_price_rules(case, rows, discount, coefficient, expected, source):
    import datetime

    base, client_type, contract_type = PriceTypeFactory(), PriceTypeFactory(), PriceTypeFactory()
    region = RegionFactory(base_price_type=base)
    client = ClientFactory(region=region, discount_percent=Decimal(discount), price_coefficient=Decimal(coefficient),
                           price_type=client_type if "client_type" in rows else None)
    entity = LegalEntityFactory(client=client)
    contract = ContractFactory(legal_entity=entity, price_type=contract_type if "contract_type" in rows else None,
                               currency=rub())
    other = ContractFactory(legal_entity=entity, currency=rub())
    product = ProductFactory()
    for key, price_type in (("base", base), ("client_type", client_type), ("contract_type", contract_type)):
        if key in rows:
            PriceFactory(product=product, price_type=price_type, amount=Decimal(rows[key]))
    if "individual" in rows:
        ClientPriceFactory(client=client, product=product, amount=Decimal(rows["individual"]))
    if "contract_individual" in rows:
        ClientPriceFactory(client=client, product=product, contract=contract,
                           amount=Decimal(rows["contract_individual"]))
    if "other_contract_individual" in rows:
        ClientPriceFactory(client=client, product=product, contract=other,
                           amount=Decimal(rows["other_contract_individual"]))
    if "expired_individual" in rows:
        ClientPriceFactory(client=client, product=product, amount=Decimal(rows["expired_individual"]),
                           valid_until=datetime.date(2020, 1, 1))
    price = _prices(client, [product], contract)[product.pk]
    assert price.source == source
    assert price.amount == (Decimal(expected) if expected else None)
    assert price.on_request is (expected is None)


def test_foreign_and_internal_currency_converted_at_supplier_rate():
    usd, xxu = currency("USD", "92.5"), currency("XXU", "105.123456", internal=True)
    base = PriceTypeFactory()
    client = ClientFactory(region=RegionFactory(base_price_type=base))
    in_usd, in_xxu = ProductFactory(), ProductFactory()
    PriceFactory(product=in_usd, price_type=base, amount=Decimal("10.01"), currency=usd)
    PriceFactory(product=in_xxu, price_type=base, amount=Decimal("3.33"), currency=xxu)
    prices = _prices(client, [in_usd, in_xxu])
    assert prices[in_usd.pk].amount == Decimal("925.93")  # 925.925 → half-up
    assert prices[in_xxu.pk].amount == Decimal("350.06")  # 350.06110848
    assert prices[in_usd.pk].currency == "RUB"


def test_contract_in_foreign_currency_shows_that_currency():
    eur = currency("EUR", "100")
    base = PriceTypeFactory()
    client = ClientFactory(region=RegionFactory(base_price_type=base))
    contract = ContractFactory(legal_entity=LegalEntityFactory(client=client), currency=eur)
    product = ProductFactory()
    PriceFactory(product=product, price_type=base, amount=Decimal("1234.56"))
    price = _prices(client, [product], contract)[product.pk]
    assert (price.amount, price.currency) == (Decimal("12.35"), "EUR")


def test_price_per_alternative_unit_and_rounding():
    assert round_money(Decimal("0.005")) == Decimal("0.01")
    assert round_money(Decimal("2.675")) == Decimal("2.68")
    base = PriceTypeFactory()
    client = ClientFactory(region=RegionFactory(base_price_type=base))
    product = ProductFactory()
    PriceFactory(product=product, price_type=base, amount=Decimal("3.33"))
    price = _prices(client, [product])[product.pk]
    assert price.for_coefficient(Decimal("12")) == Decimal("39.96")


def test_contract_of_another_client_is_refused():
    client = ClientFactory(region=RegionFactory())
    foreign = ContractFactory(legal_entity=LegalEntityFactory(), currency=rub())
    with pytest.raises(ValueError):
        purchase_strategy(user=ClientUserFactory(client=client), contract=foreign)


def test_many_products_priced_in_one_query(django_assert_num_queries):
    """Prices are one query and stock one more, whatever the number of products."""
    base, own = PriceTypeFactory(), PriceTypeFactory()
    client = ClientFactory(region=RegionFactory(base_price_type=base), price_type=own)
    products = ProductFactory.create_batch(30)
    for product in products:
        PriceFactory(product=product, price_type=base)
    ClientPriceFactory(client=client, product=products[0])
    strategy = purchase_strategy(user=ClientUserFactory(client=client))
    with django_assert_num_queries(2):
        infos = strategy.fetch(products)
    assert len(infos) == 30 and infos[0].price.source == PriceSource.INDIVIDUAL


def test_a_price_says_whether_it_includes_vat_by_its_price_type():
    """A price type's `vat_included` rules its prices; an individual price follows the effective price type."""
    base, net = PriceTypeFactory(), PriceTypeFactory(vat_included=False)
    client = ClientFactory(region=RegionFactory(base_price_type=base))
    contract = ContractFactory(legal_entity=LegalEntityFactory(client=client), currency=rub(), price_type=net)
    by_base, by_contract, individual = ProductFactory.create_batch(3)
    PriceFactory(product=by_base, price_type=base)
    PriceFactory(product=by_contract, price_type=net)
    ClientPriceFactory(client=client, product=individual)
    prices = _prices(client, [by_base, by_contract, individual], contract=contract)
    assert [prices[product.pk].vat_included for product in (by_base, by_contract, individual)] == [True, False, False]
    strategy = purchase_strategy(user=ClientUserFactory(client=client), contract=contract)
    assert not strategy.pricing.vat_included() and strategy.pricing.vat_included(PriceSource.REGION_BASE)
    assert _prices(client, [individual])[individual.pk].vat_included  # without the contract: the base type's rule
