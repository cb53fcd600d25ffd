"""WooCommerce's REST API for orders and products: /wp-json/wc/v3/orders and /wp-json/wc/v3/products.

Enough of both for a customer's orders, statistics and downloads, in WooCommerce's shapes: fields
Regulars does not act on (images, categories, stock settings, …) are kept as sent and echoed back.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from regulars import __version__
from regulars.dialects import wc_orders_schema as schema
from regulars.dialects.wc_rest import date_param, wp_date
from regulars.dialects.wc_rest_schema import batch_schema
from regulars.dialects.wordpress import (
    Call,
    Endpoint,
    Reply,
    RestError,
    Route,
    as_id,
    batch_counts,
    batch_lists,
    checked_args,
    invalid_params,
    item_error,
    pagination,
    path_id,
    rows_to_skip,
    too_large,
    too_long,
)
from regulars.dialects.wp_schema import ArgError, parse_list
from regulars.domain import accounts as roles
from regulars.domain.customers import BILLING_FIELDS, SHIPPING_FIELDS
from regulars.domain.errors import DomainError
from regulars.domain.orders import (
    LineChange,
    LineItem,
    Order,
    OrderChange,
    OrderQuery,
    amount_text,
    decimal_text,
)
from regulars.domain.products import Product, ProductChange, ProductQuery
from regulars.services import orders as order_service
from regulars.services import products as product_service
from regulars.store.unit import Unit

NAMESPACE = "wc/v3"
ITEM_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
BILLING = BILLING_FIELDS
SHIPPING = SHIPPING_FIELDS
# Symbols of the common currencies, as WooCommerce prints them (get_woocommerce_currency_symbol).
CURRENCY_SYMBOLS = {
    "AUD": "$",
    "BRL": "R$",
    "CAD": "$",
    "CHF": "CHF",
    "CNY": "¥",
    "CZK": "Kč",
    "DKK": "kr.",
    "EUR": "€",
    "GBP": "£",
    "HKD": "$",
    "HUF": "Ft",
    "INR": "₹",
    "JPY": "¥",
    "KRW": "₩",
    "MXN": "$",
    "NOK": "kr",
    "NZD": "$",
    "PLN": "zł",
    "RUB": "₽",
    "SEK": "kr",
    "SGD": "$",
    "TRY": "₺",
    "USD": "$",
    "ZAR": "R",
}


@dataclass(frozen=True)
class Kind:
    """What differs between the two resources: WooCommerce's post type (it names errors and schemas)."""

    post_type: str  # "shop_order" | "product"
    base: str  # "orders" | "products"
    capability: str

    @property
    def route(self) -> str:
        return f"/{NAMESPACE}/{self.base}"


ORDERS = Kind("shop_order", "orders", roles.SHOP_ORDERS)
PRODUCTS = Kind("product", "products", roles.PRODUCTS)


# --- errors: domain reasons in WooCommerce's words -----------------------------------------------------
_WORDS: dict[str, tuple[str, str | Callable[[DomainError], str], int]] = {
    "invalid_customer": ("woocommerce_rest_invalid_customer_id", "Customer ID is invalid.", 400),
    "invalid_billing_email": ("order_invalid_billing_email", "Invalid billing email address", 400),
    "invalid_parent": ("order_invalid_parent_id", "Invalid parent ID", 400),
    "invalid_item_id": (
        "woocommerce_rest_invalid_item_id",
        "Order item ID provided is not associated with order.",
        400,
    ),
    "product_required": (
        "woocommerce_rest_required_product_reference",
        "Product ID or SKU is required.",
        400,
    ),
    "invalid_product": ("woocommerce_rest_invalid_product_id", "Product ID or SKU is invalid.", 400),
    "shipping_method_required": (
        "woocommerce_rest_invalid_shipping_item",
        "Shipping method ID is required.",
        400,
    ),
    "fee_name_required": ("woocommerce_rest_invalid_fee_item", "Fee name is required.", 400),
    "coupon_id_readonly": ("woocommerce_rest_coupon_item_id_readonly", "Coupon item ID is readonly.", 400),
    "coupon_required": ("woocommerce_rest_invalid_coupon", "Coupon code is required.", 400),
    "invalid_amount": ("woocommerce_rest_invalid_amount", lambda e: f"{e.field} is not a valid amount.", 400),
    "sku_exists": ("product_invalid_sku", "Invalid or duplicated SKU.", 400),
}


