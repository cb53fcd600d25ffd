"""What the legacy customer routes read and answer, as JSON Schemas for the OpenAPI document: one table
of a customer's and an order's properties (the versions pick their fields from it, see wc_legacy.VERSIONS)
and a Doc per route."""

from __future__ import annotations

from typing import Any

from regulars.dialects.wc_legacy import VERSIONS
from regulars.dialects.wc_legacy_shape import BILLING, SHIPPING
from regulars.domain import limits
from regulars.openapi import Doc, Widths

Schema = dict[str, Any]
_TEXT: Schema = {"type": "string"}
_INT: Schema = {"type": "integer"}
_TIME: Schema = {"type": "string", "description": "UTC, ISO 8601 with Z."}


def _object(names: tuple[str, ...] | list[str], kind: Schema = _TEXT) -> Schema:
    return {"type": "object", "properties": dict.fromkeys(names, kind)}


_CUSTOMER: dict[str, Schema] = {
    "id": _INT,
    "created_at": _TIME,
    "last_update": {**_TIME, "description": "UTC, ISO 8601 with Z (v3)."},
    "email": _TEXT,
    "first_name": _TEXT,
    "last_name": _TEXT,
    "username": _TEXT,
    "role": _TEXT,
    "last_order_id": {"type": ["integer", "null"]},
    "last_order_date": {"type": ["string", "null"]},
    "orders_count": _INT,
    "total_spent": {"type": "string", "description": "A decimal amount, e.g. 28.00."},
    "avatar_url": _TEXT,
    "billing_address": _object(BILLING),
    "shipping_address": _object(SHIPPING),
}
_LINE: Schema = {"type": "array", "items": {"type": "object", "properties": {"id": _INT}}}
_ORDER: dict[str, Schema] = {
    "id": _INT,
    "order_number": _TEXT,
    "order_key": {"type": "string", "description": "v3."},
    **dict.fromkeys(("created_at", "updated_at", "completed_at"), _TIME),
    "status": _TEXT,
    "currency": _TEXT,
    **dict.fromkeys(
        ("total", "subtotal", "total_tax", "total_shipping", "cart_tax", "shipping_tax", "total_discount"),
        _TEXT,
    ),
    "total_line_items_quantity": _INT,
    "shipping_methods": _TEXT,
    "payment_details": {
        "type": "object",
        "properties": {"method_id": _TEXT, "method_title": _TEXT, "paid": {"type": "boolean"}},
    },
    "billing_address": _object(BILLING),
    "shipping_address": _object(SHIPPING),
    "note": _TEXT,
    "customer_ip": _TEXT,
    "customer_user_agent": _TEXT,
    "customer_id": _INT,
    "view_order_url": _TEXT,
    **dict.fromkeys(("line_items", "shipping_lines", "tax_lines", "fee_lines", "coupon_lines"), _LINE),
    "customer": {"type": "object", "description": "The order's customer, as the customer routes show it."},
}


def _union(fields: str) -> Schema:
    """Every property a version may print (a version's own list is in wc_legacy.VERSIONS)."""
    table = _CUSTOMER if fields == "customer_fields" else _ORDER
    names = dict.fromkeys(n for v in VERSIONS.values() for n in getattr(v, fields))
    return {"type": "object", "properties": {n: table[n] for n in names}}


CUSTOMER = _union("customer_fields")
ORDER = _union("order_fields")
DOWNLOAD: Schema = {
    "type": "object",
    "properties": {
        "download_url": _TEXT,
        "download_id": _TEXT,
        "product_id": _INT,
        "download_name": _TEXT,
        "order_id": _INT,
        "order_key": _TEXT,
        "downloads_remaining": {"type": "string", "description": "Empty when unlimited."},
        "access_expires": {"type": ["string", "null"], "description": "null for never."},
        "file": _object(("name", "file")),
    },
}
CUSTOMER_INPUT: Schema = {
    "type": "object",
    "properties": {
        **dict.fromkeys(("email", "first_name", "last_name", "username", "password"), _TEXT),
        "billing_address": _object(BILLING),
        "shipping_address": _object(SHIPPING),
    },
}
# The longest text each input may hold (the store's columns), for the OpenAPI document's maxLength.
_CUSTOMER_WIDTHS: Widths = {
    **limits.ACCOUNT,
    "billing_address": limits.ADDRESS,
    "shipping_address": limits.ADDRESS,
}
_ITEM_ERROR: Schema = {
    "type": "object",
    "required": ["id", "error"],
    "properties": {
        "id": _INT,
        "error": {"type": "object", "properties": {"code": _TEXT, "message": _TEXT}},
    },
}

