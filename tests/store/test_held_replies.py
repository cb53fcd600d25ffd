"""A customer read again is given as the answer held from before (replies.py), on SQLite and PostgreSQL:
never after anything it was made of changed, by any connection, nor after its credential changed, and
never in place of recording a key's use when that is due."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, event, select, update

from regulars.app import create_app
from regulars.domain.customers import ProfileChange
from regulars.services import profiles
from regulars.settings import Settings
from regulars.store.tables import accounts, addresses, api_keys
from regulars.store.unit import Store
from tests.support.servers import Key, seed


@pytest.fixture
def shop(store: Store) -> Iterator[dict[str, Any]]:
    """The app over the store, its seeded keys, and a customer."""
    _, keys, _ = seed(store.url)
    with store.write() as unit:
        customer = profiles.create(
            unit, ProfileChange(email="ann@x.test", first_name="Ann", billing={"city": "Porto"})
        ).id
    yield {"keys": keys, "customer": customer}


def _basic(key: Key) -> dict[str, str]:
    token = base64.b64encode(f"{key.consumer_key}:{key.consumer_secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class App:
    """The application in process, called over ASGI as uvicorn calls it, with the statements its store
    sends that read customers."""

    def __init__(self, url: str, **settings: Any) -> None:
        self.app = create_app(Settings.from_env(database_url=url, **settings))
        self.ctx = self.app.state.ctx
        self.reads: list[str] = []
        event.listen(self.ctx.store.engine, "before_cursor_execute", self._grab)

    def _grab(self, _c: Any, _cur: Any, sql: str, *_: Any) -> None:
        if "customers" in sql:
            self.reads.append(sql)

    def get(self, path: str, key: Key, method: str = "GET", **kw: Any) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="https://shop.test") as client:
                return await client.request(method, path, headers={**_basic(key), **kw}, timeout=10)

        return asyncio.run(call())

    def close(self) -> None:
        self.ctx.store.dispose()


@pytest.fixture
def app(store: Store) -> Iterator[App]:
    running = App(store.url)
    yield running
    running.close()


def test_a_customer_read_again_is_the_same_answer_without_reading_the_store(
    shop: dict[str, Any], app: App
) -> None:
    path = f"/wp-json/wc/v3/customers/{shop['customer']}"
    app.get(path, shop["keys"]["read_write"])  # records the key's first use: the credentials change
    first = app.get(path, shop["keys"]["read_write"])
    assert first.status_code == 200 and first.json()["first_name"] == "Ann"
    app.reads.clear()
    again = app.get(path, shop["keys"]["read_write"])
    assert app.reads == []
    assert again.status_code == 200
    assert again.content == first.content
    assert again.headers.items() == first.headers.items()
    assert len(app.ctx.replies) == 1


def test_each_caller_version_and_method_has_its_own_answer(shop: dict[str, Any], app: App) -> None:
    path = f"/wp-json/wc/v3/customers/{shop['customer']}"
    keys = shop["keys"]
    for _ in range(3):
        full = app.get(path, keys["read_write"])
        read_only = app.get(path, keys["read"])
        some = app.get(f"{path}?_fields=id,email", keys["read_write"])
        older = app.get(path.replace("/v3/", "/v1/"), keys["read_write"])
        head = app.get(path, keys["read_write"], method="HEAD")
        refused = app.get(path, keys["write"])  # a key without read permission, never a held answer
        assert full.status_code == read_only.status_code == 200 and full.json()["first_name"] == "Ann"
        assert "date_created_gmt" in full.json() and "date_created_gmt" not in older.json()
        assert {k: v for k, v in some.json().items() if k != "_links"} == {
            "id": shop["customer"],
            "email": "ann@x.test",
        }
        assert head.status_code == 200 and head.content == b""
        assert head.headers["allow"] == full.headers["allow"] == "GET, POST, PUT, PATCH, DELETE"
        assert refused.status_code == 401
        assert refused.json()["message"] == "The API key provided does not have read permissions."
    assert len(app.ctx.replies) == 5


def test_a_change_by_any_connection_is_in_the_next_answer(
    shop: dict[str, Any], app: App, store: Store
) -> None:
    path = f"/wp-json/wc/v3/customers/{shop['customer']}"
    key = shop["keys"]["read_write"]
    app.get(path, key)
    app.get(path, key)
    with store.write() as unit:  # another connection, as another worker or process would write
        unit.connection.execute(
            update(accounts).where(accounts.c.id == shop["customer"]).values(first_name="Bo")
        )
    assert app.get(path, key).json()["first_name"] == "Bo"
    with store.write() as unit:
        unit.connection.execute(update(addresses).values(city="Faro"))
    assert app.get(path, key).json()["billing"]["city"] == "Faro"
    with store.write() as unit:
        unit.connection.execute(delete(accounts).where(accounts.c.id == shop["customer"]))
    gone = app.get(path, key)
    assert gone.status_code == 404 and gone.json()["code"] == "wc_user_invalid_id"


def test_a_held_answer_does_not_outlive_its_credential(shop: dict[str, Any], app: App, store: Store) -> None:
    path = f"/wp-json/wc/v3/customers/{shop['customer']}"
    key = shop["keys"]["read_write"]
    app.get(path, key)
    assert app.get(path, key).status_code == 200
    with store.write() as unit:
        unit.connection.execute(update(api_keys).values(permissions="write"))
    refused = app.get(path, key)
    assert refused.status_code == 401
    assert refused.json()["message"] == "The API key provided does not have read permissions."
    with store.write() as unit:
        unit.connection.execute(delete(api_keys))
    anonymous = app.get(path, key)
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "invalid_username"


def test_a_wrong_secret_is_never_given_what_the_right_one_was(shop: dict[str, Any], app: App) -> None:
    path = f"/wp-json/wc/v3/customers/{shop['customer']}"
    key = shop["keys"]["read_write"]
    app.get(path, key)
    wrong = app.get(path, Key(key.consumer_key, key.consumer_secret[:-1] + "x"))
    assert wrong.status_code == 401 and wrong.json()["message"] == "Consumer secret is invalid."


def test_a_keys_use_is_recorded_when_due_though_its_answer_is_held(
    shop: dict[str, Any], store: Store
) -> None:
    app = App(store.url, last_access_resolution=2)
    try:
        path = f"/wp-json/wc/v3/customers/{shop['customer']}"
        key = shop["keys"]["read_write"]

        def last_access() -> Any:
            with store.read() as unit:
                rows = unit.connection.execute(select(api_keys.c.last_access, api_keys.c.permissions))
                return {permissions: at for at, permissions in rows}["read_write"]

        app.get(path, key)
        recorded = last_access()
        assert recorded is not None
        app.get(path, key)  # the credentials changed with the use recorded: read anew, and held
        app.reads.clear()
        app.get(path, key)
        assert app.reads == [] and last_access() == recorded  # held, and not due yet
        time.sleep(2.05)
        app.get(path, key)
        assert last_access() > recorded
    finally:
        app.close()


def test_a_server_told_to_hold_none_reads_every_time(shop: dict[str, Any], store: Store) -> None:
    app = App(store.url, held_reply_bytes=0)
    try:
        path = f"/wp-json/wc/v3/customers/{shop['customer']}"
        app.get(path, shop["keys"]["read_write"])
        app.reads.clear()
        assert app.get(path, shop["keys"]["read_write"]).json()["first_name"] == "Ann"
        assert len(app.ctx.replies) == 0
    finally:
        app.close()


def test_the_stamp_moves_with_every_commit_that_changes_a_revision(store: Store) -> None:
    """Store.revisions, asked between requests: a write on another connection moves it, and so does one
    committed on the very connection that asks (which SQLite's data_version does not show)."""
    _, _, _ = seed(store.url)
    with store.write() as unit:
        customer = profiles.create(unit, ProfileChange(email="bo@x.test")).id
    before = store.revisions()
    assert store.revisions() == before
    with store.write() as unit:
        unit.connection.execute(update(accounts).where(accounts.c.id == customer).values(first_name="B"))
    moved = store.revisions()
    assert moved[1] > before[1] and moved[0] > before[0]
    with store.autocommit() as unit:  # the asking connection's own commit
        unit.connection.execute(update(api_keys).values(description="renamed"))
    assert store.revisions()[0] > moved[0]
