"""Regulars at scale: a store of 1,000,000 customers, each scenario as a ratio to the trivial endpoint
(/ping) of the same server and with p50/p99 latency, measured side by side in interleaved rounds.

    scripts/bench --scale                                   # 1,000,000 customers on SQLite
    scripts/bench --scale --customers 100000 --rounds 2
    scripts/bench --scale --database postgresql://postgres@127.0.0.1:5432/test

The store is filled through the bulk import (services/transfer.py), whose rate is reported too. Every
request is authenticated (HTTP Basic over HTTPS: an API key for WooCommerce, an application password
for FluentCart), so /ping is measured over HTTPS as well. One connection by default: latency is then
the server's time for the request, not time spent queueing behind others.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import os
import random
import ssl
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402
from tests.support.databases import fresh_database  # noqa: E402
from tests.support.servers import Key, certificate_files, seed, serve_process  # noqa: E402

from bench.loadgen import Result, request_bytes, run  # noqa: E402
from regulars.domain.customers import ProfileChange  # noqa: E402
from regulars.services import credentials  # noqa: E402
from regulars.services.transfer import Importer  # noqa: E402
from regulars.store.tables import accounts  # noqa: E402
from regulars.store.unit import Store  # noqa: E402

SYLLABLES = ("an", "be", "ca", "do", "el", "fi", "ga", "ho", "is", "ju", "ka", "lo", "ma", "ne", "or")
SYLLABLES += ("pa", "qui", "ro", "sa", "te", "ul", "va", "wen", "xa", "yo", "zu", "mar", "tin", "son")


def _names(count: int, syllables: int, seed_value: int) -> list[str]:
    """Distinct made-up names of a few syllables, the same on every run."""
    chooser = random.Random(seed_value)
    found: dict[str, None] = {}
    while len(found) < count:
        found["".join(chooser.choice(SYLLABLES) for _ in range(syllables)).capitalize()] = None
    return list(found)


FIRST = _names(400, 2, 1)  # about 2,500 customers share a first name in a million
LAST = _names(20_000, 3, 2)  # about 50 share a last name


def customer(n: int) -> ProfileChange:
    first, last = FIRST[n % len(FIRST)], LAST[(n * 7919) % len(LAST)]
    return ProfileChange(
        email=f"{first.lower()}.{last.lower()}.{n}@example{n % 5}.com",
        first_name=first,
        last_name=last,
        billing={
            "first_name": first,
            "last_name": last,
            "address_1": f"Rua {n % 500}",
            "city": "Porto",
            "postcode": "4000-001",
            "country": "PT",
            "email": f"{first.lower()}.{last.lower()}.{n}@example{n % 5}.com",
            "phone": f"+3519{n:08d}",
        },
        shipping={"first_name": first, "last_name": last, "city": "Porto", "country": "PT"},
    )


def populate(database_url: str, count: int) -> float:
    """Import `count` customers through the bulk import; returns customers per second."""
    store = Store(database_url)
    started = time.perf_counter()
    imported = 0
    for outcome in Importer(store, expected=count).run((n, customer(n)) for n in range(count)):
        imported += outcome.imported
        if imported % 100_000 < outcome.lines:
            rate = imported / (time.perf_counter() - started)
            print(f"imported {imported:,} ({rate:,.0f}/s)", file=sys.stderr)
    elapsed = time.perf_counter() - started
    if store.dialect == "postgresql":  # what autovacuum does soon after a bulk load, done now
        with store.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    store.dispose()
    return imported / elapsed


def staff_credentials(database_url: str) -> tuple[dict[str, Key], str]:
    """A new API key and application password for the administrator of a store filled earlier."""
    store = Store(database_url)
    with store.write() as unit:
        admin = unit.accounts.by_username("admin")
        assert admin is not None, "not a store this benchmark filled"
        issued = credentials.issue_key(unit, admin, "read_write", "bench")
        password = credentials.issue_app_password(
            unit, admin, "bench", credentials.site_secret(unit)
        ).password
    store.dispose()
    return {"read_write": Key(issued.consumer_key, issued.consumer_secret)}, password


def id_range(database_url: str) -> tuple[int, int]:
    store = Store(database_url)
    with store.read() as unit:
        query = select(func.min(accounts.c.id), func.max(accounts.c.id)).where(accounts.c.role == "customer")
        low, high = unit.connection.execute(query).one()
    store.dispose()
    return int(low), int(high)


def fragments(chooser: random.Random) -> Iterator[str]:
    """Four letters from the middle of a random last name, as someone types part of a name they recall."""
    while True:
        name = chooser.choice(LAST).lower()
        start = chooser.randint(1, len(name) - 4)
        yield name[start : start + 4]


@dataclass
class Scenario:
    name: str
    make: Callable[[], bytes]
    target: str = ""  # the goal, as the issue states it
    results: list[Result] = field(default_factory=list)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", default="sqlite", help="sqlite, or a PostgreSQL URL to create a database in"
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--store", help="measure this store (filled by an earlier run, kept with --keep) instead of a new one"
    )
    parser.add_argument("--keep", help="fill the new store in this SQLite file and keep it afterwards")
    args = parser.parse_args()

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        backend = "sqlite" if args.database == "sqlite" else "postgresql"
        if backend == "postgresql":
            os.environ["REGULARS_TEST_POSTGRES"] = args.database
        import_rate: float | None = None
        if args.store:
            database_url = args.store
            keys, app_password = staff_credentials(database_url)
        else:
            database_url = (
                f"sqlite:///{args.keep}" if args.keep else stack.enter_context(fresh_database(backend, tmp))
            )
            _, keys, app_password = seed(database_url)
            import_rate = populate(database_url, args.customers)
        low, high = id_range(database_url)
        args.customers = high - low + 1 if args.store else args.customers
        cert, key_file, ca = certificate_files(tmp)
        https, _ = stack.enter_context(
            serve_process(
                database_url,
                tmp,
                https=True,
                workers=args.workers,
                ca_file=ca,
                cert_files=(cert, key_file),
                env={"REGULARS_EXTENDED_SEARCH": "true", "REGULARS_RATE_LIMITS": "false"},
            )
        )
        scenarios = scenarios_for(https, keys["read_write"], app_password, low, high, args.customers)
        tls = ssl.create_default_context(cafile=ca)
        host, port = https.split("://")[1].split(":")
        for round_number in range(args.rounds):
            for scenario in scenarios:
                result = asyncio.run(
                    run(
                        scenario.name,
                        host,
                        int(port),
                        scenario.make,
                        seconds=args.seconds,
                        connections=args.connections,
                        tls=tls,
                    )
                )
                bad = {k: v for k, v in result.statuses.items() if k not in (200, 201)}
                if bad:
                    raise SystemExit(f"{scenario.name}: unexpected statuses {bad}")
                scenario.results.append(result)
            print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)
    report(scenarios, args, backend, import_rate)


def scenarios_for(base: str, key: Key, app_password: str, low: int, high: int, count: int) -> list[Scenario]:
    host = base.split("://")[1]
    basic = "Basic " + base64.b64encode(f"{key.consumer_key}:{key.consumer_secret}".encode()).decode()
    admin = "Basic " + base64.b64encode(f"admin:{app_password}".encode()).decode()
    chooser = random.Random(7)
    typed = fragments(chooser)
    serial = itertools.count()
    wc = "/wp-json/wc/v3/customers"

    def get(path: str, auth: str = basic) -> bytes:
        return request_bytes("GET", path, host, {"Authorization": auth})

    run = f"{time.time_ns():x}"  # a store measured again (--store) already holds earlier runs' emails

    def batch() -> bytes:
        n = next(serial)
        creates = [
            {"email": f"batch{run}.{n}.{i}@example.org", "first_name": "Batch", "last_name": f"N{n}"}
            for i in range(100)
        ]
        body = json.dumps({"create": creates}).encode()
        headers = {"Authorization": basic, "Content-Type": "application/json"}
        return request_bytes("POST", f"{wc}/batch", host, headers, body)

    def scattered() -> str:
        """100 customers chosen at random among them all: almost none read before, so none held (a
        worker holds 10,000 at most)."""
        return ",".join(str(chooser.randint(low, high)) for _ in range(100))

    deep = count // 100 // 2  # half way into the store: page 5,000 of 100 at a million; 1,000 is asked below
    return [
        Scenario("trivial /ping", lambda: request_bytes("GET", "/ping", host)),
        Scenario("GET customer by id (wc/v3)", lambda: get(f"{wc}/{chooser.randint(low, high)}"), "≥ 0.6×"),
        Scenario(
            "list page of 10 with totals (wc/v3, pages 1-10)",
            lambda: get(f"{wc}?per_page=10&page={chooser.randint(1, 10)}"),
            "≥ 0.3×",
        ),
        Scenario(
            "list page of 100 (wc/v3, pages 1-10)",
            lambda: get(f"{wc}?per_page=100&page={chooser.randint(1, 10)}"),
            "≥ 0.1×",
        ),
        Scenario(
            "list of 100 customers none held (wc/v3, include= random ids)",
            lambda: get(f"{wc}?per_page=100&orderby=include&include={scattered()}"),
        ),
        Scenario(
            "search by name fragment (wc/v3, extended)",
            lambda: get(f"{wc}?search={next(typed)}&per_page=10"),
            "p99 < 20 ms",
        ),
        Scenario(
            "search by name fragment (FluentCart)",
            lambda: get(f"/wp-json/fluent-cart/v2/customers?search={next(typed)}&per_page=10", admin),
            "p99 < 20 ms",
        ),
        Scenario(
            "deep page: page 1,000 of 100 (wc/v3)", lambda: get(f"{wc}?per_page=100&page=1000"), "p99 < 50 ms"
        ),
        Scenario(f"deep page: page {deep:,} of 100 (wc/v3)", lambda: get(f"{wc}?per_page=100&page={deep}")),
        Scenario(
            "deep page: page 1,000 of 100 (FluentCart)",
            lambda: get("/wp-json/fluent-cart/v2/customers?per_page=100&page=1000", admin),
            "p99 < 50 ms",
        ),
        Scenario("batch of 100 creates (wc/v3)", batch, "p99 < 150 ms"),
    ]


def report(
    scenarios: list[Scenario], args: argparse.Namespace, backend: str, import_rate: float | None
) -> None:
    def rate(s: Scenario) -> float:
        return statistics.median(r.rate for r in s.results)

    baseline = rate(scenarios[0])
    print(
        f"\n{backend}, {args.customers:,} customers, {args.workers} worker(s), "
        f"{args.connections} connection(s), "
        f"{args.rounds} interleaved rounds of {args.seconds:g} s (median round), HTTPS with Basic auth\n"
    )
    print("| scenario | req/s | ratio to /ping | p50 ms | p99 ms | target |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for s in scenarios:
        latencies = [x for r in s.results for x in r.latencies]
        merged = Result(s.name, 0, 0, latencies, {})
        print(
            f"| {s.name} | {rate(s):,.0f} | {rate(s) / baseline:.2f}× | {merged.percentile(50):.2f} | "
            f"{merged.percentile(99):.2f} | {s.target} |"
        )
    if import_rate is not None:
        print(f"| import (services/transfer, bulk) | {import_rate:,.0f} customers/s | | | | |")


if __name__ == "__main__":
    main()
