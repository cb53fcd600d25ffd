"""Download permissions: what a customer may download, granted by paid orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from regulars.domain.orders import Order
from regulars.domain.products import Product


@dataclass
class Download:
    permission_id: int
    download_id: str
    product_id: int
    product_name: str
    product_slug: str
    order_id: int
    order_key: str
    user_email: str
    downloads_remaining: int | None  # None: unlimited
    access_expires: datetime | None  # None: never
    file_name: str
    file_url: str


@dataclass
class Grant:
    """A permission about to be stored: one file of one product, for one order."""

    download_id: str
    product_id: int
    order_id: int
    order_key: str
    customer_id: int | None
    user_email: str
    downloads_remaining: int | None
    access_granted: datetime
    access_expires: datetime | None


def grants_for(order: Order, products: dict[int, Product], moment: datetime) -> list[Grant]:
    """WooCommerce's wc_downloadable_product_permissions: every file of every downloadable product of the
    order. Downloads allowed = the product's limit times the quantity bought (none: unlimited); access
    runs `download_expiry` days from the day the order was completed, or from now if it is not (to the
    last moment a date can hold, where that is sooner)."""
    grants: list[Grant] = []
    for item in order.line_items:
        product = products.get(item.product_id)
        if product is None or not product.downloadable:
            continue
        remaining = None if product.download_limit < 0 else product.download_limit * item.quantity
        expires = None
        if product.download_expiry > 0:
            start = order.completed_at.replace(hour=0, minute=0, second=0) if order.completed_at else moment
            expires = start + timedelta(days=min(product.download_expiry, (datetime.max - start).days))
        grants.extend(
            Grant(
                download_id=file.id,
                product_id=product.id,
                order_id=order.id,
                order_key=order.order_key,
                customer_id=order.customer_id,
                user_email=order.billing.get("email", ""),
                downloads_remaining=remaining,
                access_granted=moment,
                access_expires=expires,
            )
            for file in product.downloads
        )
    return grants
