"""Helpers for FluentCart tests: servers whose rate limits stay out of the way (or are tiny on purpose),
clients with application passwords (and WooCommerce keys, for the other views), staff accounts."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from regulars.services import credentials
from regulars.services.clock import now
from regulars.store.unit import Store, Unit
from tests.support.servers import Server, running_server

BASE = "/wp-json/fluent-cart/v2"
ROOMY_LIMITS = {
    "REGULARS_RATE_LIMIT_LIST": "100000",
    "REGULARS_RATE_LIMIT_CREATE": "100000",
    "REGULARS_RATE_LIMIT_UPDATE": "100000",
    "REGULARS_RATE_LIMIT_DELETE": "100000",
}


@contextmanager
def fluentcart_server(
    backend: str, tmp: Path, *, env: dict[str, str] | None = None, workers: int = 1
) -> Iterator[Server]:
    """A real server; its rate limits are roomy unless `env` says otherwise."""
    with running_server(backend, tmp, workers=workers, env={**ROOMY_LIMITS, **(env or {})}) as server:
        yield server


def email(prefix: str = "c") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def client(server: Server, username: str = "admin", password: str | None = None) -> httpx.Client:
    """HTTPS with an application password: the only way FluentCart's routes let anyone in."""
    return server.client(https=True, auth=(username, password or server.admin_password), timeout=30)


def staff(server: Server, role: str, username: str | None = None) -> tuple[int, str, str]:
    """A new account of that role with an application password: (id, username, password)."""
    username = username or f"{role}-{uuid.uuid4().hex[:8]}"
    store = Store(server.database_url)
    try:
        with store.write() as unit:
            account_id = unit.accounts.insert(
                username=username, email=email(role), role=role, now=now(), password_hash=None
            )
    finally:
        store.dispose()
    return account_id, username, app_password(server, account_id)


def app_password(server: Server, account_id: int) -> str:
    """Another application password of that account."""
    store = Store(server.database_url)
    try:
        with store.write() as unit:
            account = unit.accounts.get(account_id)
            assert account is not None
            issued = credentials.issue_app_password(unit, account, "tests", credentials.site_secret(unit))
    finally:
        store.dispose()
    return issued.password


@contextmanager
def writing(server: Server) -> Iterator[Unit]:
    store = Store(server.database_url)
    try:
        with store.write() as unit:
            yield unit
    finally:
        store.dispose()


def record_of(server: Server, account_id: int) -> int:
    """The id of an account's customer record: FluentCart's customer id for a WooCommerce customer."""
    store = Store(server.database_url)
    try:
        with store.read() as unit:
            record = unit.customers.by_account(account_id)
    finally:
        store.dispose()
    assert record is not None
    return record.id


def set_columns(unit: Unit, customer_id: int, **values: Any) -> None:
    """Columns of a customer record set as a scenario needs them (dates, figures) without years of orders."""
    unit.customers.update(customer_id, values)


def woocommerce(server: Server) -> httpx.Client:
    """wc/v3 (and the legacy API) with the read/write consumer key over HTTPS."""
    key = server.keys["read_write"]
    return server.client(https=True, auth=(key.consumer_key, key.consumer_secret), timeout=30)


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The `data` of a successful FluentCart answer (after checking its status and envelope)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is True, body
    return body.get("data")


def error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The `error` of a refused FluentCart answer (after checking its status, envelope and code)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and set(body) == {"success", "error"}, body
    assert body["error"]["code"] == code, body
    return body["error"]
