"""Orders, as much as customers need: what was bought, for how much, in which state.

Statistics and download permissions follow from these rules; WooCommerce's other order fields are
kept in `data` and echoed back untouched. Money is integer minor units in the order's currency.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from regulars.domain import limits
from regulars.domain.errors import Invalid

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
# Where a deleted order waits unless it is deleted for good; it no longer counts anywhere.
TRASH = "trash"
# Statuses whose totals count as money spent (WooCommerce's "paid" statuses).
PAID_STATUSES: tuple[str, ...] = ("processing", "completed")
# Reaching one of these grants the order's download permissions, and only orders in one of them permit
# downloading (WooCommerce's default: access is granted on payment).
GRANTING_STATUSES: tuple[str, ...] = ("processing", "completed")
# Statuses an order may be paid from (woocommerce_valid_order_statuses_for_payment_complete).
PAYABLE_STATUSES: tuple[str, ...] = ("on-hold", "pending", "failed", "cancelled")
EDITABLE_STATUSES: tuple[str, ...] = ("pending", "on-hold", "checkout-draft")
NEEDS_PAYMENT_STATUSES: tuple[str, ...] = ("pending", "failed")


@dataclass
class LineItem:
    """One line of an order: a product (kind "line_item"), a shipping method (`name` is its title), a fee
    or a coupon (`name` is its code, `total` the discount); kind-specific fields live in `data`."""

    id: int  # 0 until stored
    product_id: int
    name: str
    quantity: int
    subtotal: int  # minor units
    total: int  # minor units
    data: dict[str, Any] = field(default_factory=dict)
    kind: str = "line_item"


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
    shipping_lines: list[LineItem] = field(default_factory=list)
    fee_lines: list[LineItem] = field(default_factory=list)
    coupon_lines: list[LineItem] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    account_id: int | None = None  # the account of the customer record: WooCommerce's customer_id

    @property
    def is_paid(self) -> bool:
        return self.status in PAID_STATUSES

    @property
    def number(self) -> str:
        return str(self.id)

    @property
    def lines(self) -> list[LineItem]:
        return [*self.line_items, *self.shipping_lines, *self.fee_lines, *self.coupon_lines]

    @property
    def subtotal(self) -> int:
        return sum(i.subtotal for i in self.line_items)

    @property
    def discount_total(self) -> int:
        return sum(i.subtotal - i.total for i in self.line_items)

    @property
    def shipping_total(self) -> int:
        return sum(i.total for i in self.shipping_lines)

    @property
    def item_count(self) -> int:
        return sum(i.quantity for i in self.line_items)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def needs_payment(self) -> bool:
        return self.status in NEEDS_PAYMENT_STATUSES and self.total > 0

    def calculated_total(self) -> int:
        """WooCommerce's calculate_totals without taxes: products, shipping and fees."""
        products = sum(i.total for i in self.line_items)
        return products + self.shipping_total + sum(i.total for i in self.fee_lines)


@dataclass
class LineChange:
    """One line of a request. `id` names a line of the order (update), None adds one."""

    id: int | None = None
    product_id: int | None = None
    sku: str | None = None
    quantity: int | None = None
    name: str | None = None
    total: str | None = None  # decimal text
    subtotal: str | None = None
    remove: bool = False
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class OrderChange:
    """What a request asks of an order; None means "not sent"."""

    status: str | None = None
    currency: str | None = None
    customer: int | None = None  # an account id; 0 makes it a guest order
    parent_id: int | None = None
    billing: dict[str, str] | None = None
    shipping: dict[str, str] | None = None
    payment_method: str | None = None
    payment_method_title: str | None = None
    transaction_id: str | None = None
    customer_note: str | None = None
    line_items: list[LineChange] | None = None
    shipping_lines: list[LineChange] | None = None
    fee_lines: list[LineChange] | None = None
    coupon_lines: list[LineChange] | None = None
    meta_data: list[dict[str, Any]] | None = None
    set_paid: bool = False


@dataclass
class OrderQuery:
    statuses: tuple[str, ...] | None = None  # None: every status but trash
    account_id: int | None = None  # WooCommerce's `customer`; 0: orders of no account
    product_id: int | None = None
    include: tuple[int, ...] = ()
    exclude: tuple[int, ...] = ()
    parents: tuple[int, ...] = ()
    parents_excluded: tuple[int, ...] = ()
    created_after: datetime | None = None
    created_before: datetime | None = None
    modified_after: datetime | None = None
    modified_before: datetime | None = None
    orderby: str = "date"  # date | id | include | modified
    descending: bool = True
    limit: int = 10
    offset: int = 0


