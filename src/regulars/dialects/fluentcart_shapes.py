"""FluentCart's JSON shapes: the seed's fields, in its types (integers, money in cents, ISO 8601 UTC
times), plus the real plugin's extra names for the same facts where the seed is silent; and the CSV a
person opens when they export customers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from regulars.domain.accounts import Account
from regulars.domain.customer_records import average
from regulars.domain.customers import Address, Customer
from regulars.domain.orders import Order

# Address relations a request may ask for with `with[]` (as the plugin names them).
RELATIONS: tuple[str, ...] = (
    "addresses",
    "billing_address",
    "shipping_address",
    "primary_billing_address",
    "primary_shipping_address",
)
# Payment state of an order, by its status (paid statuses are the domain's; the rest wait for payment).
PAYMENT_STATUSES: dict[str, str] = {"refunded": "refunded", "failed": "failed"}
EXPORT_COLUMNS: tuple[str, ...] = (
    "id",
    "user_id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "status",
    "total_spent",
    "order_count",
    "average_order_value",
    "first_order_date",
    "last_order_date",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
    "notes",
    "created_at",
    "updated_at",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def stats(c: Customer) -> dict[str, Any]:
    """Paid orders only, as FluentCart counts purchases (recountStat): total spent, their number and
    average, the first and last of their dates."""
    s = c.stats
    return {
        "total_spent": s.total_spent,
        "order_count": s.paid_orders_count,
        "average_order_value": average(s.total_spent, s.paid_orders_count),
        "last_order_date": iso(s.last_paid_order_at),
        "first_order_date": iso(s.first_paid_order_at),
    }


def customer(c: Customer) -> dict[str, Any]:
    figures = stats(c)
    return {
        "id": c.id,
        "user_id": c.account_id,
        "email": c.email,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "full_name": f"{c.first_name} {c.last_name}".strip(),
        "phone": c.phone,
        "status": c.status,
        "notes": c.notes,
        "additional_info": c.additional_info,
        "total_spent": figures["total_spent"],
        "order_count": figures["order_count"],
        "ltv": figures["total_spent"],
        "purchase_count": figures["order_count"],
        "aov": figures["average_order_value"],
        "first_purchase_date": figures["first_order_date"],
        "last_purchase_date": figures["last_order_date"],
        "country": c.country,
        "state": c.state,
        "city": c.city,
        "postcode": c.postcode,
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
    }


def address(a: Address) -> dict[str, Any]:
    return {
        "id": a.id,
        "customer_id": a.customer_id,
        "type": a.type,
        "is_primary": a.is_primary,
        "status": a.status,
        "label": a.label,
        "name": f"{a.first_name} {a.last_name}".strip(),
        "first_name": a.first_name,
        "last_name": a.last_name,
        "company_name": a.company,
        "address_1": a.address_1,
        "address_2": a.address_2,
        "city": a.city,
        "state": a.state,
        "postcode": a.postcode,
        "country": a.country,
        "email": a.email,
        "phone": a.phone,
        "vat_number": str(a.meta.get("vat_number", "")),
        "legal_registration_id": str(a.meta.get("legal_registration_id", "")),
        "meta": a.meta,
        "created_at": iso(a.created_at),
        "updated_at": iso(a.updated_at),
    }


def ordered_addresses(found: Iterable[Address]) -> list[Address]:
    """Primary addresses first, then in the order they were added (FluentCart's order)."""
    return sorted(found, key=lambda a: (not a.is_primary, a.id))


def relations(c: Customer, names: Sequence[str]) -> dict[str, Any]:
    """The address relations asked for with `with[]`."""
    book = ordered_addresses(c.addresses)
    shaped: dict[str, Any] = {}
    for name in names:
        if name == "addresses":
            shaped[name] = [address(a) for a in book]
        elif name.startswith("primary_"):
            found = c.primary(name.removeprefix("primary_").removesuffix("_address"))
            shaped[name] = address(found) if found else None
        else:
            kind = name.removesuffix("_address")
            shaped[name] = [address(a) for a in book if a.type == kind]
    return shaped


def order(o: Order) -> dict[str, Any]:
    return {
        "id": o.id,
        "customer_id": o.customer_id,
        "status": o.status,
        "payment_status": "paid" if o.is_paid else PAYMENT_STATUSES.get(o.status, "pending"),
        "total_amount": o.total,
        "currency": o.currency,
        "payment_method": o.payment_method,
        "created_at": iso(o.created_at),
        "updated_at": iso(o.modified_at),
    }


def user(a: Account) -> dict[str, Any]:
    return {
        "id": a.id,
        "ID": a.id,
        "display_name": a.display_name,
        "user_email": a.email,
        "user_login": a.username,
    }


def pagination(page: int, per_page: int, total: int) -> dict[str, int]:
    return {
        "current_page": page,
        "per_page": per_page,
        "total": total,
        "total_pages": -(-total // per_page),
    }


def _cell(value: Any) -> Any:
    """A text a spreadsheet would run as a formula is written as text (OWASP's CSV injection advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def export_csv(found: Sequence[Customer]) -> str:
    """One row per customer with their primary billing address (without one, the place set on the customer
    itself): what a person opens in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for c in found:
        row: dict[str, Any] = {**customer(c), **stats(c)}
        billing = c.primary("billing")
        for name in ("company", "address_1", "address_2", "city", "state", "postcode", "country"):
            row[name] = getattr(billing, name) if billing else row.get(name)
        writer.writerow([_cell(row[name]) for name in EXPORT_COLUMNS])
    return out.getvalue()
