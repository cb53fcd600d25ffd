"""FluentCart's purchase dates from paid orders only, and downloads remaining as wide as limit times quantity

FluentCart's first/last purchase dates are the first and last creation dates of a customer's paid
orders (NULL without one), while WooCommerce's first and last order count every order but the trash:
the customer row gets the paid-only pair, backfilled from the orders, and the list's purchase-date
sorts move to indexes on it (NULLs first, as 0006 built them; the old order-date indexes serve no sort
any more). A permission's downloads remaining is a product's limit times the quantity bought, both
32-bit, so the column becomes 64-bit (SQLite's integers are already).

Revision ID: 0008_paid_order_dates
Revises: 0007_customer_location_sorts
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_paid_order_dates"
down_revision: str | None = "0007_customer_location_sorts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# domain.orders.PAID_STATUSES when this was written.
PAID = ("processing", "completed")
ADDED = {"first_paid_order_at": sa.func.min, "last_paid_order_at": sa.func.max}
REPLACED = {"first_order_at": "first_paid_order_at", "last_order_at": "last_paid_order_at"}


def _nulls(postgresql: bool) -> str:
    return " NULLS FIRST" if postgresql else ""  # SQLite's B-trees hold NULLs first already


def _index(column: str, postgresql: bool) -> None:
    op.execute(f"CREATE INDEX ix_customers_{column} ON customers ({column}{_nulls(postgresql)}, id)")


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for column in ADDED:
        op.add_column("customers", sa.Column(column, sa.DateTime(), nullable=True))
    customers = sa.table("customers", sa.column("id"), *(sa.column(c) for c in ADDED))
    orders = sa.table("orders", sa.column("customer_id"), sa.column("status"), sa.column("created_at"))
    paid = sa.and_(orders.c.customer_id == customers.c.id, orders.c.status.in_(PAID))
    extremes = {
        c: sa.select(extreme(orders.c.created_at)).where(paid).scalar_subquery()
        for c, extreme in ADDED.items()
    }
    op.execute(customers.update().values(**extremes))
    for old, new in REPLACED.items():
        op.drop_index(f"ix_customers_{old}", table_name="customers")
        _index(new, postgresql)
    if postgresql:
        op.alter_column("download_permissions", "downloads_remaining", type_=sa.BigInteger())


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.alter_column("download_permissions", "downloads_remaining", type_=sa.Integer())
    for old, new in REPLACED.items():
        op.drop_index(f"ix_customers_{new}", table_name="customers")
        _index(old, postgresql)
    for column in ADDED:  # in place: rebuilding the table (batch mode) would lose its search triggers
        op.execute(f"ALTER TABLE customers DROP COLUMN {column}")
