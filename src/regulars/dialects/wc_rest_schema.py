"""The customer schema of wc/v1, v2 and v3 as data: one table of properties, which each version of
wc_rest_versions picks from. Arguments derive from it as WordPress
derives them (get_endpoint_args_for_item_schema)."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from regulars.dialects.wc_rest_versions import ADDRESS_FIELDS, VERSIONS
from regulars.domain import limits
from regulars.openapi import Widths

VIEW_EDIT = ["view", "edit"]
ROLE_ENUM = [
    "all",
    "administrator",
    "editor",
    "author",
    "contributor",
    "subscriber",
    "customer",
    "shop_manager",
]


def _prop(
    description: str, kind: Any, readonly: bool = False, context: list[str] = VIEW_EDIT, **extra: Any
) -> dict:
    prop: dict[str, Any] = {"description": description, "type": kind, "context": list(context)}
    prop.update(extra)
    if readonly:
        prop["readonly"] = True
    return prop


_ADDRESS_TEXT = {
    "first_name": "First name.",
    "last_name": "Last name.",
    "company": "Company name.",
    "address_1": "Address line 1",
    "address_2": "Address line 2",
    "city": "City name.",
    "state": "ISO code or name of the state, province or district.",
    "postcode": "Postal code.",
    "country": "ISO code of the country.",
    "email": "Email address.",
    "phone": "Phone number.",
}


def _address(names: tuple[str, ...], line_period: bool) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for name in names:
        text = _ADDRESS_TEXT[name]
        if line_period and name in ("address_1", "address_2"):
            text += "."
        props[name] = _prop(text, "string", **({"format": "email"} if name == "email" else {}))
    return props


# Every property any version has, in schema order; versions pick theirs below.
_PROPERTIES: dict[str, dict[str, Any]] = {
    "id": _prop("Unique identifier for the resource.", "integer", True),
    "date_created": _prop("The date the customer was created, in the site's timezone.", "date-time", True),
    "date_created_gmt": _prop("The date the customer was created, as GMT.", "date-time", True),
    "date_modified": _prop(
        "The date the customer was last modified, in the site's timezone.", "date-time", True
    ),
    "date_modified_gmt": _prop("The date the customer was last modified, as GMT.", "date-time", True),
    "email": _prop("The email address for the customer.", "string", format="email"),
    "first_name": _prop("Customer first name.", "string"),
    "last_name": _prop("Customer last name.", "string"),
    "role": _prop("Customer role.", "string", True),
    "username": _prop("Customer login name.", "string"),
    "password": _prop("Customer password.", "string", context=["edit"]),
    "last_order": _prop(
        "Last order data.",
        "object",
        True,
        properties={
            "id": _prop("Last order ID.", "integer", True),
            "date": _prop("UTC DateTime of the customer last order.", "date-time", True),
        },
    ),
    "orders_count": _prop("Quantity of orders made by the customer.", "integer", True),
    "total_spent": _prop("Total amount spent.", "string", True),
    "avatar_url": _prop("Avatar URL.", "string", True),
    "billing": _prop("List of billing address data.", "object"),
    "shipping": _prop("List of shipping address data.", "object"),
    "is_paying_customer": _prop("Is the customer a paying customer?", "bool", True),
    "meta_data": _prop(
        "Meta data.",
        "array",
        items={
            "type": "object",
            "properties": {
                "id": _prop("Meta ID.", "integer", True),
                "key": _prop("Meta key.", "string"),
                "value": _prop("Meta value.", "mixed"),
            },
        },
    ),
}

# Meta values are any JSON in arguments, "mixed" in the item schema.
# The longest text each argument may hold (the store's columns), for the OpenAPI document's maxLength.
CUSTOMER_WIDTHS: Widths = {
    **limits.ACCOUNT,
    "billing": limits.ADDRESS,
    "shipping": limits.ADDRESS,
    "meta_data": {"key": limits.META_KEY},
}
META_VALUE_ARG_TYPES = ["null", "object", "string", "number", "boolean", "integer", "array"]


def item_schema(version_name: str) -> dict[str, Any]:
    version = VERSIONS[version_name]
    properties: dict[str, Any] = {}
    for name in version.schema_fields:
        prop = deepcopy(_PROPERTIES[name])
        if name == "billing":
            prop["properties"] = _address((*ADDRESS_FIELDS, "email", "phone"), version.address_line_period)
        if name == "shipping":
            prop["properties"] = _address(version.shipping_fields, version.address_line_period)
        properties[name] = prop
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "customer",
        "type": "object",
        "properties": properties,
    }


_ARG_KEYS = ("type", "format", "enum", "items", "properties", "minimum", "maximum")


def endpoint_args(version: str, creating: bool) -> dict[str, Any]:
    """WordPress's get_endpoint_args_for_item_schema: writable properties as optional arguments."""
    args: dict[str, Any] = {}
    for name, prop in item_schema(version)["properties"].items():
        if prop.get("readonly"):
            continue
        arg: dict[str, Any] = {"description": prop["description"]}
        arg.update({k: deepcopy(prop[k]) for k in _ARG_KEYS if k in prop})
        if name == "meta_data":
            arg["items"]["properties"]["value"]["type"] = META_VALUE_ARG_TYPES
        arg["required"] = False
        args[name] = arg
    if creating:
        args["email"] = {"type": "string", "description": "New user email address.", "required": True}
        args["username"] = {"description": "New user username.", "type": "string", "required": False}
        args["password"] = {"description": "New user password.", "type": "string", "required": False}
    return args


