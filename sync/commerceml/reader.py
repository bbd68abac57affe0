"""One streaming pass over a CommerceML file, yielding plain records for the importers.

What the file is comes from its content, never its name: `Классификатор`/`Каталог` (catalog),
`ПакетПредложений`/`ИзмененияПакетаПредложений` (offers: prices and/or stock), top-level
`Контрагенты` (counterparties), `Документ`/`Контейнер` (documents). The reader yields
`(kind, data)` tuples in file order:

- ("package", {"section": "catalog"|"offers"|"classifier"|..., "partial": bool})
- ("price_type", {...}), ("warehouse", {...}), ("groups", [tree]), ("property", {...}),
  ("unit", {...}), ("product", {...}), ("offer", {...}), ("counterparty", {...}), ("document", {...}),
  each parsed by sync.commerceml.parse
"""

from __future__ import annotations

from lxml import etree

from .parse import (
    parse_counterparty,
    parse_document,
    parse_group,
    parse_offer,
    parse_price_type,
    parse_product,
    parse_property,
    parse_warehouse,
)
from .xml import ExchangeError, boolean, child, drop_done, iterparse, local, syntax_error

SECTIONS = {"Классификатор", "Каталог", "ПакетПредложений", "ИзмененияПакетаПредложений", "Контрагенты"}
TAGS = [f"{{*}}{name}" for name in (
    "КоммерческаяИнформация", "Классификатор", "Каталог", "ПакетПредложений", "ИзмененияПакетаПредложений",
    "Контрагенты", "Контрагент", "Группы", "Свойства", "СвойствоНоменклатуры", "ТипыЦен", "Склады", "Товар",
    "Предложение", "Документ",
)]

#: How many bytes at the start may hold a DOCTYPE; CommerceML never has one.
PROLOG_BYTES = 65536


def refuse_doctype(path) -> None:
    with open(path, "rb") as fh:
        head = fh.read(PROLOG_BYTES)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise ExchangeError("a DOCTYPE or entity declaration is refused (possible XXE attack)", "prolog")


def read(path):
    """Yield records of the file at `path`; raises ExchangeError on malformed or hostile XML."""
    refuse_doctype(path)
    try:
        yield from _read(path)
    except ExchangeError:
        raise
    except Exception as exc:  # lxml raises XMLSyntaxError, including for truncated files
        if isinstance(exc, etree.XMLSyntaxError):
            raise syntax_error(exc) from None
        raise


def _section_of(el) -> str:
    node = el.getparent()
    while node is not None:
        if local(node) in SECTIONS:
            return local(node)
        node = node.getparent()
    return ""


def _read(path):
    """End events only (the cheapest lxml pass); a section is announced at the first element seen in it,
    by then its start tag (and an early `<СодержитТолькоИзменения>` child) has been parsed.

    Siblings share a parent: its section and name are worked out once per parent, not per element
    (a million-row offers file is 100,000 `Предложение` under one `Предложения`)."""
    root_checked = False
    current = None
    known_parent = known_parent_name = None
    for _, el in iterparse(path, events=("end",), tag=TAGS):
        if not root_checked:
            if local(el.getroottree().getroot()) != "КоммерческаяИнформация":
                raise ExchangeError("not a CommerceML file: the root element is not КоммерческаяИнформация",
                                    f"line {el.sourceline}")
            root_checked = True
        name = local(el)
        if name == "КоммерческаяИнформация":
            continue
        parent = el.getparent()
        if parent is not known_parent:
            section, up = el, parent
            while up.getparent() is not None:
                section, up = up, up.getparent()
            if section is not current:
                current = section
                if local(section) in SECTIONS:
                    yield "package", {"section": local(section), "partial": _partial(section),
                                      "line": section.sourceline}
            known_parent, known_parent_name = parent, local(parent)
        if name == "Предложение" and known_parent_name == "Предложения":
            yield "offer", parse_offer(el)
            drop_done(el)
        else:
            yield from _on_end(name, el, known_parent_name)


def _partial(section) -> bool:
    flag = section.get("СодержитТолькоИзменения")
    if flag is None:  # older writers put it in an element
        element = child(section, "СодержитТолькоИзменения")
        flag = element.text if element is not None else None
    return boolean(flag)


def _on_end(name: str, el, parent_name: str):
    parent = el.getparent()
    if name == "Группы" and parent_name == "Классификатор":
        yield "groups", [parse_group(g) for g in el if local(g) == "Группа"]
        drop_done(el)
    elif name in ("Свойства",) and parent_name == "Классификатор":
        for prop in el:
            if local(prop) in ("Свойство", "СвойствоНоменклатуры"):
                yield "property", parse_property(prop)
        drop_done(el)
    elif name == "ТипыЦен" and parent_name in ("Классификатор", "ПакетПредложений"):
        for pt in el:
            if local(pt) == "ТипЦены":
                yield "price_type", parse_price_type(pt)
        drop_done(el)
    elif name == "Склады" and parent_name in ("Классификатор", "ПакетПредложений", "КоммерческаяИнформация"):
        for wh in el:
            if local(wh) == "Склад":
                yield "warehouse", parse_warehouse(wh)
        drop_done(el)
    elif name == "Товар" and parent_name == "Товары" and _section_of(el) == "Каталог":
        yield "product", parse_product(el)
        drop_done(el)
    elif name == "Контрагент" and parent_name == "Контрагенты" and \
            local(parent.getparent()) == "КоммерческаяИнформация":
        yield "counterparty", parse_counterparty(el)
        drop_done(el)
    elif name == "Документ" and parent_name in ("КоммерческаяИнформация", "Контейнер"):
        yield "document", parse_document(el)
        drop_done(el)
