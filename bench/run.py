"""Regulars benchmark: each scenario as a ratio to the trivial endpoint (/ping) of the same server,
measured side by side in the same run, in interleaved rounds (the machine is small and noisy).

    scripts/bench                      # 10,000 customers on SQLite, 3 rounds of 3 s per scenario
    scripts/bench --database postgresql://postgres@127.0.0.1:5432/test --customers 10000
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import random
import ssl
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.databases import fresh_database  # noqa: E402
from tests.support.servers import certificate_files, seed, serve_process  # noqa: E402
from woocommerce.oauth import OAuth  # noqa: E402

from bench.loadgen import Result, request_bytes, run  # noqa: E402
from regulars.domain.customers import ProfileChange  # noqa: E402
from regulars.services import profiles  # noqa: E402


def populate(database_url: str, count: int) -> list[int]:
    from regulars.store.unit import Store

    store = Store(database_url)
    ids: list[int] = []
    started = time.perf_counter()
    for start in range(0, count, 500):
        with store.write() as unit:
            for n in range(start, min(count, start + 500)):
                change = ProfileChange(
                    email=f"customer{n}@example.com",
                    first_name=f"First{n}",
                    last_name=f"Last{n}",
                    billing={"city": "Porto", "country": "PT", "phone": f"+351{n:09d}"},
                    shipping={"city": "Porto", "country": "PT"},
                )
                ids.append(profiles.create(unit, change).id)
    store.dispose()
    print(f"populated {count} customers in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return ids


class Scenario:
    def __init__(self, name: str, base: str, make: Callable[[], bytes], tls: ssl.SSLContext | None) -> None:
        self.name, self.base, self.make, self.tls = name, base, make, tls
        host_port = base.split("://", 1)[1]
        self.host, port = host_port.split(":")
        self.port = int(port)
        self.results: list[Result] = []


_USED_NONCES: set[str] = set()


def oauth_target(base: str, path: str, key: tuple[str, str], query: str = "") -> str:
    """A signed request target. The official client's nonces come from 8 random digits, so at thousands of
    requests a second it now and then draws one twice within a second, which the server rightly refuses
    as a replay: a nonce this run has drawn before is drawn again."""
    url = f"{base}{path}" + (f"?{query}" if query else "")
    while True:
        signed = OAuth(url, key[0], key[1], version="wc/v3", method="GET").get_oauth_url()
        nonce = signed.split("oauth_nonce=", 1)[1].split("&", 1)[0]
        if nonce not in _USED_NONCES:
            _USED_NONCES.add(nonce)
            return signed[len(base) :]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", default="sqlite", help="sqlite, or a PostgreSQL URL to create a database in"
    )
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        backend = "sqlite" if args.database == "sqlite" else "postgresql"
        if backend == "postgresql":
            import os

            os.environ["REGULARS_TEST_POSTGRES"] = args.database
        database_url = stack.enter_context(fresh_database(backend, tmp))
        _, keys, _ = seed(database_url)
        ids = populate(database_url, args.customers)
        cert, key_file, ca = certificate_files(tmp)
        http, _ = stack.enter_context(serve_process(database_url, tmp, https=False, workers=args.workers))
        https, _ = stack.enter_context(
            serve_process(
                database_url, tmp, https=True, workers=args.workers, ca_file=ca, cert_files=(cert, key_file)
            )
        )
        tls = ssl.create_default_context(cafile=ca)
        credentials = (keys["read_write"].consumer_key, keys["read_write"].consumer_secret)
        basic = "Basic " + base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()
        host_http, host_https = http.split("://")[1], https.split("://")[1]

        def by_id_oauth() -> bytes:
            target = oauth_target(http, f"/wp-json/wc/v3/customers/{random.choice(ids)}", credentials)
            return request_bytes("GET", target, host_http)

        def by_id_basic() -> bytes:
            return request_bytes(
                "GET", f"/wp-json/wc/v3/customers/{random.choice(ids)}", host_https, {"Authorization": basic}
            )

        def list_100() -> bytes:
            page = random.randint(1, max(1, args.customers // 100))
            target = oauth_target(http, "/wp-json/wc/v3/customers", credentials, f"per_page=100&page={page}")
            return request_bytes("GET", target, host_http)

        scenarios = [
            Scenario("trivial /ping (HTTP)", http, lambda: request_bytes("GET", "/ping", host_http), None),
            Scenario("GET customer by id, OAuth (HTTP)", http, by_id_oauth, None),
            Scenario(f"list 100 of {args.customers:,}, OAuth (HTTP)", http, list_100, None),
            Scenario("trivial /ping (HTTPS)", https, lambda: request_bytes("GET", "/ping", host_https), tls),
            Scenario("GET customer by id, Basic (HTTPS)", https, by_id_basic, tls),
        ]
        for round_number in range(args.rounds):
            for scenario in scenarios:
                prepared = [scenario.make() for _ in range(60_000 if "OAuth" in scenario.name else 1)]
                supply = iter(prepared) if len(prepared) > 1 else None

                def make(s: Scenario = scenario, it=supply) -> bytes:
                    return next(it, None) or s.make() if it is not None else s.make()

                result = asyncio.run(
                    run(
                        scenario.name,
                        scenario.host,
                        scenario.port,
                        make,
                        seconds=args.seconds,
                        connections=args.connections,
                        tls=scenario.tls,
                    )
                )
                bad = {k: v for k, v in result.statuses.items() if k != 200}
                if bad:
                    raise SystemExit(f"{scenario.name}: unexpected statuses {bad}")
                scenario.results.append(result)
            print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)

    report(scenarios, args, backend)


def report(scenarios: list[Scenario], args: argparse.Namespace, backend: str) -> None:
    def rate(s: Scenario) -> float:
        return statistics.median(r.rate for r in s.results)

    baseline = {s.base.split("://")[0]: rate(s) for s in scenarios if "/ping" in s.name}
    print(
        f"\n{backend}, {args.customers:,} customers, {args.workers} worker(s), "
        f"{args.connections} connections, {args.rounds} interleaved rounds of {args.seconds:g} s "
        "(median round)\n"
    )
    print("| scenario | req/s | ratio to /ping | p50 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for s in scenarios:
        latencies = [x for r in s.results for x in r.latencies]
        merged = Result(s.name, 0, 0, latencies, {})
        ratio = rate(s) / baseline[s.base.split("://")[0]]
        print(
            f"| {s.name} | {rate(s):,.0f} | {ratio:.2f}× | {merged.percentile(50):.2f} | "
            f"{merged.percentile(99):.2f} |"
        )


if __name__ == "__main__":
    main()
