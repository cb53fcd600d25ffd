"""An order's life seen through every dialect, on a real server over SQLite and PostgreSQL: the figures
each customer view reports and the downloads each downloads route serves move exactly with the order's
status — pending spends nothing, payment spends and grants, cancelled or refunded back the spend out."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.fluentcart import record_of
from tests.support.servers import Server

pytestmark = pytest.mark.wire
FC = "/wp-json/fluent-cart/v2"


@pytest.fixture(scope="module")
def shop(server: Server) -> Iterator[httpx.Client]:
    key = server.keys["read_write"]
    with server.client(https=True, auth=(key.consumer_key, key.consumer_secret), timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def fluent(server: Server) -> Iterator[httpx.Client]:
    with server.client(https=True, auth=("admin", server.admin_password), timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def ebook(shop: httpx.Client) -> dict[str, Any]:
    created = shop.post(
        "/wp-json/wc/v3/products",
        json={
            "name": "E-book",
            "type": "simple",
            "regular_price": "9.99",
            "virtual": True,
            "downloadable": True,
            "downloads": [{"name": "E-book PDF", "file": "https://example.com/files/ebook.pdf"}],
            "download_limit": 5,
            "download_expiry": 30,
        },
    )
    assert created.status_code == 201, created.text
    return created.json()


@dataclass
class Buyer:
    account_id: int
    record_id: int  # FluentCart's customer id
    email: str


def _buyer(server: Server, shop: httpx.Client) -> Buyer:
    email = f"john.{uuid.uuid4().hex[:8]}@example.com"
    created = shop.post("/wp-json/wc/v3/customers", json={"email": email, "billing": {"email": email}})
    assert created.status_code == 201, created.text
    account_id = created.json()["id"]
    return Buyer(account_id, record_of(server, account_id), email)


def _order(shop: httpx.Client, buyer: Buyer, product_id: int, quantity: int) -> dict[str, Any]:
    created = shop.post(
        "/wp-json/wc/v3/orders",
        json={
            "customer_id": buyer.account_id,
            "status": "pending",
            "payment_method": "bacs",
            "payment_method_title": "Direct Bank Transfer",
            "billing": {"first_name": "John", "email": buyer.email},
            "line_items": [{"product_id": product_id, "quantity": quantity}],
        },
    )
    assert created.status_code == 201, created.text
    return created.json()


def _status(shop: httpx.Client, order_id: int, status: str) -> dict[str, Any]:
    updated = shop.put(f"/wp-json/wc/v3/orders/{order_id}", json={"status": status})
    assert updated.status_code == 200, updated.text
    assert updated.json()["status"] == status
    return updated.json()


def _get(client: httpx.Client, path: str, **params: str) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def figures(server: Server, shop: httpx.Client, fluent: httpx.Client, buyer: Buyer) -> dict[str, Any]:
    """What each dialect says about the buyer's orders, in one comparable shape per dialect."""
    key = server.keys["read_write"]
    query = {"consumer_key": key.consumer_key, "consumer_secret": key.consumer_secret}
    v1 = _get(shop, f"/wp-json/wc/v1/customers/{buyer.account_id}")
    v2 = _get(shop, f"/wp-json/wc/v2/customers/{buyer.account_id}")
    v3 = _get(shop, f"/wp-json/wc/v3/customers/{buyer.account_id}")
    legacy = {
        version: _get(shop, f"/wc-api/{version}/customers/{buyer.account_id}", **query)["customer"]
        for version in ("v2", "v3")
    }
    stats = _get(fluent, f"{FC}/customers/get-stats/{buyer.record_id}")["data"]["stats"]
    return {
        "v1": (v1["orders_count"], v1["total_spent"], v1["last_order"]["id"]),
        "v2": (v2["orders_count"], v2["total_spent"], v2["is_paying_customer"]),
        "v3": v3["is_paying_customer"],
        "legacy": {v: (c["orders_count"], c["total_spent"], c["last_order_id"]) for v, c in legacy.items()},
        "fluentcart": (stats["order_count"], stats["total_spent"]),
    }


