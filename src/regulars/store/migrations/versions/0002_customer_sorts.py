"""indexes for the customer-record list's sorts

Every sort the FluentCart customer list offers is served by an index ending in the id (the tie-breaker),
so a page deep into a million customers is still an index walk.

Revision ID: 0002_customer_sorts
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002_customer_sorts"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: dict[str, list[str]] = {
    "ix_customers_first_name": ["first_name", "id"],
    "ix_customers_last_name": ["last_name", "id"],
    "ix_customers_updated_at": ["updated_at", "id"],
    "ix_customers_paid_orders_count": ["paid_orders_count", "id"],
    "ix_customers_first_order_at": ["first_order_at", "id"],
    "ix_customers_last_order_at": ["last_order_at", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "customers", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="customers")