# --- money --------------------------------------------------------------------------------------------
def minor_units(value: Any, decimals: int, field_name: str = "total") -> int:
    """A decimal amount as sent ("9.99", 9.99, "") in minor units, rounded half up as wc_format_decimal;
    one the store cannot hold ("1e30") is refused."""
    text = str(value).strip() if value is not None else ""
    if text == "":
        return 0
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise Invalid("invalid_amount", field_name) from exc
    if not amount.is_finite():
        raise Invalid("invalid_amount", field_name)
    scaled = amount.scaleb(decimals)
    check_money(field_name, scaled, decimals)  # first, as rounding holds no more digits than its precision
    minor = int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    check_money(field_name, minor, decimals)
    return minor


def check_money(
    field_name: str, minor: int | Decimal, decimals: int, bounds: tuple[int, int] = limits.MONEY
) -> None:
    """Refuse an amount (in minor units) the store cannot hold, its bounds printed as money."""
    limits.check_range(field_name, minor, bounds, lambda bound: decimal_text(bound, decimals))


def amount_text(value: str, decimals: int) -> str:
    """A stored decimal amount as WooCommerce prints money, rounded half up to `decimals`, whatever its
    size: showing one never needs it to fit an order's column (a price kept before prices were bounded)."""
    amount = Decimal(value)
    with localcontext() as context:
        context.prec = max(context.prec, amount.adjusted() + decimals + 2)
        rounded = amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        return f"{rounded + 0:f}"  # + 0: no "-0.00"


def decimal_text(minor: int, decimals: int) -> str:
    """Minor units as WooCommerce prints money: a fixed number of decimals, no grouping ("19.98")."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 10**decimals)
    return f"{sign}{whole}.{cents:0{decimals}d}" if decimals else f"{sign}{whole}"


# --- rules --------------------------------------------------------------------------------------------
_KEY_ALPHABET = string.ascii_letters + string.digits


def new_order_key() -> str:
    """wc_generate_order_key: "wc_order_" and 13 random letters and digits."""
    return "wc_order_" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(13))


def with_status(order: Order, status: str, moment: datetime, needs_processing: bool) -> Order:
    """Move an order to `status` as WooCommerce's status transition does: the paid date is set when the
    order reaches the status payment would give it (processing, or completed when nothing needs
    handling) or completed; the completed date when it reaches completed. Neither is ever cleared."""
    paid_status = "processing" if needs_processing else "completed"
    paid_at = order.paid_at
    if paid_at is None and status in (paid_status, "completed"):
        paid_at = moment
    completed_at = moment if status == "completed" and order.status != "completed" else order.completed_at
    return replace(order, status=status, paid_at=paid_at, completed_at=completed_at)


def paid(order: Order, moment: datetime, needs_processing: bool, transaction_id: str | None) -> Order:
    """WooCommerce's payment_complete: from a payable status to processing (or completed when nothing
    needs handling), with the paid date and the transaction id."""
    if order.status not in PAYABLE_STATUSES:
        return order
    done = with_status(order, "processing" if needs_processing else "completed", moment, needs_processing)
    paid_at = done.paid_at or moment
    return replace(done, paid_at=paid_at, transaction_id=transaction_id or order.transaction_id)


def merge_meta(current: list[dict[str, Any]], changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """WooCommerce's update_meta_data over a list of {id, key, value}: a known id updates that entry,
    otherwise the first entry of the key is updated or a new one added; a null value removes the key."""
    merged = [dict(m) for m in current]
    next_id = max((int(m["id"]) for m in merged), default=0) + 1
    for change in changes:
        key = change.get("key")
        if not isinstance(key, str) or key == "":
            continue
        value = change.get("value")
        if value is None:
            merged = [m for m in merged if m["key"] != key]
            continue
        target = next((m for m in merged if m["id"] == change.get("id")), None)
        target = target or next((m for m in merged if m["key"] == key), None)
        if target is None:
            merged.append({"id": next_id, "key": key, "value": value})
            next_id += 1
        else:
            target.update(key=key, value=value)
    return merged
