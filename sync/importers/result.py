"""What one importer hands back to the run when it finishes, and how the results of several add up."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from .bulk import tally


@dataclass
class ImportResult:
    """What an importer wrote: its counts, `{entity: {"created": n, "updated": n, "unchanged": n, "rejected": n,
    and the rules it counted, e.g. "sku_made_unique": n}}`; the products whose rows it created or changed
    (their search documents are refreshed in the run's transaction); and whether it staged catalog products
    (their deletion marks then win over the same file's offers)."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    product_ids: set[int] = field(default_factory=set)
    staged_products: bool = False

    @classmethod
    def combined(cls, results: Iterable[ImportResult]) -> ImportResult:
        """The results of several importers as one: counts added up per entity and key, the entities in the
        order they were first counted (`bulk.Tally`); products united."""
        results = list(results)
        total = cls(product_ids=set().union(*(result.product_ids for result in results)),
                    staged_products=any(result.staged_products for result in results))
        tallies = sorted(((entity, keys) for result in results for entity, keys in result.counts.items()),
                         key=lambda item: getattr(item[1], "started", math.inf))
        for entity, keys in tallies:
            add_counts(total.counts, {entity: keys})
        return total


def add_counts(total: dict, counts: dict) -> dict:
    """Add `counts` into `total` per entity and key; an entity or key new to `total` goes last (an entity's
    tally is copied, with the number it was started under). Returns `total`."""
    for entity, keys in counts.items():
        if entity not in total:
            total[entity] = copy.copy(keys)
            continue
        into = total[entity]
        for key, n in keys.items():
            into[key] = into.get(key, 0) + n
    return total


def note(counts: dict, entity: str, key: str, n: int = 1) -> None:
    """Count `n` rows under a rule of `entity` (nothing when `n` is 0)."""
    if n:
        into = counts.setdefault(entity, tally())
        into[key] = into.get(key, 0) + n
