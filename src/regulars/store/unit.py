"""The unit of work: one transaction, and the repositories that work inside it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from regulars.store.accounts import AccountRepository
from regulars.store.bulk import BulkRepository
from regulars.store.credentials import CredentialRepository
from regulars.store.customers import CustomerRepository
from regulars.store.downloads import DownloadRepository
from regulars.store.engine import make_engine
from regulars.store.options import OptionRepository
from regulars.store.orders import OrderRepository
from regulars.store.products import ProductRepository
from regulars.store.profiles import ProfileRepository


class Unit:
    """Everything one request reads or writes, committed together or not at all."""

    def __init__(self, connection: Connection, *, autocommit: bool = False) -> None:
        self.connection = connection
        # A PostgreSQL reading unit runs each statement on its own (Store.read); it has no transaction
        # for a savepoint to live in, and none that a failed statement could abort.
        self.autocommit = autocommit
        self.accounts = AccountRepository(connection)
        self.customers = CustomerRepository(connection)
        self.profiles = ProfileRepository(connection)
        self.credentials = CredentialRepository(connection)
        self.options = OptionRepository(connection)
        self.downloads = DownloadRepository(connection)
        self.orders = OrderRepository(connection)
        self.products = ProductRepository(connection)
        self.bulk = BulkRepository(connection)

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


class _Reader(threading.local):
    """This thread's reading connection and its unit, and how deep the thread is in read()."""

    unit: Unit | None = None
    depth: int = 0


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        self._reader = _Reader()
        self._readers: list[Connection] = []
        self._readers_lock = threading.Lock()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Unit]:
        """A unit for reading, on a connection this thread keeps: checking one out of the pool for every
        request costs more than the indexed lookups it serves. No transaction outlives the outermost
        read(), so the next read sees the latest commits: on SQLite a unit whose statements went through
        SQLAlchemy's autobegin is rolled back at its end; on PostgreSQL the connection reads in autocommit
        (each statement has its own snapshot under READ COMMITTED anyway), so it never sits idle in a
        transaction holding locks. A connection that failed in the database is dropped for a fresh one."""
        reader = self._reader
        unit = reader.unit
        if unit is None or unit.connection.invalidated or unit.connection.closed:
            unit = reader.unit = Unit(self._connect_reader(), autocommit=self.dialect == "postgresql")
        reader.depth += 1
        try:
            yield unit
        except (DBAPIError, self.engine.dialect.loaded_dbapi.Error):
            if reader.depth == 1:
                self._drop_reader(unit.connection)
            raise
        finally:
            reader.depth -= 1
            if reader.depth == 0 and not unit.connection.closed and unit.connection.in_transaction():
                unit.connection.rollback()

    @contextmanager
    def autocommit(self) -> Iterator[Unit]:
        """A unit for one prepared statement (store/prepared.py) that commits on its own, such as a used
        nonce: no pool checkout and no BEGIN/COMMIT round trips on the hot path. It runs on this
        thread's reading connection, which reads outside transactions; inside a read() it would join that
        read's transaction, so there it gets a write unit of its own."""
        if self._reader.depth:
            with self.write() as unit:
                yield unit
            return
        with self.read() as unit:
            yield unit
            if unit.connection.in_transaction():
                unit.connection.commit()

    def _connect_reader(self) -> Connection:
        connection = self.engine.connect()
        if self.dialect == "postgresql":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        with self._readers_lock:
            self._readers.append(connection)
        return connection

    @contextmanager
    def write(self) -> Iterator[Unit]:
        with self.engine.connect() as connection:
            connection.info["write"] = True
            try:
                with connection.begin():
                    yield Unit(connection)
            finally:
                connection.info.pop("write", None)

    def _drop_reader(self, connection: Connection) -> None:
        """Close a reading connection after an error (it may be broken, or mid-transaction)."""
        self._reader.unit = None
        with self._readers_lock:
            if connection in self._readers:
                self._readers.remove(connection)
        connection.close()

    def dispose(self) -> None:
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for connection in readers:
            connection.close()
        self._reader = _Reader()
        self.engine.dispose()


__all__ = ["IntegrityError", "Store", "Unit"]
