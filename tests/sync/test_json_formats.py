"""The JSON exchange for contracts and balances: the documented examples import, bad files fail with a path."""

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.models import Balance, Contract
from catalog.models import AssortmentItem, ClientPrice, Stock
from tests.factories import LegalEntityFactory, PriceTypeFactory, ProductFactory, RegionFactory, WarehouseFactory

from .helpers import ok, run, written

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
PRODUCT = "bd72d910-55bc-11d9-848a-00112f43529a"


@pytest.fixture
def world():
    le = LegalEntityFactory(inn="7707083893", kpp="773601001")
    LegalEntityFactory(client=le.client, erp_id="le-42")
    PriceTypeFactory(erp_id="bb14a3a4-6b17-11e0-9819-e0cb4ed5eed4")
    ProductFactory(erp_id=PRODUCT)
    RegionFactory(code="spb")
    WarehouseFactory(erp_id="b6112590-41ba-11dd-ac9d-0015e9b8c48d")
    return le


def test_contracts_example_imports_and_reimports_unchanged(world):
    path = DOCS / "erp-contracts.example.json"
    first = ok("contracts", path)

    contract = Contract.objects.get(erp_id="c-7f1e")
    assert (contract.legal_entity, contract.credit_limit, contract.payment_deferral_days) == (
        world, Decimal("500000.00"), 30)
    assert ClientPrice.objects.get().amount == Decimal("1190.00")
    assert AssortmentItem.objects.count() == 1
    assert written(first.counts) == 3
    assert written(ok("contracts", path).counts) == 0


def test_balances_example_imports(world):
    ok("balances", DOCS / "erp-balances.example.json")

    balance = Balance.objects.get(legal_entity=world)
    assert (balance.amount, balance.overdue_debt, balance.shipment_blocked) == (
        Decimal("125000.50"), Decimal("15000.00"), False)
    assert Balance.objects.get(legal_entity__erp_id="le-42").shipment_blocked is True
    assert Stock.objects.get().expected_quantity == 40


@pytest.mark.parametrize(("change", "reason", "where"), [
    (lambda d: d["balances"][0].update(amount=12.5), "does not match the balances JSON Schema", "/balances/0/amount"),
    (lambda d: d["balances"][1].update(overdue_debt="-1"), "does not match", "/balances/1/overdue_debt"),
    (lambda d: d["balances"][0].update(legal_entity={"inn": "5000000000"}), "is not in the portal",
     "/balances/0/legal_entity"),
    (lambda d: d["arrivals"][0].update(product="ghost"), "product ghost does not exist", "/arrivals/0/product"),
])
def test_bad_balances_fail_with_a_path_and_change_nothing(world, tmp_path, change, reason, where):
    data = json.loads((DOCS / "erp-balances.example.json").read_text())
    change(data)
    path = tmp_path / "b.json"
    path.write_text(json.dumps(data))

    result = run("balances", path)

    assert result.status == "failed" and reason in result.error and result.error_location == where
    assert not Balance.objects.exists()


def test_malformed_json(world, tmp_path):
    path = tmp_path / "b.json"
    shutil.copy(DOCS / "erp-balances.example.json", path)
    path.write_text(path.read_text()[:-20])
    result = run("balances", path)
    assert result.error.startswith("malformed JSON") and result.error_location.startswith("line ")
