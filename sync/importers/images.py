"""Product images (`Товар/Картинка`): files next to the imported XML (1C's `import_files/…`).

An image is identified by its ERP path, kept as the media title; a product gets each path once,
so a rerun adds nothing. A path that is unsafe or whose file did not arrive is counted
(`images.missing`), not fatal: 1C often sends the XML without its pictures.
"""

from __future__ import annotations

from pathlib import Path

from django.core.files import File

from catalog.models import Product, ProductMedia

from . import bulk


def attach_images(images: list[tuple[str, str]], *, base_dir: Path | None) -> dict:
    """Attach each (product ERP id, path) not attached yet; returns the counts."""
    tally = bulk.tally()
    products = dict(Product.objects.filter(erp_id__in={e for e, _ in images}).values_list("erp_id", "pk"))
    have = set(ProductMedia.objects.filter(product_id__in=products.values(), kind=ProductMedia.Kind.IMAGE)
               .values_list("product_id", "title"))
    for position, (erp_id, rel) in enumerate(images):
        product_id = products.get(erp_id)
        if product_id is None:
            continue
        if (product_id, rel) in have:
            tally["unchanged"] += 1
            continue
        source = (base_dir / rel).resolve() if base_dir else None
        if source is None or base_dir not in source.parents or not source.is_file():
            tally["missing"] = tally.get("missing", 0) + 1
            continue
        media = ProductMedia(product_id=product_id, kind=ProductMedia.Kind.IMAGE, title=rel[:300],
                             position=position % 30000)
        with open(source, "rb") as fh:
            media.file.save(Path(rel).name, File(fh), save=False)
        media.save()
        have.add((product_id, rel))
        tally["created"] += 1
    return {"images": tally}
