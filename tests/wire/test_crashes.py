"""Crash safety: a server (two workers) killed with SIGKILL halfway through a wc/v3 batch of 100 creates or
a FluentCart bulk delete of 100 customers, on SQLite and PostgreSQL. A batch is one transaction (a
savepoint per item), so the store keeps all of it or none of it: no account without its customer record,
addresses and meta, no address without its customer. The server then starts again on the same database
and serves."""

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
from sqlalchemy import func, select

from regulars.store import tables
from regulars.store.unit import Store
from tests.support.databases import BACKENDS, fresh_database
from tests.support.fluentcart import ROOMY_LIMITS
from tests.support.servers import certificate_files, free_port, seed, trusting

pytestmark = pytest.mark.wire

ITEMS = 100


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


def _killed_halfway(process: subprocess.Popen, send: Callable[[], httpx.Response], takes: float) -> bool:
    """Send in a thread and SIGKILL the server's process group halfway through the time the same work took
    before; True when the caller got no answer (the kill came before the reply)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["response"] = send()
        except httpx.HTTPError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(takes / 2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    thread.join(timeout=30)
    return "response" not in outcome


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


@pytest.fixture(params=BACKENDS)
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, tuple[int, Any, str]]]:
    with fresh_database(request.param, tmp_path) as database_url:
        yield database_url, seed(database_url)


def _kill_a_batch(database_url: str, tmp: Path, key: Any, done: str, killed: str) -> None:
    """A batch that completes (to time it), then the same batch again, killed halfway."""
    with (
        _serving(database_url, tmp) as (url, ca, process),
        httpx.Client(
            base_url=url, verify=trusting(ca), auth=(key.consumer_key, key.consumer_secret), timeout=60
        ) as wc,
    ):
        started = time.monotonic()
        assert wc.post("/wp-json/wc/v3/customers/batch", json=_batch(done)).status_code == 200
        takes = time.monotonic() - started

        def send() -> httpx.Response:
            return wc.post("/wp-json/wc/v3/customers/batch", json=_batch(killed))

        assert _killed_halfway(process, send, takes)


def _kill_a_bulk_delete(database_url: str, tmp: Path, app_password: str, prefix: str) -> None:
    """A bulk delete of half the prefix's customers (to time it), then of the other half, killed halfway."""
    bulk = "/wp-json/fluent-cart/v2/customers/do-bulk-action"
    with (
        _serving(database_url, tmp) as (url, ca, process),
        httpx.Client(base_url=url, verify=trusting(ca), auth=("admin", app_password), timeout=60) as fc,
    ):
        listed = fc.get("/wp-json/fluent-cart/v2/customers", params={"search": prefix, "per_page": ITEMS})
        ids = [c["id"] for c in listed.json()["data"]["customers"]]
        assert len(ids) == ITEMS
        timed, killed = ids[: ITEMS // 2], ids[ITEMS // 2 :]  # the same work, timed on the first half
        started = time.monotonic()
        deleted = fc.post(bulk, json={"action": "delete", "customer_ids": timed}).json()["data"]
        assert deleted["processed"] == len(timed)
        takes = time.monotonic() - started

        def send() -> httpx.Response:
            return fc.post(bulk, json={"action": "delete", "customer_ids": killed})

        assert _killed_halfway(process, send, takes)


def test_a_kill_mid_batch_or_mid_bulk_leaves_whole_records_and_the_server_restarts(
    shop: tuple[str, tuple[int, Any, str]], tmp_path: Path
) -> None:
    database_url, (_admin_id, keys, app_password) = shop
    key = keys["read_write"]
    done, killed = f"done-{uuid.uuid4().hex[:6]}-", f"kill-{uuid.uuid4().hex[:6]}-"
    store = Store(database_url)
    try:
        _kill_a_batch(database_url, tmp_path, key, done, killed)
        assert _whole_accounts(store, done) == ITEMS
        assert _whole_accounts(store, killed) in (0, ITEMS)

        _kill_a_bulk_delete(database_url, tmp_path, app_password, done)
        left = _customers_left(store, done)
        assert left in (0, ITEMS - ITEMS // 2)

        # The server starts again on the same database and serves every dialect.
        with _serving(database_url, tmp_path) as (url, ca, _process):
            wc = httpx.Client(base_url=url, verify=trusting(ca), auth=(key.consumer_key, key.consumer_secret))
            fc = httpx.Client(base_url=url, verify=trusting(ca), auth=("admin", app_password))
            with wc, fc:
                made = wc.post("/wp-json/wc/v3/customers", json={"email": f"after-{killed}@example.com"})
                assert made.status_code == 201
                listed = wc.get("/wp-json/wc/v3/customers", params={"search": done, "per_page": 100})
                assert listed.status_code == 200 and len(listed.json()) == ITEMS  # accounts outlive records
                counted = wc.get("/wc-api/v3/customers/count", params={"filter[q]": killed})
                assert counted.status_code == 200
                answer = fc.get("/wp-json/fluent-cart/v2/customers", params={"search": done})
                assert answer.status_code == 200 and answer.json()["data"]["pagination"]["total"] == left
    finally:
        store.dispose()
