"""the customer-record list sorts NULLs as MySQL does, and by account and average order value

FluentCart runs on MySQL, where NULLs come first in ascending order and last in descending; SQLite does
the same, PostgreSQL the opposite. The list asks for MySQL's placement on both, and on PostgreSQL the
indexes of the nullable sorts hold NULLs first so that walk stays an index walk either way. New sorts,
each an index ending in the id: the linked account (`user_id`) and the average order value (`aov`), an
expression the store orders by verbatim.

Revision ID: 0006_customer_null_sorts
Revises: 0005_nonce_per_timestamp
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006_customer_null_sorts"
down_revision: str | None = "0005_nonce_per_timestamp"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The store's average order value (store/tables.py AVERAGE_ORDER_VALUE), rounded half up; NULL
# without paid orders, as FluentCart's aov.
AVERAGE = "(2 * total_spent + paid_orders_count) / NULLIF(2 * paid_orders_count, 0)"
REBUILT = {"ix_customers_first_order_at": "first_order_at", "ix_customers_last_order_at": "last_order_at"}
ADDED = {"ix_customers_account_id": "account_id", "ix_customers_aov": f"({AVERAGE})"}
# What the average is made of rides along, so SQLite reads a page's ids from the index alone.
TRAILING = {"ix_customers_aov": ", total_spent, paid_orders_count"}


def _create(name: str, value: str, nulls: str) -> None:
    op.execute(f"CREATE INDEX {name} ON customers ({value}{nulls}, id{TRAILING.get(name, '')})")


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    nulls = " NULLS FIRST" if postgresql else ""  # SQLite's B-trees hold NULLs first already
    if postgresql:
        for name, column in REBUILT.items():
            op.drop_index(name, table_name="customers")
            _create(name, column, nulls)
    for name, value in ADDED.items():
        _create(name, value, nulls)


def downgrade() -> None:
    for name in ADDED:
        op.drop_index(name, table_name="customers")
    if op.get_bind().dialect.name == "postgresql":
        for name, column in REBUILT.items():
            op.drop_index(name, table_name="customers")
            _create(name, column, "")
