"""Benchmark the offers import: 100,000 offers × 10 warehouses (1,000,000 stock rows), 3 price types.

Usage: `flock /tmp/portal-bench.lock .venv/bin/python bench/sync.py [--offers N] [--warehouses W] [--keep]`.
The database comes from BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/portal_i5_bench);
it is dropped and created again. The products exist beforehand (loaded with COPY, as a catalog
import would leave them); the file declares the price types and warehouses. Each import runs in
its own process, which reports its wall seconds and peak RSS. Prints the floor (a bare lxml
iterparse pass over the same file), the first import, a rerun with no changes (must write 0
rows), a rerun of the same offers under a new ДатаФормирования (what a stock feed every 5 minutes
mostly sends; target ≤ 1.5× the floor) and a rerun with 1% of the offers changed; exits 1 when a
target is missed.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
from seed import manage, recreate_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_i5_bench"
PRICE_TYPES = ["pt-opt-1", "pt-opt-2", "pt-rrc"]

CHILD = r"""
import json, resource, sys, time
import django
django.setup()
from sync.services import sync_import_file
from sync.importers.bulk import fetch
t = time.perf_counter()
run = sync_import_file(stream="stock", path=sys.argv[1], source="command")
seconds = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss_mb": rss, "status": run.status, "error": run.error, "counts": run.counts}))
"""

FLOOR = r"""
import sys, time, resource
from lxml import etree
t = time.perf_counter()
n = 0
for _, el in etree.iterparse(sys.argv[1], events=("end",), resolve_entities=False, no_network=True, huge_tree=True):
    n += 1
    if el.tag.endswith("Предложение"):
        el.clear()
        while el.getprevious() is not None:
            del el.getparent()[0]
print(time.perf_counter() - t, n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def write_offers(path: Path, offers: int, warehouses: int, changed: float = 0.0, seed: int = 1) -> None:
    rnd = random.Random(seed)
    flip = random.Random(seed + 100)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" '
                 'ВерсияСхемы="2.07" ДатаФормирования="2026-11-26T12:00:00">\n<ПакетПредложений '
                 'СодержитТолькоИзменения="false">\n<Ид>bench#</Ид><Наименование>Bench</Наименование>'
                 '<ИдКаталога>bench</ИдКаталога>\n<ТипыЦен>')
        for i, pt in enumerate(PRICE_TYPES):
            fh.write(f"<ТипЦены><Ид>{pt}</Ид><Наименование>Тип {i}</Наименование><Валюта>RUB</Валюта></ТипЦены>")
        fh.write("</ТипыЦен>\n<Склады>")
        for w in range(warehouses):
            fh.write(f"<Склад><Ид>wh-{w:02d}</Ид><Наименование>Склад {w}</Наименование></Склад>")
        fh.write("</Склады>\n<Предложения>\n")
        for n in range(offers):
            bump = 1 if changed and flip.random() < changed else 0
            parts = [f"<Предложение><Ид>prod-{n:07d}</Ид><Цены>"]
            base = 100 + (n % 9000)
            for i, pt in enumerate(PRICE_TYPES):
                parts.append(f"<Цена><Представление>{base} руб</Представление><ИдТипаЦены>{pt}</ИдТипаЦены>"
                             f"<ЦенаЗаЕдиницу>{base - i * 5 + bump}.50</ЦенаЗаЕдиницу><Валюта>RUB</Валюта>"
                             "<Единица>шт</Единица><Коэффициент>1</Коэффициент></Цена>")
            parts.append("</Цены>")
            total = 0
            for w in range(warehouses):
                q = rnd.randrange(0, 500) + bump
                total += q
                parts.append(f'<Склад ИдСклада="wh-{w:02d}" КоличествоНаСкладе="{q}"/>')
            parts.append(f"<Количество>{total}</Количество></Предложение>\n")
            fh.write("".join(parts))
        fh.write("</Предложения>\n</ПакетПредложений>\n</КоммерческаяИнформация>\n")