def collection_args(version: str) -> dict[str, Any]:
    return {
        "context": CONTEXT_ARG,
        "page": {
            "description": "Current page of the collection.",
            "type": "integer",
            "default": 1,
            "minimum": 1,
        },
        "per_page": {
            "description": "Maximum number of items to be returned in result set.",
            "type": "integer",
            "default": 10,
            "minimum": 1,
            "maximum": 100,
        },
        "search": {"description": "Limit results to those matching a string.", "type": "string"},
        "exclude": {
            "description": "Ensure result set excludes specific IDs.",
            "type": "array",
            "items": {"type": "integer"},
            "default": [],
        },
        "include": {
            "description": "Limit result set to specific IDs.",
            "type": "array",
            "items": {"type": "integer"},
            "default": [],
        },
        "offset": {"description": "Offset the result set by a specific number of items.", "type": "integer"},
        "order": {
            "default": "asc",
            "description": "Order sort attribute ascending or descending.",
            "enum": ["asc", "desc"],
            "type": "string",
        },
        "orderby": {
            "default": "name",
            "description": "Sort collection by object attribute.",
            "enum": ["id", "include", "name", "registered_date"],
            "type": "string",
        },
        "email": {
            "description": "Limit result set to resources with a specific email.",
            "type": "string",
            "format": "email",
        },
        "role": {
            "description": "Limit result set to resources with a specific role.",
            "type": "string",
            "default": "customer",
            "enum": ROLE_ENUM,
        },
        **LIST_FILTER_ARGS,
    }


def _date_arg(description: str) -> dict[str, Any]:
    return {"description": description, "type": "string", "format": "date-time"}


# Filters Regulars adds to WooCommerce's customer lists, in every version, read by the rules of
# WooCommerce's own order and product lists: ISO 8601, in the site's time zone unless the date carries an
# offset or dates_are_gmt is set; an invalid date is refused with rest_invalid_date.
LIST_FILTER_ARGS: dict[str, Any] = {
    "registered_after": _date_arg(
        "Limit response to customers registered after a given ISO8601 compliant date."
    ),
    "registered_before": _date_arg(
        "Limit response to customers registered before a given ISO8601 compliant date."
    ),
    "modified_after": _date_arg("Limit response to customers modified after a given ISO8601 compliant date."),
    "modified_before": _date_arg(
        "Limit response to customers modified before a given ISO8601 compliant date."
    ),
    "dates_are_gmt": {
        "description": "Whether to consider GMT dates when limiting response by registration or modification "
        "date.",
        "type": "boolean",
        "default": False,
    },
}


CONTEXT_ARG = {
    "description": "Scope under which the request is made; determines fields present in response.",
    "type": "string",
    "enum": ["view", "edit"],
    "default": "view",
}
ID_ARG = {"description": "Unique identifier for the resource.", "type": "integer"}
DELETE_ARGS = {
    "force": {
        "default": False,
        "type": "boolean",
        "description": "Required to be true, as resource does not support trashing.",
    },
    "reassign": {"default": 0, "type": "integer", "description": "ID to reassign posts to."},
}
DOWNLOAD_CONTEXT_ARG = {**CONTEXT_ARG, "enum": ["view"]}


def _ro(description: str, kind: str, **extra: Any) -> dict[str, Any]:
    return _prop(description, kind, True, context=["view"], **extra)


def downloads_schema(version_name: str) -> dict[str, Any]:
    every = {
        "download_id": _ro("Download ID.", "string"),
        "download_url": _ro("Download file URL.", "string"),
        "product_id": _ro("Downloadable product ID.", "integer"),
        "product_name": _ro("Product name.", "string"),
        "download_name": _ro("Downloadable file name.", "string"),
        "order_id": _ro("Order ID.", "integer"),
        "order_key": _ro("Order key.", "string"),
        "downloads_remaining": _ro("Number of downloads remaining.", "string"),
        "access_expires": _ro("The date when download access expires, in the site's timezone.", "string"),
        "access_expires_gmt": _ro("The date when download access expires, as GMT.", "string"),
        "file": _ro(
            "File details.",
            "object",
            properties={"name": _ro("File name.", "string"), "file": _ro("File URL.", "string")},
        ),
    }
    props = {name: every[name] for name in VERSIONS[version_name].download_schema}
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "customer_download",
        "type": "object",
        "properties": props,
    }


def batch_schema() -> dict[str, Any]:
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "batch",
        "type": "object",
        "properties": {
            "create": {
                "description": "List of created resources.",
                "type": "array",
                "context": VIEW_EDIT,
                "items": {"type": "object"},
            },
            "update": {
                "description": "List of updated resources.",
                "type": "array",
                "context": VIEW_EDIT,
                "items": {"type": "object"},
            },
            "delete": {
                "description": "List of delete resources.",
                "type": "array",
                "context": VIEW_EDIT,
                "items": {"type": "integer"},
            },
        },
    }
