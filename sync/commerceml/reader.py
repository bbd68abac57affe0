"""One streaming pass over a CommerceML file, yielding plain records for the importers.

What the file is comes from its content, never its name: `Классификатор`/`Каталог` (catalog),
`ПакетПредложений`/`ИзмененияПакетаПредложений` (offers: prices and/or stock), top-level
`Контрагенты` (counterparties), `Документ`/`Контейнер` (documents). The reader yields
`(kind, data)` tuples in file order:

- ("package", {"section": "catalog"|"offers"|"classifier"|..., "partial": bool})
- ("price_type", {...}), ("warehouse", {...}), ("groups", [tree]), ("property", {...}),
  ("unit", {...}), ("product", {...}), ("offer", {...}), ("counterparty", {...}), ("document", {...}),
  each parsed by sync.commerceml.parse
- ("offer_repeat", {...}): an offer the caller said it has imported before (by the digest of its bytes),
  not parsed (see `read`)
"""

from __future__ import annotations

import hashlib
import re
from typing import NamedTuple, Protocol

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
from .xml import ExchangeError, boolean, child, drop_done, fromstring, iterparse, local, syntax_error

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
#: How much `OfferBytes` reads at a time, and the longest offer it looks for the end of.
READ_BYTES = 1 << 20
MAX_OFFER_BYTES = 1 << 22
_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")


def refuse_doctype(path) -> None:
    with open(path, "rb") as fh:
        head = fh.read(PROLOG_BYTES)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise ExchangeError("a DOCTYPE or entity declaration is refused (possible XXE attack)", "prolog")


class OfferDigests(Protocol):
    """What the reader asks its caller about offers' bytes (the offers import answers)."""

    def digest_key(self) -> bytes | None:
        """Asked at the first offer: the key of the offers' digests (what they are read with besides their
        bytes), or None when their bytes are not looked for."""

    def repeated(self, erp_id: str, digest: bytes) -> bool:
        """Whether the offer with these bytes is one the caller has imported as it is."""


def read(path, digests: OfferDigests | None = None):
    """Yield records of the file at `path`; raises ExchangeError on malformed or hostile XML.

    With `digests`, each offer whose bytes `OfferBytes` finds comes with its `OfferSpan` ("span"), and one
    `digests.repeated` knows comes as ("offer_repeat", {"erp_id", "span", "el"}) without being parsed
    (`reread_offer` parses it when needed)."""
    refuse_doctype(path)
    try:
        yield from _read(path, digests)
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


def _read(path, digests):
    offers = _Offers(path, digests)
    try:
        yield from _elements(path, offers)
    finally:
        offers.close()


class _Offers:
    """Offer elements to records: parsed, or told by their bytes (`OfferBytes`, set up at the first offer
    when the caller wants digests)."""

    def __init__(self, path, digests: OfferDigests | None):
        self.path, self.digests = path, digests
        self.bytes: OfferBytes | None = None

    def record(self, el) -> tuple[str, dict]:
        if self.digests is not None and self.bytes is None:
            key = self.digests.digest_key()
            if key is not None:
                self.bytes = OfferBytes(self.path, key)
            else:
                self.digests = None
        span = self.bytes.digest(el) if self.bytes is not None else None
        if span is not None and self.digests.repeated(span.erp_id, span.digest):
            return "offer_repeat", {"erp_id": span.erp_id, "span": span, "el": el}
        offer = parse_offer(el)
        offer["span"] = span
        return "offer", offer

    def close(self) -> None:
        if self.bytes is not None:
            self.bytes.close()


def _elements(path, offers: _Offers):
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
            yield offers.record(el)
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


class OfferSpan(NamedTuple):
    """Where an offer's bytes are in its file, and their digest."""

    path: str
    encoding: str
    erp_id: str
    digest: bytes
    offset: int
    size: int
    line: int


