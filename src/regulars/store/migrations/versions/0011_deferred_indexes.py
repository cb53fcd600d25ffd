"""SQLite: the secondary indexes a large import dropped, to build again once it has written its rows

Keeping twenty-odd B-tree indexes up to date row by row costs a large import most of its time (each
batch touches nearly every leaf page of every index keyed by a name or an email), while building an
index once over the finished table is a single sort. An import that at least doubles the store drops
the non-unique indexes of the tables it writes, recording each one's definition here in the same
transaction (SQLite's DDL is transactional), and builds them again from these rows when it ends. An
import killed before then leaves them listed: the next import, or `regulars migrate`, builds them.
Unique indexes are never dropped: they keep concurrent writers from duplicating an email or a username.

Revision ID: 0011_deferred_indexes
Revises: 0010_bulk_writes
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_deferred_indexes"
down_revision: str | None = "0010_bulk_writes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.create_table(
        "deferred_indexes",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_deferred_indexes")),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    bind = op.get_bind()
    for (definition,) in bind.execute(sa.text("SELECT definition FROM deferred_indexes")):
        op.execute(definition)
    op.drop_table("deferred_indexes")
