"""a profiles revision: a number that moves whenever anything a customer's profile is read from changes

A profile (store/profiles.py) is an account with its customer record, the record's addresses and the
account's meta. Every change to those rows adds one to the `row_counts` row ('revision', 'profiles'), in
the same transaction: an update or a delete of an account; an insert, update or delete of a customer
record, an address or a meta row (a new one may belong to a profile read before). A server process may
then keep the profiles it has read for as long as the revision stays where it was when it read them. An
account's insert needs no bump: no profile of it can have been read. As for the credentials (0009),
PostgreSQL counts once per statement into the backend's own row; SQLite once per row, except for the rows
a bulk writer has claimed (0010, 0012), which it leaves to the writer: the writer bumps the revision
once, before it commits (store/bulk.py).

Revision ID: 0013_profile_revision
Revises: 0012_claimed_rows
Create Date: 2026-12-04
"""

# ruff: noqa: S608 - the SQL below is built from this file's constants only, never from input

from collections.abc import Sequence

from alembic import op

revision: str = "0013_profile_revision"
down_revision: str | None = "0012_claimed_rows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND, NAME = "revision", "profiles"
# What a profile is read from, and the changes to each that may change a profile already read.
REVISED: dict[str, tuple[str, ...]] = {
    "accounts": ("update", "delete"),
    "customers": ("insert", "update", "delete"),
    "addresses": ("insert", "update", "delete"),
    "account_meta": ("insert", "update", "delete"),
}

POSTGRESQL_BUMP = f"""
CREATE FUNCTION regulars_revise_profiles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO row_counts (kind, name, shard, count) VALUES ('{KIND}', '{NAME}', pg_backend_pid(), 1)
    ON CONFLICT (kind, name, shard) DO UPDATE SET count = row_counts.count + 1;
    RETURN NULL;
END $$
"""
SQLITE_BUMP = (
    f"INSERT INTO row_counts (kind, name, shard, count) VALUES ('{KIND}', '{NAME}', 0, 1) "
    "ON CONFLICT (kind, name, shard) DO UPDATE SET count = count + 1;"
)


def _unclaimed(table_name: str, event: str) -> str:
    """SQLite: the row is none of those a bulk writer claimed in its open transaction."""
    row = "new" if event == "insert" else "old"
    return (
        "NOT EXISTS (SELECT 1 FROM bulk_writes "
        f"WHERE table_name = '{table_name}' AND {row}.id BETWEEN first_id AND last_id)"
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if not sqlite:
        op.execute(POSTGRESQL_BUMP)
    for table_name, events in REVISED.items():
        for event in events:
            trigger = f"{table_name}_profiles_{event}"
            if sqlite:
                op.execute(
                    f"CREATE TRIGGER {trigger} AFTER {event.upper()} ON {table_name} "
                    f"WHEN {_unclaimed(table_name, event)} BEGIN {SQLITE_BUMP} END"
                )
            else:
                op.execute(
                    f"CREATE TRIGGER {trigger} AFTER {event.upper()} ON {table_name} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION regulars_revise_profiles()"
                )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table_name, events in REVISED.items():
        for event in events:
            trigger = f"{table_name}_profiles_{event}"
            op.execute(f"DROP TRIGGER {trigger}" if sqlite else f"DROP TRIGGER {trigger} ON {table_name}")
    if not sqlite:
        op.execute("DROP FUNCTION regulars_revise_profiles()")
    op.execute(f"DELETE FROM row_counts WHERE kind = '{KIND}' AND name = '{NAME}'")