class OfferBytes:
    """The bytes of each `<Предложение>…</Предложение>` of a file, found by a byte search next to the parser
    (reading the file a block at a time), so that an offer can be told by the digest of its bytes without
    walking its elements.

    A span is matched to the element the parser gives by its line and its `Ид`; an offer that cannot be
    matched (a namespace prefix or attributes on its tag, an `Ид` that is not its first child or holds
    entities, an encoding other than UTF-8 or windows-1251) has no digest and is read as usual. A comment
    or CDATA section among or inside the offers ends the search for the rest of the file: the bytes no
    longer tell where an offer ends."""

    def __init__(self, path, key: bytes = b""):
        self.path, self.key = str(path), key  # the digests are keyed by what the offers are read with
        self.fh = open(path, "rb")  # noqa: SIM115 - closed by close(), with the reading
        match = _DECLARED_ENCODING.search(self.fh.read(200))
        self.encoding = match.group(1).decode().lower() if match else "utf-8"
        self.fh.seek(0)
        self.broken = self.encoding not in SEARCHABLE_ENCODINGS
        if not self.broken:
            self.open, self.end, self.id_open, self.id_end = (
                tag.encode(self.encoding) for tag in ("<Предложение>", "</Предложение>", "<Ид>", "</Ид>"))
        self.buf, self.base = b"", 0  # the bytes read and not passed yet, and where they start in the file
        self.pos, self.line = 0, 1  # where the search goes on, and the line there

    def digest(self, el) -> OfferSpan | None:
        """Where the offer `el` is in the file and the digest of its bytes, or None when they are not found."""
        if self.broken or not len(el):
            return None
        first = el[0]
        if local(first) != "Ид" or not first.text:
            return None
        erp_id, line = first.text.strip(), el.sourceline
        while True:
            span = self._next_span()
            if span is None:
                return None
            start, end, start_line = span
            if start_line > line:
                return None  # the element's own tag is written otherwise; the span is the next one's
            if start_line == line:
                break
            self._pass(end, start_line)  # an offer the parser did not ask about
        buf, a, b = self.buf, start - self.base, end - self.base
        if buf.find(b"<!", a, b) >= 0:  # a comment or CDATA section inside: its end may not be the offer's
            self.broken = True
            return None
        at = buf.find(self.id_open, a, b)
        until = buf.find(self.id_end, at, b) if at >= 0 else -1
        if until < 0 or buf[at + len(self.id_open):until].decode(self.encoding, "replace").strip() != erp_id:
            return None  # on the element's line but not its span: kept for the next
        self._pass(end, start_line)
        digest = hashlib.blake2b(memoryview(buf)[a:b], digest_size=16, key=self.key).digest()
        return OfferSpan(self.path, self.encoding, erp_id, digest, start, end - start, start_line)

    def _next_span(self) -> tuple[int, int, int] | None:
        """(start, end, line of the start) of the next span after `pos`, not passed yet."""
        while (found := self.buf.find(self.open, self.pos - self.base)) < 0:
            # no offer starts in what was read: pass it but for a tag's length, then read on
            if not self._gap_ends(max(self.pos, self.base + len(self.buf) - len(self.open) + 1)) or not self._fill():
                return None
        start = self.base + found
        if not self._gap_ends(start):
            return None
        while (found := self.buf.find(self.end, start - self.base)) < 0:
            if len(self.buf) - (start - self.base) > MAX_OFFER_BYTES or not self._fill():
                return None
        return start, self.base + found + len(self.end), self.line

    def _gap_ends(self, until: int) -> bool:
        """Pass the bytes between offers up to `until`; False (and no more search) when they hold a comment or
        CDATA section."""
        a, b = self.pos - self.base, until - self.base
        if self.buf.find(b"<!", a, b) >= 0:
            self.broken = True
            return False
        self.pos, self.line = until, self.line + self.buf.count(b"\n", a, b)
        return True

    def _pass(self, end: int, start_line: int) -> None:
        self.line = start_line + self.buf.count(b"\n", self.pos - self.base, end - self.base)
        self.pos = end

    def _fill(self) -> bool:
        """Read the next block, dropping what was passed; False at the end of the file."""
        block = self.fh.read(READ_BYTES)
        if not block:
            return False
        self.buf, self.base = self.buf[self.pos - self.base:] + block, self.pos
        return True

    def close(self) -> None:
        self.fh.close()


def reread_offer(span: OfferSpan) -> dict:
    """The offer at `span`, read again from its file and parsed (its elements' lines as in the file): for an
    offer taken for a repeat that turns out not to be one."""
    with open(span.path, "rb") as fh:
        fh.seek(span.offset)
        data = fh.read(span.size)
    declaration = f'<?xml version="1.0" encoding="{span.encoding}"?>'.encode()
    # the offer starts on its own line: the lines before it are empty here
    return parse_offer(fromstring(declaration + b"\n" * (span.line - 1) + data))
