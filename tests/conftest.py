"""Shared fixtures: every store test runs on SQLite and PostgreSQL; wire tests get a real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from regulars.store import migrate
from regulars.store.unit import Store
from tests.support import fluentcart
from tests.support.databases import BACKENDS, fresh_database
from tests.support.servers import Server, running_server


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty store on the backend under test."""
    with fresh_database(backend, tmp_path) as url:
        store = Store(url)
        migrate.upgrade(store.engine)
        try:
            yield store
        finally:
            store.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server per test module and backend; tests use their own emails to stay independent."""
    with running_server(request.param, tmp_path_factory.mktemp("server")) as running:
        yield running


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    """FluentCart's way in, for the module's server: HTTPS with the administrator's application password."""
    with fluentcart.client(server) as c:
        yield c


@pytest.fixture(scope="module")
def wc(server: Server) -> Iterator[httpx.Client]:
    """WooCommerce's, for the module's server: the read/write consumer key over HTTPS (wc/v3, legacy)."""
    with fluentcart.woocommerce(server) as c:
        yield c
