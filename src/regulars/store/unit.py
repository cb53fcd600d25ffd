"""The unit of work: one transaction, and the repositories that work inside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from regulars.store.accounts import AccountRepository
from regulars.store.bulk import BulkRepository
from regulars.store.credentials import CredentialRepository
from regulars.store.customers import CustomerRepository
from regulars.store.downloads import DownloadRepository
from regulars.store.engine import make_engine
from regulars.store.options import OptionRepository
from regulars.store.orders import OrderRepository
from regulars.store.products import ProductRepository


class Unit:
    """Everything one request reads or writes, committed together or not at all."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.accounts = AccountRepository(connection)
        self.customers = CustomerRepository(connection)
        self.credentials = CredentialRepository(connection)
        self.options = OptionRepository(connection)
        self.downloads = DownloadRepository(connection)
        self.orders = OrderRepository(connection)
        self.products = ProductRepository(connection)
        self.bulk = BulkRepository(connection)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undo just this part on failure (a batch item), keeping the rest of the unit."""
        with self.connection.begin_nested():
            yield


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Unit]:
        """A unit for reading. No explicit BEGIN: a single indexed lookup runs on its own, and a unit that
        issues several statements through SQLAlchemy gets one transaction from its autobegin."""
        with self.engine.connect() as connection:
            yield Unit(connection)

    @contextmanager
    def write(self) -> Iterator[Unit]:
        with self.engine.connect() as connection:
            connection.info["write"] = True
            try:
                with connection.begin():
                    yield Unit(connection)
            finally:
                connection.info.pop("write", None)

    def dispose(self) -> None:
        self.engine.dispose()


__all__ = ["IntegrityError", "Store", "Unit"]
