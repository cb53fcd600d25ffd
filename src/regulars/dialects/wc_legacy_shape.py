"""Customers, their orders and downloads as the legacy API prints them: UTC dates with "Z",
`billing_address`/`shipping_address`, money as decimal strings.

Figures an order does not keep as lines (taxes, the customer's IP and user agent) are read from
`Order.data` under the names the REST API gives them; absent ones are zero or empty, as on an order
that has none.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from regulars.dialects.wc_legacy import Version
from regulars.dialects.wc_rest import avatar_url
from regulars.domain.customers import BILLING_FIELDS, Profile
from regulars.domain.downloads import Download
from regulars.domain.orders import LineItem, Order, decimal_text

BILLING = BILLING_FIELDS
SHIPPING = BILLING[:9]
NEVER = "1970-01-01T00:00:00Z"  # what the legacy API prints for a date it does not have


def utc(moment: datetime | None) -> str | None:
    """WC_API_Server::format_datetime: UTC with a "Z"; None stays None (the caller picks NEVER or null)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None


def _address(values: dict[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(values.get(name) or "") for name in names}


def customer(profile: Profile, version: Version, decimals: int) -> dict[str, Any]:
    account, stats = profile.account, profile.stats
    billing, shipping = profile.address("billing"), profile.address("shipping")
    values: dict[str, Any] = {
        "id": account.id,
        "created_at": utc(account.registered_at) or NEVER,
        "last_update": utc(account.modified_at) or NEVER,
        "email": account.email,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "username": account.username,
        "role": account.role,
        "last_order_id": stats.last_order_id,
        "last_order_date": utc(stats.last_order_at),
        "orders_count": stats.orders_count,
        "total_spent": decimal_text(stats.total_spent, decimals),
        "avatar_url": avatar_url(account.email),
        "billing_address": {n: billing.value(n) if billing else "" for n in BILLING},
        "shipping_address": {n: shipping.value(n) if shipping else "" for n in SHIPPING},
    }
    return {name: values[name] for name in version.customer_fields}


def _number(value: Any) -> Decimal:
    """A stored figure ("1.50", 1.5, None): anything that is not a number is zero."""
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def decimal(value: Any, places: int) -> str:
    """wc_format_decimal(value, places): rounded half up."""
    return str(_number(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _minor(minor: int, decimals: int) -> Decimal:
    return Decimal(minor).scaleb(-decimals)


def _line_item(item: LineItem, decimals: int, places: int) -> dict[str, Any]:
    data = item.data
    price = _minor(item.total, decimals) / item.quantity if item.quantity else Decimal(0)
    return {
        "id": item.id,
        "subtotal": decimal(_minor(item.subtotal, decimals), places),
        "subtotal_tax": decimal(data.get("subtotal_tax"), places),
        "total": decimal(_minor(item.total, decimals), places),
        "total_tax": decimal(data.get("total_tax"), places),
        "price": decimal(price, places),
        "quantity": item.quantity,
        "tax_class": str(data.get("tax_class") or ""),
        "name": item.name,
        "product_id": data.get("variation_id") or item.product_id,
        "sku": str(data.get("sku") or ""),
        "meta": [
            {"key": m.get("key"), "value": m.get("value"), "label": m.get("display_key", m.get("key"))}
            for m in data.get("meta_data") or []
            if isinstance(m, dict) and not str(m.get("key", "")).startswith("_")
        ],
    }


def order(
    o: Order,
    version: Version,
    owner: dict[str, Any],
    owner_id: int,
    base: str,
    decimals: int,
    places: int = 2,
) -> dict[str, Any]:
    """A legacy order; `owner` is its customer already shaped for this version, `owner_id` its user id.
    Regulars keeps no taxes, so tax figures are those stored with the order, if any."""
    data = o.data

    def money_of(minor: int) -> str:
        return decimal(_minor(minor, decimals), places)

    values: dict[str, Any] = {
        "id": o.id,
        "order_number": o.number,
        "order_key": o.order_key,
        "created_at": utc(o.created_at) or NEVER,
        "updated_at": utc(o.modified_at) or NEVER,
        "completed_at": utc(o.completed_at) or NEVER,
        "status": o.status,
        "currency": o.currency,
        "total": money_of(o.total),
        "subtotal": money_of(o.subtotal),
        "total_line_items_quantity": o.item_count,
        "total_tax": decimal(data.get("total_tax"), places),
        "total_shipping": money_of(o.shipping_total),
        "cart_tax": decimal(data.get("cart_tax"), places),
        "shipping_tax": decimal(data.get("shipping_tax"), places),
        "total_discount": money_of(o.discount_total),
        "shipping_methods": ", ".join(line.name for line in o.shipping_lines),
        "payment_details": {
            "method_id": o.payment_method,
            "method_title": o.payment_method_title,
            "paid": o.paid_at is not None,
        },
        "billing_address": _address(o.billing, BILLING),
        "shipping_address": _address(o.shipping, SHIPPING),
        "note": o.customer_note,
        "customer_ip": str(data.get("customer_ip_address") or ""),
        "customer_user_agent": str(data.get("customer_user_agent") or ""),
        "customer_id": owner_id,
        "view_order_url": f"{base}/my-account/view-order/{o.id}/",
        "line_items": [_line_item(i, decimals, places) for i in o.line_items],
        "shipping_lines": [
            {
                "id": line.id,
                "method_id": str(line.data.get("method_id") or ""),
                "method_title": line.name,
                "total": money_of(line.total),
            }
            for line in o.shipping_lines
        ],
        "tax_lines": [],
        "fee_lines": [
            {
                "id": line.id,
                "title": line.name,
                "tax_class": str(line.data.get("tax_class") or ""),
                "total": money_of(line.total),
                "total_tax": decimal(line.data.get("total_tax"), places),
            }
            for line in o.fee_lines
        ],
        "coupon_lines": [
            {"id": line.id, "code": line.name, "amount": money_of(line.total)} for line in o.coupon_lines
        ],
        "customer": owner,
    }
    return {name: values[name] for name in version.order_fields}


def download(d: Download, home: str) -> dict[str, Any]:
    """One available download; `downloads_remaining` is "" when unlimited, `access_expires` null for never."""
    email = quote(d.user_email, safe="@")
    url = f"{home}/?download_file={d.product_id}&order={d.order_key}&email={email}&key={d.download_id}"
    return {
        "download_url": url,
        "download_id": d.download_id,
        "product_id": d.product_id,
        "download_name": d.file_name,
        "order_id": d.order_id,
        "order_key": d.order_key,
        "downloads_remaining": "" if d.downloads_remaining is None else str(d.downloads_remaining),
        "access_expires": utc(d.access_expires),
        "file": {"name": d.file_name, "file": d.file_url},
    }
