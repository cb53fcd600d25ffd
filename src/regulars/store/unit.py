"""The unit of work: one transaction, and the repositories that work inside it."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from regulars.store.accounts import AccountRepository
from regulars.store.bulk import BulkRepository
from regulars.store.checkpoints import Checkpointer
from regulars.store.counts import Revisions
from regulars.store.credentials import CredentialRepository
from regulars.store.customers import CustomerRepository
from regulars.store.downloads import DownloadRepository
from regulars.store.engine import make_engine
from regulars.store.options import OptionRepository
from regulars.store.orders import OrderRepository
from regulars.store.products import ProductRepository
from regulars.store.profiles import HeldProfiles, ProfileRepository


class Unit:
    """Everything one request reads or writes, committed together or not at all."""

    def __init__(
        self, connection: Connection, *, autocommit: bool = False, held: HeldProfiles | None = None
    ) -> None:
        """`held`: a thread's reading unit (Store.read) keeps what it reads across requests there, and
        reads the store's revisions once per snapshot."""
        self.connection = connection
        # A PostgreSQL reading unit runs each statement on its own (Store.read); it has no transaction
        # for a savepoint to live in, and none that a failed statement could abort.
        self.autocommit = autocommit
        self.revisions = Revisions(connection, kept=held is not None)
        self.accounts = AccountRepository(connection)
        self.customers = CustomerRepository(connection)
        self.profiles = ProfileRepository(connection, self.revisions, held)
        self.credentials = CredentialRepository(connection, self.revisions)
        self.options = OptionRepository(connection)
        self.downloads = DownloadRepository(connection)
        self.orders = OrderRepository(connection)
        self.products = ProductRepository(connection)
        self.bulk = BulkRepository(connection)

    def batch(self) -> AbstractContextManager[None]:
        """Many writes in this unit (a REST batch): the rows they create are indexed for search and
        counted once, when the block ends, not by a trigger per row (store/bulk.py indexing_at_end)."""
        return self.bulk.indexing_at_end()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undo just this part on failure (a batch item), keeping the rest of the unit. Inside a begun
        transaction (every write unit) the SAVEPOINT statements go straight to the driver: through
        SQLAlchemy's nested transactions they cost more than a batch item's own inserts."""
        if self.autocommit:
            yield
            return
        if not self.connection.in_transaction():
            with self.connection.begin_nested():
                yield
            return
        driver = self.connection.connection.driver_connection
        driver.execute("SAVEPOINT unit_part")  # type: ignore[union-attr]
        try:
            yield
        except BaseException:
            driver.execute("ROLLBACK TO SAVEPOINT unit_part")  # type: ignore[union-attr]
            driver.execute("RELEASE SAVEPOINT unit_part")  # type: ignore[union-attr]
            raise
        driver.execute("RELEASE SAVEPOINT unit_part")  # type: ignore[union-attr]


def _end_read(connection: Connection) -> None:
    """End whatever transaction a read left open: SQLAlchemy's (a statement it ran autobegan one, joining
    the snapshot) or the snapshot begun on the driver."""
    if connection.in_transaction():
        connection.rollback()
        return
    driver = connection.connection.driver_connection
    if getattr(driver, "in_transaction", False):  # sqlite3's flag; psycopg reads in autocommit
        driver.rollback()  # type: ignore[union-attr]


class _Kept(threading.local):
    """A connection this thread keeps (its unit), and how deep the thread is in using it."""

    unit: Unit | None = None
    depth: int = 0


def _commit(connection: Connection) -> None:
    """Commit what a statement run through SQLAlchemy (which autobegins) left open."""
    if connection.in_transaction():
        connection.commit()


class _Using:
    """Using a thread's kept connection, nested or not (a class, not a generator: this is entered several
    times by every request). `snapshot`: a read, whose outermost use reads one snapshot on SQLite; else one
    statement that commits on its own, run outside any snapshot of the connection (paused around it on
    SQLite). `end`: what a read's outermost use, or a statement's use, does with a transaction left open."""

    __slots__ = ("end", "kept", "paused", "snapshot", "store", "unit")

    def __init__(self, store: Store, kept: _Kept, snapshot: bool, end: Callable[[Connection], None]) -> None:
        self.store, self.kept, self.snapshot, self.end = store, kept, snapshot, end
        self.paused: Any = None

    def __enter__(self) -> Unit:
        kept = self.kept
        unit = kept.unit
        if unit is None or unit.connection.invalidated or unit.connection.closed:
            unit = kept.unit = self.store._keep()
        if kept.depth == 0 and self.snapshot:
            unit.revisions.forget()  # a new snapshot: its revisions are read again
        if self.end is _commit:
            unit.revisions.committing()
        if self.store.dialect == "sqlite":
            if not self.snapshot:
                self.paused = _pause_snapshot(unit)
            elif kept.depth == 0:
                unit.connection.connection.driver_connection.execute("BEGIN")  # type: ignore[union-attr]
        kept.depth += 1
        self.unit = unit
        return unit

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: object) -> None:
        kept, connection = self.kept, self.unit.connection
        kept.depth -= 1
        paused, self.paused = self.paused, None
        if error is not None and isinstance(error, DBAPIError | self.store.engine.dialect.loaded_dbapi.Error):
            if not kept.depth:  # the connection may be broken, or mid-transaction: a fresh one next time
                self.store._drop_kept(kept)
            return
        if kept.depth and self.snapshot:
            return  # a read inside another: the outermost ends it
        if not connection.closed:
            self.end(connection)
        if paused is not None:
            paused.execute("BEGIN")


def _pause_snapshot(unit: Unit) -> Any:
    """End the snapshot a read on this connection holds, so that a statement can commit on it: its own
    commit leaves SQLite's page cache and memory map of the file valid, where a commit from any other
    connection makes SQLite drop both at this connection's next read (about 100 µs per OAuth request,
    which commits a nonce), and a commit made outside the snapshot lets the WAL restart, where one made
    while a snapshot is held grows it without end. The read resumes on a new snapshot; what it read before
    (the credentials) stays valid. The driver connection to begin again on, or None when no snapshot was
    open."""
    driver = unit.connection.connection.driver_connection
    if not getattr(driver, "in_transaction", False):
        return None
    driver.rollback()  # type: ignore[union-attr]
    return driver


class Store:
    def __init__(self, url: str, *, background_checkpoints: bool = False, held_profiles: int = 0) -> None:
        """`background_checkpoints` (a server's store): SQLite's WAL is checkpointed by a thread of its
        own rather than by whichever commit crosses 1,000 pages (store/checkpoints.py). `held_profiles`:
        how many profiles reads keep across requests while nothing changes them (store/profiles.py)."""
        self.url = url
        self.held_profiles = HeldProfiles(held_profiles)
        self.engine: Engine = make_engine(url, checkpoint_at_commit=not background_checkpoints)
        on_file = self.dialect == "sqlite" and self.engine.url.database not in (None, "", ":memory:")
        self._checkpointer = Checkpointer(self.engine) if background_checkpoints and on_file else None
        if self._checkpointer is not None:
            self._checkpointer.start()
        self._reader = _Kept()
        self._kept: list[Connection] = []
        self._kept_lock = threading.Lock()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def read(self) -> AbstractContextManager[Unit]:
        """A unit for reading, on a connection this thread keeps: checking one out of the pool for every
        request costs more than the indexed lookups it serves. Reads nested inside share the outermost
        one, and it reads one snapshot that ends with it, so the next read sees the latest commits: on
        SQLite the outermost read is one transaction (begun on the driver: a statement outside one pays
        for opening and closing a read transaction of its own, several times the cost of an indexed
        lookup); on PostgreSQL the connection reads in autocommit (each statement has its own snapshot
        under READ COMMITTED anyway; BEGIN and ROLLBACK would be round trips), so it never sits idle in a
        transaction holding locks. A connection that failed in the database is dropped for a fresh one."""
        return _Using(self, self._reader, snapshot=True, end=_end_read)

    def revisions(self) -> tuple[int, ...]:
        """The store's revisions as they stand now (counts.Revisions.current), asked between requests: on
        the connection this thread reads on, outside any snapshot (one statement needs none)."""
        with _Using(self, self._reader, snapshot=False, end=_end_read) as unit:
            return unit.revisions.current()

    def autocommit(self) -> AbstractContextManager[Unit]:
        """A unit for one prepared statement (store/prepared.py) that commits on its own, such as a used
        nonce: no pool checkout and no BEGIN/COMMIT round trips on the hot path. It runs on the connection
        this thread reads on, never inside a transaction, so a read's snapshot cannot swallow it: on
        PostgreSQL that connection is in autocommit, on SQLite the read's snapshot is paused around it
        (_pause_snapshot says why)."""
        return _Using(self, self._reader, snapshot=False, end=_commit)

    def _keep(self) -> Unit:
        """A unit on a new connection for the calling thread to keep. Only the thread's own local holds the
        unit, so when the thread ends the unit goes and its connection goes back to the pool (a finished
        worker thread would otherwise hold a pooled connection for ever)."""
        connection = self.engine.connect()
        if self.dialect == "postgresql":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        with self._kept_lock:
            self._kept.append(connection)
        unit = Unit(connection, autocommit=self.dialect == "postgresql", held=self.held_profiles)
        weakref.finalize(unit, self._release, connection)
        return unit

    def _release(self, connection: Connection) -> None:
        with self._kept_lock:
            if connection in self._kept:
                self._kept.remove(connection)
        connection.close()

    @contextmanager
    def write(self) -> Iterator[Unit]:
        with self.engine.connect() as connection:
            connection.info["write"] = True
            try:
                with connection.begin():
                    yield Unit(connection)
            finally:
                connection.info.pop("write", None)

    def settle(self) -> None:
        """After a bulk load on SQLite: copy what its WAL holds into the database and empty it, at once.
        A bulk writer checkpoints seldom (store/bulk.py), so up to 200 MB may be left, which every later
        commit would otherwise try to checkpoint in passing. Readers of an older snapshot are waited for
        up to the busy timeout; if they stay, what is left goes to the usual checkpoints."""
        if self.dialect != "sqlite":
            return
        with self.engine.connect() as connection:
            driver = connection.connection.driver_connection
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()  # type: ignore[union-attr]

    def _drop_kept(self, kept: _Kept) -> None:
        """Close a kept connection after an error (it may be broken, or mid-transaction)."""
        unit, kept.unit = kept.unit, None
        if unit is not None:
            self._release(unit.connection)

    def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        with self._kept_lock:
            kept, self._kept = self._kept, []
        for connection in kept:
            connection.close()
        self._reader = _Kept()
        self.engine.dispose()


__all__ = ["IntegrityError", "Store", "Unit"]
