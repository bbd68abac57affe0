"""Products in bulk: the catalog merge (import*.xml) and products created from offers.

SKU rules (counted in the run): an empty Артикул takes the product's ERP id (`sku_from_erp_id`);
an Артикул already used by another product (in the file or the portal) gets `-<first 8 of the ERP
id>` appended (`sku_made_unique`). An empty name takes the SKU (`name_from_sku`).
"""

from __future__ import annotations

from catalog.models import Category, Product

from . import bulk
from .refs import Refs
from .result import ImportResult, note

P, C = Product._meta.db_table, Category._meta.db_table
LINKS = Product.property_values.through._meta.db_table


def make_unique_skus(stage: str) -> int:
    """Rename staged SKUs that another product already holds (suffix with the ERP id); returns how many."""
    clashes = bulk.fetch(f"SELECT s.erp_id, s.sku FROM {stage} s JOIN {P} p ON p.sku = s.sku "
                         f"WHERE p.erp_id IS NULL OR p.erp_id <> s.erp_id")
    for erp_id, sku in clashes:
        bulk.execute(f"UPDATE {stage} SET sku = %s WHERE erp_id = %s", [f"{sku[:88]}-{erp_id[:8]}", erp_id])
    return len(clashes)


def merge_catalog_products(*, now, unit_default: int) -> ImportResult:
    """Merge sync_stage_product into products; returns the counts and the ids of the rows written."""
    counts: dict = {}
    note(counts, "products", "sku_made_unique", make_unique_skus("sync_stage_product"))
    tally = counts.setdefault("products", bulk.tally())
    total = bulk.scalar("SELECT count(*) FROM sync_stage_product")
    changed = " OR ".join(f"{P}.{col} IS DISTINCT FROM EXCLUDED.{col}" for col in
                          ("sku", "name", "category_id", "base_unit_id", "weight", "is_active")) + \
        f" OR (EXCLUDED.description <> '' AND {P}.description <> EXCLUDED.description)"
    sql = (
        f"INSERT INTO {P} (erp_id, sku, name, description, category_id, base_unit_id, weight, is_active, "
        "created_at, updated_at, brand, multiplicity, vat_rate) "
        "SELECT s.erp_id, s.sku, s.name, s.description, c.id, COALESCE(s.unit_id, %s), s.weight, s.active, %s, %s, "
        f"'', 1, 22 FROM sync_stage_product s LEFT JOIN {C} c ON c.erp_id = s.category WHERE true "
        "ON CONFLICT (erp_id) DO UPDATE SET sku = EXCLUDED.sku, name = EXCLUDED.name, "
        f"description = CASE WHEN EXCLUDED.description <> '' THEN EXCLUDED.description ELSE {P}.description END, "
        "category_id = EXCLUDED.category_id, base_unit_id = EXCLUDED.base_unit_id, weight = EXCLUDED.weight, "
        f"is_active = EXCLUDED.is_active, updated_at = EXCLUDED.updated_at WHERE {changed}"
    )
    new = bulk.scalar(f"SELECT count(*) FROM sync_stage_product s LEFT JOIN {P} p ON p.erp_id = s.erp_id "
                      "WHERE p.id IS NULL")
    rows = bulk.fetch(sql + " RETURNING id", [unit_default, now, now])
    written = [r[0] for r in rows]
    tally["created"] += new
    tally["updated"] += len(written) - new
    tally["unchanged"] += total - len(written)
    return ImportResult(counts, product_ids=set(written))


def merge_property_links() -> ImportResult:
    """Make the ERP property values of every listed product exactly those of the file; returns the counts and,
    when a link changed, the listed products."""
    tally = bulk.tally()
    listed = f"SELECT p.id FROM sync_stage_product s JOIN {P} p ON p.erp_id = s.erp_id"
    wanted = f"SELECT p.id, v.value_id FROM sync_stage_pv v JOIN {P} p ON p.erp_id = v.product"
    removed = bulk.execute(f"DELETE FROM {LINKS} WHERE product_id IN ({listed}) AND "
                           f"(product_id, propertyvalue_id) NOT IN ({wanted})")
    added = bulk.execute(f"INSERT INTO {LINKS} (product_id, propertyvalue_id) {wanted} WHERE true "
                         "ON CONFLICT (product_id, propertyvalue_id) DO NOTHING")
    tally.update(created=added, deleted=removed)
    return ImportResult({"product_properties": tally}, product_ids=set(listed_ids()) if added or removed else set())


