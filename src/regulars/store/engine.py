"""Engines for SQLite (file, WAL, foreign keys on) and PostgreSQL (psycopg 3), from one URL."""

from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import orjson
import psycopg
from psycopg.types.string import StrBinaryDumper, StrDumperUnknown
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool
from sqlalchemy.schema import CreateTable

from regulars.store.tables import connection_tables

# What the drivers raise for a broken constraint, where a statement bypasses SQLAlchemy (store/prepared.py).
INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg.IntegrityError)


def normalise_url(url: str) -> str:
    """Accept the spellings people paste (postgres://, postgresql://) and pick psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def read_json(text: Any) -> Any:
    """JSON columns are text on SQLite; orjson reads them several times faster than json. SQLite hands a
    number stored there back as a number: the TypeError tells SQLAlchemy to keep it as it is. What orjson
    refuses but json wrote (NaN, integers past 64 bits) still reads."""
    if not isinstance(text, str | bytes):
        raise TypeError("not JSON text")
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


# Each SQLite connection's own tables (TEMP), made outside any transaction, so no rollback undoes them.
_CONNECTION_TABLES = [
    str(CreateTable(table).compile(dialect=sqlite.dialect())) for table in connection_tables.sorted_tables
]

# Address space only (what is resident is the OS's page cache); SQLite caps it at its build's limit, 2 GB
# in the usual builds, and pages past the map are read as before.
MMAP_BYTES = 2**31


def _without_autocheckpoint(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    """A connection whose commits never checkpoint: store/checkpoints.py does it beside them."""
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN decide transactions
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA cache_size=-65536")
    # Read the database file through memory maps rather than a read() per page: a store of a million
    # customers is a few GB, mostly outside SQLite's own page cache, and each page it reads through the
    # OS's cache is then a memory access instead of a system call and a copy.
    cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    for statement in _CONNECTION_TABLES:
        cursor.execute(statement)
    cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    """Begin SQLAlchemy's transaction on the driver. IMMEDIATE takes the write lock up front, so two writers
    never deadlock on lock upgrades. A reading connection may already be inside the snapshot Store.read()
    began, which SQLAlchemy then joins."""
    driver = conn.connection.driver_connection
    if not driver.in_transaction:  # type: ignore[union-attr]
        driver.execute("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")  # type: ignore[union-attr]


class _TextDumper(StrDumperUnknown):
    """PostgreSQL text cannot hold NUL (SQLite and MySQL can); WordPress's sanitising drops it (PHP's
    strip_tags), so text parameters lose it here rather than fail the statement."""

    def dump(self, obj: str) -> bytes:
        return super().dump(obj.replace("\x00", ""))


class _TextBinaryDumper(StrBinaryDumper):
    def dump(self, obj: str) -> bytes:
        return super().dump(obj.replace("\x00", ""))


def _on_postgresql_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.adapters.register_dumper(str, _TextDumper)
    dbapi_connection.adapters.register_dumper(str, _TextBinaryDumper)


def make_engine(url: str, *, pool_size: int = 5, checkpoint_at_commit: bool = True) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        engine = create_engine(
            url,
            poolclass=StaticPool if memory else None,
            connect_args={"check_same_thread": False},
            json_deserializer=read_json,
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        if not checkpoint_at_commit:
            event.listen(engine, "connect", _without_autocheckpoint)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True)
    event.listen(engine, "connect", _on_postgresql_connect)
    return engine


def constraint_guard(connection: Connection) -> AbstractContextManager[Any]:
    """What lets a unit go on after a statement breaks a constraint (a concurrent writer took the email):
    SQLite undoes just that statement by itself; PostgreSQL aborts the whole transaction unless the
    statement ran in a savepoint, so only there is one taken (it costs two round trips)."""
    if connection.dialect.name == "postgresql":
        return connection.begin_nested()
    return nullcontext()
