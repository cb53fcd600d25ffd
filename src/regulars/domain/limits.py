"""How long each stored text may be, in characters: the widths of the store's columns (store/tables.py,
which a test holds to these numbers). A longer value is refused here, before any write, so every dialect
can say so in its own words; a database would otherwise refuse it (PostgreSQL) or keep it whole (SQLite).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from regulars.domain.errors import Invalid

ACCOUNT: dict[str, int] = {"username": 60, "email": 100, "first_name": 255, "last_name": 255}
CUSTOMER: dict[str, int] = {"email": 192, "first_name": 255, "last_name": 255, "phone": 64}
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
SLUG = 200  # WordPress cuts a slug to this many characters rather than refusing it


def check(name: str, value: Any, limit: int) -> None:
    """Refuse a text longer than its column; `name` is the field as the request sent it."""
    if isinstance(value, str) and len(value) > limit:
        raise Invalid("too_long", name, limit=limit)


def check_all(values: Mapping[str, Any], limits: Mapping[str, int], prefix: str = "") -> None:
    """Every limited field among `values`; a nested object's fields are named `prefix.field`."""
    for name, value in values.items():
        limit = limits.get(name)
        if limit is not None:
            check(f"{prefix}{name}", value, limit)
