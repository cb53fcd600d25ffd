"""What FluentCart's customer routes read and answer, as JSON Schemas for the OpenAPI document: the shapes
of fluentcart_shapes and the parameters of fluentcart_input, one Doc per row of fluentcart.ROUTES."""

from __future__ import annotations

from typing import Any

from regulars.dialects.fluentcart_input import ADDRESS_META, ADDRESS_NAMES, SCOPES, SORT_NAMES
from regulars.dialects.fluentcart_shapes import RELATIONS
from regulars.domain import limits
from regulars.domain.customer_records import PLACE
from regulars.domain.customers import ADDRESS_TYPES, STATUSES
from regulars.openapi import Doc, Widths

Schema = dict[str, Any]
_TEXT: Schema = {"type": "string"}
_INT: Schema = {"type": "integer"}
_CENTS: Schema = {"type": "integer", "description": "Money in cents."}
_TIME: Schema = {"type": "string", "description": "UTC, ISO 8601 (2024-01-01T10:00:00Z)."}
_MAYBE_TIME: Schema = {"type": ["string", "null"], "description": _TIME["description"]}
_MAYBE_TEXT: Schema = {"type": ["string", "null"]}
_ID: Schema = {"type": "integer", "minimum": 1}
_STATUS: Schema = {"type": "string", "enum": list(STATUSES)}
_TYPE: Schema = {"type": "string", "enum": list(ADDRESS_TYPES)}

ADDRESS: Schema = {
    "type": "object",
    "properties": {
        "id": _INT,
        "customer_id": _INT,
        "type": _TYPE,
        "is_primary": {"type": "boolean"},
        **dict.fromkeys(("status", "label", "name", "first_name", "last_name", "company_name"), _TEXT),
        **dict.fromkeys(("address_1", "address_2", "city", "state", "postcode", "country"), _TEXT),
        **dict.fromkeys(("email", "phone", *ADDRESS_META), _TEXT),
        "meta": {"type": "object"},
        "created_at": _MAYBE_TIME,
        "updated_at": _MAYBE_TIME,
    },
}
_RELATED: Schema = {
    "addresses": {"type": "array", "items": ADDRESS},
    "billing_address": {"type": "array", "items": ADDRESS},
    "shipping_address": {"type": "array", "items": ADDRESS},
    "primary_billing_address": {"anyOf": [ADDRESS, {"type": "null"}]},
    "primary_shipping_address": {"anyOf": [ADDRESS, {"type": "null"}]},
}
CUSTOMER: Schema = {
    "type": "object",
    "properties": {
        "id": _INT,
        "user_id": {"type": ["integer", "null"], "description": "The linked WordPress account."},
        **dict.fromkeys(("email", "first_name", "last_name", "full_name", "phone"), _TEXT),
        "status": _STATUS,
        "notes": _TEXT,
        "additional_info": {"type": ["object", "array"], "description": "Free key/value data."},
        **dict.fromkeys(("total_spent", "ltv", "aov"), _CENTS),
        "order_count": _INT,
        "purchase_count": _INT,
        "first_purchase_date": _MAYBE_TIME,
        "last_purchase_date": _MAYBE_TIME,
        **dict.fromkeys(("country", "state", "city", "postcode"), _MAYBE_TEXT),
        "created_at": _TIME,
        "updated_at": _TIME,
        **{name: schema for name, schema in _RELATED.items() if name in RELATIONS},
    },
}
STATS: Schema = {
    "type": "object",
    "properties": {
        "total_spent": _CENTS,
        "order_count": _INT,
        "average_order_value": _CENTS,
        "first_order_date": _MAYBE_TIME,
        "last_order_date": _MAYBE_TIME,
        "currency": _TEXT,
    },
}
ORDER: Schema = {
    "type": "object",
    "properties": {
        "id": _INT,
        "customer_id": {"type": ["integer", "null"]},
        "status": _TEXT,
        "payment_status": _TEXT,
        "total_amount": _CENTS,
        "currency": _TEXT,
        "payment_method": _TEXT,
        "created_at": _TIME,
        "updated_at": _TIME,
    },
}
USER: Schema = {
    "type": "object",
    "properties": {
        "id": _INT,
        "ID": _INT,
        **dict.fromkeys(("display_name", "user_email", "user_login"), _TEXT),
    },
}
PAGINATION: Schema = {
    "type": "object",
    "properties": dict.fromkeys(("current_page", "per_page", "total", "total_pages"), _INT),
}


def _data(**properties: Schema) -> Schema:
    return {"type": "object", "required": list(properties), "properties": properties}


def _body(required: tuple[str, ...] = (), **properties: Schema) -> Schema:
    body: Schema = {"type": "object", "properties": properties}
    if required:
        body["required"] = list(required)
    return body


_PATH = {"customer_id": _ID}
_PAGE = {"page": _ID, "per_page": {"type": "integer", "minimum": 1, "description": "At most 100."}}
_WITH = {"with": {"type": "array", "items": {"type": "string", "enum": list(RELATIONS)}}}
_CUSTOMER_FIELDS: Schema = {
    **dict.fromkeys(("email", "first_name", "last_name", "full_name", "phone", "notes"), _TEXT),
    "status": _STATUS,
    "additional_info": {"type": "object", "description": "Merged into the stored object."},
    **{
        name: {**_TEXT, "description": "Kept on the customer until its primary billing address sets it."}
        for name in PLACE
    },
}
_ADDRESS_FIELDS: Schema = {
    "type": _TYPE,
    "is_primary": {"type": "boolean"},
    **dict.fromkeys(("name", *ADDRESS_NAMES, *ADDRESS_META), _TEXT),
}
_ADDRESS_ID = {"address_id": _ID}
# The longest text each field may hold (the store's columns), for the OpenAPI document's maxLength.
_CUSTOMER_WIDTHS: Widths = limits.CUSTOMER
_ADDRESS_WIDTHS: Widths = {name: limits.ADDRESS[ours] for name, ours in ADDRESS_NAMES.items()}
_ONE_CUSTOMER = _data(customer=CUSTOMER)
_ONE_ADDRESS = _data(address=ADDRESS)

