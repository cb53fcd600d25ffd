"""A customer's orders and downloads through the legacy API, once orders exist: placed through wc/v3
with the official Python client, read back with it through /wc-api/v3 and /wc-api/v2."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.clients import python_client
from tests.support.servers import Server
from tests.support.shop import SEED_ADDRESS, place_orders

pytestmark = pytest.mark.wire
DATE_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
ORDER_KEYS = [
    "id",
    "order_number",
    "order_key",
    "created_at",
    "updated_at",
    "completed_at",
    "status",
    "currency",
    "total",
    "subtotal",
    "total_line_items_quantity",
    "total_tax",
    "total_shipping",
    "cart_tax",
    "shipping_tax",
    "total_discount",
    "shipping_methods",
    "payment_details",
    "billing_address",
    "shipping_address",
    "note",
    "customer_ip",
    "customer_user_agent",
    "customer_id",
    "view_order_url",
    "line_items",
    "shipping_lines",
    "tax_lines",
    "fee_lines",
    "coupon_lines",
    "customer",
]


@pytest.fixture(scope="module")
def shop(server: Server) -> dict[str, Any]:
    return place_orders(server)


def test_v3_lists_the_orders_query(server: Server, shop: dict[str, Any]) -> None:
    wc = python_client(server, "v3", "oauth", wp_api=False)
    completed, cancelled, processing = shop["orders"]
    response = wc.get(f"customers/{shop['customer_id']}/orders")
    assert response.status_code == 200, response.text
    orders = response.json()["orders"]
    assert [o["id"] for o in orders] == [processing["id"], cancelled["id"], completed["id"]]  # newest first
    assert response.headers["x-wc-total"] == "3" and response.headers["x-wc-totalpages"] == "1"
    first = orders[-1]
    assert list(first) == ORDER_KEYS
    assert first["order_number"] == str(completed["id"]) and first["order_key"] == completed["order_key"]
    assert all(DATE_Z.match(first[k]) for k in ("created_at", "updated_at", "completed_at"))
    assert orders[0]["completed_at"] == "1970-01-01T00:00:00Z"  # never completed
    assert (first["status"], first["currency"], first["total"], first["subtotal"]) == (
        "completed",
        "USD",
        "26.48",
        "19.98",
    )
    assert (first["total_line_items_quantity"], first["total_shipping"], first["total_tax"]) == (
        2,
        "5.00",
        "0.00",
    )
    assert first["shipping_methods"] == "Flat rate"
    assert first["payment_details"] == {
        "method_id": "bacs",
        "method_title": "Direct Bank Transfer",
        "paid": True,
    }
    assert orders[1]["payment_details"]["paid"] is False
    assert first["billing_address"] == {**SEED_ADDRESS, "email": shop["email"], "phone": "(555) 555-5555"}
    assert first["shipping_address"] == SEED_ADDRESS
    assert first["note"] == "Leave at the door" and first["customer_id"] == shop["customer_id"]
    assert first["view_order_url"].endswith(f"/my-account/view-order/{completed['id']}/")
    [item] = first["line_items"]
    assert item["product_id"] == shop["product"]["id"] and item["sku"] == shop["product"]["sku"]
    assert (item["quantity"], item["price"], item["subtotal"], item["total"], item["meta"]) == (
        2,
        "9.99",
        "19.98",
        "19.98",
        [],
    )
    [shipping] = first["shipping_lines"]
    assert {k: shipping[k] for k in ("method_id", "method_title", "total")} == {
        "method_id": "flat_rate",
        "method_title": "Flat rate",
        "total": "5.00",
    }
    assert [{k: f[k] for k in ("title", "total")} for f in first["fee_lines"]] == [
        {"title": "Gift wrap", "total": "1.50"}
    ]
    owner = first["customer"]
    assert owner["id"] == shop["customer_id"] and "last_update" in owner
    assert (owner["orders_count"], owner["total_spent"], owner["last_order_id"]) == (
        3,
        "62.95",
        processing["id"],
    )
    assert DATE_Z.match(owner["last_order_date"])
    assert wc.get(f"customers/{shop['customer_id']}").json()["customer"] == owner


def test_v3_order_filters(server: Server, shop: dict[str, Any]) -> None:
    wc = python_client(server, "v3", "basic", wp_api=False)
    path = f"customers/{shop['customer_id']}/orders"
    completed, cancelled, processing = shop["orders"]
    paid = wc.get(path, params={"filter[status]": "completed,processing"})
    assert [o["id"] for o in paid.json()["orders"]] == [processing["id"], completed["id"]]
    assert paid.headers["x-wc-total"] == "2"
    one = wc.get(path, params={"filter[limit]": 1, "page": 3})
    assert [o["id"] for o in one.json()["orders"]] == [processing["id"]]  # always the first page
    assert one.headers["x-wc-total"] == "3" and one.headers["x-wc-totalpages"] == "3"
    assert 'page=2>; rel="next"' in one.headers["link"] and 'page=3>; rel="last"' in one.headers["link"]
    trimmed = wc.get(path, params={"fields": "id,status,payment_details.paid", "filter[status]": "cancelled"})
    assert trimmed.json() == {
        "orders": [{"id": cancelled["id"], "status": "cancelled", "payment_details": {"paid": False}}]
    }
    precise = wc.get(path, params={"filter[dp]": 3, "filter[status]": "completed"}).json()["orders"][0]
    assert (precise["total"], precise["line_items"][0]["price"]) == ("26.480", "9.990")
    assert wc.get(path, params={"filter[status]": "refunded"}).json() == {"orders": []}


def test_v2_lists_every_order_oldest_first(server: Server, shop: dict[str, Any]) -> None:
    wc = python_client(server, "v2", "oauth", wp_api=False)
    response = wc.get(f"customers/{shop['customer_id']}/orders", params={"filter[limit]": 1})
    assert response.status_code == 200, response.text
    orders = response.json()["orders"]
    assert [o["id"] for o in orders] == [o["id"] for o in shop["orders"]]
    assert "x-wc-total" not in response.headers and "link" not in response.headers
    assert list(orders[0]) == [k for k in ORDER_KEYS if k != "order_key"]
    assert "last_update" not in orders[0]["customer"]


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_downloads(server: Server, shop: dict[str, Any], version: str) -> None:
    wc = python_client(server, version, "query", wp_api=False)
    response = wc.get(f"customers/{shop['customer_id']}/downloads")
    assert response.status_code == 200, response.text
    downloads = response.json()["downloads"]
    granted = [o for o in shop["orders"] if o["status"] in ("completed", "processing")]
    assert [d["order_id"] for d in downloads] == [o["id"] for o in granted]  # not the cancelled order
    first = downloads[0]
    assert list(first) == [
        "download_url",
        "download_id",
        "product_id",
        "download_name",
        "order_id",
        "order_key",
        "downloads_remaining",
        "access_expires",
        "file",
    ]
    order = granted[0]
    assert first["download_url"] == (
        f"{server.https_url}/?download_file={shop['product']['id']}&order={order['order_key']}"
        f"&email={shop['email']}&key={first['download_id']}"
    )
    assert (first["product_id"], first["download_name"], first["order_key"]) == (
        shop["product"]["id"],
        "E-book PDF",
        order["order_key"],
    )
    assert first["downloads_remaining"] == "10"  # five per copy, two copies
    assert DATE_Z.match(first["access_expires"])
    assert first["file"] == {"name": "E-book PDF", "file": "https://example.com/files/ebook.pdf"}
