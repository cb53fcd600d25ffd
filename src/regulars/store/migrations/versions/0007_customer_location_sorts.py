"""the customer row carries its primary billing address's country, city, state and postcode, to sort by

FluentCart's customer list sorts by these four columns of the customer row. Here they copy the primary
billing address (what WooCommerce shows as billing), NULL without one; the store keeps them in the same
transaction as every address write. Existing rows are filled from their addresses. Each sort gets an
index ending in the id with NULLs first, as migration 0006 gives the other nullable sorts, so both
directions are one index walk on SQLite and PostgreSQL.

Revision ID: 0007_customer_location_sorts
Revises: 0006_customer_null_sorts
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_customer_location_sorts"
down_revision: str | None = "0006_customer_null_sorts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The address table's widths, so every value it holds fits.
COLUMNS = {"country": 100, "city": 192, "state": 192, "postcode": 32}
BACKFILL = (
    "UPDATE customers SET country = a.country, city = a.city, state = a.state, postcode = a.postcode "
    "FROM addresses AS a WHERE a.customer_id = customers.id AND a.type = 'billing' AND a.is_primary"
)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    nulls = " NULLS FIRST" if postgresql else ""  # SQLite's B-trees hold NULLs first already
    for name, width in COLUMNS.items():
        op.add_column("customers", sa.Column(name, sa.String(length=width), nullable=True))
    op.execute(BACKFILL)
    for name in COLUMNS:
        op.execute(f"CREATE INDEX ix_customers_{name} ON customers ({name}{nulls}, id)")


def downgrade() -> None:
    for name in COLUMNS:
        op.drop_index(f"ix_customers_{name}", table_name="customers")
        op.drop_column("customers", name)
