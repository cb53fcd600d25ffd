"""The wc/v3 order and product schemas as data — the properties Regulars serves, with WooCommerce's
types and wording — and the arguments derived from them as WordPress derives them."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from regulars.dialects.wc_rest_schema import CONTEXT_ARG, ID_ARG, VIEW_EDIT
from regulars.domain import limits, orders, products
from regulars.openapi import Widths

# The longest text each argument may hold (the store's columns), for the OpenAPI document's maxLength.
WIDTHS: dict[str, Widths] = {
    "shop_order": {
        **limits.ORDER,
        **{lines: {"name": limits.ORDER_LINE_NAME} for lines in ("line_items", "fee_lines")},
        "shipping_lines": {"method_title": limits.ORDER_LINE_NAME},
        "coupon_lines": {"code": limits.ORDER_LINE_NAME},
    },
    "product": limits.PRODUCT,
}
_META_VALUE_TYPES = ["null", "object", "string", "number", "boolean", "integer", "array"]


def _p(description: str, kind: Any, readonly: bool = False, **extra: Any) -> dict[str, Any]:
    prop: dict[str, Any] = {"description": description, "type": kind, "context": list(VIEW_EDIT)}
    prop.update(extra)
    if readonly:
        prop["readonly"] = True
    return prop


def _ro(description: str, kind: Any, **extra: Any) -> dict[str, Any]:
    return _p(description, kind, True, **extra)


def _meta(readonly: bool = False) -> dict[str, Any]:
    return _p(
        "Meta data.",
        "array",
        readonly,
        items={
            "type": "object",
            "properties": {
                "id": _ro("Meta ID.", "integer"),
                "key": _p("Meta key.", "string"),
                "value": _p("Meta value.", _META_VALUE_TYPES),
            },
        },
    )


def _lines(description: str, properties: dict[str, Any], readonly: bool = False) -> dict[str, Any]:
    return _p(description, "array", readonly, items={"type": "object", "properties": properties})


_ADDRESS = {
    "first_name": "First name.",
    "last_name": "Last name.",
    "company": "Company name.",
    "address_1": "Address line 1",
    "address_2": "Address line 2",
    "city": "City name.",
    "state": "ISO code or name of the state, province or district.",
    "postcode": "Postal code.",
    "country": "Country code in ISO 3166-1 alpha-2 format.",
    "email": "Email address.",
    "phone": "Phone number.",
}


def _address(names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _p(_ADDRESS[name], "string") for name in names}


_LINE_ITEM = {
    "id": _ro("Item ID.", "integer"),
    "name": _p("Product name.", ["string", "null"]),
    "product_id": _p("Product ID.", ["integer", "null"]),
    "variation_id": _p("Variation ID, if applicable.", "integer"),
    "quantity": _p("Quantity ordered.", "integer"),
    "tax_class": _p("Tax class of product.", "string"),
    "subtotal": _p("Line subtotal (before discounts).", "string"),
    "subtotal_tax": _ro("Line subtotal tax (before discounts).", "string"),
    "total": _p("Line total (after discounts).", "string"),
    "total_tax": _ro("Line total tax (after discounts).", "string"),
    "meta_data": _meta(),
    "sku": _p("Product SKU.", ["string", "null"]),
    "price": _ro("Product price.", "number"),
    "parent_name": _ro("Parent product name if the product is a variation.", ["string", "null"]),
}
_SHIPPING_LINE = {
    "id": _ro("Item ID.", "integer"),
    "method_title": _p("Shipping method name.", ["string", "null"]),
    "method_id": _p("Shipping method ID.", ["string", "null"]),
    "instance_id": _p("Shipping instance ID.", "string"),
    "total": _p("Line total (after discounts).", "string"),
    "total_tax": _ro("Line total tax (after discounts).", "string"),
    "meta_data": _meta(),
}
_FEE_LINE = {
    "id": _ro("Item ID.", "integer"),
    "name": _p("Fee name.", ["string", "null"]),
    "tax_class": _p("Tax class of fee.", "string"),
    "tax_status": _p("Tax status of fee.", "string", enum=["taxable", "none"]),
    "total": _p("Line total (after discounts).", "string"),
    "total_tax": _ro("Line total tax (after discounts).", "string"),
    "meta_data": _meta(),
}
_COUPON_LINE = {
    "id": _ro("Item ID.", "integer"),
    "code": _p("Coupon code.", ["string", "null"]),
    "discount": _ro("Discount total.", "string"),
    "meta_data": _meta(),
}

ORDER_PROPERTIES: dict[str, dict[str, Any]] = {
    "id": _ro("Unique identifier for the resource.", "integer"),
    "parent_id": _p("Parent order ID.", "integer"),
    "number": _ro("Order number.", "string"),
    "order_key": _ro("Order key.", "string"),
    "created_via": _ro("Shows where the order was created.", "string"),
    # WooCommerce declares an integer and answers a string ("10.0.2"); the schema says what is answered.
    "version": _ro("Version of WooCommerce which last updated the order.", "string"),
    "status": _p("Order status.", "string", default="pending", enum=list(orders.STATUSES)),
    "currency": _p("Currency the order was created with, in ISO format.", "string"),
    "date_created": _ro("The date the order was created, in the site's timezone.", "date-time"),
    "date_created_gmt": _ro("The date the order was created, as GMT.", "date-time"),
    "date_modified": _ro("The date the order was last modified, in the site's timezone.", "date-time"),
    "date_modified_gmt": _ro("The date the order was last modified, as GMT.", "date-time"),
    "discount_total": _ro("Total discount amount for the order.", "string"),
    "discount_tax": _ro("Total discount tax amount for the order.", "string"),
    "shipping_total": _ro("Total shipping amount for the order.", "string"),
    "shipping_tax": _ro("Total shipping tax amount for the order.", "string"),
    "cart_tax": _ro("Sum of line item taxes only.", "string"),
    "total": _ro("Grand total.", "string"),
    "total_tax": _ro("Sum of all taxes.", "string"),
    "prices_include_tax": _ro("True the prices included tax during checkout.", "boolean"),
    "customer_id": _p("User ID who owns the order. 0 for guests.", "integer", default=0),
    "customer_ip_address": _ro("Customer's IP address.", "string"),
    "customer_user_agent": _ro("User agent of the customer.", "string"),
    "customer_note": _p("Note left by customer during checkout.", "string"),
    "billing": _p("Billing address.", "object", properties=_address(tuple(_ADDRESS))),
    "shipping": _p("Shipping address.", "object", properties=_address((*tuple(_ADDRESS)[:9], "phone"))),
    "payment_method": _p("Payment method ID.", "string"),
    "payment_method_title": _p("Payment method title.", "string"),
    "transaction_id": _p("Unique transaction ID.", "string"),
    "date_paid": _ro("The date the order was paid, in the site's timezone.", "date-time"),
    "date_paid_gmt": _ro("The date the order was paid, as GMT.", "date-time"),
    "date_completed": _ro("The date the order was completed, in the site's timezone.", "date-time"),
    "date_completed_gmt": _ro("The date the order was completed, as GMT.", "date-time"),
    "cart_hash": _ro("MD5 hash of cart items to ensure orders are not modified.", "string"),
    "meta_data": _meta(),
    "line_items": _lines("Line items data.", _LINE_ITEM),
    "tax_lines": _lines("Tax lines data.", {"id": _ro("Item ID.", "integer")}, readonly=True),
    "shipping_lines": _lines("Shipping lines data.", _SHIPPING_LINE),
    "fee_lines": _lines("Fee lines data.", _FEE_LINE),
    "coupon_lines": _lines("Coupons line data.", _COUPON_LINE),
    "refunds": _lines("List of refunds.", {"id": _ro("Refund ID.", "integer")}, readonly=True),
    "payment_url": _ro("Order payment URL.", "string"),
    "is_editable": _ro("Whether an order can be edited.", "boolean"),
    "needs_payment": _ro("Whether an order needs payment, based on status and order total.", "boolean"),
    "needs_processing": _ro("Whether an order needs processing before it can be completed.", "boolean"),
    "set_paid": _p(
        "Define if the order is paid. It will set the status to processing and reduce stock items.",
        "boolean",
        default=False,
        context=["edit"],
    ),
    "currency_symbol": _ro("Currency symbol.", "string"),
}

_DOWNLOAD = {
    "id": _p("File ID.", "string"),
    "name": _p("File name.", "string"),
    "file": _p("File URL.", "string"),
}
_TERMS = {
    "id": _p("ID.", "integer"),
    "name": _ro("Name.", "string"),
    "slug": _ro("Slug.", "string"),
}
PRODUCT_PROPERTIES: dict[str, dict[str, Any]] = {
    "id": _ro("Unique identifier for the resource.", "integer"),
    "name": _p("Product name.", "string"),
    "slug": _p("Product slug.", "string"),
    "permalink": _ro("Product URL.", "string", format="uri"),
    "date_created": _ro("The date the product was created, in the site's timezone.", "date-time"),
    "date_created_gmt": _ro("The date the product was created, as GMT.", "date-time"),
    "date_modified": _ro("The date the product was last modified, in the site's timezone.", "date-time"),
    "date_modified_gmt": _ro("The date the product was last modified, as GMT.", "date-time"),
    "type": _p("Product type.", "string", default="simple", enum=list(products.TYPES)),
    "status": _p("Product status (post status).", "string", default="publish", enum=list(products.STATUSES)),
    "featured": _p("Featured product.", "boolean", default=False),
    "catalog_visibility": _p(
        "Catalog visibility.", "string", default="visible", enum=["visible", "catalog", "search", "hidden"]
    ),
    "description": _p("Product description.", "string"),
    "short_description": _p("Product short description.", "string"),
    "sku": _p("Stock-keeping unit.", "string"),
    "global_unique_id": _p("GTIN, UPC, EAN or ISBN.", "string"),
    "price": _ro("Current product price.", "string"),
    "regular_price": _p("Product regular price.", "string"),
    "sale_price": _p("Product sale price.", "string"),
    "date_on_sale_from": _p("Start date of sale price, in the site's timezone.", ["date-time", "null"]),
    "date_on_sale_from_gmt": _p("Start date of sale price, as GMT.", ["date-time", "null"]),
    "date_on_sale_to": _p("End date of sale price, in the site's timezone.", ["date-time", "null"]),
    "date_on_sale_to_gmt": _p("End date of sale price, as GMT.", ["date-time", "null"]),
    "price_html": _ro("Price formatted in HTML.", "string"),
    "on_sale": _ro("Shows if the product is on sale.", "boolean"),
    "purchasable": _ro("Shows if the product can be bought.", "boolean"),
    "total_sales": _ro("Amount of sales.", "integer"),
    "virtual": _p("If the product is virtual.", "boolean", default=False),
    "downloadable": _p("If the product is downloadable.", "boolean", default=False),
    "downloads": _lines("List of downloadable files.", _DOWNLOAD),
    "download_limit": _p(
        "Number of times downloadable files can be downloaded after purchase.", "integer", default=-1
    ),
    "download_expiry": _p(
        "Number of days until access to downloadable files expires.", "integer", default=-1
    ),
    "external_url": _p("Product external URL. Only for external products.", "string", format="uri"),
    "button_text": _p("Product external button text. Only for external products.", "string"),
    "tax_status": _p("Tax status.", "string", default="taxable", enum=["taxable", "shipping", "none"]),
    "tax_class": _p("Tax class.", "string"),
    "manage_stock": _p("Stock management at product level.", "boolean", default=False),
    "stock_quantity": _p("Stock quantity.", ["integer", "null"]),
    "stock_status": _p(
        "Controls the stock status of the product.",
        "string",
        default="instock",
        enum=["instock", "outofstock", "onbackorder"],
    ),
    "backorders": _p(
        "If managing stock, this controls if backorders are allowed.",
        "string",
        default="no",
        enum=["no", "notify", "yes"],
    ),
    "backorders_allowed": _ro("Shows if backorders are allowed.", "boolean"),
    "backordered": _ro("Shows if the product is on backordered.", "boolean"),
    "low_stock_amount": _p("Low Stock amount for the product.", ["integer", "null"]),
    "sold_individually": _p("Allow one item to be bought in a single order.", "boolean", default=False),
    "weight": _p("Product weight.", "string"),
    "dimensions": _p(
        "Product dimensions.",
        "object",
        properties={k: _p(f"Product {k}.", "string") for k in ("length", "width", "height")},
    ),
    "shipping_required": _ro("Shows if the product need to be shipped.", "boolean"),
    "shipping_taxable": _ro("Shows whether or not the product shipping is taxable.", "boolean"),
    "shipping_class": _p("Shipping class slug.", "string"),
    "shipping_class_id": _ro("Shipping class ID.", "integer"),  # WooCommerce declares a string
    "reviews_allowed": _p("Allow reviews.", "boolean", default=True),
    "post_password": _p("Post password.", "string"),
    "average_rating": _ro("Reviews average rating.", "string"),
    "rating_count": _ro("Amount of reviews that the product have.", "integer"),
    "related_ids": _ro("List of related products IDs.", "array", items={"type": "integer"}),
    "upsell_ids": _p("List of up-sell products IDs.", "array", items={"type": "integer"}),
    "cross_sell_ids": _p("List of cross-sell products IDs.", "array", items={"type": "integer"}),
    "parent_id": _p("Product parent ID.", "integer"),
    "purchase_note": _p("Optional note to send the customer after purchase.", "string"),
    "categories": _lines("List of categories.", _TERMS),
    "tags": _lines("List of tags.", _TERMS),
    "brands": _lines("List of brands.", _TERMS),
    "images": _lines(
        "List of images.",
        {
            "id": _p("Image ID.", "integer"),
            "src": _p("Image URL.", "string"),
            "name": _p("Image name.", "string"),
            "alt": _p("Image alternative text.", "string"),
        },
    ),
    "has_options": _ro("Shows if the product needs to be configured before it can be bought.", "boolean"),
    "attributes": _lines(
        "List of attributes.", {"id": _p("Attribute ID.", "integer"), "name": _p("Attribute name.", "string")}
    ),
    "default_attributes": _lines(
        "Defaults variation attributes.",
        {"id": _p("Attribute ID.", "integer"), "name": _p("Attribute name.", "string")},
    ),
    "variations": _ro("List of variations IDs.", "array", items={"type": "integer"}),
    "grouped_products": _p("List of grouped products ID.", "array", items={"type": "integer"}),
    "menu_order": _p("Menu order, used to custom sort products.", "integer"),
    "meta_data": _meta(),
}


def item_schema(title: str) -> dict[str, Any]:
    properties = ORDER_PROPERTIES if title == "shop_order" else PRODUCT_PROPERTIES
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": title,
        "type": "object",
        "properties": deepcopy(properties),
    }


_ARG_KEYS = ("type", "format", "enum", "items", "properties", "minimum", "maximum")


def endpoint_args(title: str, creating: bool) -> dict[str, Any]:
    """get_endpoint_args_for_item_schema: writable properties as arguments; defaults only on create.
    ("date-time" is no JSON type: WordPress, like wp_schema, lets such a value through unchecked.)"""
    args: dict[str, Any] = {}
    for name, prop in item_schema(title)["properties"].items():
        if prop.get("readonly"):
            continue
        arg: dict[str, Any] = {"description": prop["description"]}
        arg.update({k: deepcopy(prop[k]) for k in _ARG_KEYS if k in prop})
        if creating and "default" in prop:
            arg["default"] = prop["default"]
        arg["required"] = False
        args[name] = arg
    return args


def _collection(orderby: list[str], statuses: dict[str, Any]) -> dict[str, Any]:
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
        "after": {
            "description": "Limit response to resources published after a given ISO8601 compliant date.",
            "type": "string",
            "format": "date-time",
        },
        "before": {
            "description": "Limit response to resources published before a given ISO8601 compliant date.",
            "type": "string",
            "format": "date-time",
        },
        "modified_after": {
            "description": "Limit response to resources modified after a given ISO8601 compliant date.",
            "type": "string",
            "format": "date-time",
        },
        "modified_before": {
            "description": "Limit response to resources modified before a given ISO8601 compliant date.",
            "type": "string",
            "format": "date-time",
        },
        "dates_are_gmt": {
            "description": "Whether to consider GMT post dates when limiting response by published "
            "or modified date.",
            "type": "boolean",
            "default": False,
        },
        "exclude": {
            "description": "Ensure result set excludes specific IDs.",
            "type": "array",
            "items": {"type": "integer"},
            "default": [],
        },
        "include": {
            "description": "Limit result set to specific ids.",
            "type": "array",
            "items": {"type": "integer"},
            "default": [],
        },
        "offset": {"description": "Offset the result set by a specific number of items.", "type": "integer"},
        "order": {
            "description": "Order sort attribute ascending or descending.",
            "type": "string",
            "default": "desc",
            "enum": ["asc", "desc"],
        },
        "orderby": {
            "description": "Sort collection by object attribute.",
            "type": "string",
            "default": "date",
            "enum": orderby,
        },
        "parent": {
            "description": "Limit result set to those of particular parent IDs.",
            "type": "array",
            "items": {"type": "integer"},
            "default": [],
        },
        "parent_exclude": {
            "description": "Limit result set to all items except those of a particular parent ID.",
            "type": "array",
            "items": {"type": "integer"},
            "default": [],
        },
        "status": statuses,
    }


def order_collection_args() -> dict[str, Any]:
    args = _collection(
        ["date", "id", "include", "modified"],
        {
            "default": "any",
            "description": "Limit result set to orders which have specific statuses.",
            "type": "array",
            "items": {"type": "string", "enum": ["any", orders.TRASH, *orders.STATUSES]},
        },
    )
    args["customer"] = {
        "description": "Limit result set to orders assigned a specific customer.",
        "type": "integer",
    }
    args["product"] = {
        "description": "Limit result set to orders assigned a specific product.",
        "type": "integer",
    }
    return args


def product_collection_args() -> dict[str, Any]:
    args = _collection(
        ["date", "id", "include", "title", "slug", "modified"],
        {
            "default": "any",
            "description": "Limit result set to products assigned a specific status.",
            "type": "string",
            "enum": ["any", products.TRASH, *products.STATUSES],
        },
    )
    args.pop("parent")
    args.pop("parent_exclude")
    args["search"] = {"description": "Limit results to those matching a string.", "type": "string"}
    args["type"] = {
        "description": "Limit result set to products assigned a specific type.",
        "type": "string",
        "enum": list(products.TYPES),
    }
    args["sku"] = {
        "description": "Limit result set to products with specific SKU(s). Use commas to separate.",
        "type": "string",
    }
    return args


DELETE_ARGS = {
    "force": {
        "default": False,
        "type": "boolean",
        "description": "Whether to bypass trash and force deletion.",
    },
}
ITEM_ARGS = {"id": ID_ARG, "context": CONTEXT_ARG}