LIST = Doc(
    query={
        **_PAGE,
        "search": {"type": "string", "description": "Text, or id=5, id>10, id::5-20 …"},
        "filters": {
            "type": "object",
            "properties": {
                "status": _STATUS,
                "date_from": {"type": "string", "description": "YYYY-MM-DD or ISO 8601."},
                "date_to": {"type": "string", "description": "YYYY-MM-DD or ISO 8601."},
                "total_spent_min": {"type": "integer", "minimum": 0},
                "total_spent_max": {"type": "integer", "minimum": 0},
            },
        },
        "order_by": {"type": "string", "enum": list(SORT_NAMES)},
        "order_type": {"type": "string", "enum": ["ASC", "DESC", "asc", "desc"]},
        "scopes": {"type": "array", "items": {"type": "string", "enum": list(SCOPES)}},
        **_WITH,
    },
    answer=_data(customers={"type": "array", "items": CUSTOMER}, pagination=PAGINATION),
    summary="List customers.",
)
CREATE = Doc(
    body=_body(
        ("email",),
        **_CUSTOMER_FIELDS,
        user_id=_ID,
        wp_user={"enum": ["yes", "no", True, False], "description": "yes: also make a WordPress account."},
    ),
    answer=_ONE_CUSTOMER,
    statuses=(201,),
    summary="Create a customer.",
    widths=_CUSTOMER_WIDTHS,
)
STATS_DOC = Doc(path=_PATH, answer=_data(stats=STATS), summary="A customer's purchase figures.")
ATTACHABLE = Doc(
    query={**_PAGE, "search": _TEXT},
    answer=_data(users={"type": "array", "items": USER}, pagination=PAGINATION),
    summary="Accounts without a customer record.",
)
BULK = Doc(
    body=_body(
        ("action", "customer_ids"),
        action={"type": "string", "enum": ["update_status", "change_customer_status", "delete", "export"]},
        customer_ids={"type": "array", "items": _ID, "minItems": 1},
        data={
            "type": "object",
            "properties": {"status": _STATUS, "format": {"type": "string", "enum": ["csv", "json"]}},
        },
        new_status=_STATUS,
    ),
    answer={
        "type": "object",
        "required": ["processed", "failed", "results"],
        "properties": {
            "processed": _INT,
            "failed": _INT,
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["customer_id", "success"],
                    "properties": {
                        "customer_id": _INT,
                        "success": {"type": "boolean"},
                        "error": {"type": "object", "properties": {"code": _TEXT, "message": _TEXT}},
                    },
                },
            },
            "export": {
                "type": "object",
                "properties": {
                    **dict.fromkeys(("format", "filename", "mime_type"), _TEXT),
                    "content": {"type": ["string", "array"]},
                },
            },
        },
    },
    summary="update_status (data.status), delete or export (data.format csv|json) several customers.",
)
GET = Doc(path=_PATH, query=_WITH, answer=_ONE_CUSTOMER, summary="One customer with its addresses.")
UPDATE = Doc(
    path=_PATH,
    body=_body(**_CUSTOMER_FIELDS),
    answer=_ONE_CUSTOMER,
    summary="Update a customer.",
    widths=_CUSTOMER_WIDTHS,
)
ADDITIONAL_INFO = Doc(
    path=_PATH,
    body={"type": "object", "description": "The key/value object itself; a null value removes its key."},
    answer=_ONE_CUSTOMER,
    summary="Merge into a customer's additional info.",
)
ORDERS = Doc(
    path=_PATH, answer=_data(orders={"type": "array", "items": ORDER}), summary="A customer's orders."
)
ADDRESSES = Doc(
    path=_PATH,
    query={"type": _TYPE},
    answer=_data(addresses={"type": "array", "items": ADDRESS}),
    summary="A customer's addresses.",
)
ADD_ADDRESS = Doc(
    path=_PATH,
    body=_body(**_ADDRESS_FIELDS),
    answer=_ONE_ADDRESS,
    statuses=(201,),
    summary="Add an address.",
    widths=_ADDRESS_WIDTHS,
)
CHANGE_ADDRESS = Doc(
    path=_PATH,
    body=_body(("address_id",), **_ADDRESS_ID, **_ADDRESS_FIELDS),
    answer=_ONE_ADDRESS,
    summary="Change an address.",
    widths=_ADDRESS_WIDTHS,
)
REMOVE_ADDRESS = Doc(
    path=_PATH, query=_ADDRESS_ID, summary="Delete an address (not the primary, not the last)."
)
MAKE_PRIMARY = Doc(
    path=_PATH,
    body=_body(("address_id",), **_ADDRESS_ID, type=_TYPE),
    answer=_ONE_ADDRESS,
    summary="Make an address the primary one of its type.",
)
ATTACH = Doc(
    path=_PATH, body=_body(("user_id",), user_id=_ID), answer=_ONE_CUSTOMER, summary="Link an account."
)
DETACH = Doc(path=_PATH, answer=_ONE_CUSTOMER, summary="Unlink the account.")
