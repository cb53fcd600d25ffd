"""Import and export at scale: N generated customers (default 1,000,000) through `regulars import` and
`regulars export`, timed end to end as a user runs them, on a fresh SQLite file (or a fresh PostgreSQL
database with --database).

    .venv/bin/python bench/import_export.py                          # 1,000,000 customers, JSON Lines, SQLite
    .venv/bin/python bench/import_export.py --customers 100000 --format csv
    .venv/bin/python bench/import_export.py --database postgresql://postgres@127.0.0.1:5432/test

Lines are shaped like a shop's: names, full billing and shipping addresses, one meta item; one in ten
chooses its username, and local parts repeat across domains so the username clash rule runs. Passwords
cost bcrypt's ~50 ms each by design, so they are left out unless --passwords asks for some.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from regulars.dialects.wc_file import CSV_COLUMNS, csv_row  # noqa: E402

FIRST = ("Ana", "João", "Maria", "Pedro", "Sofia", "Tiago", "Inês", "Rui", "Marta", "Luís")
LAST = ("Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins")
CITIES = (("Porto", "13", "4000-001"), ("Lisboa", "11", "1100-001"), ("Braga", "03", "4700-001"))


def customers(count: int, passwords: int) -> Iterator[dict]:
    """Deterministic customers: unique emails; every 7th local part is shared with another domain."""
    for n in range(count):
        first, last = FIRST[n % len(FIRST)], LAST[n % len(LAST)]
        city, state, postcode = CITIES[n % len(CITIES)]
        name = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode().lower()
        local = f"{name}.{last.lower()}{n // 7}" if n % 7 else f"{name}{n}"
        email = f"{local}@example{n % 3}.com"
        address = {
            "first_name": first,
            "last_name": last,
            "company": "" if n % 5 else "Regulars Lda",
            "address_1": f"Rua {n % 500} de Maio, {n % 97}",
            "address_2": "",
            "city": city,
            "postcode": postcode,
            "country": "PT",
            "state": state,
        }
        item = {
            "email": email,
            "first_name": first,
            "last_name": last,
            "username": f"user{n}" if n % 10 == 0 else "",
            "billing": {**address, "email": email, "phone": f"+3519{n:08d}"},
            "shipping": {**address, "phone": ""},
            "meta_data": [{"key": "loyalty_tier", "value": ("bronze", "silver", "gold")[n % 3]}],
        }
        if n < passwords:
            item["password"] = f"pw-{n}-secret"
        yield item


def write_file(path: Path, fmt: str, count: int, passwords: int) -> None:
    source = customers(count, passwords)
    if fmt == "jsonl":
        with path.open("wb") as stream:
            while chunk := list(islice(source, 10000)):
                stream.write(b"".join(orjson.dumps(item) + b"\n" for item in chunk))
        return
    with path.open("w", newline="", encoding="utf-8") as text:
        writer = csv.writer(text)
        writer.writerow(CSV_COLUMNS)
        for item in source:
            row = csv_row(item)
            row[CSV_COLUMNS.index("password")] = item.get("password", "")
            writer.writerow(row)


def regulars(*args: str) -> dict | None:
    json_flag = [] if args[0] == "migrate" else ["--json"]
    done = subprocess.run(
        [sys.executable, "-m", "regulars", *args, *json_flag], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"regulars {' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout) if json_flag else None


def timed(label: str, count: int, *args: str) -> dict:
    started = time.perf_counter()
    result = regulars(*args)
    assert result is not None
    seconds = time.perf_counter() - started
    print(f"{label:<28} {count:>10,} rows  {seconds:8.1f} s  {count / seconds:>10,.0f} rows/s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    parser.add_argument("--passwords", type=int, default=0, help="how many lines carry a password")
    parser.add_argument("--database", help="a PostgreSQL URL (a fresh database is made beside it)")
    args = parser.parse_args()
    if args.database:
        os.environ["REGULARS_TEST_POSTGRES"] = args.database
    from tests.support.databases import fresh_database

    backend = "postgresql" if args.database else "sqlite"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / f"customers.{args.format}"
        started = time.perf_counter()
        write_file(source, args.format, args.customers, args.passwords)
        size, seconds = source.stat().st_size / 1e6, time.perf_counter() - started
        print(f"generated {args.customers:,} customers ({size:,.0f} MB) in {seconds:.1f} s", flush=True)
        with fresh_database(backend, folder) as url:
            regulars("migrate", "--database", url)
            imported = timed(f"import ({backend})", args.customers, "import", str(source), "--database", url)
            assert imported["imported"] == args.customers, imported
            again = timed(
                f"import again ({backend})", args.customers, "import", str(source), "--database", url
            )
            assert again["existing"] == args.customers, again
            target = folder / f"export.{args.format}"
            exported = timed(f"export ({backend})", args.customers, "export", str(target), "--database", url)
            assert exported["exported"] == args.customers, exported


if __name__ == "__main__":
    main()
