"""Shared fixtures: every store test runs on SQLite and PostgreSQL; wire tests get a real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from regulars.store import migrate
from regulars.store.unit import Store
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
