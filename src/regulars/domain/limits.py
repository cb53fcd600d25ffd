"""How long each stored text may be, in characters, and how large each stored number: the widths of the
store's columns (store/tables.py, which a test holds to these numbers). A longer or larger value is
refused here, before any write, so every dialect can say so in its own words; a database would otherwise
refuse it (PostgreSQL), keep the whole text or fail to bind the number (SQLite).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from regulars.domain.errors import Invalid

ACCOUNT: dict[str, int] = {"username": 60, "email": 100, "first_name": 255, "last_name": 255}
# A customer record's texts; its place (customer_records.PLACE) is as wide as an address's same fields.
CUSTOMER: dict[str, int] = {
    **{"email": 192, "first_name": 255, "last_name": 255, "phone": 64},
    **{"country": 100, "city": 192, "state": 192, "postcode": 32},
}
# A FluentCart country is a two-letter code (checked before its width); WooCommerce keeps what it is sent.
ADDRESS: dict[str, int] = {
    "label": 50,
    "status": 16,
    "first_name": 255,
    "last_name": 255,
    "company": 255,
    "address_1": 255,
    "address_2": 255,
    "city": 192,
    "state": 192,
    "postcode": 32,
    "country": 100,
    "email": 192,
    "phone": 64,
}
META_KEY = 255
ORDER: dict[str, int] = {"payment_method": 100, "payment_method_title": 255, "transaction_id": 255}
ORDER_LINE_NAME = 255
PRODUCT: dict[str, int] = {"name": 255, "sku": 100, "regular_price": 32, "sale_price": 32}
DOWNLOAD_ID = 36  # a file's id, which each permission it grants keeps
SLUG = 200  # WordPress cuts a slug to this many characters rather than refusing it
# Number columns: money in 64-bit minor units; quantities and download limits and expiry days in 32 bits.
MONEY = (-(2**63), 2**63 - 1)
COUNT = (-(2**31), 2**31 - 1)
# A customer's money spent, whose average order value is indexed as (2 * spent + paid orders) over twice
# the paid orders, in 64 bits (store/tables.py AVERAGE_ORDER_VALUE): twice it and a count must fit.
SPENT = (MONEY[0] // 2, (MONEY[1] - COUNT[1]) // 2)


def check(name: str, value: Any, limit: int) -> None:
    """Refuse a text longer than its column; `name` is the field as the request sent it."""
    if isinstance(value, str) and len(value) > limit:
        raise Invalid("too_long", name, limit=limit)


def check_range(
    name: str, value: int | Decimal, bounds: tuple[int, int], shown: Callable[[int], Any] = int
) -> None:
    """Refuse a number its column cannot hold; the bounds are reported as `shown` prints them."""
    low, high = bounds
    if not low <= value <= high:
        raise Invalid("out_of_range", name, minimum=shown(low), maximum=shown(high))


def check_all(values: Mapping[str, Any], limits: Mapping[str, int], prefix: str = "") -> None:
    """Every limited field among `values`; a nested object's fields are named `prefix.field`."""
    for name, value in values.items():
        limit = limits.get(name)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            check(f"{prefix}{name}", value, limit)  # named only when refused: imports check millions
