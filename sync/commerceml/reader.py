"""One streaming pass over a CommerceML file, yielding plain records for the importers.

What the file is comes from its content, never its name: `Классификатор`/`Каталог` (catalog),
`ПакетПредложений`/`ИзмененияПакетаПредложений` (offers: prices and/or stock), top-level
`Контрагенты` (counterparties), `Документ`/`Контейнер` (documents). The reader yields
`(kind, data)` tuples in file order:

- ("package", {"section": "catalog"|"offers"|"classifier"|..., "partial": bool})
- ("price_type", {...}), ("warehouse", {...}), ("groups", [tree]), ("property", {...}),
  ("unit", {...}), ("product", {...}), ("offer", {...}), ("counterparty", {...}), ("document", {...}),
  each parsed by sync.commerceml.parse
- ("offer_repeat", {...}): an offer the caller said it has read before (by the digest of its bytes), not
  parsed
"""

from __future__ import annotations

import hashlib
import mmap
import re
from collections.abc import Callable
from contextlib import suppress

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
#: The encodings in which `OfferBytes` looks for offers (1C writes UTF-8 or windows-1251).
SEARCHABLE_ENCODINGS = {"utf-8", "utf8", "windows-1251", "cp1251"}
_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")


def refuse_doctype(path) -> None:
    with open(path, "rb") as fh:
        head = fh.read(PROLOG_BYTES)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise ExchangeError("a DOCTYPE or entity declaration is refused (possible XXE attack)", "prolog")


def read(path, repeated: Callable[[str, bytes], bool] | None = None):
    """Yield records of the file at `path`; raises ExchangeError on malformed or hostile XML.

    `repeated(erp_id, digest)`: asked for each offer whose bytes `OfferBytes` found, with their digest; an
    offer it says is known comes as ("offer_repeat", {"erp_id", "digest", "el"}) without being parsed (its
    element is intact until the next record), the others as ("offer", ...) with their "digest" (or None)."""
    refuse_doctype(path)
    try:
        yield from _read(path, repeated)
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


def _read(path, repeated):
    offer_bytes = OfferBytes(path) if repeated is not None else None
    try:
        yield from _elements(path, repeated, offer_bytes)
    finally:
        if offer_bytes is not None:
            offer_bytes.close()


def _elements(path, repeated, offer_bytes):
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
            digest = offer_bytes.digest(el) if offer_bytes is not None else None
            if digest is not None and repeated(digest[0], digest[1]):
                yield "offer_repeat", {"erp_id": digest[0], "digest": digest[1], "el": el}
            else:
                offer = parse_offer(el)
                offer["digest"] = digest[1] if digest is not None else None
                yield "offer", offer
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


class OfferBytes:
    """The bytes of each `<Предложение>…</Предложение>` of a file, found by a byte search next to the parser,
    so that an offer can be told by the digest of its bytes without walking its elements.

    A span is matched to the element the parser gives by its line and its `Ид`; an offer that cannot be
    matched (a namespace prefix or attributes on its tag, an `Ид` that is not its first child or holds
    entities, an encoding other than UTF-8 or windows-1251) has no digest and is read as usual. A comment
    or CDATA section among or inside the offers ends the search for the rest of the file: the bytes no
    longer tell where an offer ends."""

    def __init__(self, path):
        self.data = self._mapped = None
        with open(path, "rb") as fh:
            match = _DECLARED_ENCODING.search(fh.read(200))
            encoding = match.group(1).decode().lower() if match else "utf-8"
            if encoding not in SEARCHABLE_ENCODINGS or not fh.seek(0, 2):
                return
            self.data = self._mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        self.encoding = encoding
        self.open, self.end, self.id_open, self.id_end = (
            tag.encode(encoding) for tag in ("<Предложение>", "</Предложение>", "<Ид>", "</Ид>"))
        self.pos, self.line = 0, 1  # where the search goes on, and the line there

    def digest(self, el) -> tuple[str, bytes] | None:
        """(Ид, digest of the bytes) of the offer `el`, or None when its bytes are not found."""
        data = self.data
        if data is None or not len(el):
            return None
        first = el[0]
        if local(first) != "Ид" or not first.text:
            return None
        erp_id, line = first.text.strip(), el.sourceline
        pos, at_line = self.pos, self.line
        while True:
            start = data.find(self.open, pos)
            end = data.find(self.end, start) if start >= 0 else -1
            if end < 0:
                return None
            end += len(self.end)
            gap, span = data[pos:start], data[start:end]
            if b"<!" in gap or b"<!" in span:
                self.data = None
                return None
            start_line = at_line + gap.count(b"\n")
            if start_line > line:
                return None  # the element's own tag is written otherwise; the span is the next one's
            if start_line == line:
                break
            pos, at_line = end, start_line + span.count(b"\n")  # an offer the parser did not ask about
        at = span.find(self.id_open)
        until = span.find(self.id_end, at)
        if at < 0 or until < 0 or span[at + len(self.id_open):until].decode(self.encoding, "replace").strip() != erp_id:
            return None  # on the element's line but not its span: kept for the next
        self.pos, self.line = end, start_line + span.count(b"\n")
        return erp_id, hashlib.blake2b(span, digest_size=16).digest()

    def close(self) -> None:
        if self._mapped is not None:
            with suppress(BufferError):
                self._mapped.close()
