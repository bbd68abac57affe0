"""What one importer hands back to the run when it finishes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportResult:
    """What an importer wrote besides its counts (which go to the run's `counts`): the products whose rows
    it created or changed (their search documents are refreshed in the run's transaction), and whether it
    staged catalog products (their deletion marks then win over the same file's offers)."""

    product_ids: set[int] = field(default_factory=set)
    staged_products: bool = False
