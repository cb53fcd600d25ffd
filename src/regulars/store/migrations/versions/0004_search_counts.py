"""indexed substring search, counted totals, and index walks for every list of one role

Search: PostgreSQL gets pg_trgm and a GIN index on each lowered searched value; SQLite gets, per
searched table, an FTS5 trigram table with external content (the view `<table>_search_source`) kept
current by triggers, and B-tree indexes on lowered columns for terms too short for trigrams.

Totals: `row_counts` holds how many accounts have each role and customers each status, kept by
triggers (so bulk writers keep it too); PostgreSQL backends add to their own row, so concurrent writers
never wait on one another, and rows of backends that have gone are folded together now and then.

Revision ID: 0004_search_counts
Revises: 0003_order_lines
Create Date: 2026-11-25
"""

# ruff: noqa: S608 - the SQL below is built from this file's constants only, never from input

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_search_counts"
down_revision: str | None = "0003_order_lines"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Walks for lists of one role by each sort and date filter, and for date filters over every role.
INDEXES: dict[str, list[str]] = {
    "ix_accounts_role_display_name": ["role", "display_name", "id"],
    "ix_accounts_role_registered_at": ["role", "registered_at", "id"],
    "ix_accounts_role_modified_at": ["role", "modified_at", "id"],
    "ix_accounts_modified_at": ["modified_at", "id"],
}

# Searched values per table: the columns they are made of, and each value (by its FTS5 column name)
# as an expression over a row called {r}.
SEARCHED: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "accounts": (
        ("username", "email", "display_name", "first_name", "last_name"),
        {
            "username": "{r}.username",
            "email": "{r}.email",
            "display_name": "{r}.display_name",
            "name": "{r}.first_name || ' ' || {r}.last_name",
        },
    ),
    "customers": (
        ("email", "first_name", "last_name", "phone"),
        {"email": "{r}.email", "name": "{r}.first_name || ' ' || {r}.last_name", "phone": "{r}.phone"},
    ),
    "addresses": (("phone",), {"phone": "{r}.phone"}),
}

# SQLite: B-tree indexes on lowered columns, where terms of one or two characters are found by prefix.
LOWERED: dict[str, tuple[str, str]] = {
    "ix_accounts_lower_display_name": ("accounts", "display_name"),
    "ix_accounts_lower_first_name": ("accounts", "first_name"),
    "ix_accounts_lower_last_name": ("accounts", "last_name"),
    "ix_customers_lower_first_name": ("customers", "first_name"),
    "ix_customers_lower_last_name": ("customers", "last_name"),
    "ix_customers_lower_phone": ("customers", "phone"),
    "ix_addresses_lower_phone": ("addresses", "phone"),
}

# Counted columns: table -> (kind in row_counts, column).
COUNTED: dict[str, tuple[str, str]] = {
    "accounts": ("account_role", "role"),
    "customers": ("customer_status", "status"),
}


def _trigram_indexes() -> dict[str, tuple[str, str]]:
    """PostgreSQL: the GIN index name of every searched value, with its table and expression."""
    found: dict[str, tuple[str, str]] = {}
    for table_name, (_, values) in SEARCHED.items():
        for name, expression in values.items():
            found[f"ix_{table_name}_trgm_{name}"] = (table_name, expression.format(r=table_name))
    return found


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "accounts", columns, unique=False)
    op.create_table(
        "row_counts",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("shard", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "name", "shard", name=op.f("pk_row_counts")),
    )
    for table_name, (kind, column) in COUNTED.items():
        op.execute(
            f"INSERT INTO row_counts (kind, name, shard, count) "
            f"SELECT '{kind}', {column}, 0, count(*) FROM {table_name} GROUP BY {column}"
        )
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        _postgresql_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_downgrade()
    else:
        _postgresql_downgrade()
    op.drop_table("row_counts")
    for name in INDEXES:
        op.drop_index(name, table_name="accounts")


# --- SQLite --------------------------------------------------------------------------------------------
def _values(values: dict[str, str], row: str) -> str:
    return ", ".join(expression.format(r=row) for expression in values.values())


def _sqlite_upgrade() -> None:
    for name, (table_name, column) in LOWERED.items():
        op.create_index(name, table_name, [sa.literal_column(f"lower({column})")], unique=False)
    for table_name, (columns, values) in SEARCHED.items():
        index = f"{table_name}_search"
        names = ", ".join(values)
        shown = ", ".join(f"{e.format(r=table_name)} AS {n}" for n, e in values.items())
        op.execute(f"CREATE VIEW {index}_source AS SELECT id, {shown} FROM {table_name}")
        op.execute(
            f"CREATE VIRTUAL TABLE {index} USING fts5({names}, content='{index}_source', "
            "content_rowid='id', tokenize='trigram')"
        )
        add = f"INSERT INTO {index} (rowid, {names}) VALUES (new.id, {_values(values, 'new')});"
        remove = (
            f"INSERT INTO {index} ({index}, rowid, {names}) "
            f"VALUES ('delete', old.id, {_values(values, 'old')});"
        )
        changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
        op.execute(f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table_name} BEGIN {add} END")
        op.execute(f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table_name} BEGIN {remove} END")
        op.execute(
            f"CREATE TRIGGER {index}_update AFTER UPDATE OF {', '.join(columns)} ON {table_name} "
            f"WHEN {changed} BEGIN {remove} {add} END"
        )
        op.execute(f"INSERT INTO {index} ({index}) VALUES ('rebuild')")
    for table_name, (kind, column) in COUNTED.items():
        upsert = (
            f"INSERT INTO row_counts (kind, name, shard, count) VALUES ('{kind}', new.{column}, 0, 1) "
            "ON CONFLICT (kind, name, shard) DO UPDATE SET count = count + 1;"
        )
        drop = (
            f"UPDATE row_counts SET count = count - 1 "
            f"WHERE kind = '{kind}' AND name = old.{column} AND shard = 0;"
        )
        op.execute(
            f"CREATE TRIGGER {table_name}_counted_insert AFTER INSERT ON {table_name} BEGIN {upsert} END"
        )
        op.execute(
            f"CREATE TRIGGER {table_name}_counted_delete AFTER DELETE ON {table_name} BEGIN {drop} END"
        )
        op.execute(
            f"CREATE TRIGGER {table_name}_counted_change AFTER UPDATE OF {column} ON {table_name} "
            f"WHEN old.{column} IS NOT new.{column} BEGIN {drop} {upsert} END"
        )