def rest_error(error: DomainError, kind: Kind, *, missing_status: int = 404) -> RestError:
    if error.reason in ("order", "product"):
        return RestError(f"woocommerce_rest_{kind.post_type}_invalid_id", "Invalid ID.", missing_status)
    if error.reason == "too_long":
        return too_long(error.field or "", error.detail["limit"])
    if error.reason == "out_of_range":
        return too_large(error.field or "", error.detail["minimum"], error.detail["maximum"])
    if error.reason == "already_trashed":
        return RestError(
            "woocommerce_rest_already_trashed", f"The {kind.post_type} has already been deleted.", 410
        )
    code, message, status = _WORDS.get(error.reason, ("woocommerce_rest_invalid_request", str(error), 400))
    extra = {"resource_id": error.detail["resource_id"]} if "resource_id" in error.detail else {}
    return RestError(code, message(error) if callable(message) else message, status, **extra)


# --- permissions ---------------------------------------------------------------------------------------
_REFUSALS = {
    "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    "view": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    "delete": ("woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource."),
    "batch": (
        "woocommerce_rest_cannot_batch",
        "Sorry, you are not allowed to batch manipulate this resource.",
    ),
}


def _allowed(call: Call, kind: Kind) -> bool:
    return call.principal is not None and call.principal.account.can(kind.capability)


def permission(kind: Kind, action: str) -> Callable[[Call], None]:
    """wc_rest_check_post_permissions: both shop roles may do everything; anyone else hears 401 when
    anonymous, 403 otherwise, before learning whether an id exists."""
    code, message = _REFUSALS[action]

    def check(call: Call) -> None:
        if not _allowed(call, kind):
            raise RestError(code, message, 401 if call.principal is None else 403)

    return check


# --- reading requests ------------------------------------------------------------------------------------
_NULL_MEANS_REMOVE = ("product_id", "method_id", "method_title", "name", "code")


def _line(item: Any, name_key: str, data_keys: tuple[str, ...]) -> LineChange:
    """One sent line; a null product/method/name/code or a zero quantity removes it (item_is_null)."""
    item = item if isinstance(item, dict) else {}
    quantity = item.get("quantity")
    remove = any(k in item and item[k] is None for k in _NULL_MEANS_REMOVE) or quantity == 0
    raw_id = item.get("id")
    return LineChange(
        id=int(raw_id) if raw_id not in (None, "", 0) else None,
        product_id=item.get("product_id"),
        sku=item.get("sku") or None,
        quantity=quantity,
        name=item.get(name_key),
        total=item.get("total"),
        subtotal=item.get("subtotal"),
        remove=remove,
        data={k: item[k] for k in data_keys if k in item},
    )


def _lines(
    params: dict[str, Any], name: str, name_key: str, data_keys: tuple[str, ...]
) -> list[LineChange] | None:
    sent = params.get(name)
    return None if sent is None else [_line(item, name_key, data_keys) for item in sent]


