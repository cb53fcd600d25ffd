"""Crash safety: a server (two workers) killed with SIGKILL halfway through a wc/v3 batch of 100 creates or
a FluentCart bulk delete of 50 customers, on SQLite and PostgreSQL. A batch is one transaction (a
savepoint per item), so the store keeps all of it or none of it: no account without its customer record,
addresses and meta, no address without its customer. The server then starts again on the same database
and serves.

Halfway is exact on PostgreSQL: the test holds a row the request reaches at its middle item, waits until
the request is blocked on it (its earlier items written, uncommitted), kills the server and lets go, so
the store must have undone those items. SQLite has one writer and no row locks, so there the kill comes
after half the time the same work took before, tried again on fresh work if the server answered first."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from regulars.domain.customers import ProfileChange
from regulars.services import profiles
from regulars.store import tables
from regulars.store.unit import Store, Unit
from tests.support.databases import BACKENDS, fresh_database
from tests.support.fluentcart import ROOMY_LIMITS
from tests.support.servers import certificate_files, free_port, seed, trusting

pytestmark = pytest.mark.wire

ITEMS = 100
ATTEMPTS = 4
BATCH = "/wp-json/wc/v3/customers/batch"
FC_CUSTOMERS = "/wp-json/fluent-cart/v2/customers"
FC_BULK = f"{FC_CUSTOMERS}/do-bulk-action"


@contextmanager
def _serving(database_url: str, tmp: Path) -> Iterator[tuple[str, str, subprocess.Popen]]:
    """`regulars serve --workers 2` over HTTPS in its own process group, so one SIGKILL takes the supervisor
    and its workers down at once, as a crash of the machine would."""
    cert_file, key_file, ca_file = certificate_files(tmp)
    port = free_port()
    command = [sys.executable, "-m", "regulars", "serve", "--port", str(port), "--database", database_url]
    command += ["--workers", "2", "--ssl-certfile", cert_file, "--ssl-keyfile", key_file]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **ROOMY_LIMITS},
        start_new_session=True,
    )
    url = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
            try:
                if httpx.get(f"{url}/ping", verify=trusting(ca_file), timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url, ca_file, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _killed_during(
    process: subprocess.Popen, send: Callable[[], httpx.Response], midway: Callable[[], None]
) -> bool:
    """Send in a thread and SIGKILL the server's process group once `midway` returns; True when the caller
    got no answer (the kill came before the reply)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["response"] = send()
        except httpx.HTTPError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    midway()
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    thread.join(timeout=30)
    return "response" not in outcome


_BLOCKED = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
)


def _until_blocked(store: Store) -> None:
    """Wait until a server connection waits on a lock (the one the test holds)."""
    deadline = time.monotonic() + 30
    with store.engine.connect() as connection:
        while connection.execute(_BLOCKED).scalar_one() == 0:
            assert time.monotonic() < deadline, "the request never reached the held row"
            connection.rollback()
            time.sleep(0.01)


@contextmanager
def _midway(store: Store, hold: Callable[[Unit], None], takes: float) -> Iterator[Callable[[], None]]:
    """When to kill. PostgreSQL: once the request waits on what `hold` wrote or locked in a transaction the
    test keeps open, rolled back after the kill. SQLite: after half the time the same work took before."""
    if store.dialect != "postgresql":
        yield lambda: time.sleep(takes / 2)
        return
    with store.engine.connect() as connection:
        transaction = connection.begin()
        hold(Unit(connection))
        try:
            yield lambda: _until_blocked(store)
        finally:
            transaction.rollback()


def _until_killed_midway(attempt: Callable[[int], bool]) -> None:
    """Call `attempt(n)` until one kills its server before the answer."""
    for n in range(1, ATTEMPTS + 1):
        if attempt(n):
            return
    pytest.fail(f"none of {ATTEMPTS} attempts was killed before the server answered")