def downloads(server: Server, shop: httpx.Client, buyer: Buyer) -> dict[str, list[tuple[int, str]]]:
    """(order id, downloads remaining) of each download every dialect lists."""
    key = server.keys["read_write"]
    query = {"consumer_key": key.consumer_key, "consumer_secret": key.consumer_secret}
    found = {
        version: [
            (d["order_id"], d["downloads_remaining"])
            for d in _get(shop, f"/wp-json/wc/{version}/customers/{buyer.account_id}/downloads")
        ]
        for version in ("v1", "v2", "v3")
    }
    for version in ("v2", "v3"):
        listed = _get(shop, f"/wc-api/{version}/customers/{buyer.account_id}/downloads", **query)["downloads"]
        found[f"legacy {version}"] = [(d["order_id"], d["downloads_remaining"]) for d in listed]
    return found


def everywhere(count: int, spent: str, cents: int, paid: int, last: int, paying: bool) -> dict[str, Any]:
    return {
        "v1": (count, spent, last),
        "v2": (count, spent, paying),
        "v3": paying,
        "legacy": {"v2": (count, spent, last), "v3": (count, spent, last)},
        "fluentcart": (paid, cents),
    }


def on_every_route(entries: list[tuple[int, str]]) -> dict[str, list[tuple[int, str]]]:
    return {name: entries for name in ("v1", "v2", "v3", "legacy v2", "legacy v3")}


def test_pending_processing_then_cancelled(
    server: Server, shop: httpx.Client, fluent: httpx.Client, ebook: dict[str, Any]
) -> None:
    buyer = _buyer(server, shop)
    assert figures(server, shop, fluent, buyer) == {
        **everywhere(0, "0.00", 0, 0, 0, False),
        "v1": (0, "0.00", None),
        "legacy": {"v2": (0, "0.00", None), "v3": (0, "0.00", None)},
    }
    order = _order(shop, buyer, ebook["id"], 2)
    assert (order["status"], order["total"], order["customer_id"]) == ("pending", "19.98", buyer.account_id)
    assert figures(server, shop, fluent, buyer) == everywhere(1, "0.00", 0, 0, order["id"], False)
    assert downloads(server, shop, buyer) == on_every_route([])

    paid = _status(shop, order["id"], "processing")
    assert paid["date_paid"] is None  # a virtual download is paid when it completes
    assert figures(server, shop, fluent, buyer) == everywhere(1, "19.98", 1998, 1, order["id"], False)
    assert downloads(server, shop, buyer) == on_every_route([(order["id"], "10")])

    _status(shop, order["id"], "cancelled")
    assert figures(server, shop, fluent, buyer) == everywhere(1, "0.00", 0, 0, order["id"], False)
    assert downloads(server, shop, buyer) == on_every_route([])


def test_completed_then_refunded_keeps_the_paying_customer(
    server: Server, shop: httpx.Client, fluent: httpx.Client, ebook: dict[str, Any]
) -> None:
    buyer = _buyer(server, shop)
    first = _order(shop, buyer, ebook["id"], 1)
    done = _status(shop, first["id"], "completed")
    assert done["date_paid"] is not None and done["date_completed"] is not None
    second = _order(shop, buyer, ebook["id"], 3)
    _status(shop, second["id"], "processing")
    assert figures(server, shop, fluent, buyer) == everywhere(2, "39.96", 3996, 2, second["id"], True)
    assert downloads(server, shop, buyer) == on_every_route([(first["id"], "5"), (second["id"], "15")])

    _status(shop, second["id"], "refunded")
    assert figures(server, shop, fluent, buyer) == everywhere(2, "9.99", 999, 1, second["id"], True)
    assert downloads(server, shop, buyer) == on_every_route([(first["id"], "5")])

    trashed = shop.delete(f"/wp-json/wc/v3/orders/{second['id']}")
    assert trashed.status_code == 200 and trashed.json()["status"] == "refunded"  # as it was
    assert figures(server, shop, fluent, buyer) == everywhere(1, "9.99", 999, 1, first["id"], True)
    gone = shop.delete(f"/wp-json/wc/v3/orders/{first['id']}", params={"force": "true"})
    assert gone.status_code == 200
    assert figures(server, shop, fluent, buyer) == {
        **everywhere(0, "0.00", 0, 0, 0, True),
        "v1": (0, "0.00", None),
        "legacy": {"v2": (0, "0.00", None), "v3": (0, "0.00", None)},
    }