_FIELDS = {"fields": {"type": "string", "description": "Comma-separated fields to keep (parent.child too)."}}
_WHO = {
    "role": {"type": "string", "description": "A role; `all` (v3) for every role. Default customer."},
    "q": {"type": "string", "description": "Search username, email and display name."},
    "created_at_min": _TEXT,
    "created_at_max": _TEXT,
}
_PAGE = {
    "limit": {"type": "integer", "description": "Page size (10); -1 for all."},
    "offset": {"type": "integer", "minimum": 0},
    "order": {"type": "string", "enum": ["ASC", "DESC"]},
    "orderby": {"type": "string", "description": "A WP_User_Query sort: ID, login, email, registered, name…"},
}

LIST = Doc(
    query={
        "filter": {"type": "object", "properties": {**_WHO, **_PAGE}},
        "page": {"type": "integer", "minimum": 1},
        **_FIELDS,
    },
    answer={"type": "object", "properties": {"customers": {"type": "array", "items": CUSTOMER}}},
    summary="List customers.",
)
COUNT = Doc(
    query={"filter": {"type": "object", "properties": _WHO}},
    answer={"type": "object", "properties": {"count": _INT}},
    summary="Count customers.",
)
_ONE = {"type": "object", "properties": {"customer": CUSTOMER}}
_CUSTOMER_BODY = {"type": "object", "required": ["customer"], "properties": {"customer": CUSTOMER_INPUT}}
GET = Doc(query=_FIELDS, answer=_ONE, summary="One customer, by id or email.")
_BODY_WIDTHS: Widths = {"customer": _CUSTOMER_WIDTHS}
CREATE = Doc(
    body=_CUSTOMER_BODY, answer=_ONE, statuses=(201,), summary="Create a customer.", widths=_BODY_WIDTHS
)
EDIT = Doc(body=_CUSTOMER_BODY, answer=_ONE, summary="Edit a customer.", widths=_BODY_WIDTHS)
DELETE = Doc(answer={"type": "object", "properties": {"message": _TEXT}}, summary="Delete a customer.")
ORDERS = Doc(
    query={
        "filter": {
            "type": "object",
            "properties": {
                "status": {"type": "string", "description": "Comma-separated statuses (v3)."},
                "limit": {"type": "integer", "description": "Page size (10); -1 for all (v3)."},
                "dp": {"type": "integer", "minimum": 0, "description": "Decimal places (v3)."},
            },
        },
        **_FIELDS,
    },
    answer={"type": "object", "properties": {"orders": {"type": "array", "items": ORDER}}},
    summary="A customer's orders.",
)
DOWNLOADS = Doc(
    answer={"type": "object", "properties": {"downloads": {"type": "array", "items": DOWNLOAD}}},
    summary="A customer's available downloads.",
)
BULK = Doc(
    body={
        "type": "object",
        "required": ["customers"],
        "properties": {
            "customers": {
                "type": "array",
                "items": {"type": "object", "properties": {"id": _INT, **CUSTOMER_INPUT["properties"]}},
            }
        },
    },
    answer={
        "type": "object",
        "properties": {"customers": {"type": "array", "items": {"anyOf": [_ITEM_ERROR, CUSTOMER]}}},
    },
    statuses=(200, 201),
    summary="Create (no id) or edit (an id) several customers; 201 once any was created.",
    widths={"customers": _CUSTOMER_WIDTHS},
)
