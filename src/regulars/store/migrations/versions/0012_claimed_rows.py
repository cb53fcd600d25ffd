"""SQLite: rows a writer has claimed are left to it on update and delete as well as on insert

Migration 0010 let a bulk writer claim the id range it inserts, so the FTS5 and count triggers skip
those rows and the writer indexes and counts them once, before it commits. A batch of REST creates now
claims every new row of its transaction the same way (store/bulk.py `indexing_at_end`), and a batch may
also update or delete a row it created. The update and delete triggers skip claimed rows too: such a row
is not in the FTS5 table or the counts yet (removing it there would corrupt them), and the writer adds
each claimed row as it finally stands, or not at all once deleted. Claims live only inside the writer's
own open transaction; every other row is kept by the triggers exactly as before.

Revision ID: 0012_claimed_rows
Revises: 0011_deferred_indexes
Create Date: 2026-12-03
"""

# ruff: noqa: S608 - the SQL below is built from this file's constants and the schema's own definitions

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_claimed_rows"
down_revision: str | None = "0011_deferred_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The update and delete triggers of migration 0004, by table.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "accounts": (
        "accounts_search_update",
        "accounts_search_delete",
        "accounts_counted_change",
        "accounts_counted_delete",
    ),
    "customers": (
        "customers_search_update",
        "customers_search_delete",
        "customers_counted_change",
        "customers_counted_delete",
    ),
    "addresses": ("addresses_search_update", "addresses_search_delete"),
}


def _unclaimed(table_name: str) -> str:
    return (
        "NOT EXISTS (SELECT 1 FROM bulk_writes "
        f"WHERE table_name = '{table_name}' AND old.id BETWEEN first_id AND last_id)"
    )


def _skipping(definition: str, table_name: str) -> str:
    """The trigger's definition with its condition (if any) made to hold only for unclaimed rows."""
    head, body = definition.split(" BEGIN ", 1)
    if " WHEN " in head:
        head, condition = head.split(" WHEN ", 1)
        return f"{head} WHEN {_unclaimed(table_name)} AND ({condition}) BEGIN {body}"
    return f"{head} WHEN {_unclaimed(table_name)} BEGIN {body}"


def _unskipping(definition: str, table_name: str) -> str:
    """_skipping undone."""
    head, body = definition.split(" BEGIN ", 1)
    head, condition = head.split(f" WHEN {_unclaimed(table_name)}", 1)
    if condition:  # " AND (<the trigger's own condition>)"
        head += f" WHEN {condition.removeprefix(' AND (').removesuffix(')')}"
    return f"{head} BEGIN {body}"


def _rewrite(change: Callable[[str, str], str]) -> None:
    bind = op.get_bind()
    for table_name, triggers in TRIGGERS.items():
        for name in triggers:
            query = sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name")
            definition = bind.execute(query, {"name": name}).scalar_one()
            op.execute(f"DROP TRIGGER {name}")
            op.execute(change(definition, table_name))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rewrite(_skipping)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rewrite(_unskipping)