def test_customers_orders_routes_list_every_order_in_their_own_shapes(
    server: Server, shop: httpx.Client, fluent: httpx.Client, ebook: dict[str, Any]
) -> None:
    buyer = _buyer(server, shop)
    placed = [_order(shop, buyer, ebook["id"], n) for n in (1, 2)]
    _status(shop, placed[0]["id"], "completed")
    key = server.keys["read_write"]
    query = {"consumer_key": key.consumer_key, "consumer_secret": key.consumer_secret}
    v3 = _get(shop, f"/wc-api/v3/customers/{buyer.account_id}/orders", **query)["orders"]
    v2 = _get(shop, f"/wc-api/v2/customers/{buyer.account_id}/orders", **query)["orders"]
    assert [o["id"] for o in v3] == [placed[1]["id"], placed[0]["id"]]  # the orders query: newest first
    assert [o["id"] for o in v2] == [placed[0]["id"], placed[1]["id"]]  # every order, oldest first
    completed = v2[0]
    assert (completed["status"], completed["total"], completed["payment_details"]["paid"]) == (
        "completed",
        "9.99",
        True,
    )
    assert completed["line_items"][0]["price"] == "9.99" and completed["customer"]["orders_count"] == 2
    assert (
        completed["order_number"] == str(placed[0]["id"])
        and "order_key" in v3[0]
        and "order_key" not in v2[0]
    )
    fc = _get(fluent, f"{FC}/customers/{buyer.record_id}/orders")["data"]["orders"]
    assert [(o["id"], o["payment_status"], o["total_amount"]) for o in fc] == [
        (placed[1]["id"], "pending", 1998),
        (placed[0]["id"], "paid", 999),
    ]


def order_dates(server: Server, shop: httpx.Client, fluent: httpx.Client, buyer: Buyer) -> dict[str, Any]:
    """The first and last order each view reports: WooCommerce's count every order but the trash,
    FluentCart's purchase dates only paid ones."""
    key = server.keys["read_write"]
    query = {"consumer_key": key.consumer_key, "consumer_secret": key.consumer_secret}
    v1 = _get(shop, f"/wp-json/wc/v1/customers/{buyer.account_id}")["last_order"]
    legacy = _get(shop, f"/wc-api/v3/customers/{buyer.account_id}", **query)["customer"]
    stats = _get(fluent, f"{FC}/customers/get-stats/{buyer.record_id}")["data"]["stats"]
    record = _get(fluent, f"{FC}/customers/{buyer.record_id}")["data"]["customer"]
    return {
        "v1": (v1["id"], v1["date"]),
        "legacy": (legacy["last_order_id"], legacy["last_order_date"]),
        "fluentcart stats": (stats["first_order_date"], stats["last_order_date"]),
        "fluentcart customer": (record["first_purchase_date"], record["last_purchase_date"]),
    }


def test_purchase_dates_count_paid_orders_only_where_fluentcart_says_so(
    server: Server, shop: httpx.Client, fluent: httpx.Client, ebook: dict[str, Any]
) -> None:
    buyer = _buyer(server, shop)
    first = _order(shop, buyer, ebook["id"], 1)
    paid_first = first["date_created_gmt"] + "Z"

    def expect(last: dict[str, Any], purchases: tuple[str | None, str | None]) -> dict[str, Any]:
        return {
            "v1": (last["id"], last["date_created"]),
            "legacy": (last["id"], last["date_created_gmt"] + "Z"),
            "fluentcart stats": purchases,
            "fluentcart customer": purchases,
        }

    assert order_dates(server, shop, fluent, buyer) == expect(first, (None, None))  # pending: no purchase
    _status(shop, first["id"], "processing")
    assert order_dates(server, shop, fluent, buyer) == expect(first, (paid_first, paid_first))
    second = _order(shop, buyer, ebook["id"], 1)
    assert order_dates(server, shop, fluent, buyer) == expect(second, (paid_first, paid_first))
    _status(shop, first["id"], "cancelled")
    assert order_dates(server, shop, fluent, buyer) == expect(second, (None, None))
    _status(shop, second["id"], "completed")
    paid_second = second["date_created_gmt"] + "Z"
    assert order_dates(server, shop, fluent, buyer) == expect(second, (paid_second, paid_second))
    _status(shop, second["id"], "refunded")
    assert order_dates(server, shop, fluent, buyer) == expect(second, (None, None))