def _sqlite_downgrade() -> None:
    for table_name in COUNTED:
        for event in ("insert", "delete", "change"):
            op.execute(f"DROP TRIGGER {table_name}_counted_{event}")
    for table_name in SEARCHED:
        index = f"{table_name}_search"
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER {index}_{event}")
        op.execute(f"DROP TABLE {index}")
        op.execute(f"DROP VIEW {index}_source")
    for name, (table_name, _) in LOWERED.items():
        op.drop_index(name, table_name=table_name)


# --- PostgreSQL ----------------------------------------------------------------------------------------
# Inserted and deleted rows are counted once per statement (COPY included) from its transition table;
# a changed value moves one row's count. Each backend writes its own row, so no two writers wait.
COUNT_ROWS = """
CREATE FUNCTION regulars_count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'INSERT INTO row_counts (kind, name, shard, count) '
        'SELECT %L, %I, pg_backend_pid(), %s * count(*) FROM changed GROUP BY %I '
        'ON CONFLICT (kind, name, shard) DO UPDATE SET count = row_counts.count + EXCLUDED.count',
        TG_ARGV[0], TG_ARGV[1], CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END, TG_ARGV[1]);
    IF random() < 0.001 THEN
        PERFORM regulars_fold_counts();
    END IF;
    RETURN NULL;
END $$
"""
COUNT_MOVED = """
CREATE FUNCTION regulars_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO row_counts (kind, name, shard, count)
    VALUES (TG_ARGV[0], to_jsonb(OLD) ->> TG_ARGV[1], pg_backend_pid(), -1),
           (TG_ARGV[0], to_jsonb(NEW) ->> TG_ARGV[1], pg_backend_pid(), 1)
    ON CONFLICT (kind, name, shard) DO UPDATE SET count = row_counts.count + EXCLUDED.count;
    RETURN NULL;
END $$
"""
# Rows of backends that have gone are added into this backend's own; rows another transaction holds
# are skipped, so folding never waits either.
FOLD = """
CREATE FUNCTION regulars_fold_counts() RETURNS void LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM row_counts WHERE ctid IN (
            SELECT ctid FROM row_counts
            WHERE shard <> pg_backend_pid() AND shard NOT IN (SELECT pid FROM pg_stat_activity)
            FOR UPDATE SKIP LOCKED)
        RETURNING kind, name, count)
    INSERT INTO row_counts (kind, name, shard, count)
    SELECT kind, name, pg_backend_pid(), sum(count) FROM gone GROUP BY kind, name
    ON CONFLICT (kind, name, shard) DO UPDATE SET count = row_counts.count + EXCLUDED.count
$$
"""


def _postgresql_upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table_name, expression) in _trigram_indexes().items():
        op.execute(f"CREATE INDEX {name} ON {table_name} USING gin (lower({expression}) gin_trgm_ops)")
    op.execute(FOLD)
    op.execute(COUNT_ROWS)
    op.execute(COUNT_MOVED)
    for table_name, (kind, column) in COUNTED.items():
        for event, transition in (("insert", "NEW"), ("delete", "OLD")):
            op.execute(
                f"CREATE TRIGGER {table_name}_counted_{event} AFTER {event.upper()} ON {table_name} "
                f"REFERENCING {transition} TABLE AS changed FOR EACH STATEMENT "
                f"EXECUTE FUNCTION regulars_count_rows('{kind}', '{column}')"
            )
        op.execute(
            f"CREATE TRIGGER {table_name}_counted_change AFTER UPDATE OF {column} ON {table_name} "
            f"FOR EACH ROW WHEN (OLD.{column} IS DISTINCT FROM NEW.{column}) "
            f"EXECUTE FUNCTION regulars_count_moved('{kind}', '{column}')"
        )


def _postgresql_downgrade() -> None:
    for table_name in COUNTED:
        for event in ("insert", "delete", "change"):
            op.execute(f"DROP TRIGGER {table_name}_counted_{event} ON {table_name}")
    for function in ("regulars_count_moved", "regulars_count_rows", "regulars_fold_counts"):
        op.execute(f"DROP FUNCTION {function}()")
    for name in _trigram_indexes():
        op.execute(f"DROP INDEX {name}")
