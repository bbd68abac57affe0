"""Catalog packages (import*.xml): groups → category tree, properties → facets, products."""

from __future__ import annotations

import hashlib

from catalog.models import Category, Property, PropertyValue
from catalog.services import category_rebuild_tree

from ..commerceml.xml import ExchangeError
from . import bulk, cycle, products
from .images import attach_images
from .refs import Refs
from .result import ImportResult, note


def _slug(prefix: str, erp_id: str) -> str:
    return f"{prefix}-{hashlib.sha256(erp_id.encode()).hexdigest()[:16]}"


class CatalogImport:
    def __init__(self, *, now, refs: Refs, cycle: int | None = None):
        self.now, self.refs = now, refs
        self.counts: dict = {}  # handed back by `finish`
        self.cycle = cycle  # the 1C exchange session whose end deactivates what a full catalog leaves out
        self.partial = False
        self.has_catalog = False
        self.properties: dict[str, int] = dict(Property.objects.exclude(erp_id=None).values_list("erp_id", "pk"))
        self.values_by_erp: dict[tuple[int, str], int] = {}
        self.values_by_text: dict[tuple[int, str], int] = {}
        for pk, prop, erp, value in PropertyValue.objects.values_list("pk", "property_id", "erp_id", "value"):
            if erp:
                self.values_by_erp[(prop, erp)] = pk
            self.values_by_text[(prop, value)] = pk
        self.stage = bulk.Stage("sync_stage_product", [
            ("erp_id", "varchar(200)"), ("sku", "varchar(200)"), ("name", "text"), ("description", "text"),
            ("category", "varchar(200)"), ("unit_id", "integer"), ("weight", "numeric(12,3)"), ("active", "boolean")])
        self.links = bulk.Stage("sync_stage_pv", [("product", "varchar(200)"), ("value_id", "integer")])
        self.skus: set[str] = set()
        self.ids: set[str] = set()
        self.images: list[tuple[str, str]] = []
        self.base_dir = None  # the folder of the file: images are relative to it

    # -- groups --------------------------------------------------------------------------------
    def groups(self, tree: list[dict]) -> None:
        existing = {c.erp_id: c for c in Category.objects.exclude(erp_id=None)}
        tally = self.counts.setdefault("categories", bulk.tally())
        seen: set[str] = set()

        def walk(nodes, parent, depth):
            for position, node in enumerate(nodes):
                if not node["erp_id"]:
                    raise ExchangeError("a group has no Ид", node["where"])
                if node["erp_id"] in seen:  # real files repeat an Ид: the first one wins, the rest are counted
                    tally["rejected"] += 1
                    walk(node["children"], existing[node["erp_id"]], depth + 1)
                    continue
                seen.add(node["erp_id"])
                cat = existing.get(node["erp_id"])
                name = (node["name"] or node["erp_id"])[:300]
                values = {"name": name, "parent_id": parent.pk if parent else None, "position": position,
                          "is_active": not node["deleted"]}
                if cat is None:
                    cat = Category.objects.create(erp_id=node["erp_id"], slug=_slug("c", node["erp_id"]), **values)
                    existing[cat.erp_id] = cat
                    tally["created"] += 1
                elif any(getattr(cat, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(cat, k, v)
                    cat.save(update_fields=list(values))
                    tally["updated"] += 1
                else:
                    tally["unchanged"] += 1
                walk(node["children"], cat, depth + 1)

        walk(tree, None, 0)

    # -- properties ----------------------------------------------------------------------------
    def property(self, data: dict) -> None:
        if not data["erp_id"]:
            raise ExchangeError("a property has no Ид", data["where"])
        tally = self.counts.setdefault("properties", bulk.tally())
        name = (data["name"] or data["erp_id"])[:200]
        prop = Property.objects.filter(erp_id=data["erp_id"]).first()
        if prop is None:
            prop = Property.objects.create(erp_id=data["erp_id"], name=name, slug=_slug("p", data["erp_id"]))
            tally["created"] += 1
        elif prop.name != name:
            prop.name = name
            prop.save(update_fields=["name"])
            tally["updated"] += 1
        else:
            tally["unchanged"] += 1
        self.properties[prop.erp_id] = prop.pk
        for erp_value, text in data["values"]:
            self._value(prop.pk, erp_value, text)

    def _value(self, prop: int, erp_value: str | None, text: str) -> int | None:
        text = text[:500]
        if not text:
            return None
        if erp_value and (prop, erp_value) in self.values_by_erp:
            return self.values_by_erp[(prop, erp_value)]
        tally = self.counts.setdefault("property_values", bulk.tally())
        pk = self.values_by_text.get((prop, text))
        if pk is None:
            pk = PropertyValue.objects.create(property_id=prop, value=text, erp_id=erp_value or None).pk
            tally["created"] += 1
        elif erp_value:  # same text under a second dictionary id: both ids mean this value
            tally["unchanged"] += 1
        self.values_by_text[(prop, text)] = pk
        if erp_value:
            self.values_by_erp[(prop, erp_value)] = pk
        return pk

    # -- products ------------------------------------------------------------------------------
    def product(self, data: dict) -> None:
        erp_id = data["erp_id"]
        if not erp_id:
            raise ExchangeError("a product has no Ид", data["where"])
        if erp_id in self.ids:
            raise ExchangeError(f"product {erp_id} appears twice in the catalog", data["where"])
        self.ids.add(erp_id)
        sku = data["sku"][:100]
        if not sku:
            sku = erp_id[:100]
            note(self.counts, "products", "sku_from_erp_id")
        if sku in self.skus:
            sku = f"{sku[:88]}-{erp_id[:8]}"
            note(self.counts, "products", "sku_made_unique")
        self.skus.add(sku)
        name = data["name"][:500]
        if not name:
            name = sku
            note(self.counts, "products", "name_from_sku")
        unit = self.refs.unit(*data["unit"]).pk if any(data["unit"]) else None
        self.stage.add(erp_id, sku, name, data["description"], data["groups"][0] if data["groups"] else None,
                       unit, data["weight"], not data["deleted"])
        self.images.extend((erp_id, image) for image in data["images"])
        for prop_erp, value in data["properties"]:
            prop = self.properties.get(prop_erp)
            if prop is None:
                note(self.counts, "product_properties", "rejected")
                continue
            pk = self.values_by_erp.get((prop, value)) or self._value(prop, None, value)
            if pk:
                self.links.add(erp_id, pk)

    def finish(self) -> ImportResult:
        """Merge what was staged; returns the catalog's counts and the products written."""
        category_rebuild_tree()
        if not self.stage.rows:
            return ImportResult(self.counts)
        self.stage.load()
        self.links.load()
        parts = [ImportResult(self.counts, staged_products=True),
                 products.merge_catalog_products(now=self.now, unit_default=self.refs.unit("796", "шт", "Штука").pk),
                 products.merge_property_links()]
        if not self.partial and self.cycle is not None:
            cycle.listed_products(session_id=self.cycle)
        elif not self.partial:
            parts.append(ImportResult(products.deactivate_unlisted(now=self.now)))
        if self.images:
            parts.append(ImportResult(attach_images(self.images, base_dir=self.base_dir)))
        return ImportResult.combined(parts)
