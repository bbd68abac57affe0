"""Offers packages (offers*.xml, prices*.xml, rests*.xml): price types, warehouses, prices, stock.

Rules (docs/erp-exchange.md):
- an offer `product#characteristic` is its own product (an orderable variant); when it does not
  exist yet it is created from the offer (name, unit, SKU `<Артикул or product Ид>#<first 8 of the
  characteristic>`, the category of the parent product);
- an offer that names a product not in the portal creates it when the offer carries a name
  (Bitrix package `offers___*.xml`); prices or stock for a product that exists nowhere fail the run;
- prices are per base unit: `ЦенаЗаЕдиницу / Коэффициент`; a negative price or an unknown price type
  fails the run; a price type listed twice in one offer (1C writes one `Цена` per unit or quantity
  break) keeps one price: the one per base unit over a pack price, else the last one, counted as
  `repeated_prices_dropped`;
- stock per warehouse (`Склад@КоличествоНаСкладе` or `Остатки/Остаток/Склад`); a bare `Количество`
  goes to the warehouse PORTAL_ERP_TOTAL_WAREHOUSE; a negative quantity is stored as 0 and counted;
  an offer with no quantity at all leaves its stock as it was;
- a full package (`СодержитТолькоИзменения` false or absent) that carries stock sets to 0 every
  stock row it does not list (goods become unavailable, never deleted); a partial one touches
  only what it lists. In a 1C exchange cycle (`cycle` = the session) the rows it lists are recorded
  instead and the zeroing waits for the end of the cycle (`sync.cycle`): a full package split over
  several files must not zero the rows of its other files;
- a package that carries stock confirms the warehouses it declares (`Склады`) as of the run
  (`Warehouse.stock_confirmed_at`): their rows it leaves unchanged are current, without a write per row.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import Future
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import DatabaseError, connection

from base.models import PriceType, Warehouse
from catalog.models import Price, Product, Stock, Unit

from ..commerceml.reader import OfferSpan, reread_offer
from ..commerceml.xml import ExchangeError, decimal, path_of, plain_number
from . import bulk, cycle, unchanged
from .merges import DIGESTS, PRICES, STOCK
from .pipeline import Channel, Pipeline, finish_channel
from .products import create_from_offers, reactivate_offered
from .refs import Refs
from .result import ImportResult, add_counts

CENT = Decimal("0.01")

P, S = Product._meta.db_table, Stock._meta.db_table
PR, PT, W, U = Price._meta.db_table, PriceType._meta.db_table, Warehouse._meta.db_table, Unit._meta.db_table


class OffersImport:
    def __init__(self, *, now, refs: Refs, cycle: int | None = None):
        self.now, self.refs = now, refs
        self.counts: dict = {}  # handed back by `finish`
        self.cycle = cycle  # the 1C exchange session whose end applies what a full package leaves out
        self.partial = False
        self.price_types = dict(PriceType.objects.exclude(erp_id=None)
                            .values_list("erp_id", "currency_id"))
        self.warehouses = set(Warehouse.objects.exclude(erp_id=None).values_list("erp_id", flat=True))
        self.offers = bulk.Stage("sync_stage_offer", [("erp_id", "varchar(200)"), ("sku", "varchar(200)"),
                                                       ("name", "text"), ("unit_code", "varchar(20)")])
        self.prices = bulk.Stage("sync_stage_price", [("offer", "varchar(200)"), ("price_type", "varchar(200)"),
                                                       ("amount", "numeric(16,2)"), ("currency", "varchar(3)")])
        self.stock = bulk.Stage("sync_stage_stock", [("offer", "varchar(200)"), ("warehouse", "varchar(200)"),
                                                      ("quantity", "numeric(16,3)")])
        self.odd = {"negative_stock_clamped": 0, "offers_without_stock": 0, "repeated_prices_dropped": 0}
        self.seen = set()
        self.declared_warehouses: set[str] = set()
        self.carries_stock = False
        self._currency_cache: dict[str, str] = {}
        self.listed_pids: list[int] = []  # products of the fast path; the others are in sync_stage_offer
        # What lets an offer that changes nothing skip the merge (PostgreSQL: sync.importers.unchanged).
        self.skipped: list[int] = []
        self.skipped_rows = {"stock": 0, "prices": 0}
        self.stored_stock: dict[int, str] = {}
        self.stored_prices: dict[int, str] = {}
        self.stored: Future | None = None  # what the portal holds, read on the merge thread from the first offer on
        self.waiting: list[tuple] | None = []  # offers of known products parsed before it came, with their texts
        self.context = b""
        self.digests: dict[str, tuple[int, bytes, bytes | None, bytes | None]] = {}
        self.repeats: list[OfferSpan] = []  # offers told by their bytes, checked at the end
        self._warehouse_orders: dict[tuple, list] = {}
        self.pipe: Pipeline | None = None
        self._started = False
        if bulk.is_pg():
            self._open_pipeline()

    def _open_pipeline(self) -> None:
        """Known products take the fast path: ids resolved here, merged in chunks while parsing goes on."""
        self.product_ids = dict(Product.objects.exclude(erp_id=None).values_list("erp_id", "pk"))
        self.pt_ids = dict(PriceType.objects.exclude(erp_id=None).values_list("erp_id", "pk"))
        self.wh_ids = dict(Warehouse.objects.exclude(erp_id=None).values_list("erp_id", "pk"))
        self.stock_had_rows = bool(bulk.scalar(f"SELECT EXISTS (SELECT 1 FROM {S})"))
        self.stock_ch = Channel("stock", S, [("product_id", "integer"), ("warehouse_id", "integer"),
                                             ("quantity", "numeric(16,3)")], STOCK)
        self.price_ch = Channel("prices", PR, [("product_id", "integer"), ("price_type_id", "integer"),
                                               ("amount", "numeric(16,2)"), ("currency", "varchar(3)")], PRICES)
        self.digest_ch = Channel("digests", unchanged.D, [("product_id", "integer"), ("offer", "bytea"),
                                                          ("stock", "bytea"), ("prices", "bytea")], DIGESTS)
        self.pipe = Pipeline(now=self.now)

    def _start(self) -> None:
        """At the first offer, the file's price types and warehouses are known."""
        self._started = True
        if self.pipe is None:
            return
        # the keys of a full package zero the rows it does not list; an empty table has none
        self.stock_ch.keep_keys = not self.partial and (self.stock_had_rows or self.cycle is not None)
        self.context = unchanged.context_key()
        if self.stock_had_rows:
            self.digests = unchanged.recorded()
            self.stored = self.pipe.call(unchanged.read_stored)

    def _stored_rows(self) -> None:
        """Wait for the stored rows; the offers parsed meanwhile are compared and written like any other."""
        self.stored_stock, self.stored_prices = self.stored.result()
        waiting, self.waiting = self.waiting, None
        for erp_id, offer, pid, texts in waiting:
            if not self._same_as_stored(pid, texts):
                self._write(erp_id, offer, pid)

    def _same_as_stored(self, pid: int, texts: tuple[str | None, str | None] | None) -> bool:
        """Whether merging the offer would write nothing: its stock rows are exactly the stored ones (no other
        warehouse stored for the product) and its prices exactly the stored ones, written the same way."""
        if texts is None:
            return False
        stock, prices = texts
        if stock is not None and self.stored_stock.get(pid) != stock:
            return False
        if prices is not None and self.stored_prices.get(pid) != prices:
            return False
        self._unchanged(pid, stock, prices)
        return True

    def _unchanged(self, pid: int, stock: str | None, prices: str | None) -> None:
        """Count an offer equal to the stored rows (given as their texts) as unchanged."""
        if stock is not None:  # its stored rows count as listed by a full package, and confirmed as of the run
            self.carries_stock = True
            self.skipped.append(pid)
            self.skipped_rows["stock"] += stock.count(",") + 1
        else:  # a prices file: the stock is not the offer's business
            self.odd["offers_without_stock"] += 1
        if prices is not None:
            self.skipped_rows["prices"] += prices.count(",") + 1

    def close(self) -> None:
        """Stop the merge worker (on success it has finished already; on an error it must not outlive the run)."""
        if self.pipe is not None:
            pipe, self.pipe = self.pipe, None
            with contextlib.suppress(Exception):  # the run is failing already with its own error
                pipe.close()

    # -- records -------------------------------------------------------------------------------
    def price_type(self, data: dict) -> None:
        pt = self.refs.price_type(**data)
        self.price_types[pt.erp_id] = pt.currency_id
        if self.pipe is not None:
            self.pt_ids[pt.erp_id] = pt.pk

    def warehouse(self, data: dict) -> None:
        wh = self.refs.warehouse(erp_id=data["erp_id"], name=data["name"], address=data["address"],
                                 where=data["where"])
        self.warehouses.add(data["erp_id"])
        self.declared_warehouses.add(data["erp_id"])
        if self.pipe is not None:
            self.wh_ids[wh.erp_id] = wh.pk

    def digest_key(self) -> bytes | None:
        """The key of offers' digests (`reader.OfferDigests`): on PostgreSQL, once the stock table holds rows (a
        first load into an empty table records none; the next run does)."""
        if not self._started:
            self._start()
        return self.context if self.pipe is not None and self.stock_had_rows else None

    def repeated(self, erp_id: str, digest: bytes) -> bool:
        """Whether the offer's bytes are those its product's last import recorded (read the same way)."""
        known = self.digests.get(erp_id)
        return known is not None and known[1] == digest

    def repeat(self, data: dict) -> None:
        """An offer `repeated` knows: checked at the end against the stored rows (read meanwhile on the merge
        thread), see `_check_repeats`."""
        self._receive(data["erp_id"], data["el"])
        self.repeats.append(data["span"])

    def _check_repeats(self) -> None:
        """Repeated offers are unchanged while their products' stored rows hash to what their last import
        recorded; any other is read again from the file and imported like any offer."""
        if self.waiting is not None:
            self._stored_rows()
        for span in self.repeats:
            pid, _, stock_digest, prices_digest = self.digests[span.erp_id]
            stock, prices = self.stored_stock.get(pid), self.stored_prices.get(pid)
            if (stock_digest is None or stock_digest == unchanged.text_digest(stock)) and \
                    (prices_digest is None or prices_digest == unchanged.text_digest(prices)):
                self.listed_pids.append(pid)
                self._unchanged(pid, stock if stock_digest else None, prices if prices_digest else None)
            else:
                offer = reread_offer(span)
                offer["span"] = span
                self._import(span.erp_id, offer)
        self.repeats = []

    def offer(self, offer: dict) -> None:
        erp_id = offer["erp_id"]
        if offer.get("characteristic") and "#" not in erp_id:
            erp_id = f"{erp_id}#{offer['characteristic']}"
        if not erp_id:
            raise ExchangeError("an offer has no Ид", path_of(offer["el"]))
        self._receive(erp_id, offer["el"])
        if not self._started:
            self._start()
        self._import(erp_id, offer)

    def _receive(self, erp_id: str, el) -> None:
        if erp_id in self.seen:
            raise ExchangeError(f"offer {erp_id} appears twice in the package", path_of(el))
        self.seen.add(erp_id)

    def _import(self, erp_id: str, offer: dict) -> None:
        pid = self.product_ids.get(erp_id) if self.pipe is not None else None
        if pid is not None:
            self.listed_pids.append(pid)
            span = offer.get("span")
            texts = None
            if self.stored is not None or span is not None:
                texts = unchanged.rows_text(offer, wh_ids=self.wh_ids, pt_ids=self.pt_ids, currency=self._currency,
                                            orders=self._warehouse_orders)
            if texts is not None and span is not None and erp_id == offer["erp_id"]:
                self.pipe.write(self.digest_ch, unchanged.digest_line(pid, span.digest, *texts), 1)
            if self.stored is not None:
                if self.waiting is not None:
                    if not self.stored.done():
                        self.waiting.append((erp_id, offer, pid, texts))
                        return
                    self._stored_rows()
                if self._same_as_stored(pid, texts):
                    return
        else:
            unit = offer["unit"]
            unit_code = self.refs.unit(*unit).code if unit and any(unit) else ""
            self.offers.add(erp_id, offer["sku"], offer["name"], unit_code)
        self._write(erp_id, offer, pid)

    def _write(self, erp_id: str, offer: dict, pid: int | None) -> None:
        if offer["prices"]:
            self._prices(erp_id, offer, pid)
        self._stock(erp_id, offer, pid)

    def _prices(self, erp_id: str, offer: dict, pid: int | None) -> None:
        """Amounts arrive as checked number text and go to COPY as they are; a coefficient other than 1
        turns a pack price into a base-unit price."""
        rows: dict[str, tuple[str, str, bool]] = {}
        for pt, amount, raw_currency, coefficient in offer["prices"]:
            if pt not in self.price_types:
                raise ExchangeError(f"unknown price type {pt!r} (declared neither in the file nor in the portal)",
                                    path_of(offer["el"]))
            if amount[0] == "-" and Decimal(amount) < 0:
                raise ExchangeError(f"negative price {amount} for offer {erp_id}", path_of(offer["el"]))
            if coefficient is not None:
                amount = str((Decimal(amount) / coefficient).quantize(CENT, ROUND_HALF_UP))
            currency = self._currency(raw_currency, pt)
            per_base_unit = coefficient is None
            if pt in rows:
                self.odd["repeated_prices_dropped"] += 1
                if rows[pt][2] and not per_base_unit:  # a price per base unit beats a pack price
                    continue
            rows[pt] = (amount, currency, per_base_unit)
        rows = [(pt, amount, currency) for pt, (amount, currency, _) in rows.items()]
        if pid is not None:
            ids = self.pt_ids
            self.pipe.write(self.price_ch, "".join(f"{pid}\t{ids[pt]}\t{amount}\t{cur}\n" for pt, amount, cur in rows),
                            len(rows))
        elif self.prices.copying:
            eid = bulk.copy_text(erp_id)
            self.prices.write_lines("".join(f"{eid}\t{bulk.copy_text(pt)}\t{amount}\t{cur}\n"
                                            for pt, amount, cur in rows), len(rows))
        else:
            for pt, amount, cur in rows:
                self.prices.add(erp_id, pt, Decimal(amount), cur)

    def _currency(self, raw: str, price_type: str) -> str:
        """The currency code of a price: its `Валюта`, else its price type's."""
        currency = self._currency_cache.get(raw) if raw else None
        if currency is None:
            currency = self.refs.currency(raw, default=self.price_types[price_type])
            if raw:
                self._currency_cache[raw] = currency
        return currency

    def _stock(self, erp_id: str, offer: dict, pid: int | None) -> None:
        """Quantities that are plain numbers go to COPY as written; anything else is parsed (comma, spaces),
        refused when not a number, and a negative one is stored as 0."""
        rows = offer["stock"]
        if not rows:
            if offer["total"] is None:
                self.odd["offers_without_stock"] += 1
                return
            rows = [(settings.PORTAL_ERP_TOTAL_WAREHOUSE, offer["total"])]
        self.carries_stock = True
        # The common case (known warehouses, every quantity plain digits) is checked once per offer.
        warehouses, quantities = zip(*rows, strict=True)
        if len(set(warehouses)) < len(warehouses):
            raise ExchangeError(f"offer {erp_id} lists a warehouse twice", path_of(offer["el"]))
        digits = None not in quantities and "" not in quantities and "".join(quantities)
        out = rows
        if not (digits and digits.isdigit() and digits.isascii() and self.warehouses.issuperset(warehouses)):
            out = self._checked_stock(rows, offer)
        if pid is not None:
            ids = self.wh_ids
            self.pipe.write(self.stock_ch, "".join(f"{pid}\t{ids[wh]}\t{raw}\n" for wh, raw in out), len(out))
        elif self.stock.copying:
            eid = bulk.copy_text(erp_id)
            self.stock.write_lines("".join(f"{eid}\t{bulk.copy_text(wh)}\t{raw}\n" for wh, raw in out), len(out))
        else:
            for wh, raw in out:
                self.stock.add(erp_id, wh, Decimal(raw))

    def _checked_stock(self, rows: list, offer: dict) -> list[tuple[str, str]]:
        """Rows with a quantity, their warehouses created when new, quantities as number text."""
        out = []
        for wh, raw in rows:
            if raw is None:
                continue
            if wh not in self.warehouses:
                self._new_warehouse(wh)
            if not plain_number(raw):
                raw = self._quantity(raw, offer)
            out.append((wh, raw))
        return out

    def _new_warehouse(self, wh: str) -> None:
        name = "ERP" if wh == settings.PORTAL_ERP_TOTAL_WAREHOUSE else ""
        created = self.refs.warehouse(erp_id=wh, name=name)
        self.warehouses.add(wh)
        if self.pipe is not None:
            self.wh_ids[wh] = created.pk

    def _quantity(self, raw: str, offer: dict) -> str:
        """A stock quantity that is not a plain number, as number text; negative → "0" (counted)."""
        qty = decimal(raw, what="stock quantity", where=path_of(offer["el"]))
        if qty is None:
            raise ExchangeError(f"stock quantity is not a number: {raw.strip()!r}", path_of(offer["el"]))
        if qty < 0:
            self.odd["negative_stock_clamped"] += 1
            return "0"
        return str(qty)

    # -- merge ---------------------------------------------------------------------------------
    def finish(self, *, catalog_staged: bool = False) -> ImportResult:
        """Merge what was staged; returns the counts and the products created from offers. `catalog_staged`:
        the same file's catalog staged its products (their deletion marks win over offers)."""
        if self.repeats:
            self._check_repeats()
        if self.stored is not None and self.waiting is not None:
            self._stored_rows()
        if self.pipe is not None:
            self.pipe.flush(self.stock_ch)
            self.pipe.flush(self.price_ch)
            self.pipe.flush(self.digest_ch)
            pipe, self.pipe = self.pipe, None
            pipe.close()
            self.stock_ch.total += self.skipped_rows["stock"]  # counted unchanged
            self.price_ch.total += self.skipped_rows["prices"]
            add_counts(self.counts, finish_channel(self.stock_ch))
            add_counts(self.counts, finish_channel(self.price_ch))
            finish_channel(self.digest_ch)  # the digests recorded are not the run's business
            if self.cycle is not None:
                self._stage_skipped()
        self.offers.load()
        self.prices.load()
        self.stock.load()
        created = create_from_offers(now=self.now, refs=self.refs)
        add_counts(self.counts, created.counts)
        self._require_products()
        self._merge_prices()
        self._merge_stock()
        listed = set(self.listed_pids) | {r[0] for r in bulk.fetch(
            f"SELECT p.id FROM sync_stage_offer s JOIN {P} p ON p.erp_id = s.erp_id")}
        add_counts(self.counts, reactivate_offered(now=self.now, product_ids=listed, catalog_staged=catalog_staged))
        if self.cycle is not None:
            cycle.offered_products(session_id=self.cycle, product_ids=sorted(listed))
        if self.carries_stock and self.declared_warehouses:
            Warehouse.objects.filter(erp_id__in=self.declared_warehouses).update(stock_confirmed_at=self.now)
        self.counts.setdefault("offers", bulk.Tally())["read"] = len(self.seen)
        self.counts["offers"].update({k: v for k, v in self.odd.items() if v})
        return ImportResult(self.counts, product_ids=created.product_ids)

    def _stage_skipped(self) -> None:
        """The products whose offers equalled the stored rows: their rows count as listed by the cycle's full
        package."""
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS sync_skipped")
            cur.execute("CREATE TEMP TABLE sync_skipped (product_id integer PRIMARY KEY) ON COMMIT DROP")
            if self.skipped:
                with cur.cursor.copy("COPY sync_skipped (product_id) FROM STDIN") as copy:
                    copy.write("".join(f"{pid}\n" for pid in self.skipped).encode())

    def _require_products(self) -> None:
        for stage in ("sync_stage_price", "sync_stage_stock"):
            missing = bulk.scalar(f"SELECT s.offer FROM {stage} s LEFT JOIN {P} p ON p.erp_id = s.offer "
                                  f"WHERE p.id IS NULL LIMIT 1")
            if missing:
                raise ExchangeError(f"product {missing} does not exist in the portal and the offer gives no name "
                                    "to create it from", f"Предложение Ид={missing}")

    def _merge(self, entity: str, insert_sql: str, count_new_sql: str, params: list, total: int) -> None:
        """Every staged row joins (products and warehouses/price types were checked), so `total` is the
        stage's row count."""
        tally = self.counts.setdefault(entity, bulk.tally())
        table = insert_sql.split()[2]
        restore = bulk.bulk_load_begin(table) if bulk.wants_bulk_load(table, total) else None
        try:
            if bulk.is_pg():
                created, written = bulk.fetch(
                    f"WITH w AS ({insert_sql} RETURNING (xmax = 0) AS created) "
                    "SELECT count(*) FILTER (WHERE created), count(*) FROM w", params)[0]
            else:
                created = bulk.scalar(count_new_sql.replace("<COUNT>", "count(*)").replace("<NEW>", "c.id IS NULL"))
                written = bulk.execute(insert_sql, params)
        except DatabaseError as exc:
            if "second time" in str(exc):
                raise ExchangeError(f"the same {entity} row appears twice in the package") from None
            raise
        if restore is not None:
            bulk.bulk_load_end(restore)
            tally["bulk_load"] = 1
        tally["created"] += created
        tally["updated"] += written - created
        tally["unchanged"] += total - written

    def _merge_prices(self) -> None:
        if not self.prices.rows:
            return
        base = (f"FROM sync_stage_price s JOIN {P} p ON p.erp_id = s.offer JOIN {PT} t ON t.erp_id = s.price_type")
        self._merge(
            "prices",
            PRICES.upsert(PR, f"SELECT p.id, t.id, s.amount, s.currency, %s {base}"),
            f"SELECT <COUNT> {base} LEFT JOIN {PR} c ON c.product_id = p.id AND c.price_type_id = t.id WHERE <NEW>",
            [self.now], self.prices.rows,
        )

    def _merge_stock(self) -> None:
        base = f"FROM sync_stage_stock s JOIN {P} p ON p.erp_id = s.offer JOIN {W} w ON w.erp_id = s.warehouse"
        fast = getattr(self, "stock_ch", None)
        listed = self.stock.rows + (fast.total if fast is not None else 0)
        if not self.partial and listed and self.cycle is not None:
            cycle.listed_stock(session_id=self.cycle, stage="sync_stage_stock",
                               keys=f"{fast.stage}_keys" if fast is not None else None,
                               skipped="sync_skipped" if fast is not None else None)
        elif not self.partial and listed and fast is None:  # before the merge: on a first import the table is empty
            self._zero_unlisted(base)
        if self.stock.rows:
            self._merge(
                "stock",
                STOCK.upsert(S, f"SELECT p.id, w.id, s.quantity, %s {base}"),
                f"SELECT <COUNT> {base} LEFT JOIN {S} c ON c.product_id = p.id AND c.warehouse_id = w.id WHERE <NEW>",
                [self.now], self.stock.rows,
            )
        if not self.partial and listed and fast is not None and self.stock_had_rows and self.cycle is None:
            self._zero_unlisted(base, keys=f"{fast.stage}_keys")

    def _zero_unlisted(self, base: str, keys: str | None = None) -> None:
        """A full package: stock rows it does not list go to 0 (goods become unavailable, never deleted).

        On the fast path only products with stored stock whose offers were not skipped can hold such rows (a
        skipped offer listed exactly its stored rows), so the update looks at those products alone instead of
        every stock row. (A row another writer adds while the file is read is the next full package's.)"""
        params: list = [self.now]
        also = ""
        if keys:
            also = (f" AND product_id = ANY(%s) AND NOT EXISTS (SELECT 1 FROM {keys} k "
                    f"WHERE k.product_id = {S}.product_id AND k.warehouse_id = {S}.warehouse_id)")
            params.append(sorted(self.stored_stock.keys() - set(self.skipped)))
        zeroed = bulk.execute(
            f"UPDATE {S} SET quantity = 0, confirmed_at = %s WHERE quantity <> 0 AND NOT EXISTS "
            f"(SELECT 1 {base} WHERE p.id = {S}.product_id AND w.id = {S}.warehouse_id){also}", params)
        if zeroed:
            self.counts.setdefault("stock", bulk.tally())["zeroed_not_in_full_package"] = zeroed
