"""The demo ERP: small CommerceML change packages dropped where the ERP would drop them, then imported.

On the embedded default (`make run`) no Celery beat runs, so the feed also plays the schedule: after
writing a package into `PORTAL_SYNC_INBOX/<stream>/` it calls the service the beat task calls
(`sync_stream_run`). Everything the portal shows afterwards (fresh stock, runs on `/staff/sync/`)
comes through the real exchange path; stopping the feed lets the stock go stale as it should.
"""

from __future__ import annotations

import os
import random
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from base.models import PriceType, Warehouse
from catalog.models import Price, Product, Stock
from sync.models import SyncRun
from sync.services import sync_stream_run

CENT = Decimal("0.01")
FEED_ID = "demo-erp-feed"


@transaction.atomic
def demo_erp_ids_assign() -> int:
    """Give the demo's products, warehouses and price types the ERP ids packages refer to; returns how many.

    The demo dataset is seeded without an ERP; ids already set (by a real import) are kept.
    """
    assigned = 0
    for model, prefix in ((Product, "demo-p"), (Warehouse, "demo-w"), (PriceType, "demo-t")):
        assigned += model.objects.filter(erp_id__isnull=True).update(
            erp_id=Concat(Value(prefix), Cast("pk", output_field=CharField())))
    return assigned


def _package(*, now: datetime, name: str, body: str, warehouses: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<КоммерческаяИнформация ВерсияСхемы="2.10" ДатаФормирования="{now:%Y-%m-%dT%H:%M:%S}">\n'
        ' <ПакетПредложений СодержитТолькоИзменения="true">\n'
        f"  <Ид>{FEED_ID}</Ид>\n  <Наименование>{escape(name)}</Наименование>\n"
        f"{warehouses}  <Предложения>\n{body}  </Предложения>\n </ПакетПредложений>\n</КоммерческаяИнформация>\n"
    )


def _drop(*, stream: str, prefix: str, now: datetime, text: str) -> Path:
    """Write the package under a hidden name, then rename it: the import never sees half a file."""
    folder = Path(settings.PORTAL_SYNC_INBOX) / stream
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{prefix}-{now:%Y%m%d-%H%M%S-%f}.xml"
    partial = folder / f".{target.name}.part"
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target)
    return target


def _quantity(rng: random.Random, quantity: Decimal, step: Decimal) -> Decimal:
    """The next quantity of a stock row: sold a little, sometimes restocked; never negative, never the same."""
    step = step if step > 0 else Decimal(1)
    if quantity <= 0 or rng.randrange(5) == 0:
        return quantity + step * rng.randint(5, 40)
    return max(Decimal(0), quantity - step * rng.randint(1, 3))


def stock_package_write(*, rng: random.Random, now: datetime, lines: int = 20) -> Path | None:
    """A stock change package: `lines` stock rows moved, every active warehouse declared (reported now)."""
    warehouses = list(Warehouse.objects.filter(is_active=True).exclude(erp_id=None).values_list("erp_id", "name"))
    ids = list(Stock.objects.filter(warehouse__is_active=True, product__is_active=True,
                                    product__erp_id__isnull=False, warehouse__erp_id__isnull=False)
               .values_list("pk", flat=True))
    if not warehouses or not ids:
        return None
    chosen = rng.sample(ids, min(lines, len(ids)))
    rows = (Stock.objects.filter(pk__in=chosen).order_by("pk")
            .values_list("product__erp_id", "warehouse__erp_id", "quantity", "product__multiplicity"))
    offers: dict[str, str] = {}  # one offer per product, its warehouses inside
    for product, warehouse, quantity, multiplicity in rows:
        offers[product] = offers.get(product, "") + (
            f'<Склад ИдСклада={quoteattr(warehouse)} '
            f'КоличествоНаСкладе="{_quantity(rng, quantity, multiplicity).normalize():f}"/>')
    body = "".join(f"   <Предложение><Ид>{escape(product)}</Ид>{stock}</Предложение>\n"
                   for product, stock in offers.items())
    declared = "".join(f"   <Склад><Ид>{escape(erp_id)}</Ид><Наименование>{escape(name)}</Наименование></Склад>\n"
                       for erp_id, name in warehouses)
    text = _package(now=now, name="Остатки (демо)", body=body, warehouses=f"  <Склады>\n{declared}  </Склады>\n")
    return _drop(stream="stock", prefix="rests", now=now, text=text)


def price_package_write(*, rng: random.Random, now: datetime, lines: int = 20) -> Path | None:
    """A price change package: `lines` prices moved by up to 3 % either way."""
    ids = list(Price.objects.filter(product__is_active=True, product__erp_id__isnull=False,
                                    price_type__erp_id__isnull=False).values_list("pk", flat=True))
    if not ids:
        return None
    chosen = rng.sample(ids, min(lines, len(ids)))
    rows = (Price.objects.filter(pk__in=chosen).order_by("pk")
            .values_list("product__erp_id", "price_type__erp_id", "amount", "currency_id"))
    offers: dict[str, str] = {}  # one offer per product, its price types inside
    for product, price_type, amount, currency in rows:
        moved = (amount * (1 + Decimal(rng.randint(-30, 30)) / 1000)).quantize(CENT, ROUND_HALF_UP)
        offers[product] = offers.get(product, "") + (
            f"<Цена><ИдТипаЦены>{escape(price_type)}</ИдТипаЦены><ЦенаЗаЕдиницу>{max(moved, CENT)}</ЦенаЗаЕдиницу>"
            f"<Валюта>{escape(currency)}</Валюта></Цена>")
    body = "".join(f"   <Предложение><Ид>{escape(product)}</Ид><Цены>{prices}</Цены></Предложение>\n"
                   for product, prices in offers.items())
    return _drop(stream="prices", prefix="prices", now=now, text=_package(now=now, name="Цены (демо)", body=body))


def demo_feed_send(*, stream: str, rng: random.Random, now: datetime, lines: int = 20) -> list[SyncRun]:
    """Write one change package of `stream` ("stock" or "prices") and run the stream's scheduled job."""
    writers = {"stock": stock_package_write, "prices": price_package_write}
    if stream not in writers:
        raise ValueError(f"the demo feed sends stock or prices, not {stream!r}")
    demo_erp_ids_assign()
    writers[stream](rng=rng, now=now, lines=lines)
    return sync_stream_run(stream=stream, source=SyncRun.Source.SCHEDULE)
