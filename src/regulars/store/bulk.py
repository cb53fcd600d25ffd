"""Customers in bulk, for import, export and batches: many rows per statement, inside the caller's unit.

The per-row repositories spend a statement (and SQLAlchemy's per-execution machinery) on every row; a
million customers are four million rows or more. Here a batch reserves its ids up front and sends each
table's rows in one go: executemany on SQLite, COPY on PostgreSQL. Values pass through the same type
processors SQLAlchemy applies, so the rows read back exactly as the repositories' own. On SQLite the
batch also indexes and counts its rows itself, a statement per table, where the per-row triggers would
take most of the time (migration 0010_bulk_writes; `indexing_at_end` does the same for a batch of REST
creates), and an import that at least doubles the store may
drop the tables' non-unique indexes while it writes and build them once at the end (migration
0011_deferred_indexes), its FTS5 tables merging their segments then too (search.hold_merges).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import Connection, Table, delete, func, insert, select, text

from regulars.domain.customers import ADDRESS_FIELDS
from regulars.domain.errors import Conflict
from regulars.domain.transfer import NewProfile
from regulars.store import counts, search
from regulars.store.tables import (
    LOCATION,
    account_meta,
    accounts,
    addresses,
    bulk_writes,
    customers,
    deferred_indexes,
)

_LAST_ID = 2**63 - 1  # the largest id SQLite gives
_IN_LIST = 2000  # values per IN (...): well under SQLite's limit on bound parameters
# SQLite: WAL pages a bulk writer's connection lets build up before it checkpoints (200 MB, not 4 MB). A
# batch dirties pages all over the store's indexes; checkpointing after several batches copies each
# page into the database once for all of them. The checkpoint runs after the commit, holding no lock.
_CHECKPOINT_PAGES = 50_000

# The tables an import writes, whose non-unique indexes it may defer.
_WRITTEN = (accounts, customers, addresses, account_meta)
# SQLite: the tables whose new rows a bulk writer claims (indexing_at_end): the searched ones, and meta,
# whose rows only the profiles revision's triggers watch.
_CLAIMED = (*search.SOURCES, account_meta)
# SQLite: the non-unique indexes a table's own CREATE INDEX statements made (not its key's or constraints').
_SECONDARY = text(
    "SELECT m.name, m.sql FROM pragma_index_list(:table) AS i JOIN sqlite_master AS m ON m.name = i.name "
    "WHERE i.\"unique\" = 0 AND i.origin = 'c' AND m.type = 'index' ORDER BY m.name"
)

_ACCOUNT_COLUMNS = (
    "id",
    "username",
    "email",
    "password_hash",
    "display_name",
    "first_name",
    "last_name",
    "role",
    "registered_at",
    "modified_at",
)
_CUSTOMER_COLUMNS = (
    "id",
    "account_id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "status",
    "notes",
    "additional_info",
    "created_at",
    "updated_at",
    *LOCATION,  # the billing address's place (every address written here is its type's primary)
)
_ADDRESS_COLUMNS = ("id", "customer_id", "type", "is_primary", *ADDRESS_FIELDS, "created_at", "updated_at")
_META_COLUMNS = ("id", "account_id", "meta_key", "meta_value")


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _IN_LIST):
        yield values[start : start + _IN_LIST]


class BulkRepository:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    # --- reading -------------------------------------------------------------------------------
    def _lowered(self, column: Any, values: Iterable[str], *extra: Any) -> set[str]:
        """Which of these (lower-cased) values the column holds, compared as its unique index does."""
        wanted = sorted({v.lower() for v in values})
        found: set[str] = set()
        for chunk in _chunks(wanted):
            query = select(func.lower(column)).where(func.lower(column).in_(chunk), *extra)
            found.update(self.c.execute(query).scalars())
        return found

    def account_emails(self, emails: Iterable[str]) -> set[str]:
        return self._lowered(accounts.c.email, emails)

    def customer_emails(self, emails: Iterable[str]) -> set[str]:
        return self._lowered(customers.c.email, emails)

    def taken_usernames(self, usernames: Iterable[str]) -> set[str]:
        return self._lowered(accounts.c.username, usernames)

    def account_ids_after(self, after_id: int, role: str | None, limit: int) -> list[int]:
        """The ids of the next accounts in id order (keyset pagination: no OFFSET to walk past)."""
        query = select(accounts.c.id).where(accounts.c.id > after_id)
        if role is not None:
            query = query.where(accounts.c.role == role)
        return list(self.c.execute(query.order_by(accounts.c.id).limit(limit)).scalars())

    # --- deferred indexes (SQLite) ----------------------------------------------------------
    def defer_indexes(self) -> int:
        """Drop the written tables' non-unique indexes, each recorded with its definition in the same
        transaction; returns how many are deferred now (those an earlier import left included)."""
        if self.c.dialect.name != "sqlite":
            return 0
        quote = self.c.dialect.identifier_preparer.quote
        for table in _WRITTEN:
            found = self.c.execute(_SECONDARY, {"table": table.name}).all()
            if found:
                rows = [{"name": name, "definition": sql} for name, sql in found]
                self.c.execute(insert(deferred_indexes), rows)
            for name, _sql in found:
                self.c.exec_driver_sql(f"DROP INDEX {quote(name)}")
        deferred = self.deferred_count()
        if deferred:  # the search indexes' merging waits for the same end (search.hold_merges)
            for source in search.SOURCES.values():
                search.hold_merges(self.c, source)
        return deferred

    def deferred_count(self) -> int:
        if self.c.dialect.name != "sqlite":
            return 0
        return self.c.execute(select(func.count()).select_from(deferred_indexes)).scalar_one()

    def build_deferred(self) -> int:
        """Build every deferred index again (each a single sort over its table), and merge what the search
        indexes held unmerged meanwhile; returns how many indexes were built."""
        if self.c.dialect.name != "sqlite":
            return 0
        built = self.c.execute(select(deferred_indexes.c.name, deferred_indexes.c.definition)).all()
        for _name, definition in built:
            self.c.exec_driver_sql(definition)
        if built:
            for source in search.SOURCES.values():
                search.merge_held(self.c, source)
        self.c.execute(delete(deferred_indexes))
        return len(built)

    # --- writing -------------------------------------------------------------------------------
    def insert_profiles(
        self,
        new: Sequence[NewProfile],
        *,
        role: str,
        now: datetime,
        rows_sent: Callable[[], None] | None = None,
    ) -> list[int]:
        """Write accounts, customer records, primary addresses and meta rows; returns the account ids.
        `rows_sent` is called once every row is sent, before they are indexed for search and counted:
        what is left of the work is a few long statements, which on SQLite run without the GIL.

        Raises Conflict when a unique index refuses a row (another writer took an email or username
        since the caller looked): the whole unit must then be rolled back."""
        if not new:
            return []
        account_ids = self._reserve(accounts, len(new))
        customer_ids = self._reserve(customers, len(new))
        stamp, info, primary = (
            self._bound(column, value)
            for column, value in (
                (accounts.c.registered_at, now),
                (customers.c.additional_info, {}),
                (addresses.c.is_primary, True),
            )
        )
        meta_value = self._processor(account_meta.c.meta_value)
        address_rows: list[tuple[Any, ...]] = []
        meta_rows: list[tuple[Any, ...]] = []
        for profile, account_id, customer_id in zip(new, account_ids, customer_ids, strict=True):
            for kind, fields in profile.addresses.items():
                values = [fields.get(name, "") for name in ADDRESS_FIELDS]
                address_rows.append((customer_id, kind, primary, *values, stamp, stamp))
            meta_rows.extend((account_id, key, meta_value(value)) for key, value in profile.meta)
        address_ids = self._reserve(addresses, len(address_rows))
        meta_ids = self._reserve(account_meta, len(meta_rows))
        account_rows = [
            (
                i,
                p.username,
                p.email,
                p.password_hash,
                p.username,
                p.first_name,
                p.last_name,
                role,
                stamp,
                stamp,
            )
            for i, p in zip(account_ids, new, strict=True)
        ]
        customer_rows = [
            (i, a, p.email, p.first_name, p.last_name, "", "active", "", info, stamp, stamp, *_location(p))
            for i, a, p in zip(customer_ids, account_ids, new, strict=True)
        ]
        if self.c.dialect.name == "sqlite":
            self.c.exec_driver_sql(f"PRAGMA wal_autocheckpoint={_CHECKPOINT_PAGES}")
        with self.indexing_at_end():
            try:
                self._write(accounts, _ACCOUNT_COLUMNS, account_rows)
                self._write(customers, _CUSTOMER_COLUMNS, customer_rows)
                addressed = [(i, *r) for i, r in zip(address_ids, address_rows, strict=True)]
                self._write(addresses, _ADDRESS_COLUMNS, addressed)
                metas = [(i, *r) for i, r in zip(meta_ids, meta_rows, strict=True)]
                self._write(account_meta, _META_COLUMNS, metas)
                if rows_sent is not None:
                    rows_sent()
            except (sqlite3.IntegrityError, psycopg.errors.UniqueViolation) as exc:
                raise Conflict("concurrent_insert") from exc
        return account_ids

    @contextmanager
    def indexing_at_end(self) -> Iterator[None]:
        """SQLite: the rows inserted inside into the searched and counted tables are added to their FTS5
        tables and the counts when it ends, one statement per table, instead of by a trigger per row
        (each of whose FTS5 inserts writes out a segment of its own: most of a batch of creates' time).

        Every id above the tables' largest when it begins is claimed in `bulk_writes`, which the triggers
        skip, on update and delete too (migrations 0010 and 0012): so a claimed row is indexed as it
        finally stands, or not at all once deleted. The profiles revision moves once for them (0013).
        Only this transaction ever sees the claims: SQLite has one writer at a time, and they are gone
        before it commits."""
        if self.c.dialect.name != "sqlite":
            yield
            return
        firsts = {table: self._top(table) + 1 for table in _CLAIMED}
        claims = [{"table_name": t.name, "first_id": f, "last_id": _LAST_ID} for t, f in firsts.items()]
        self.c.execute(insert(bulk_writes), claims)
        try:
            yield
        finally:
            for table, first in firsts.items():
                last = self._top(table)
                if last < first or table not in search.SOURCES:
                    continue
                search.index_range(self.c, search.SOURCES[table], first, last)
                if table in counts.COUNTED:
                    counts.count_range(self.c, table, first, last)
            counts.revise(self.c, counts.PROFILES)  # for the claimed rows (migration 0013)
            self.c.execute(delete(bulk_writes))

    def _top(self, table: Table) -> int:
        return self.c.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()

    def _reserve(self, table: Table, count: int) -> list[int]:
        """Ids for `count` new rows of the table, taken before the rows are written.

        SQLite: the unit holds the database's write lock (BEGIN IMMEDIATE), so the ids after the largest
        are ours, exactly those SQLite itself would give. PostgreSQL: drawn from the table's sequence,
        which other writers share safely."""
        if count == 0:
            return []
        if self.c.dialect.name == "sqlite":
            top = self._top(table)
            return list(range(top + 1, top + 1 + count))
        sequence = self.c.execute(select(func.pg_get_serial_sequence(table.name, "id"))).scalar_one()
        drawn = self.c.execute(
            select(func.nextval(sequence)).select_from(func.generate_series(1, count))
        ).scalars()
        return sorted(drawn)

    def _processor(self, column: Any) -> Callable[[Any], Any]:
        """How SQLAlchemy turns a value for this column into what the driver is given."""
        dialect = self.c.dialect
        processor = column.type.dialect_impl(dialect).bind_processor(dialect)
        return processor or _unchanged

    def _bound(self, column: Any, value: Any) -> Any:
        return self._processor(column)(value)

    def _write(self, table: Table, names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Send rows whose values are already as the driver takes them (see _bound)."""
        if not rows:
            return
        columns = ", ".join(names)
        cursor: Any = self.c.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            if self.c.dialect.name == "sqlite":
                marks = ", ".join("?" * len(names))
                cursor.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", rows)  # noqa: S608
            else:
                with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        finally:
            cursor.close()


def _location(profile: NewProfile) -> tuple[str | None, ...]:
    """The customer row's copy of its billing address's place; NULLs without a billing address."""
    billing = profile.addresses.get("billing")
    return tuple(None if billing is None else billing.get(name, "") for name in LOCATION)


def _unchanged(value: Any) -> Any:
    return value
