"""Independent counts (plain XPath over the fixture files) and snapshots of stored data."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from base.models import PriceType, Warehouse
from catalog.models import Category, Price, Product, Property, Stock
from sync.models import SyncRun
from sync.services import sync_import_file

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "commerceml"


def fixture(name: str) -> Path:
    return FIXTURES / name


def xcount(path: Path, xpath: str) -> int:
    """Count with plain XPath where element names match by local name (see _local)."""
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    return int(tree.xpath(f"count({_local(xpath)})"))


def xvalues(path: Path, xpath: str) -> list[str]:
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    return [(e.text or "").strip() for e in tree.xpath(_local(xpath))]


def _local(xpath: str) -> str:
    """Every Cyrillic element name becomes a local-name() test, so any namespace matches."""
    return re.sub(r"([А-Яа-яЁё][\wЁё]*)", r"*[local-name()='\1']", xpath)


def run(stream: str, path: Path, **kwargs) -> SyncRun:
    return sync_import_file(stream=stream, path=path, source=SyncRun.Source.COMMAND, **kwargs)


def ok(stream: str, path: Path, **kwargs) -> SyncRun:
    result = run(stream, path, **kwargs)
    assert result.status == SyncRun.Status.SUCCESS, (result.error, result.error_location)
    return result


def written(counts: dict) -> int:
    """Rows created, updated, deleted, deactivated or zeroed by a run."""
    total = 0
    for tally in counts.values():
        for key, value in tally.items():
            if key in ("created", "updated", "deleted") or key.startswith(("deactivated", "zeroed")):
                total += value
    return total


def snapshot() -> tuple:
    """Everything an import may touch, as comparable values."""
    return (
        sorted(Category.objects.values_list("erp_id", "name", "parent_id", "is_active")),
        sorted(Property.objects.values_list("erp_id", "name")),
        sorted(Product.objects.values_list("erp_id", "sku", "name", "is_active", "category_id", "updated_at")),
        sorted(PriceType.objects.values_list("erp_id", "name", "currency_id")),
        sorted(Warehouse.objects.values_list("erp_id", "name")),
        sorted(Price.objects.values_list("product_id", "price_type_id", "amount", "currency_id", "updated_at")),
        sorted(Stock.objects.values_list("product_id", "warehouse_id", "quantity", "confirmed_at")),
    )
