"""order lines of every kind, product slugs, and the indexes orders and products are read by

An order holds shipping, fee and coupon lines beside its products, each with an id from one sequence as
WooCommerce numbers them; products get the slug their permalinks are made of; permissions are found by
order when an order changes hands; products are looked up by slug and SKU and listed by date, and
their sales (and the orders holding them) found by product.

Revision ID: 0003_order_lines
Revises: 0002_customer_sorts
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_order_lines"
down_revision: str | None = "0002_customer_sorts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_items") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), server_default="line_item", nullable=False))
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("slug", sa.String(length=200), server_default="", nullable=False))
    op.create_index("ix_products_slug", "products", ["slug"], unique=False)
    op.create_index("ix_products_sku", "products", ["sku"], unique=False)
    op.create_index("ix_products_created_at", "products", ["created_at", "id"], unique=False)
    op.create_index("ix_download_permissions_order_id", "download_permissions", ["order_id"], unique=False)
    op.create_index("ix_order_items_product_id", "order_items", ["product_id", "order_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_order_items_product_id", table_name="order_items")
    op.drop_index("ix_download_permissions_order_id", table_name="download_permissions")
    op.drop_index("ix_products_created_at", table_name="products")
    op.drop_index("ix_products_sku", table_name="products")
    op.drop_index("ix_products_slug", table_name="products")
    with op.batch_alter_table("products") as batch:
        batch.drop_column("slug")
    with op.batch_alter_table("order_items") as batch:
        batch.drop_column("kind")
