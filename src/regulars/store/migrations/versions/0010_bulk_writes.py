"""SQLite: a bulk writer indexes and counts its own rows, one statement per batch, instead of the triggers

The FTS5 and row-count triggers of migration 0004 cost a bulk import most of its time: run once per row,
each FTS5 insert also flushes its own segment (FTS5 syncs at every trigger's statement savepoint). A
bulk writer now names the id range it is about to write in `bulk_writes`, inside its own transaction;
the insert triggers skip rows in that range, and the writer adds the range's rows to the FTS5 tables
and to `row_counts` with one INSERT ... SELECT each, then empties `bulk_writes`, all before it commits.
Nothing is suspended for anyone else: the range is visible only inside that one transaction (SQLite has
one writer at a time), so a crash rolls it back with the rows, and every other writer's rows are indexed
by the triggers as before. PostgreSQL's GIN indexes and statement-level count triggers need none of it.

Revision ID: 0010_bulk_writes
Revises: 0009_credential_revision
Create Date: 2026-12-03
"""

# ruff: noqa: S608 - the SQL below is built from this file's constants only, never from input

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_bulk_writes"
down_revision: str | None = "0009_credential_revision"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The insert triggers of migration 0004, by table.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "accounts": ("accounts_search_insert", "accounts_counted_insert"),
    "customers": ("customers_search_insert", "customers_counted_insert"),
    "addresses": ("addresses_search_insert",),
}


def _skip(table_name: str) -> str:
    """The condition that makes a trigger leave a bulk writer's rows to the writer."""
    return (
        "WHEN NOT EXISTS (SELECT 1 FROM bulk_writes "
        f"WHERE table_name = '{table_name}' AND new.id BETWEEN first_id AND last_id) "
    )


def _rewrite(old: str, new: str) -> None:
    """Create each insert trigger again, its definition with `old` (formatted per table) made `new`."""
    bind = op.get_bind()
    for table_name, triggers in TRIGGERS.items():
        for name in triggers:
            query = sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name")
            definition = bind.execute(query, {"name": name}).scalar_one()
            op.execute(f"DROP TRIGGER {name}")
            op.execute(definition.replace(old.format(_skip(table_name)), new.format(_skip(table_name)), 1))


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.create_table(
        "bulk_writes",
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", name=op.f("pk_bulk_writes")),
    )
    _rewrite(" BEGIN ", " {}BEGIN ")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _rewrite(" {}BEGIN ", " BEGIN ")
    op.drop_table("bulk_writes")
