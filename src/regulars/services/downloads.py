"""A customer's downloads: the permissions their paid orders granted and that are still usable."""

from __future__ import annotations

from regulars.domain.customers import Customer
from regulars.domain.downloads import Download
from regulars.services.clock import now
from regulars.store.unit import Unit

# Orders whose downloads may be used: completed, and processing (WooCommerce grants access on payment).
GRANTING_STATUSES: tuple[str, ...] = ("completed", "processing")


def available(unit: Unit, customer: Customer | None) -> list[Download]:
    if customer is None:
        return []
    return unit.downloads.available(customer.id, GRANTING_STATUSES, now())