def order_change(params: dict[str, Any]) -> OrderChange:
    def text(name: str) -> str | None:
        value = params.get(name)
        return None if value is None else str(value)

    meta = params.get("meta_data")
    return OrderChange(
        status=text("status"),
        currency=text("currency"),
        customer=params.get("customer_id"),
        parent_id=params.get("parent_id"),
        billing=params.get("billing") if isinstance(params.get("billing"), dict) else None,
        shipping=params.get("shipping") if isinstance(params.get("shipping"), dict) else None,
        payment_method=text("payment_method"),
        payment_method_title=text("payment_method_title"),
        transaction_id=text("transaction_id"),
        customer_note=text("customer_note"),
        line_items=_lines(params, "line_items", "name", ("variation_id", "tax_class", "meta_data")),
        shipping_lines=_lines(
            params, "shipping_lines", "method_title", ("method_id", "instance_id", "meta_data")
        ),
        fee_lines=_lines(params, "fee_lines", "name", ("tax_class", "tax_status", "meta_data")),
        coupon_lines=_lines(params, "coupon_lines", "code", ("meta_data",)),
        meta_data=[m for m in meta if isinstance(m, dict)] if isinstance(meta, list) else None,
        set_paid=bool(params.get("set_paid")),
    )


_PRODUCT_COLUMNS = (
    "name",
    "slug",
    "sku",
    "type",
    "status",
    "regular_price",
    "sale_price",
    "downloadable",
    "virtual",
    "download_limit",
    "download_expiry",
    "downloads",
)


# Writable product fields Regulars keeps as sent, to echo them back.
_PRODUCT_DATA = frozenset(schema.endpoint_args("product", creating=False)) - set(_PRODUCT_COLUMNS)


def product_change(params: dict[str, Any]) -> ProductChange:
    return ProductChange(
        **{name: params.get(name) for name in _PRODUCT_COLUMNS},
        data={k: v for k, v in params.items() if k in _PRODUCT_DATA},
    )


def _window(call: Call) -> dict[str, Any]:
    per_page = call.params["per_page"]
    return {
        "include": tuple(call.params["include"]),
        "exclude": tuple(call.params["exclude"]),
        "created_after": date_param(call, "after"),
        "created_before": date_param(call, "before"),
        "modified_after": date_param(call, "modified_after"),
        "modified_before": date_param(call, "modified_before"),
        "orderby": call.params["orderby"],
        "descending": call.params["order"] == "desc",
        "limit": per_page,
        "offset": rows_to_skip(call.params.get("offset"), call.params["page"], per_page),
    }


def order_query(call: Call) -> OrderQuery:
    statuses = tuple(parse_list(call.params["status"]))  # the default, "any", arrives as it is declared
    return OrderQuery(
        statuses=None if "any" in statuses else statuses,
        account_id=call.params.get("customer"),
        product_id=call.params.get("product"),
        parents=tuple(call.params["parent"]),
        parents_excluded=tuple(call.params["parent_exclude"]),
        **_window(call),
    )


def product_query(call: Call) -> ProductQuery:
    status = call.params["status"]
    return ProductQuery(
        statuses=None if status == "any" else (status,),
        type=call.params.get("type"),
        sku=call.params.get("sku") or None,
        search=call.params.get("search") or None,
        **_window(call),
    )


# --- shaping ------------------------------------------------------------------------------------------
def _meta(entries: list[dict[str, Any]], display: bool = False) -> list[dict[str, Any]]:
    shown = [
        {"id": m["id"], "key": m["key"], "value": m["value"]} for m in entries if not m["key"].startswith("_")
    ]
    if display:
        return [{**m, "display_key": m["key"], "display_value": m["value"]} for m in shown]
    return shown


def _symbol(currency: str) -> str:
    return CURRENCY_SYMBOLS.get(currency, currency)


