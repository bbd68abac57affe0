"""What kinds of data a file writes, read from its first records before any run is recorded.

The run's stream and the stream locks follow from it: a catalog (groups, properties, products),
prices (offers with `Цены`), stock (offers with `Склад`, `Остатки` or `Количество`), order documents,
counterparties. 1C writes every offer of a package in one form, so the first offers decide; a
catalog is known at its first group, property or product.
"""

from __future__ import annotations

from .reader import read
from .xml import ExchangeError

#: How many offers are looked at.
OFFERS_TO_LOOK_AT = 50
#: Streams in the order their locks are taken (a stable order: two runs never wait on each other crosswise).
ORDER = ["catalog", "stock", "prices", "counterparties", "order_status"]
SECTION_STREAMS = {"Классификатор": "catalog", "Каталог": "catalog", "Контрагенты": "counterparties"}


def file_streams(path) -> list[str]:
    """The streams whose data the CommerceML file at `path` holds, in lock order; [] when that cannot be
    told (not XML, malformed, JSON): the import then fails or runs under the stream it was given."""
    found: set[str] = set()
    offers = 0
    package_sections: set[str] = set()
    try:
        for kind, data in read(path):
            if kind == "package":
                package_sections.add(data["section"])
                if data["section"] in SECTION_STREAMS and data["section"] != "Классификатор":
                    found.add(SECTION_STREAMS[data["section"]])
            elif kind in ("groups", "property", "product"):
                found.add("catalog")  # a catalog file is a catalog run: its rest is not read
                break
            elif kind == "offer":
                offers += 1
                if data["prices"]:
                    found.add("prices")
                if data["stock"] or data["total"] is not None:
                    found.add("stock")
                if offers >= OFFERS_TO_LOOK_AT:
                    break
            elif kind == "document":
                found.add("order_status")
                break
            elif kind == "counterparty":
                found.add("counterparties")
                break
    except (ExchangeError, OSError, ValueError):
        return []
    if not found and package_sections:  # reference data only: price types, warehouses
        found.add("catalog" if "Классификатор" in package_sections and len(package_sections) == 1 else "stock")
    return [s for s in ORDER if s in found]
