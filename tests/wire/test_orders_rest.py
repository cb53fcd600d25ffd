"""/wp-json/wc/v3/orders and /products on a real server over SQLite and PostgreSQL: WooCommerce's shapes,
list parameters and headers, trash and delete, batch with per-item errors, and every refusal in its
envelope leaving nothing stored."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.clients import python_client
from tests.support.fluentcart import staff
from tests.support.servers import Server

pytestmark = pytest.mark.wire
ORDERS, PRODUCTS = "/wp-json/wc/v3/orders", "/wp-json/wc/v3/products"

ORDER_KEYS = [
    "id",
    "parent_id",
    "status",
    "currency",
    "version",
    "prices_include_tax",
    "date_created",
    "date_created_gmt",
    "date_modified",
    "date_modified_gmt",
    "discount_total",
    "discount_tax",
    "shipping_total",
    "shipping_tax",
    "cart_tax",
    "total",
    "total_tax",
    "customer_id",
    "order_key",
    "billing",
    "shipping",
    "payment_method",
    "payment_method_title",
    "transaction_id",
    "customer_ip_address",
    "customer_user_agent",
    "created_via",
    "customer_note",
    "date_completed",
    "date_completed_gmt",
    "date_paid",
    "date_paid_gmt",
    "cart_hash",
    "number",
    "meta_data",
    "line_items",
    "tax_lines",
    "shipping_lines",
    "fee_lines",
    "coupon_lines",
    "refunds",
    "payment_url",
    "is_editable",
    "needs_payment",
    "needs_processing",
    "currency_symbol",
    "_links",
]
PRODUCT_KEYS = [
    "id",
    "name",
    "slug",
    "permalink",
    "date_created",
    "date_created_gmt",
    "date_modified",
    "date_modified_gmt",
    "type",
    "status",
    "featured",
    "catalog_visibility",
    "description",
    "short_description",
    "sku",
    "price",
    "regular_price",
    "sale_price",
    "date_on_sale_from",
    "date_on_sale_from_gmt",
    "date_on_sale_to",
    "date_on_sale_to_gmt",
    "on_sale",
    "purchasable",
    "total_sales",
    "virtual",
    "downloadable",
    "downloads",
    "download_limit",
    "download_expiry",
    "external_url",
    "button_text",
    "tax_status",
    "tax_class",
    "manage_stock",
    "stock_quantity",
    "backorders",
    "backorders_allowed",
    "backordered",
    "low_stock_amount",
    "sold_individually",
    "weight",
    "dimensions",
    "shipping_required",
    "shipping_taxable",
    "shipping_class",
    "shipping_class_id",
    "reviews_allowed",
    "average_rating",
    "rating_count",
    "upsell_ids",
    "cross_sell_ids",
    "parent_id",
    "purchase_note",
    "categories",
    "tags",
    "brands",
    "images",
    "attributes",
    "default_attributes",
    "variations",
    "grouped_products",
    "menu_order",
    "price_html",
    "related_ids",
    "meta_data",
    "stock_status",
    "has_options",
    "post_password",
    "global_unique_id",
    "_links",
]


@pytest.fixture(scope="module")
def shop(server: Server) -> Iterator[httpx.Client]:
    key = server.keys["read_write"]
    with server.client(https=True, auth=(key.consumer_key, key.consumer_secret), timeout=30) as client:
        yield client


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()


def _product(shop: httpx.Client, **fields: Any) -> dict[str, Any]:
    return _created(shop.post(PRODUCTS, json={"name": "Mug", "regular_price": "4.50", **fields}))


def _customer(shop: httpx.Client) -> int:
    email = f"buyer.{uuid.uuid4().hex[:8]}@example.com"
    return _created(shop.post("/wp-json/wc/v3/customers", json={"email": email}))["id"]


def _error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and body["data"]["status"] == status, body
    return body


def test_a_product_in_woocommerces_shape(server: Server, shop: httpx.Client) -> None:
    sku = f"SKU-{uuid.uuid4().hex[:6]}"
    response = shop.post(
        PRODUCTS,
        json={
            "name": "Café Book",
            "sku": sku,
            "regular_price": "12.00",
            "sale_price": "10",
            "virtual": True,
            "downloadable": True,
            "downloads": [{"file": "https://example.com/files/book.pdf"}],
            "categories": [{"id": 9}],
            "dimensions": {"width": "3"},
            "meta_data": [{"key": "origin", "value": "import"}],
        },
    )
    product = _created(response)
    assert list(product) == PRODUCT_KEYS
    assert response.headers["location"] == f"{server.https_url}{PRODUCTS}/{product['id']}"
    assert response.headers["allow"] == "GET, POST"
    assert product["slug"].startswith("cafe-book") and product["permalink"].endswith(
        f"/product/{product['slug']}/"
    )
    assert (product["price"], product["on_sale"], product["purchasable"]) == ("10", True, True)
    assert (product["download_limit"], product["download_expiry"], product["shipping_required"]) == (
        -1,
        -1,
        False,
    )
    assert [d["name"] for d in product["downloads"]] == ["book.pdf"] and len(
        product["downloads"][0]["id"]
    ) == 36
    assert product["categories"] == [{"id": 9}] and product["dimensions"] == {
        "length": "",
        "width": "3",
        "height": "",
    }
    assert [(m["key"], m["value"]) for m in product["meta_data"]] == [("origin", "import")]
    assert "<del" in product["price_html"] and "&#36;</span>10.00" in product["price_html"]
    self_link = product["_links"]["self"][0]
    assert self_link["targetHints"]["allow"] == ["GET", "POST", "PUT", "PATCH", "DELETE"]

    fetched = shop.get(f"{PRODUCTS}/{product['id']}")
    assert fetched.status_code == 200 and fetched.json()["date_created"] == product["date_created"]
    updated = shop.put(f"{PRODUCTS}/{product['id']}", json={"sale_price": "", "download_limit": 3})
    assert updated.status_code == 200
    assert (updated.json()["price"], updated.json()["download_limit"]) == ("12.00", 3)
    assert updated.json()["downloads"] == product["downloads"]  # untouched unless sent
    listed = shop.get(PRODUCTS, params={"sku": sku})
    assert [p["id"] for p in listed.json()] == [product["id"]] and listed.headers["x-wp-total"] == "1"

    _error(shop.post(PRODUCTS, json={"name": "Copy", "sku": sku}), 400, "product_invalid_sku")
    _error(shop.post(PRODUCTS, json={"name": 5}), 400, "rest_invalid_param")
    _error(shop.post(PRODUCTS, json={"type": "bundle"}), 400, "rest_invalid_param")
    _error(shop.get(f"{PRODUCTS}/987654"), 404, "woocommerce_rest_product_invalid_id")
    _error(shop.put(f"{PRODUCTS}/987654", json={"name": "x"}), 400, "woocommerce_rest_product_invalid_id")

    trashed = shop.delete(f"{PRODUCTS}/{product['id']}")
    assert trashed.status_code == 200 and trashed.json()["status"] == "publish"  # as it was
    assert shop.get(f"{PRODUCTS}/{product['id']}").json()["status"] == "trash"
    assert shop.get(PRODUCTS, params={"sku": sku}).json() == []
    assert [p["id"] for p in shop.get(PRODUCTS, params={"sku": sku, "status": "trash"}).json()] == [
        product["id"]
    ]
    _error(shop.delete(f"{PRODUCTS}/{product['id']}"), 410, "woocommerce_rest_already_trashed")
    assert shop.delete(f"{PRODUCTS}/{product['id']}", params={"force": "true"}).status_code == 200
    _error(shop.get(f"{PRODUCTS}/{product['id']}"), 404, "woocommerce_rest_product_invalid_id")


def test_an_order_in_woocommerces_shape(server: Server, shop: httpx.Client) -> None:
    mug = _product(shop, sku=f"M-{uuid.uuid4().hex[:6]}")
    customer = _customer(shop)
    response = shop.post(
        ORDERS,
        json={
            "customer_id": customer,
            "payment_method": "bacs",
            "payment_method_title": "Direct Bank Transfer",
            "customer_note": "Ring twice",
            "billing": {"first_name": "Ana", "email": "ana@example.com"},
            "shipping": {"city": "Porto", "phone": "123"},
            "line_items": [
                {"product_id": mug["id"], "quantity": 2, "meta_data": [{"key": "colour", "value": "red"}]}
            ],
            "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "5.00"}],
            "fee_lines": [{"name": "Gift wrap", "total": "1.25"}],
            "coupon_lines": [{"code": "welcome"}],
            "meta_data": [{"key": "channel", "value": "phone"}],
        },
    )
    order = _created(response)
    assert list(order) == ORDER_KEYS
    assert response.headers["location"] == f"{server.https_url}{ORDERS}/{order['id']}"
    assert (order["status"], order["currency"], order["currency_symbol"], order["created_via"]) == (
        "pending", "USD", "$", "rest-api",
    )  # fmt: skip
    assert (order["total"], order["shipping_total"], order["discount_total"]) == ("15.25", "5.00", "0.00")
    assert order["customer_id"] == customer and order["number"] == str(order["id"])
    assert order["order_key"].startswith("wc_order_") and order["customer_note"] == "Ring twice"
    assert order["billing"]["email"] == "ana@example.com" and order["billing"]["phone"] == ""
    assert order["shipping"]["city"] == "Porto" and order["shipping"]["phone"] == "123"
    line = order["line_items"][0]
    assert (line["name"], line["quantity"], line["subtotal"], line["total"], line["price"]) == (
        "Mug",
        2,
        "9.00",
        "9.00",
        4.5,
    )
    assert line["sku"] == mug["sku"] and line["meta_data"][0]["display_value"] == "red"
    assert (
        order["shipping_lines"][0]["method_id"] == "flat_rate" and order["fee_lines"][0]["amount"] == "1.25"
    )
    assert [(c["code"], c["discount"]) for c in order["coupon_lines"]] == [("welcome", "0.00")]
    assert (order["needs_payment"], order["is_editable"], order["needs_processing"]) == (True, True, True)
    assert order["payment_url"].endswith(
        f"/checkout/order-pay/{order['id']}/?pay_for_order=true&key={order['order_key']}"
    )
    assert order["_links"]["customer"] == [{"href": f"{server.https_url}/wp-json/wc/v3/customers/{customer}"}]

    changed = shop.put(
        f"{ORDERS}/{order['id']}",
        json={
            "line_items": [{"id": line["id"], "quantity": 3}],
            "shipping_lines": [{"id": order["shipping_lines"][0]["id"], "method_id": None}],
        },
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["total"], changed.json()["shipping_lines"]) == ("14.75", [])
    paid = shop.put(f"{ORDERS}/{order['id']}", json={"status": "processing"})
    assert (
        paid.json()["date_paid"] is not None and paid.json()["needs_processing"] is True
    )  # a mug is shipped
    assert shop.get(f"{PRODUCTS}/{mug['id']}").json()["total_sales"] == 3
    only = shop.get(f"{ORDERS}/{order['id']}", params={"_fields": "id,status,billing.email"})
    assert only.json() == {
        "id": order["id"],
        "status": "processing",
        "billing": {"email": "ana@example.com"},
        "_links": order["_links"],
    }


def test_orders_are_listed_by_customer_status_date_and_page(shop: httpx.Client) -> None:
    mug, customer = _product(shop), _customer(shop)
    placed = [
        _created(shop.post(ORDERS, json={"customer_id": customer, "line_items": [{"product_id": mug["id"]}]}))
        for _ in range(3)
    ]
    shop.put(f"{ORDERS}/{placed[1]['id']}", json={"status": "completed"})
    ids = [o["id"] for o in placed]
    first = shop.get(ORDERS, params={"customer": customer, "per_page": 2})
    assert [o["id"] for o in first.json()] == ids[::-1][:2]
    assert (first.headers["x-wp-total"], first.headers["x-wp-totalpages"]) == ("3", "2")
    assert 'rel="next"' in first.headers["link"] and "page=2" in first.headers["link"]
    second = shop.get(ORDERS, params={"customer": customer, "per_page": 2, "page": 2})
    assert [o["id"] for o in second.json()] == ids[:1] and 'rel="prev"' in second.headers["link"]
    done = shop.get(ORDERS, params={"customer": customer, "status": "completed"}).json()
    assert [o["id"] for o in done] == [ids[1]]
    several = shop.get(
        ORDERS, params={"customer": customer, "status": "completed,pending", "order": "asc"}
    ).json()
    assert [o["id"] for o in several] == ids
    created = placed[0]["date_created"]
    assert shop.get(ORDERS, params={"customer": customer, "after": "2999-01-01T00:00:00"}).json() == []
    assert len(shop.get(ORDERS, params={"customer": customer, "before": "2999-01-01T00:00:00"}).json()) == 3
    assert len(shop.get(ORDERS, params={"customer": customer, "after": "2000-01-01T00:00:00Z"}).json()) == 3
    assert created.startswith("20")
    chosen = shop.get(ORDERS, params={"include": f"{ids[2]},{ids[0]}", "orderby": "include"}).json()
    assert [o["id"] for o in chosen] == [ids[2], ids[0]]
    bought = shop.get(ORDERS, params={"product": mug["id"]}).json()
    assert sorted(o["id"] for o in bought) == sorted(ids)
    _error(shop.get(ORDERS, params={"status": "shipped"}), 400, "rest_invalid_param")
    _error(shop.get(ORDERS, params={"after": "yesterday"}), 400, "rest_invalid_param")
    _error(shop.get(ORDERS, params={"per_page": 101}), 400, "rest_invalid_param")


def test_trash_delete_and_batch(shop: httpx.Client) -> None:
    mug, customer = _product(shop), _customer(shop)
    order = _created(
        shop.post(ORDERS, json={"customer_id": customer, "line_items": [{"product_id": mug["id"]}]})
    )
    trashed = shop.delete(f"{ORDERS}/{order['id']}")
    assert trashed.status_code == 200 and trashed.json()["status"] == "pending"
    assert shop.get(f"{ORDERS}/{order['id']}").json()["status"] == "trash"
    assert shop.get(ORDERS, params={"customer": customer}).json() == []
    assert [o["id"] for o in shop.get(ORDERS, params={"customer": customer, "status": "trash"}).json()] == [
        order["id"]
    ]
    _error(shop.delete(f"{ORDERS}/{order['id']}"), 410, "woocommerce_rest_already_trashed")
    assert shop.delete(f"{ORDERS}/{order['id']}", params={"force": True}).status_code == 200
    _error(shop.get(f"{ORDERS}/{order['id']}"), 404, "woocommerce_rest_shop_order_invalid_id")
    _error(
        shop.delete(f"{ORDERS}/{order['id']}", params={"force": True}),
        404,
        "woocommerce_rest_shop_order_invalid_id",
    )

    kept = _created(
        shop.post(ORDERS, json={"customer_id": customer, "line_items": [{"product_id": mug["id"]}]})
    )
    gone = _created(
        shop.post(ORDERS, json={"customer_id": customer, "line_items": [{"product_id": mug["id"]}]})
    )
    batch = shop.post(
        f"{ORDERS}/batch",
        json={
            "create": [{"customer_id": customer, "line_items": [{"product_id": mug["id"], "quantity": 4}]},
                       {"customer_id": 987654}],
            "update": [{"id": kept["id"], "status": "completed"}, {"id": 987654, "status": "completed"},
                       {"id": kept["id"], "status": "shipped"}],
            "delete": [gone["id"], 987654],
        },
    )  # fmt: skip
    assert batch.status_code == 200, batch.text
    body = batch.json()
    assert (
        body["create"][0]["total"] == "18.00"
        and body["create"][1]["error"]["code"] == "woocommerce_rest_invalid_customer_id"
    )
    assert body["update"][0]["status"] == "completed"
    assert [u.get("error", {}).get("code") for u in body["update"][1:]] == [
        "woocommerce_rest_shop_order_invalid_id",
        "rest_invalid_param",
    ]
    assert body["delete"][0]["id"] == gone["id"] and body["delete"][1]["error"]["data"]["status"] == 404
    listed = shop.get(ORDERS, params={"customer": customer, "orderby": "id", "order": "asc"}).json()
    assert [(o["id"], o["status"]) for o in listed] == [
        (kept["id"], "completed"),
        (body["create"][0]["id"], "pending"),
    ]
    figures = shop.get(f"/wp-json/wc/v2/customers/{customer}").json()
    assert (figures["orders_count"], figures["total_spent"]) == (2, "4.50")
    _error(
        shop.post(f"{ORDERS}/batch", json={"create": [{}] * 101}),
        413,
        "woocommerce_rest_request_entity_too_large",
    )


def test_refusals_store_nothing(server: Server, shop: httpx.Client) -> None:
    mug, customer = _product(shop), _customer(shop)
    cases = [
        ({"customer_id": 987654}, "woocommerce_rest_invalid_customer_id"),
        (
            {"customer_id": customer, "line_items": [{"quantity": 1}]},
            "woocommerce_rest_required_product_reference",
        ),
        (
            {"customer_id": customer, "line_items": [{"product_id": 987654}]},
            "woocommerce_rest_invalid_product_id",
        ),
        (
            {"customer_id": customer, "line_items": [{"product_id": mug["id"], "quantity": "two"}]},
            "rest_invalid_param",
        ),
        ({"customer_id": customer, "billing": {"email": "nope"}}, "order_invalid_billing_email"),
        ({"customer_id": customer, "status": "shipped"}, "rest_invalid_param"),
        ({"customer_id": customer, "currency": "dollars"}, "rest_invalid_param"),
        (
            {"customer_id": customer, "shipping_lines": [{"total": "1"}]},
            "woocommerce_rest_invalid_shipping_item",
        ),
        ({"customer_id": customer, "id": 5}, "woocommerce_rest_shop_order_exists"),
    ]
    for body, code in cases:
        _error(shop.post(ORDERS, json=body), 400, code)
    assert shop.get(ORDERS, params={"customer": customer}).json() == []
    assert shop.get(f"/wp-json/wc/v2/customers/{customer}").json()["orders_count"] == 0
    order = _created(
        shop.post(ORDERS, json={"customer_id": customer, "line_items": [{"product_id": mug["id"]}]})
    )
    _error(shop.put(f"{ORDERS}/{order['id']}", json={"id": order["id"] + 1}), 400, "rest_invalid_param")
    _error(
        shop.put(f"{ORDERS}/987654", json={"status": "completed"}),
        400,
        "woocommerce_rest_shop_order_invalid_id",
    )
    _error(
        shop.put(f"{ORDERS}/{order['id']}", json={"line_items": [{"id": 987654, "quantity": 1}]}),
        400,
        "woocommerce_rest_invalid_item_id",
    )
    assert shop.get(f"{ORDERS}/{order['id']}").json()["total"] == "4.50"

    with server.client(https=True, timeout=30) as anonymous:
        for method, path in (("GET", ORDERS), ("GET", f"{ORDERS}/{order['id']}"), ("POST", PRODUCTS)):
            refused = anonymous.request(method, path, json={})
            assert refused.status_code == 401, refused.text
    _, username, password = staff(server, "customer")
    with server.client(https=True, auth=(username, password), timeout=30) as shopper:
        _error(shopper.get(ORDERS), 403, "woocommerce_rest_cannot_view")
        _error(shopper.get(f"{ORDERS}/{order['id']}"), 403, "woocommerce_rest_cannot_view")
        _error(
            shopper.put(f"{ORDERS}/{order['id']}", json={"status": "completed"}),
            403,
            "woocommerce_rest_cannot_edit",
        )
        _error(shopper.delete(f"{PRODUCTS}/{mug['id']}"), 403, "woocommerce_rest_cannot_delete")
        _error(shopper.post(f"{ORDERS}/batch", json={}), 403, "woocommerce_rest_cannot_batch")
    reader = server.keys["read"]
    with server.client(
        https=True, auth=(reader.consumer_key, reader.consumer_secret), timeout=30
    ) as read_only:
        assert read_only.get(f"{ORDERS}/{order['id']}").status_code == 200
        assert read_only.put(f"{ORDERS}/{order['id']}", json={"status": "completed"}).status_code == 401
    assert shop.get(f"{ORDERS}/{order['id']}").json()["status"] == "pending"


@pytest.mark.parametrize("transport", ["oauth", "basic"])
def test_the_official_client_records_a_paid_order(server: Server, shop: httpx.Client, transport: str) -> None:
    ebook = _product(
        shop, virtual=True, downloadable=True, downloads=[{"name": "PDF", "file": "https://x.test/a.pdf"}]
    )
    customer = _customer(shop)
    wc = python_client(server, "wc/v3", transport)
    created = wc.post(
        "orders",
        {
            "customer_id": customer,
            "set_paid": True,
            "line_items": [{"product_id": ebook["id"], "quantity": 2}],
        },
    )
    assert created.status_code == 201, created.text
    assert (created.json()["status"], created.json()["total"]) == ("completed", "9.00")
    assert wc.get(f"orders/{created.json()['id']}").json()["date_paid"] is not None
    figures = wc.get(f"customers/{customer}").json()
    assert figures["is_paying_customer"] is True
    assert [d["order_id"] for d in wc.get(f"customers/{customer}/downloads").json()] == [created.json()["id"]]
