"""Apply one exchange file: read it (by content), import every section, inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .commerceml import reader
from .commerceml.xml import ExchangeError
from .importers.catalog import CatalogImport
from .importers.counterparties import CounterpartyImport
from .importers.documents import DocumentImport
from .importers.offers import OffersImport
from .importers.pipeline import from_merge_thread
from .importers.refs import Refs
from .importers.result import ImportResult
from .jsonformat import import_json

#: CommerceML sections each stream accepts (a file of another kind fails the run, with the reason).
STREAM_SECTIONS = {
    "catalog": {"Классификатор", "Каталог", "ПакетПредложений", "ИзмененияПакетаПредложений"},
    "prices": {"Классификатор", "ПакетПредложений", "ИзмененияПакетаПредложений"},
    "stock": {"Классификатор", "ПакетПредложений", "ИзмененияПакетаПредложений"},
    "counterparties": {"Контрагенты", "Классификатор"},
    "order_status": {"Документ"},
}
JSON_STREAMS = {"contracts", "balances"}
#: The element each reader record comes from, to say where an unexpected error happened.
RECORD_ELEMENTS = {"package": "section", "groups": "Группы", "property": "Свойство", "product": "Товар",
                   "price_type": "ТипЦены", "warehouse": "Склад", "offer": "Предложение",
                   "offer_repeat": "Предложение",
                   "counterparty": "Контрагент", "document": "Документ"}


@dataclass
class FileResult:
    """What a file's import wrote: the run's counts and the products whose rows it created or changed."""

    counts: dict
    product_ids: set[int] = field(default_factory=set)


class FileImport:
    """Dispatches reader records to the importers, merges at the end and adds up what they return."""

    def __init__(self, *, stream: str, now, progress=None, cycle: int | None = None):
        self.stream, self.now, self.progress, self.cycle = stream, now, progress, cycle
        self.refs = Refs()
        self.catalog: CatalogImport | None = None
        self.offers: OffersImport | None = None
        self.documents = None
        self.counterparties = None
        self.sections: list[str] = []
        self.section = ""
        self.base_dir: Path | None = None
        self._last: tuple | None = None  # the record being dispatched when an error escaped
        self._merging = False

    def _catalog(self) -> CatalogImport:
        if self.catalog is None:
            self.catalog = CatalogImport(now=self.now, refs=self.refs, cycle=self.cycle)
            self.catalog.base_dir = self.base_dir
        return self.catalog

    def _offers(self) -> OffersImport:
        if self.offers is None:
            self.offers = OffersImport(now=self.now, refs=self.refs, cycle=self.cycle)
        return self.offers

    def run(self, path: Path) -> FileResult:
        self.base_dir = Path(path).resolve().parent
        if self.stream in JSON_STREAMS:
            return FileResult(import_json(stream=self.stream, path=path, now=self.now).counts)
        try:
            return self._read(path)
        finally:
            if self.offers is not None:
                self.offers.close()

    def _read(self, path: Path) -> FileResult:
        kind = data = None
        try:
            for n, (kind, data) in enumerate(reader.read(path, digests=self), start=1):
                self._dispatch(kind, data)
                if self.progress and n % 20000 == 0:
                    self.progress(n)
        except Exception as exc:
            if from_merge_thread(exc):  # a chunk merged on the other thread: not the record at hand
                self._merging = True
            else:
                self._last = (kind, data)  # read only on the way out: nothing added per record
            raise
        if not self.sections:
            raise ExchangeError("the file holds no CommerceML section (Классификатор, Каталог, ПакетПредложений, "
                                "Контрагенты or Документ)")
        self._merging = True
        catalog = self.catalog.finish() if self.catalog is not None else ImportResult()
        parts = [catalog]
        if self.offers is not None:
            parts.append(self.offers.finish(catalog_staged=catalog.staged_products))
        parts += [part.finish() for part in (self.counterparties, self.documents) if part is not None]
        result = ImportResult.combined([ImportResult(self.refs.counts), *parts])
        return FileResult(result.counts, result.product_ids)

    def where(self) -> str:
        """Where the import was when an unexpected error escaped: the element and line, or the merge."""
        if self._last is None or self._last[0] is None:
            return "while writing the file's data" if self._merging else ""
        kind, data = self._last
        element = RECORD_ELEMENTS.get(kind, kind)
        if isinstance(data, dict):
            erp_id = data.get("erp_id") or data.get("section") or ""
            source = data.get("el")
            line = data.get("line") or (source.sourceline if source is not None else None)
            where = data.get("where", "")
        else:  # the groups of a classifier: a list
            erp_id, line, where = "", None, ""
        if where:  # already "path/of/the/element, line N"
            return f"{where} ({erp_id})" if erp_id else where
        return ", ".join(p for p in (f"{element} {erp_id}".strip(), f"line {line}" if line else "") if p)

    def _allow(self, section: str, line) -> None:
        allowed = STREAM_SECTIONS.get(self.stream, set())
        if section not in allowed:
            raise ExchangeError(f"a {section} section does not belong to the {self.stream} stream", f"line {line}")
        self.sections.append(section)
        self.section = section

    def _dispatch(self, kind: str, data) -> None:
        if kind == "package":
            self._allow(data["section"], data["line"])
            if data["section"] == "Каталог":
                self._catalog().partial = data["partial"]
                self._catalog().has_catalog = True
            elif data["section"] in ("ПакетПредложений", "ИзмененияПакетаПредложений"):
                self._offers().partial = data["partial"] or data["section"] == "ИзмененияПакетаПредложений"
            return
        if kind == "groups":
            self._catalog().groups(data)
        elif kind == "property":
            self._catalog().property(data)
        elif kind == "product":
            self._catalog().product(data)
        elif kind == "price_type":
            self._offers().price_type(data)
        elif kind == "warehouse":
            self._offers().warehouse(data)
        elif kind == "offer":
            self._offers().offer(data)
        elif kind == "offer_repeat":
            self._offers().repeat(data)
        elif kind == "counterparty":
            self._counterparties().counterparty(data)
        elif kind == "document":
            if "Документ" not in self.sections:
                self._allow("Документ", data["line"])
            self._documents().document(data)

    def digest_key(self) -> bytes | None:
        """`reader.OfferDigests`, answered by the offers import."""
        return self.offers.digest_key() if self.offers is not None else None

    def repeated(self, erp_id: str, digest: bytes) -> bool:
        return self.offers.repeated(erp_id, digest)

    def _counterparties(self):
        if self.counterparties is None:
            self.counterparties = CounterpartyImport()
        return self.counterparties

    def _documents(self):
        if self.documents is None:
            self.documents = DocumentImport(now=self.now)
        return self.documents