def _batch(prefix: str) -> dict[str, Any]:
    return {
        "create": [
            {
                "email": f"{prefix}{n}@example.com",
                "first_name": f"Crash {n}",
                "billing": {"address_1": f"{n} Main St", "city": "Porto", "country": "PT", "phone": "+351"},
                "shipping": {"address_1": f"{n} Side St", "city": "Braga", "country": "PT"},
                "meta_data": [{"key": "crash_test", "value": n}],
            }
            for n in range(ITEMS)
        ]
    }


def _whole_accounts(store: Store, prefix: str) -> int:
    """How many accounts the batch left, after checking each is whole: its customer record, a primary
    billing and shipping address and its meta; and that no address or meta outlives its owner."""
    a, c, ad, m = tables.accounts, tables.customers, tables.addresses, tables.account_meta
    with store.read() as unit:
        conn = unit.connection
        ids = conn.execute(select(a.c.id).where(a.c.email.like(f"{prefix}%"))).scalars().all()
        for account_id in ids:
            customer_id = conn.execute(select(c.c.id).where(c.c.account_id == account_id)).scalar_one()
            primaries = conn.execute(
                select(ad.c.type).where(ad.c.customer_id == customer_id, ad.c.is_primary.is_(True))
            ).scalars()
            assert sorted(primaries) == ["billing", "shipping"]
            keys = conn.execute(select(m.c.meta_key).where(m.c.account_id == account_id)).scalars().all()
            assert "crash_test" in keys
        orphan_addresses = select(func.count()).select_from(ad).where(~ad.c.customer_id.in_(select(c.c.id)))
        orphan_meta = select(func.count()).select_from(m).where(~m.c.account_id.in_(select(a.c.id)))
        assert conn.execute(orphan_addresses).scalar_one() == 0
        assert conn.execute(orphan_meta).scalar_one() == 0
    return len(ids)


def _customers_left(store: Store, prefix: str) -> int:
    """Customer records of the prefix left by a bulk delete, each with its two addresses still, and no
    address left without its customer."""
    c, ad = tables.customers, tables.addresses
    with store.read() as unit:
        conn = unit.connection
        ids = conn.execute(select(c.c.id).where(c.c.email.like(f"{prefix}%"))).scalars().all()
        for customer_id in ids:
            count = select(func.count()).select_from(ad).where(ad.c.customer_id == customer_id)
            assert conn.execute(count).scalar_one() == 2
        orphans = select(func.count()).select_from(ad).where(~ad.c.customer_id.in_(select(c.c.id)))
        assert conn.execute(orphans).scalar_one() == 0
    return len(ids)


def _wc(url: str, ca: str, key: Any) -> httpx.Client:
    return httpx.Client(
        base_url=url, verify=trusting(ca), auth=(key.consumer_key, key.consumer_secret), timeout=60
    )


def _timed_batch(database_url: str, tmp: Path, key: Any, prefix: str) -> float:
    """A batch of ITEMS creates that completes; the seconds it took."""
    with _serving(database_url, tmp) as (url, ca, _process), _wc(url, ca, key) as wc:
        started = time.monotonic()
        assert wc.post(BATCH, json=_batch(prefix)).status_code == 200
        return time.monotonic() - started


def _kill_a_batch(store: Store, tmp: Path, key: Any, prefix: str, takes: float) -> list[str]:
    """The same batch for new emails, killed halfway (PostgreSQL: at the item whose email the test is
    registering); the prefixes tried."""
    tried: list[str] = []

    def attempt(n: int) -> bool:
        tried.append(f"{prefix}{n}-")
        middle = ProfileChange(email=f"{tried[-1]}{ITEMS // 2}@example.com")

        def register_middle(unit: Unit) -> None:
            profiles.create(unit, middle)

        with (
            _serving(store.url, tmp) as (url, ca, process),
            _wc(url, ca, key) as wc,
            _midway(store, register_middle, takes) as midway,
        ):
            return _killed_during(process, lambda: wc.post(BATCH, json=_batch(tried[-1])), midway)

    _until_killed_midway(attempt)
    return tried


