"""Totals kept by triggers in `row_counts` (tables.py): a list's total without counting the table."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, func, literal_column, select

from regulars.store.prepared import Prepared
from regulars.store.tables import row_counts

ACCOUNT_ROLE = "account_role"
CUSTOMER_STATUS = "customer_status"
# Not a count: how many changes credentials have seen (migration 0009_credential_revision).
REVISION = "revision"


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
