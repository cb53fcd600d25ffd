"""Totals kept by triggers in `row_counts` (tables.py): a list's total without counting the table."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, Connection, Table, bindparam, func, literal, literal_column, select
from sqlalchemy.dialects.sqlite import insert

from regulars.store.prepared import Prepared
from regulars.store.tables import accounts, customers, row_counts

ACCOUNT_ROLE = "account_role"
CUSTOMER_STATUS = "customer_status"
# Not a count: how many changes credentials (migration 0009_credential_revision) and profiles (0013)
# have seen, by name.
REVISION = "revision"
CREDENTIALS, PROFILES = "credentials", "profiles"
# The counted tables: each one's kind in row_counts and the column whose values it counts.
COUNTED: dict[Table, tuple[str, Column]] = {
    accounts: (ACCOUNT_ROLE, accounts.c.role),
    customers: (CUSTOMER_STATUS, customers.c.status),
}


_SUM = select(func.coalesce(func.sum(row_counts.c.count), literal_column("0")).label("total")).where(
    row_counts.c.kind == bindparam("kind")
)
_ALL = Prepared(_SUM)
_ONE = Prepared(_SUM.where(row_counts.c.name == bindparam("name")))


def tally(connection: Connection, kind: str, names: Sequence[str] | None = None) -> int:
    """How many rows have one of these values (every value when None). Asked on every list request, so
    each is one prepared lookup of the kept counts."""
    if names is None:
        return int(_ALL.first(connection, kind=kind).total)
    return sum(int(_ONE.first(connection, kind=kind, name=name).total) for name in names)


_REVISIONS = Prepared(
    select(row_counts.c.name, func.sum(row_counts.c.count).label("total"))
    .where(row_counts.c.kind == REVISION)
    .group_by(row_counts.c.name)
)


class Revisions:
    """The store's revisions, read together in one statement. A reading unit (`kept`) reads them once per
    snapshot (Store.read forgets them when one begins): every authenticated read asks for the
    credentials' and most for the profiles'. Read a revision before what it vouches for."""

    def __init__(self, connection: Connection, *, kept: bool) -> None:
        self.c = connection
        self.kept = kept
        self._read: dict[str, int] | None = None
        # SQLite: the connection's data_version when the stamp beside it was read (`current`).
        self._known: tuple[int, tuple[int, ...]] | None = None

    def _totals(self) -> dict[str, int]:
        found = self._read
        if found is None:
            found = self._statement()
            if self.kept:
                self._read = found
        return found

    def _statement(self) -> dict[str, int]:
        return {row.name: int(row.total) for row in _REVISIONS.all(self.c)}

    @staticmethod
    def _stamp(totals: dict[str, int]) -> tuple[int, ...]:
        return (totals.get(CREDENTIALS, 0), totals.get(PROFILES, 0))

    def __getitem__(self, name: str) -> int:
        return self._totals().get(name, 0)

    def stamp(self) -> tuple[int, ...]:
        """Every revision, in one tuple: equal stamps mean nothing credentials or profiles are read from
        has changed in between."""
        return self._stamp(self._totals())

    def current(self) -> tuple[int, ...]:
        """The stamp as it stands now, read anew (never what a snapshot read before). On SQLite a
        connection's data_version moves whenever another connection commits, and only then: while it
        stands, so does the stamp, and asking costs a third of reading the revisions. A commit of this
        connection's own does not move it, so each one drops what was learnt (`committing`)."""
        if self.c.dialect.name != "sqlite":
            return self._stamp(self._statement())
        driver = self.c.connection.driver_connection
        version = driver.execute("PRAGMA data_version").fetchone()[0]  # type: ignore[union-attr]
        known = self._known
        if known is not None and known[0] == version:
            return known[1]
        stamp = self._stamp(self._statement())
        self._known = (version, stamp)
        return stamp

    def committing(self) -> None:
        """This connection is about to commit: data_version will not show it (`current`)."""
        self._known = None

    def forget(self) -> None:
        self._read = None


def revise(connection: Connection, name: str) -> None:
    """SQLite: move a revision on, for rows its triggers left to a bulk writer."""
    upsert = insert(row_counts).values(kind=REVISION, name=name, shard=0, count=1)
    upsert = upsert.on_conflict_do_update(
        index_elements=["kind", "name", "shard"], set_={"count": row_counts.c.count + 1}
    )
    connection.execute(upsert)


def count_range(connection: Connection, table: Table, first_id: int, last_id: int) -> None:
    """SQLite: add the table's rows first_id..last_id, which a bulk writer wrote and the count triggers
    left to it (migration 0010_bulk_writes), to the kept counts in one statement."""
    kind, counted = COUNTED[table]
    added = (
        select(literal(kind), counted, literal(0), func.count())
        .where(table.c.id.between(first_id, last_id))
        .group_by(counted)
    )
    upsert = insert(row_counts).from_select(["kind", "name", "shard", "count"], added)
    upsert = upsert.on_conflict_do_update(
        index_elements=["kind", "name", "shard"], set_={"count": row_counts.c.count + upsert.excluded.count}
    )
    connection.execute(upsert)
