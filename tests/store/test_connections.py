"""How the store uses connections on the hot path, on SQLite and PostgreSQL: each thread keeps one reading
connection, no transaction outlives a read, a failed connection is replaced, and a nonce written through
autocommit() is stored at once."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from regulars.domain.customers import ProfileChange, ProfileQuery
from regulars.services import credentials, profiles
from regulars.services.clock import now
from regulars.store import migrate
from regulars.store.unit import Store, Unit


def _create(store: Store, email: str) -> int:
    with store.write() as unit:
        return profiles.create(unit, ProfileChange(email=email)).id


def _read_key(store: Store) -> credentials.IssuedKey:
    """A read key of a new administrator: what nonces belong to."""
    with store.write() as unit:
        account_id = unit.accounts.insert(
            username="admin", email="admin@x.test", role="administrator", now=now(), password_hash=None
        )
        return credentials.issue_key(unit, unit.accounts.get(account_id), "read", "t")


def _idle_in_transaction(store: Store) -> int:
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND state LIKE 'idle in transaction%'"
    )
    with store.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def test_a_thread_reads_on_one_connection_and_always_sees_the_latest_commit(store: Store) -> None:
    first = _create(store, "one@x.test")
    with store.read() as unit:
        seen = unit.connection
        assert profiles.get(unit, first) is not None
        # A statement through SQLAlchemy autobegins; the transaction must end with the read.
        assert unit.connection.execute(text("SELECT count(*) FROM accounts")).scalar_one() == 1
    second = _create(store, "two@x.test")  # committed on another connection
    with store.read() as unit:
        assert unit.connection is seen
        assert not unit.connection.in_transaction() or store.dialect == "postgresql"
        assert profiles.get(unit, second) is not None
        assert unit.accounts.count_matching(ProfileQuery()) == 2
    if store.dialect == "postgresql":
        assert _idle_in_transaction(store) == 0


def test_threads_have_their_own_reading_connections(store: Store) -> None:
    _create(store, "one@x.test")
    with store.read() as unit:
        mine = unit.connection
    theirs: list[object] = []

    def read() -> None:
        with store.read() as unit:
            theirs.append(unit.connection)

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert theirs and theirs[0] is not mine


def test_a_finished_thread_gives_its_connections_back(store: Store) -> None:
    """Threads come and go (a thread pool retiring workers); the connections they kept must not."""
    _create(store, "one@x.test")
    before = store.engine.pool.checkedout()

    def read_and_record() -> None:
        with store.read() as unit:
            assert unit.accounts.count_matching(ProfileQuery()) == 1
            with store.autocommit() as committing:
                committing.connection.execute(text("SELECT 1"))

    for _ in range(3):
        threads = [threading.Thread(target=read_and_record) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        gc.collect()
        assert store.engine.pool.checkedout() == before


def test_a_nested_read_keeps_the_outer_reads_transaction(store: Store) -> None:
    _create(store, "one@x.test")
    with store.read() as outer:
        outer.connection.execute(text("SELECT count(*) FROM accounts"))  # SQLAlchemy autobegins
        with store.read() as inner:
            assert inner is outer
        if store.dialect == "sqlite":  # PostgreSQL reads in autocommit: there is nothing to keep
            assert outer.connection.in_transaction()
    assert not outer.connection.in_transaction()


def test_a_read_that_fails_in_the_database_gets_a_fresh_connection(store: Store) -> None:
    created = _create(store, "one@x.test")
    with pytest.raises(DBAPIError, match=r"no_such_table|no such table"), store.read() as unit:
        broken = unit.connection
        unit.connection.execute(text("SELECT * FROM no_such_table"))
    assert broken.closed
    with store.read() as unit:
        assert unit.connection is not broken
        assert profiles.get(unit, created) is not None


def test_an_error_outside_the_database_keeps_the_connection(store: Store) -> None:
    with store.read() as unit:
        kept = unit.connection
    with pytest.raises(KeyError), store.read():
        raise KeyError("a handler's own error")
    with store.read() as unit:
        assert unit.connection is kept


def test_a_nonce_written_through_autocommit_is_stored_at_once_and_only_once(store: Store) -> None:
    key = _read_key(store)
    with store.autocommit() as unit:
        assert unit.credentials.use_nonce(key.key_id, "n-1", 1) is True
    with store.engine.connect() as other:  # another connection sees it: it was committed
        stored = other.execute(text("SELECT count(*) FROM oauth_nonces WHERE nonce = 'n-1'")).scalar_one()
    assert stored == 1
    with store.autocommit() as unit:
        assert unit.credentials.use_nonce(key.key_id, "n-1", 1) is False  # a replay: same timestamp
        assert unit.credentials.use_nonce(key.key_id, "n-1", 2) is True  # another signed request
    # Inside a read (whose transaction would swallow it on SQLite) the nonce is committed on the reading
    # connection outside the read's snapshot, and the read goes on.
    with store.read() as reading:
        counted = reading.accounts.count_matching(ProfileQuery(role=None))
        with store.autocommit() as unit:
            assert unit.credentials.use_nonce(key.key_id, "n-2", 1) is True
        assert reading.accounts.count_matching(ProfileQuery(role=None)) == counted == 1
    with store.engine.connect() as other:
        stored = other.execute(text("SELECT count(*) FROM oauth_nonces WHERE nonce = 'n-2'")).scalar_one()
    assert stored == 1
    if store.dialect == "postgresql":
        assert _idle_in_transaction(store) == 0


def test_nonces_written_during_reads_let_the_wal_restart(store: Store) -> None:
    """Every OAuth GET records its nonce while its read is open. A commit made while a snapshot is held
    cannot restart SQLite's WAL, which then grows with every request (tens of MB in a few thousand); the
    read's snapshot is paused around the write, and what the read sees afterwards includes it."""
    if store.dialect != "sqlite":
        pytest.skip("the WAL is SQLite's")
    first = _create(store, "wal@x.test")
    key = _read_key(store)
    for n in range(3000):
        with store.read() as reading:
            assert profiles.get(reading, first) is not None
            with store.autocommit() as unit:
                assert unit.credentials.use_nonce(key.key_id, f"wal-{n}", 1) is True
            assert profiles.get(reading, first) is not None
            assert reading.connection.connection.driver_connection.in_transaction  # a snapshot again
    wal = Path(store.engine.url.database + "-wal")
    assert wal.stat().st_size < 8 * 1024 * 1024, wal.stat().st_size  # without the pause: about 40 MB
    with store.read() as reading:
        seen = reading.connection.execute(text("SELECT count(*) FROM oauth_nonces")).scalar_one()
    assert seen == 3000


