"""A customer's downloads: the permissions their paid orders granted and that are still usable."""

from __future__ import annotations

from regulars.domain.customers import Customer
from regulars.domain.downloads import Download
from regulars.domain.orders import GRANTING_STATUSES
from regulars.services.clock import now
from regulars.store.unit import Unit


def available(unit: Unit, customer: Customer | None) -> list[Download]:
    """Only orders whose status grants access permit their downloads (a refund or cancellation takes
    them away without touching the permissions)."""
    if customer is None:
        return []
    return unit.downloads.available(customer.id, GRANTING_STATUSES, now())
