"""a credentials revision: a number that moves whenever anything authentication reads changes

Every change to an API key, an application password or an account (an update or a delete, cascades
included) adds one to the `row_counts` row ('revision', 'credentials'), in the same transaction. A
server process may then keep the keys and passwords it has checked, with their owners, for as long as
the revision stays where it was when it read them (services/credentials.py). New rows need no bump: only
credentials already found are kept. PostgreSQL counts once per statement, into the backend's own row as
the totals do (0004), so writers never wait on one another; the sum over rows is the revision.

Revision ID: 0009_credential_revision
Revises: 0008_paid_order_dates
Create Date: 2026-12-03
"""

# ruff: noqa: S608 - the SQL below is built from this file's constants only, never from input

from collections.abc import Sequence

from alembic import op

revision: str = "0009_credential_revision"
down_revision: str | None = "0008_paid_order_dates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND, NAME = "revision", "credentials"
# What authentication reads: a key and its owner, an application password and its owner.
REVISED = ("api_keys", "app_passwords", "accounts")
EVENTS = ("update", "delete")

POSTGRESQL_BUMP = f"""
CREATE FUNCTION regulars_revise_credentials() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO row_counts (kind, name, shard, count) VALUES ('{KIND}', '{NAME}', pg_backend_pid(), 1)
    ON CONFLICT (kind, name, shard) DO UPDATE SET count = row_counts.count + 1;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if not sqlite:
        op.execute(POSTGRESQL_BUMP)
    bump = (
        f"INSERT INTO row_counts (kind, name, shard, count) VALUES ('{KIND}', '{NAME}', 0, 1) "
        "ON CONFLICT (kind, name, shard) DO UPDATE SET count = count + 1;"
    )
    for table_name in REVISED:
        for event in EVENTS:
            trigger = f"{table_name}_revised_{event}"
            if sqlite:
                op.execute(f"CREATE TRIGGER {trigger} AFTER {event.upper()} ON {table_name} BEGIN {bump} END")
            else:
                op.execute(
                    f"CREATE TRIGGER {trigger} AFTER {event.upper()} ON {table_name} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION regulars_revise_credentials()"
                )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table_name in REVISED:
        for event in EVENTS:
            trigger = f"{table_name}_revised_{event}"
            op.execute(f"DROP TRIGGER {trigger}" if sqlite else f"DROP TRIGGER {trigger} ON {table_name}")
    if not sqlite:
        op.execute("DROP FUNCTION regulars_revise_credentials()")
    op.execute(f"DELETE FROM row_counts WHERE kind = '{KIND}'")