def test_a_nonce_leaves_the_reading_connections_cache_of_the_file_valid(store: Store) -> None:
    """SQLite drops a connection's page cache and memory map of the file whenever another connection has
    committed since its last read (PRAGMA data_version tells); each OAuth request commits a nonce, so the
    nonce is committed on the connection that reads, which SQLite knows to be no change from elsewhere."""
    if store.dialect != "sqlite":
        pytest.skip("the page cache is SQLite's")
    first = _create(store, "cache@x.test")
    key = _read_key(store)

    def version(unit: Unit) -> int:
        return int(unit.connection.exec_driver_sql("PRAGMA data_version").scalar_one())

    with store.read() as reading:
        before = version(reading)
    for n in range(5):
        with store.read() as reading:
            with store.autocommit() as unit:
                assert unit.credentials.use_nonce(key.key_id, f"cache-{n}", 1) is True
            assert profiles.get(reading, first) is not None
            assert version(reading) == before
    _create(store, "other@x.test")  # a commit on another connection: the reading one sees a change
    with store.read() as reading:
        assert version(reading) != before


_NONCE = text("INSERT INTO oauth_nonces (key_id, nonce, timestamp) VALUES (:key, 'kept', :at)")


def test_migration_0005_keeps_the_nonces_and_scopes_them_by_timestamp(store: Store) -> None:
    key = _read_key(store)
    config = migrate._config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004_search_counts")
        connection.execute(_NONCE, {"key": key.key_id, "at": 100})
        with pytest.raises(IntegrityError), connection.begin_nested():  # one timestamp per nonce before
            connection.execute(_NONCE, {"key": key.key_id, "at": 200})
        command.upgrade(config, "0005_nonce_per_timestamp")
        connection.execute(_NONCE, {"key": key.key_id, "at": 200})
    with store.autocommit() as unit:
        assert unit.credentials.use_nonce(key.key_id, "kept", 100) is False  # kept through the upgrade
        assert unit.credentials.use_nonce(key.key_id, "kept", 300) is True
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(
            config, "0004_search_counts"
        )  # a nonce used with several timestamps keeps its latest
        rows = connection.execute(text("SELECT nonce, timestamp FROM oauth_nonces")).all()
        assert [tuple(r) for r in rows] == [("kept", 300)]
        command.upgrade(config, "head")


def test_sqlite_connections_read_the_database_through_memory_maps(store: Store) -> None:
    """Every connection, reading or writing, maps the file (up to SQLite's own limit), so pages outside
    its page cache cost no read() each."""
    if store.dialect != "sqlite":
        pytest.skip("memory-mapped reads are SQLite's")
    with store.read() as unit:
        reading = unit.connection.exec_driver_sql("PRAGMA mmap_size").scalar_one()
    with store.write() as unit:
        writing = unit.connection.exec_driver_sql("PRAGMA mmap_size").scalar_one()
    assert reading == writing and reading >= 2**30
