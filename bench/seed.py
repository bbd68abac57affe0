"""Benchmark `seed_demo` on PostgreSQL: a fresh database, migrated, then 100,000 products and 200 clients.

Usage: `python bench/seed.py [--products N] [--clients M] [--keep] [--max-seconds S]`
(`make bench` runs it with the defaults). The server comes from BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/portal_bench; the database named there is dropped and
created again, and dropped after the run unless --keep is given. Prints the wall time of the
seed command (process start to exit, migrations excluded) and what it created, e.g.
"seed_demo: 100000 products in 11.2 s on PostgreSQL 15". Exits 1 when the seed fails or takes
longer than --max-seconds (default 60, the budget).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"


def server(url: str) -> tuple[str, str]:
    """The maintenance connection string of the server (database "postgres") and the bench database name."""
    return make_conninfo(url, dbname="postgres"), conninfo_to_dict(url)["dbname"]


def recreate_database(url: str, drop_only: bool = False) -> str:
    """Drop the bench database (forcing other sessions off) and create it empty; return the server version."""
    admin, name = server(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not drop_only:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return str(connection.execute("SHOW server_version").fetchone()[0]).split()[0]


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run manage.py with the bench environment; stdout captured, stderr passed through."""
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args], env=env, cwd=BASE_DIR, stdout=subprocess.PIPE, text=True,
        check=False,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--max-seconds", type=float, default=60.0)
    options = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    version = recreate_database(url)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only"}
    try:
        migrated = manage(env, "migrate", "--noinput", "-v0")
        if migrated.returncode:
            print("bench: migrate failed", file=sys.stderr)
            return 1
        started = time.monotonic()
        seeded = manage(env, "seed_demo", "--products", str(options.products), "--clients", str(options.clients),
                        "--seed", str(options.seed), "--json")
        wall = time.monotonic() - started
        if seeded.returncode:
            print(f"bench: seed_demo failed (exit {seeded.returncode})", file=sys.stderr)
            return 1
    finally:
        if not options.keep:
            recreate_database(url, drop_only=True)

    report = json.loads(seeded.stdout)
    print(f"seed_demo: {report['counts']['products']} products in {wall:.1f} s on PostgreSQL {version.split('.')[0]}"
          f" ({report['seconds']:.1f} s inside the command, {options.clients} clients, seed {options.seed})")
    for entity, count in report["counts"].items():
        print(f"  {entity.replace('_', ' '):<26}{count:>10}")
    if wall > options.max_seconds:
        print(f"bench: slower than the {options.max_seconds:.0f} s budget", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