def redated(source: Path, target: Path) -> None:
    """The same offers under a new ДатаФормирования (the header rewritten, the rest copied)."""
    with open(source, "rb") as src, open(target, "wb") as dst:
        head = src.read(4096)
        dst.write(head.replace('ДатаФормирования="2026-11-26T12:00:00"'.encode(),
                               'ДатаФормирования="2026-11-26T12:05:00"'.encode()))
        while block := src.read(1 << 20):
            dst.write(block)


def load_products(url: str, offers: int) -> None:
    with psycopg.connect(url) as conn:
        unit = conn.execute("INSERT INTO catalog_unit (code, name, short_name, fractional) "
                            "VALUES ('796', 'Штука', 'шт', false) RETURNING id").fetchone()[0]
        with conn.cursor().copy("COPY catalog_product (erp_id, sku, name, brand, description, base_unit_id, "
                                "multiplicity, vat_rate, is_active, created_at, updated_at) FROM STDIN") as copy:
            for n in range(offers):
                copy.write_row((f"prod-{n:07d}", f"SKU-{n:07d}", f"Товар {n}", "", "", unit, 1, 22, True,
                                "2026-11-26T00:00:00Z", "2026-11-26T00:00:00Z"))
        conn.execute("ANALYZE")


def child(env: dict, code: str, *args: str) -> str:
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=BASE_DIR, stdout=subprocess.PIPE,
                         text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def written(counts: dict) -> int:
    return sum(v for t in counts.values() for k, v in t.items()
               if k in ("created", "updated", "deleted") or k.startswith(("zeroed", "deactivated")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--warehouses", type=int, default=10)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    version = recreate_database(url)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1",
           "PYTHONPATH": str(BASE_DIR)}
    env.pop("REDIS_URL", None)
    manage(env, "migrate", "-v0")
    load_products(url, options.offers)
    with tempfile.TemporaryDirectory() as tmp:
        first, changed = Path(tmp) / "offers.xml", Path(tmp) / "offers-changed.xml"
        later = Path(tmp) / "offers-later.xml"
        t = time.perf_counter()
        write_offers(first, options.offers, options.warehouses)
        redated(first, later)
        write_offers(changed, options.offers, options.warehouses, changed=0.01)
        print(f"generated 2 files of {first.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - t:.1f} s "
              f"({options.offers:,} offers × {options.warehouses} warehouses, {len(PRICE_TYPES)} price types); "
              f"PostgreSQL {version}")
        floor, elements, floor_rss = child(env, FLOOR, str(first)).split()
        floor = float(floor)
        print(f"floor (bare lxml iterparse, {int(elements):,} elements): {floor:.2f} s, "
              f"peak RSS {float(floor_rss):.0f} MB")
        results = {}
        for label, path in (("first import", first), ("rerun, no changes", first),
                            ("rerun, same offers, new ДатаФормирования", later), ("rerun, 1% changed", changed)):
            r = json.loads(child(env, CHILD, str(path)))
            results[label] = r
            counts = r["counts"]
            print(f"{label}: {r['seconds']:.2f} s ({r['seconds'] / floor:.1f}× floor), peak RSS {r['rss_mb']:.0f} MB, "
                  f"{r['status']}, rows written {written(counts):,} (prices {counts.get('prices')}, "
                  f"stock {counts.get('stock')})")
    if not options.keep:
        recreate_database(url, drop_only=True)
    first_r, rerun = results["first import"], results["rerun, no changes"]
    redate = results["rerun, same offers, new ДатаФормирования"]
    ok = (first_r["status"] == "success" and first_r["seconds"] <= 20 and first_r["seconds"] <= 3 * floor
          and written(rerun["counts"]) == 0 and all(r["rss_mb"] <= 300 for r in results.values())
          and redate["status"] == "success" and written(redate["counts"]) == 0 and redate["seconds"] <= 1.5 * floor)
    print("targets (first ≤ 20 s and ≤ 3× floor, no-change rerun writes 0 rows, same offers under a new "
          "ДатаФормирования ≤ 1.5× floor writing 0 rows, peak RSS ≤ 300 MB):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