def deactivate_unlisted(*, now, listed: tuple[str, list] | None = None) -> dict:
    """A full catalog: products of the ERP it does not list become inactive (never deleted), and so do
    their characteristics (`<product>#<characteristic>`, which no catalog lists). Returns the counts.

    `listed` is a query of the product ids to keep (those of the exchange cycle); by default the
    products staged from the file.
    """
    sql, params = listed or (f"SELECT p.id FROM sync_stage_product s JOIN {P} p ON p.erp_id = s.erp_id", [])
    n = bulk.execute(f"UPDATE {P} SET is_active = %s, updated_at = %s WHERE is_active AND erp_id IS NOT NULL "
                     f"AND erp_id NOT LIKE '%%#%%' AND id NOT IN ({sql})", [False, now, *params])
    counts: dict = {}
    note(counts, "products", "deactivated_not_in_full_catalog", n)
    note(counts, "products", "deactivated_with_parent", deactivate_characteristics(now=now))
    return counts


def deactivate_characteristics(*, now) -> int:
    """Characteristic products of an inactive parent become inactive with it; returns how many."""
    parent = "split_part(c.erp_id, '#', 1) = p.erp_id" if bulk.is_pg() else "c.erp_id LIKE p.erp_id || '#%%'"
    n = bulk.execute(f"UPDATE {P} SET is_active = %s, updated_at = %s WHERE id IN (SELECT c.id FROM {P} c "
                     f"JOIN {P} p ON {parent} WHERE c.is_active AND c.erp_id LIKE '%%#%%' AND NOT p.is_active)",
                     [False, now])
    return n


def reactivate_offered(*, now, product_ids: set[int], catalog_staged: bool) -> dict:
    """Products an offer lists are sold by the ERP: inactive ones become active again, unless the catalog
    of the same file marks them deleted or, for a characteristic, its parent is inactive. Returns the counts."""
    inactive = set(Product.objects.filter(is_active=False, erp_id__isnull=False).values_list("pk", flat=True))
    ids = sorted(inactive & product_ids)
    if not ids:
        return {}
    deleted = " AND erp_id NOT IN (SELECT erp_id FROM sync_stage_product WHERE NOT active)" if catalog_staged else ""
    parent = "split_part(c.erp_id, '#', 1)" if bulk.is_pg() else "substr(c.erp_id, 1, instr(c.erp_id, '#') - 1)"
    keep = (f" AND NOT EXISTS (SELECT 1 FROM {P} c JOIN {P} p ON p.erp_id = {parent} "
            f"WHERE c.id = {P}.id AND c.erp_id LIKE '%%#%%' AND NOT p.is_active)")
    n = 0
    for start in range(0, len(ids), 10_000):
        chunk = ids[start:start + 10_000]
        marks = ", ".join(["%s"] * len(chunk))
        n += bulk.execute(f"UPDATE {P} SET is_active = %s, updated_at = %s WHERE id IN ({marks}){deleted}{keep}",
                          [True, now, *chunk])
    counts: dict = {}
    note(counts, "products", "reactivated_by_offers", n)
    return counts


def create_from_offers(*, now, refs: Refs) -> ImportResult:
    """Products an offer names but the portal lacks, created from the offer's own data; returns the counts and
    the ids of the products created (units new to the portal are counted by `refs`)."""
    rows = bulk.fetch(f"SELECT s.erp_id, s.sku, s.name, s.unit_code FROM sync_stage_offer s LEFT JOIN {P} p "
                      "ON p.erp_id = s.erp_id WHERE p.id IS NULL AND s.name <> ''")
    if not rows:
        return ImportResult()
    counts: dict = {}
    parents = {p.erp_id: p for p in Product.objects.filter(erp_id__in={r[0].split("#")[0] for r in rows})}
    taken = set(Product.objects.filter(sku__in=[_sku(r, parents) for r in rows]).values_list("sku", flat=True))
    default_unit = refs.unit("796", "шт", "Штука")
    new = []
    for erp_id, sku, name, unit_code in rows:
        parent = parents.get(erp_id.split("#")[0])
        sku = _sku((erp_id, sku, name, unit_code), parents)
        if sku in taken:
            sku = f"{sku[:88]}-{erp_id[-8:]}"
            note(counts, "products", "sku_made_unique")
        taken.add(sku)
        unit_id = refs.unit(unit_code, "", "").pk if unit_code else (parent.base_unit_id if parent else default_unit.pk)
        new.append(Product(erp_id=erp_id, sku=sku, name=name[:500], base_unit_id=unit_id,
                           category_id=parent.category_id if parent else None, created_at=now))
    Product.objects.bulk_create(new, batch_size=2000)
    note(counts, "products", "created", len(new))
    return ImportResult(counts, product_ids=set(Product.objects.filter(erp_id__in=[p.erp_id for p in new])
                                                .values_list("pk", flat=True)))


def _sku(row, parents) -> str:
    erp_id, sku, _name, _unit = row
    base, _, characteristic = erp_id.partition("#")
    if not characteristic:
        return (sku or erp_id)[:100]
    parent = parents.get(base)
    root = sku or (parent.sku if parent else base)
    return f"{root[:90]}#{characteristic[:8]}"


def listed_ids() -> list[int]:
    return [r[0] for r in bulk.fetch(f"SELECT p.id FROM sync_stage_product s JOIN {P} p ON p.erp_id = s.erp_id")]
