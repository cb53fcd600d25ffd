"""Orders of customers (recording them, and the statistics they drive, arrive with the orders issue)."""

from __future__ import annotations

from regulars.domain.orders import Order
from regulars.store.unit import Unit


def for_customer(unit: Unit, customer_id: int, *, newest_first: bool = True) -> list[Order]:
    """A customer record's orders, every status, newest first unless asked otherwise."""
    return unit.orders.for_customer(customer_id, newest_first=newest_first)