def _kill_a_bulk_delete(store: Store, tmp: Path, key: Any, app_password: str, prefix: str) -> str:
    """ITEMS new customers; a bulk delete of half of them (to time it), then of the other half, killed
    halfway (PostgreSQL: at the customer whose row the test holds); the prefix of the attempt killed."""
    tried: list[str] = []

    def attempt(n: int) -> bool:
        tried.append(f"{prefix}{n}-")
        with (
            _serving(store.url, tmp) as (url, ca, process),
            _wc(url, ca, key) as wc,
            httpx.Client(base_url=url, verify=trusting(ca), auth=("admin", app_password), timeout=60) as fc,
        ):
            assert wc.post(BATCH, json=_batch(tried[-1])).status_code == 200
            listed = fc.get(FC_CUSTOMERS, params={"search": tried[-1], "per_page": ITEMS})
            ids = [c["id"] for c in listed.json()["data"]["customers"]]
            assert len(ids) == ITEMS
            timed, killed = ids[: ITEMS // 2], ids[ITEMS // 2 :]  # the same work, timed on the first half
            started = time.monotonic()
            deleted = fc.post(FC_BULK, json={"action": "delete", "customer_ids": timed}).json()["data"]
            assert deleted["processed"] == len(timed)
            takes = time.monotonic() - started
            middle = killed[len(killed) // 2]
            with _midway(store, lambda unit: unit.customers.lock(middle), takes) as midway:

                def send() -> httpx.Response:
                    return fc.post(FC_BULK, json={"action": "delete", "customer_ids": killed})

                return _killed_during(process, send, midway)

    _until_killed_midway(attempt)
    for earlier in tried[:-1]:  # answered before the kill: both halves deleted
        assert _customers_left(store, earlier) == 0
    return tried[-1]


@pytest.fixture(params=BACKENDS)
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, tuple[int, Any, str]]]:
    with fresh_database(request.param, tmp_path) as database_url:
        yield database_url, seed(database_url)


def test_a_kill_mid_batch_or_mid_bulk_leaves_whole_records_and_the_server_restarts(
    shop: tuple[str, tuple[int, Any, str]], tmp_path: Path
) -> None:
    database_url, (_admin_id, keys, app_password) = shop
    key = keys["read_write"]
    run = uuid.uuid4().hex[:6]
    done, killed, deleting = f"done-{run}-", f"kill-{run}-", f"bulk-{run}-"
    store = Store(database_url)
    try:
        takes = _timed_batch(database_url, tmp_path, key, done)
        assert _whole_accounts(store, done) == ITEMS

        tried = _kill_a_batch(store, tmp_path, key, killed, takes)
        for prefix in tried[:-1]:  # answered before the kill
            assert _whole_accounts(store, prefix) == ITEMS
        expected = (0,) if store.dialect == "postgresql" else (0, ITEMS)
        assert _whole_accounts(store, tried[-1]) in expected

        deleted = _kill_a_bulk_delete(store, tmp_path, key, app_password, deleting)
        left = _customers_left(store, deleted)
        half = ITEMS - ITEMS // 2
        assert left in ((half,) if store.dialect == "postgresql" else (0, half))

        # The server starts again on the same database and serves every dialect.
        with _serving(database_url, tmp_path) as (url, ca, _process):
            fc = httpx.Client(base_url=url, verify=trusting(ca), auth=("admin", app_password))
            with _wc(url, ca, key) as wc, fc:
                made = wc.post("/wp-json/wc/v3/customers", json={"email": f"after-{run}@example.com"})
                assert made.status_code == 201 and made.json()["email"] == f"after-{run}@example.com"
                listed = wc.get("/wp-json/wc/v3/customers", params={"search": deleted, "per_page": 100})
                assert listed.status_code == 200 and len(listed.json()) == ITEMS  # accounts outlive records
                counted = wc.get("/wc-api/v3/customers/count", params={"filter[q]": f"{done}*"})
                assert counted.status_code == 200 and counted.json() == {"count": ITEMS}
                answer = fc.get(FC_CUSTOMERS, params={"search": deleted})
                assert answer.status_code == 200 and answer.json()["data"]["pagination"]["total"] == left
    finally:
        store.dispose()
