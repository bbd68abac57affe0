"""Safe streaming XML helpers shared by the CommerceML readers.

Every element is matched by its local name (`{*}Name`), so files with no namespace,
`urn:1C.ru:commerceml_2`, `..._210` or `..._3` read the same. Bytes go to the parser, which
honours the declared encoding (UTF-8 with or without BOM, windows-1251).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from lxml import etree


class ExchangeError(Exception):
    """A bad input that fails the whole run: a specific reason and where it was found."""

    def __init__(self, reason: str, location: str = ""):
        self.reason, self.location = reason, location
        super().__init__(f"{reason} ({location})" if location else reason)


#: lxml's options for every CommerceML read: entities, DTD loading and network access switched off.
SAFE_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": True,
                "remove_comments": True, "remove_pis": True}


def iterparse(source, *, events=("end",), tag=None):
    """lxml iterparse with SAFE_OPTIONS."""
    return etree.iterparse(source, events=events, tag=tag, **SAFE_OPTIONS)


def fromstring(data: bytes):
    """lxml fromstring with SAFE_OPTIONS."""
    return etree.fromstring(data, etree.XMLParser(**SAFE_OPTIONS))


def local(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def child(el, name: str):
    for c in el:
        if local(c) == name:
            return c
    return None


def children(el, name: str):
    return [c for c in el if local(c) == name]


def text(el, name: str, default: str = "") -> str:
    c = child(el, name)
    if c is None or c.text is None:
        return default
    return c.text.strip()


def path_of(el) -> str:
    """A short human location: the element path and its source line."""
    names = []
    node = el
    while node is not None and len(names) < 4:
        names.append(local(node))
        node = node.getparent()
    return f"{'/'.join(reversed(names))}, line {el.sourceline}"


_SPACES = re.compile(r"[\s\u00a0]+")


def decimal(value: str | None, *, what: str, where: str) -> Decimal | None:
    """A decimal from CommerceML text: comma or dot, spaces as thousands separators; None when empty."""
    if value is None:
        return None
    cleaned = _SPACES.sub("", value).replace(",", ".")
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ExchangeError(f"{what} is not a number: {value!r}", where) from None
    if not number.is_finite():
        raise ExchangeError(f"{what} is not a number: {value!r}", where)
    return number


def plain_number(raw: str) -> bool:
    """ASCII digits with at most one decimal point: valid as it is in COPY text, so no Decimal is built
    on the hot path (anything else goes through `decimal`)."""
    return raw.isascii() and raw.replace(".", "", 1).isdigit()


def boolean(value: str | None) -> bool:
    return (value or "").strip().lower() in {"true", "1", "да", "yes"}


def drop_done(el) -> None:
    """Free a processed element and the siblings before it (the streaming memory bound)."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def syntax_error(exc: etree.XMLSyntaxError) -> ExchangeError:
    line = exc.position[0] if getattr(exc, "position", None) else getattr(exc, "lineno", "?")
    msg = str(exc.msg if hasattr(exc, "msg") else exc)
    if "Entity" in msg or "entity" in msg:
        return ExchangeError(f"entity declarations are refused (possible XXE): {msg}", f"line {line}")
    return ExchangeError(f"malformed XML: {msg}", f"line {line}")
