"""Real databases for tests: a fresh SQLite file, or a fresh PostgreSQL database dropped afterwards.

PostgreSQL comes from REGULARS_TEST_POSTGRES (default: CI's postgresql://postgres@127.0.0.1:5432/test).
Under CI (CI=true) an unreachable PostgreSQL fails the run; elsewhere its tests are skipped with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

POSTGRES_URL = os.environ.get("REGULARS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


def _admin_connect() -> psycopg.Connection:
    return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)


def postgres_available() -> str | None:
    """None when PostgreSQL answers; the reason otherwise."""
    try:
        with _admin_connect():
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {POSTGRES_URL} is not reachable: {exc}"


def require_postgres() -> None:
    reason = postgres_available()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI requires the PostgreSQL run)")
    pytest.skip(reason)


@contextmanager
def fresh_database(backend: str, tmp: Path) -> Iterator[str]:
    """A URL to an empty database of that backend, removed when the block ends."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / f'regulars-{uuid.uuid4().hex[:8]}.db'}"
        return
    require_postgres()
    name = f"regulars_test_{uuid.uuid4().hex[:12]}"
    with _admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with _admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
