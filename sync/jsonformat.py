"""The portal's JSON exchange for what CommerceML lacks (docs/erp-exchange.md, docs/schemas/*.schema.json).

Contracts, individual client prices and regional assortment (stream `contracts`); balances, overdue
debt, credit limits, shipment blocks and expected arrivals (stream `balances`). A file is validated
against its JSON Schema before anything is written; a reference to something the portal does not
have (legal entity, product, price type, region, warehouse) fails the run with its path.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from jsonschema import Draft202012Validator, FormatChecker

from accounts.models import Balance, Contract, LegalEntity
from accounts.validators import normalize_requisite
from base.models import PriceType, Region, Warehouse
from catalog.models import AssortmentItem, ClientPrice, Product, Stock

from .commerceml.xml import ExchangeError
from .importers.bulk import tally
from .importers.refs import Refs
from .importers.result import ImportResult

SCHEMAS = Path(settings.BASE_DIR) / "docs" / "schemas"
MAX_BYTES = 256 * 1024 * 1024


@cache
def validator(stream: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"erp-{stream}.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def load(stream: str, path: Path) -> dict:
    if path.stat().st_size > MAX_BYTES:
        raise ExchangeError(f"JSON file larger than {MAX_BYTES} bytes")
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ExchangeError(f"JSON must be UTF-8: {exc.reason}", f"byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise ExchangeError(f"malformed JSON: {exc.msg}", f"line {exc.lineno}, column {exc.colno}") from None
    error = next(iter(sorted(validator(stream).iter_errors(data), key=lambda e: list(e.path))), None)
    if error is not None:
        where = "/" + "/".join(str(p) for p in error.absolute_path)
        raise ExchangeError(f"does not match the {stream} JSON Schema: {error.message}", where)
    return data


def import_json(*, stream: str, path: Path, now) -> ImportResult:
    """Import a JSON file of `stream` once it matches its schema; returns the counts."""
    data = load(stream, Path(path))
    ctx = _Context(now=now)
    if stream == "contracts":
        for i, row in enumerate(data["contracts"]):
            ctx.contract(row, f"/contracts/{i}")
        for i, row in enumerate(data.get("client_prices", [])):
            ctx.client_price(row, f"/client_prices/{i}")
        for i, row in enumerate(data.get("assortment", [])):
            ctx.assortment(row, f"/assortment/{i}")
        if data.get("partial") is False:
            n = Contract.objects.filter(erp_id__isnull=False, is_active=True).exclude(erp_id__in=ctx.seen).update(
                is_active=False)
            ctx.counts.setdefault("contracts", tally())["deactivated_not_listed"] = n
    else:
        for i, row in enumerate(data["balances"]):
            ctx.balance(row, f"/balances/{i}")
        for i, row in enumerate(data.get("arrivals", [])):
            ctx.arrival(row, f"/arrivals/{i}")
    return ImportResult.combined([ImportResult(ctx.refs.counts), ImportResult(ctx.counts)])


def _save(counts: dict, entity: str, obj, values: dict, create) -> None:
    t = counts.setdefault(entity, tally())
    if obj is None:
        create(**values)
        t["created"] += 1
    elif any(getattr(obj, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(obj, k, v)
        obj.save(update_fields=list(values))
        t["updated"] += 1
    else:
        t["unchanged"] += 1


class _Context:
    def __init__(self, *, now):
        self.now, self.refs = now, Refs()
        self.counts: dict = {}
        self.seen: list[str] = []

    def legal_entity(self, ref: dict, where: str) -> LegalEntity:
        qs = LegalEntity.objects.select_related("client")
        le = qs.filter(erp_id=ref["erp_id"]).first() if ref.get("erp_id") else None
        inn, kpp = normalize_requisite(ref.get("inn")), normalize_requisite(ref.get("kpp"))
        if le is None and inn:  # the schema takes ASCII digits only; looked up as the portal stores them
            le = qs.filter(inn=inn, **({"kpp": kpp} if kpp else {})).first()
        if le is None:
            raise ExchangeError(f"legal entity {ref} is not in the portal", where + "/legal_entity")
        return le

    def product(self, erp_id: str, where: str) -> Product:
        product = Product.objects.filter(erp_id=erp_id).first()
        if product is None:
            raise ExchangeError(f"product {erp_id} does not exist in the portal", where)
        return product

    def contract(self, row: dict, where: str) -> None:
        le = self.legal_entity(row["legal_entity"], where)
        price_type = None
        if row.get("price_type"):
            price_type = PriceType.objects.filter(erp_id=row["price_type"]).first()
            if price_type is None:
                raise ExchangeError(f"unknown price type {row['price_type']!r}", where + "/price_type")
        values = {"legal_entity": le, "number": row["number"], "signed_on": date.fromisoformat(row["signed_on"]),
                  "valid_until": date.fromisoformat(row["valid_until"]) if row.get("valid_until") else None,
                  "currency_id": self.refs.currency(row["currency"]),
                  "payment_deferral_days": row.get("payment_deferral_days", 0),
                  "credit_limit": Decimal(row.get("credit_limit", "0")), "price_type": price_type,
                  "is_active": row.get("is_active", True)}
        obj = Contract.objects.filter(erp_id=row["erp_id"]).first()
        _save(self.counts, "contracts", obj, values, lambda **v: Contract.objects.create(erp_id=row["erp_id"], **v))
        self.seen.append(row["erp_id"])

    def client_price(self, row: dict, where: str) -> None:
        le = self.legal_entity(row["legal_entity"], where)
        product = self.product(row["product"], where + "/product")
        contract = None
        if row.get("contract"):
            contract = Contract.objects.filter(erp_id=row["contract"], legal_entity=le).first()
            if contract is None:
                raise ExchangeError(f"contract {row['contract']} of that legal entity is not in the portal",
                                    where + "/contract")
        values = {"amount": Decimal(row["amount"]), "currency_id": self.refs.currency(row["currency"]),
                  "valid_until": date.fromisoformat(row["valid_until"]) if row.get("valid_until") else None}
        obj = ClientPrice.objects.filter(client=le.client, contract=contract, product=product).first()
        _save(self.counts, "client_prices", obj, values, lambda **v: ClientPrice.objects.create(
            client=le.client, contract=contract, product=product, updated_at=self.now, **v))

    def assortment(self, row: dict, where: str) -> None:
        region = Region.objects.filter(code=row["region"]).first() or Region.objects.filter(
            erp_id=row["region"]).first()
        if region is None:
            raise ExchangeError(f"region {row['region']!r} is not in the portal", where + "/region")
        wanted = dict(Product.objects.filter(erp_id__in=row["products"]).values_list("erp_id", "pk"))
        missing = [p for p in row["products"] if p not in wanted]
        if missing:
            raise ExchangeError(f"product {missing[0]} does not exist in the portal", where + "/products")
        have = set(AssortmentItem.objects.filter(region=region).values_list("product_id", flat=True))
        add = set(wanted.values()) - have
        removed, _ = AssortmentItem.objects.filter(region=region).exclude(product_id__in=wanted.values()).delete()
        AssortmentItem.objects.bulk_create([AssortmentItem(region=region, product_id=p) for p in add])
        t = self.counts.setdefault("assortment", tally())
        t["created"] += len(add)
        t["deleted"] = t.get("deleted", 0) + removed
        t["unchanged"] += len(have & set(wanted.values()))

    def balance(self, row: dict, where: str) -> None:
        le = self.legal_entity(row["legal_entity"], where)
        values = {"client": le.client, "currency_id": self.refs.currency(row["currency"]),
                  "amount": Decimal(row["amount"]), "overdue_debt": Decimal(row.get("overdue_debt", "0")),
                  "credit_limit": Decimal(row.get("credit_limit", "0")),
                  "shipment_blocked": row.get("shipment_blocked", False), "block_reason": row.get("block_reason", "")}
        obj = Balance.objects.filter(legal_entity=le).first()
        before = self.counts.get("balances", tally()).get("unchanged", 0)
        _save(self.counts, "balances", obj, values, lambda **v: Balance.objects.create(
            legal_entity=le, confirmed_at=self.now, **v))
        if obj is not None and self.counts["balances"]["unchanged"] == before:
            Balance.objects.filter(pk=obj.pk).update(confirmed_at=self.now)

    def arrival(self, row: dict, where: str) -> None:
        product = self.product(row["product"], where + "/product")
        warehouse = Warehouse.objects.filter(erp_id=row["warehouse"]).first()
        if warehouse is None:
            raise ExchangeError(f"warehouse {row['warehouse']} is not in the portal", where + "/warehouse")
        values = {"expected_on": date.fromisoformat(row["expected_on"]) if row.get("expected_on") else None,
                  "expected_quantity": Decimal(row["expected_quantity"]) if row.get("expected_quantity") else None}
        obj = Stock.objects.filter(product=product, warehouse=warehouse).first()
        _save(self.counts, "arrivals", obj, values, lambda **v: Stock.objects.create(
            product=product, warehouse=warehouse, quantity=0, confirmed_at=self.now, **v))
