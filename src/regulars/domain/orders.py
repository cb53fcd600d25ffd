"""Orders, as much as customers need: what was bought, for how much, in which state.

Statistics and download permissions follow from these rules; WooCommerce's other order fields are
kept in `data` and echoed back untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Every status WooCommerce registers; all count towards orders_count.
STATUSES: tuple[str, ...] = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
)
# Statuses whose totals count as money spent (WooCommerce's "paid" statuses).
PAID_STATUSES: tuple[str, ...] = ("processing", "completed")


@dataclass
class LineItem:
    id: int
    product_id: int
    name: str
    quantity: int
    subtotal: int  # minor units
    total: int  # minor units
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Order:
    id: int
    order_key: str
    status: str
    currency: str
    total: int  # minor units
    customer_id: int | None  # the customer record
    created_at: datetime
    modified_at: datetime
    parent_id: int = 0
    billing: dict[str, str] = field(default_factory=dict)
    shipping: dict[str, str] = field(default_factory=dict)
    payment_method: str = ""
    payment_method_title: str = ""
    transaction_id: str = ""
    customer_note: str = ""
    paid_at: datetime | None = None
    completed_at: datetime | None = None
    line_items: list[LineItem] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def is_paid(self) -> bool:
        return self.status in PAID_STATUSES