@dataclass
class Shaper:
    """Orders and products as wc/v3 prints them, for one caller."""

    call: Call

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.call.context.settings.timezone)

    @property
    def decimals(self) -> int:
        return int(self.call.context.settings.currency_decimals)

    def money(self, minor: int) -> str:
        return decimal_text(minor, self.decimals)

    def dates(self, name: str, moment: datetime | None) -> dict[str, str | None]:
        return {name: wp_date(moment, self.zone), f"{name}_gmt": wp_date(moment)}

    def links(self, kind: Kind, item_id: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        own: dict[str, Any] = {"href": self.call.rest_url(f"{kind.route}/{item_id}")}
        if _allowed(self.call, kind):
            own["targetHints"] = {"allow": ITEM_METHODS}
        return {"self": [own], "collection": [{"href": self.call.rest_url(kind.route)}], **(extra or {})}

    # --- orders ---------------------------------------------------------------------------------------
    def line_item(self, item: LineItem) -> dict[str, Any]:
        data = item.data
        return {
            "id": item.id,
            "name": item.name,
            "product_id": item.product_id,
            "variation_id": data.get("variation_id", 0),
            "quantity": item.quantity,
            "tax_class": data.get("tax_class", ""),
            "subtotal": self.money(item.subtotal),
            "subtotal_tax": self.money(0),
            "total": self.money(item.total),
            "total_tax": self.money(0),
            "taxes": [],
            "meta_data": _meta(data.get("meta_data") or [], display=True),
            "sku": data.get("sku", ""),
            "price": item.total / item.quantity / 10**self.decimals if item.quantity else 0,
            "image": {"id": "", "src": ""},
            "parent_name": None,
        }

    def shipping_line(self, line: LineItem) -> dict[str, Any]:
        data = line.data
        return {
            "id": line.id,
            "method_title": line.name,
            "method_id": data.get("method_id", ""),
            "instance_id": data.get("instance_id", ""),
            "total": self.money(line.total),
            "total_tax": self.money(0),
            "taxes": [],
            "tax_status": "taxable",
            "meta_data": _meta(data.get("meta_data") or [], display=True),
        }

    def fee_line(self, line: LineItem) -> dict[str, Any]:
        data = line.data
        return {
            "id": line.id,
            "name": line.name,
            "tax_class": data.get("tax_class", ""),
            "tax_status": data.get("tax_status", "taxable"),
            "amount": self.money(line.total),
            "total": self.money(line.total),
            "total_tax": self.money(0),
            "taxes": [],
            "meta_data": _meta(data.get("meta_data") or [], display=True),
        }

    def coupon_line(self, line: LineItem) -> dict[str, Any]:
        return {
            "id": line.id,
            "code": line.name,
            "discount": self.money(line.total),
            "discount_tax": self.money(0),
            "meta_data": _meta(line.data.get("meta_data") or [], display=True),
            "discount_type": "fixed_cart",
            "nominal_amount": 0,
            "free_shipping": False,
        }

    def payment_url(self, o: Order) -> str:
        return f"{self.call.home}/checkout/order-pay/{o.id}/?pay_for_order=true&key={o.order_key}"

    def order(self, o: Order, needs_processing: bool) -> dict[str, Any]:
        data = o.data
        return {
            "id": o.id,
            "parent_id": o.parent_id,
            "status": o.status,
            "currency": o.currency,
            "version": __version__,
            "prices_include_tax": False,
            **self.dates("date_created", o.created_at),
            **self.dates("date_modified", o.modified_at),
            "discount_total": self.money(o.discount_total),
            "discount_tax": self.money(0),
            "shipping_total": self.money(o.shipping_total),
            "shipping_tax": self.money(0),
            "cart_tax": self.money(0),
            "total": self.money(o.total),
            "total_tax": self.money(0),
            "customer_id": o.account_id or 0,
            "order_key": o.order_key,
            "billing": {name: o.billing.get(name, "") for name in BILLING},
            "shipping": {name: o.shipping.get(name, "") for name in SHIPPING},
            "payment_method": o.payment_method,
            "payment_method_title": o.payment_method_title,
            "transaction_id": o.transaction_id,
            "customer_ip_address": data.get("customer_ip_address", ""),
            "customer_user_agent": data.get("customer_user_agent", ""),
            "created_via": data.get("created_via", ""),
            "customer_note": o.customer_note,
            **self.dates("date_completed", o.completed_at),
            **self.dates("date_paid", o.paid_at),
            "cart_hash": "",
            "number": o.number,
            "meta_data": _meta(data.get("meta_data") or []),
            "line_items": [self.line_item(i) for i in o.line_items],
            "tax_lines": [],
            "shipping_lines": [self.shipping_line(line) for line in o.shipping_lines],
            "fee_lines": [self.fee_line(line) for line in o.fee_lines],
            "coupon_lines": [self.coupon_line(line) for line in o.coupon_lines],
            "refunds": [],
            "payment_url": self.payment_url(o),
            "is_editable": o.is_editable,
            "needs_payment": o.needs_payment,
            "needs_processing": needs_processing,
            "currency_symbol": _symbol(o.currency),
        }

    def order_links(self, o: Order) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if o.account_id:
            extra["customer"] = [{"href": self.call.rest_url(f"/{NAMESPACE}/customers/{o.account_id}")}]
        if o.parent_id:
            extra["up"] = [{"href": self.call.rest_url(f"{ORDERS.route}/{o.parent_id}")}]
        return self.links(ORDERS, o.id, extra)

    # --- products -------------------------------------------------------------------------------------
    def price_html(self, p: Product) -> str:
        """wc_price around the price; a sale shows the regular price struck through before it."""
        if p.price == "":
            return ""
        symbol = "".join(f"&#{ord(ch)};" for ch in _symbol(self.call.context.settings.currency))

        def amount(text: str) -> str:
            figure = amount_text(text, self.decimals)
            return (
                '<span class="woocommerce-Price-amount amount"><bdi>'
                f'<span class="woocommerce-Price-currencySymbol">{symbol}</span>{figure}</bdi></span>'
            )

        if p.on_sale and p.regular_price:
            return (
                f'<del aria-hidden="true">{amount(p.regular_price)}</del> '
                f'<ins aria-hidden="true">{amount(p.sale_price)}</ins>'
            )
        return amount(p.price)

    def product(self, p: Product, total_sales: int) -> dict[str, Any]:
        data = p.data
        home = self.call.home
        tax_status = data.get("tax_status", "taxable")
        backorders = data.get("backorders", "no")
        return {
            "id": p.id,
            "name": p.name,
            "slug": p.slug,
            "permalink": f"{home}/product/{p.slug}/" if p.slug else f"{home}/?post_type=product&p={p.id}",
            **self.dates("date_created", p.created_at),
            **self.dates("date_modified", p.modified_at),
            "type": p.type,
            "status": p.status,
            "featured": data.get("featured", False),
            "catalog_visibility": data.get("catalog_visibility", "visible"),
            "description": data.get("description", ""),
            "short_description": data.get("short_description", ""),
            "sku": p.sku,
            "price": p.price,
            "regular_price": p.regular_price,
            "sale_price": p.sale_price,
            "date_on_sale_from": data.get("date_on_sale_from"),
            "date_on_sale_from_gmt": data.get("date_on_sale_from_gmt"),
            "date_on_sale_to": data.get("date_on_sale_to"),
            "date_on_sale_to_gmt": data.get("date_on_sale_to_gmt"),
            "on_sale": p.on_sale,
            "purchasable": p.price != "",
            "total_sales": total_sales,
            "virtual": p.virtual,
            "downloadable": p.downloadable,
            "downloads": [{"id": f.id, "name": f.name, "file": f.file} for f in p.downloads],
            "download_limit": p.download_limit,
            "download_expiry": p.download_expiry,
            "external_url": data.get("external_url", ""),
            "button_text": data.get("button_text", ""),
            "tax_status": tax_status,
            "tax_class": data.get("tax_class", ""),
            "manage_stock": data.get("manage_stock", False),
            "stock_quantity": data.get("stock_quantity"),
            "backorders": backorders,
            "backorders_allowed": backorders != "no",
            "backordered": data.get("stock_status") == "onbackorder",
            "low_stock_amount": data.get("low_stock_amount"),
            "sold_individually": data.get("sold_individually", False),
            "weight": data.get("weight", ""),
            "dimensions": {"length": "", "width": "", "height": "", **(data.get("dimensions") or {})},
            "shipping_required": not p.virtual,
            "shipping_taxable": not p.virtual and tax_status in ("taxable", "shipping"),
            "shipping_class": data.get("shipping_class", ""),
            "shipping_class_id": 0,
            "reviews_allowed": data.get("reviews_allowed", True),
            "average_rating": "0",
            "rating_count": 0,
            "upsell_ids": data.get("upsell_ids", []),
            "cross_sell_ids": data.get("cross_sell_ids", []),
            "parent_id": data.get("parent_id", 0),
            "purchase_note": data.get("purchase_note", ""),
            "categories": data.get("categories", []),
            "tags": data.get("tags", []),
            "brands": data.get("brands", []),
            "images": data.get("images", []),
            "attributes": data.get("attributes", []),
            "default_attributes": data.get("default_attributes", []),
            "variations": [],
            "grouped_products": data.get("grouped_products", []),
            "menu_order": data.get("menu_order", 0),
            "price_html": self.price_html(p),
            "related_ids": [],
            "meta_data": _meta(data.get("meta_data") or []),
            "stock_status": data.get("stock_status", "instock"),
            "has_options": False,
            "post_password": data.get("post_password", ""),
            "global_unique_id": data.get("global_unique_id", ""),
        }


# --- handlers --------------------------------------------------------------------------------------------
Shaped = list[tuple[dict[str, Any], dict[str, Any]]]  # (item, its _links)


class Resource(ABC):
    """The handlers one resource shares: list, create, get, update, delete, batch."""

    kind: Kind

    @abstractmethod
    def read_one(self, unit: Unit, item_id: int) -> Any: ...

    @abstractmethod
    def read_page(self, unit: Unit, call: Call) -> tuple[list[Any], int]: ...

    @abstractmethod
    def write_create(self, unit: Unit, call: Call, params: dict[str, Any]) -> Any: ...

    @abstractmethod
    def write_update(self, unit: Unit, call: Call, item_id: int, params: dict[str, Any]) -> Any: ...

    @abstractmethod
    def write_delete(self, unit: Unit, item_id: int, force: bool) -> Any: ...

    @abstractmethod
    def shape(self, unit: Unit, shaper: Shaper, items: list[Any]) -> Shaped: ...

    def _one(self, unit: Unit, shaper: Shaper, item: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        return self.shape(unit, shaper, [item])[0]

    def _reply(self, unit: Unit, call: Call, item: Any, status: int = 200) -> Reply:
        body, links = self._one(unit, Shaper(call), item)
        return Reply(body, status, links_after_fields=links)

    def _fail(self, error: DomainError, *, missing_status: int = 404) -> RestError:
        return rest_error(error, self.kind, missing_status=missing_status)

    def list(self, call: Call) -> Reply:
        with call.context.store.read() as unit:
            found, total = self.read_page(unit, call)
            shaped = self.shape(unit, Shaper(call), found)
        reply = pagination(call, total, call.params["per_page"], call.params["page"], self.kind.route)
        reply.body = [{**body, "_links": links} for body, links in shaped]
        return reply

    def create(self, call: Call) -> Reply:
        if call.params.get("id"):
            raise RestError(
                f"woocommerce_rest_{self.kind.post_type}_exists",
                f"Cannot create existing {self.kind.post_type}.",
                400,
            )
        try:
            with call.context.store.write() as unit:
                item = self.write_create(unit, call, call.params)
                reply = self._reply(unit, call, item, 201)
        except DomainError as exc:
            raise self._fail(exc) from exc
        reply.headers["Location"] = call.rest_url(f"{self.kind.route}/{item.id}")
        return reply

    def get(self, call: Call) -> Reply:
        with call.context.store.read() as unit:
            item = self.read_one(unit, as_id(call.url_params["id"]))
            if item is None:
                raise RestError(f"woocommerce_rest_{self.kind.post_type}_invalid_id", "Invalid ID.", 404)
            return self._reply(unit, call, item)

    def update(self, call: Call) -> Reply:
        item_id = path_id(call)
        try:
            with call.context.store.write() as unit:
                item = self.write_update(unit, call, item_id, call.params)
                return self._reply(unit, call, item)
        except DomainError as exc:
            raise self._fail(exc, missing_status=400) from exc

    def delete(self, call: Call) -> Reply:
        """The record as it was before; WooCommerce deletes without the trash only when forced."""
        try:
            with call.context.store.write() as unit:
                before = self.write_delete(unit, as_id(call.url_params["id"]), bool(call.params.get("force")))
                return self._reply(unit, call, before)
        except DomainError as exc:
            raise self._fail(exc) from exc

    # --- batch ---------------------------------------------------------------------------------------
    def batch(self, call: Call) -> Reply:
        lists = batch_lists(call)
        shaper = Shaper(call)
        body: dict[str, list[Any]] = {}
        with call.context.store.write() as unit:
            if lists["create"]:
                body["create"] = [
                    self._batch_item(unit, call, shaper, item, None) for item in lists["create"]
                ]
            if lists["update"]:
                body["update"] = [
                    self._batch_item(unit, call, shaper, item, "update") for item in lists["update"]
                ]
            if lists["delete"]:
                body["delete"] = [self._batch_delete(unit, shaper, item) for item in lists["delete"]]
        return Reply(body)

    def _batch_item(
        self, unit: Unit, call: Call, shaper: Shaper, item: Any, mode: str | None
    ) -> dict[str, Any]:
        item = item if isinstance(item, dict) else {}
        raw_id = item.get("id")
        try:
            args = schema.endpoint_args(self.kind.post_type, creating=mode is None)
            params = checked_args(item, args)
            with unit.savepoint():
                if mode is None:
                    if raw_id:
                        raise RestError(
                            f"woocommerce_rest_{self.kind.post_type}_exists",
                            f"Cannot create existing {self.kind.post_type}.",
                            400,
                        )
                    found = self.write_create(unit, call, params)
                else:
                    found = self.write_update(unit, call, as_id(raw_id), params)
                body, links = self._one(unit, shaper, found)
        except RestError as exc:
            return item_error(raw_id or 0, exc)
        except DomainError as exc:
            return item_error(raw_id or 0, self._fail(exc, missing_status=400))
        return {**body, "_links": links}

    def _batch_delete(self, unit: Unit, shaper: Shaper, item: Any) -> dict[str, Any]:
        raw = item.get("id") if isinstance(item, dict) else item
        try:
            with unit.savepoint():
                before = self.write_delete(unit, as_id(raw), True)
                body, links = self._one(unit, shaper, before)
        except DomainError as exc:
            return item_error(raw, self._fail(exc))
        return {**body, "_links": links}


class Orders(Resource):
    kind = ORDERS

    def read_one(self, unit: Unit, item_id: int) -> Order | None:
        return order_service.get(unit, item_id)

    def read_page(self, unit: Unit, call: Call) -> tuple[list[Order], int]:
        return order_service.page(unit, order_query(call))

    def write_create(self, unit: Unit, call: Call, params: dict[str, Any]) -> Order:
        settings = call.context.settings
        return order_service.create(
            unit, _checked_order(params), currency=settings.currency, decimals=settings.currency_decimals
        )

    def write_update(self, unit: Unit, call: Call, item_id: int, params: dict[str, Any]) -> Order:
        change = _checked_order(params)
        return order_service.update(unit, item_id, change, decimals=call.context.settings.currency_decimals)

    def write_delete(self, unit: Unit, item_id: int, force: bool) -> Order:
        return order_service.delete(unit, item_id, force=force)

    def shape(self, unit: Unit, shaper: Shaper, items: list[Order]) -> Shaped:
        bought = unit.products.get_many(i.product_id for o in items for i in o.line_items)
        shaped = []
        for o in items:
            needs = any(bought[i.product_id].needs_processing for i in o.line_items if i.product_id in bought)
            shaped.append((shaper.order(o, needs), shaper.order_links(o)))
        return shaped


class Products(Resource):
    kind = PRODUCTS

    def read_one(self, unit: Unit, item_id: int) -> Product | None:
        return product_service.get(unit, item_id)

    def read_page(self, unit: Unit, call: Call) -> tuple[list[Product], int]:
        return product_service.page(unit, product_query(call))

    def write_create(self, unit: Unit, call: Call, params: dict[str, Any]) -> Product:
        decimals = call.context.settings.currency_decimals
        return product_service.create(unit, product_change(params), decimals=decimals)

    def write_update(self, unit: Unit, call: Call, item_id: int, params: dict[str, Any]) -> Product:
        decimals = call.context.settings.currency_decimals
        return product_service.update(unit, item_id, product_change(params), decimals=decimals)

    def write_delete(self, unit: Unit, item_id: int, force: bool) -> Product:
        return product_service.delete(unit, item_id, force=force)

    def shape(self, unit: Unit, shaper: Shaper, items: list[Product]) -> Shaped:
        sales = unit.products.sales(p.id for p in items)
        return [(shaper.product(p, sales.get(p.id, 0)), shaper.links(PRODUCTS, p.id)) for p in items]


def _checked_order(params: dict[str, Any]) -> OrderChange:
    currency = params.get("currency")
    if currency is not None and not (len(currency) == 3 and currency.isascii() and currency.isupper()):
        message = "currency is not a valid currency code."
        raise invalid_params({"currency": ArgError("rest_not_in_enum", message)})
    return order_change(params)


# --- routes ----------------------------------------------------------------------------------------------
def _routes(handlers: Resource) -> list[Route]:
    kind = handlers.kind
    title = kind.post_type
    collection = schema.order_collection_args() if kind is ORDERS else schema.product_collection_args()
    item_schema = lambda: schema.item_schema(title)  # noqa: E731
    return [
        Route(
            NAMESPACE,
            f"/{kind.base}",
            [
                Endpoint(("GET",), handlers.list, permission(kind, "list"), collection, returns="list"),
                Endpoint(
                    ("POST",),
                    handlers.create,
                    permission(kind, "create"),
                    schema.endpoint_args(title, True),
                    status=201,
                ),
            ],
            item_schema,
            schema.WIDTHS[title],
        ),
        Route(
            NAMESPACE,
            f"/{kind.base}/batch",
            [
                Endpoint(
                    ("POST", "PUT", "PATCH"),
                    handlers.batch,
                    permission(kind, "batch"),
                    schema.endpoint_args(title, False),
                    returns="batch",
                    counts=batch_counts,
                ),
            ],
            batch_schema,
            schema.WIDTHS[title],
        ),
        Route(
            NAMESPACE,
            rf"/{kind.base}/(?P<id>[\d]+)",
            [
                Endpoint(("GET",), handlers.get, permission(kind, "view"), schema.ITEM_ARGS),
                Endpoint(
                    ("POST", "PUT", "PATCH"),
                    handlers.update,
                    permission(kind, "edit"),
                    {"id": schema.ITEM_ARGS["id"], **schema.endpoint_args(title, False)},
                ),
                Endpoint(
                    ("DELETE",),
                    handlers.delete,
                    permission(kind, "delete"),
                    {"id": schema.ITEM_ARGS["id"], **schema.DELETE_ARGS},
                ),
            ],
            item_schema,
            schema.WIDTHS[title],
        ),
    ]


def all_routes() -> list[Route]:
    return [*_routes(Orders()), *_routes(Products())]
