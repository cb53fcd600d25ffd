"""Totals kept by triggers in `row_counts` (tables.py): a list's total without counting the table."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, func, select

from regulars.store.tables import row_counts

ACCOUNT_ROLE = "account_role"
CUSTOMER_STATUS = "customer_status"


def tally(connection: Connection, kind: str, names: Sequence[str] | None = None) -> int:
    """How many rows have one of these values (every value when None)."""
    query = select(func.coalesce(func.sum(row_counts.c.count), 0)).where(row_counts.c.kind == kind)
    if names is not None:
        query = query.where(row_counts.c.name.in_(list(names)))
    return int(connection.execute(query).scalar_one())
