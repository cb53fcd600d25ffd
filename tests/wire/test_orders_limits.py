"""Numbers at the edges of orders and products, on a real server over SQLite and PostgreSQL: amounts and
quantities the store cannot hold are refused in WordPress's envelope (never a server error, never a
wrapped number) and store nothing; money is printed exactly in every view; download limits and expiry
follow WooCommerce's setters, and every downloads route shows "unlimited" and "never" as its version
does."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, update

from regulars.store.engine import normalise_url
from regulars.store.tables import products
from tests.support.fluentcart import record_of
from tests.support.servers import Server
from tests.support.wordpress import invalid_param

pytestmark = pytest.mark.wire
WC = "/wp-json/wc/v3"
FC = "/wp-json/fluent-cart/v2"
MAX_MONEY = "92233720368547758.07"  # 2**63 - 1 cents
MAX_SPENT = "46116860173536460.80"  # (2**63 - 1 - (2**31 - 1)) // 2 cents
MONEY_BOUNDS = f"between -92233720368547758.08 (inclusive) and {MAX_MONEY} (inclusive)"
COUNT_BOUNDS = "between -2147483648 (inclusive) and 2147483647 (inclusive)"


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()


def _product(wc: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"name": "Album", "regular_price": "1.00", "downloadable": True, **fields}
    body.setdefault("downloads", [{"name": "Album", "file": "https://example.com/files/album.zip"}])
    return _created(wc.post(f"{WC}/products", json=body))


def _buyer(wc: httpx.Client) -> int:
    email = f"buyer.{uuid.uuid4().hex[:8]}@example.com"
    return _created(wc.post(f"{WC}/customers", json={"email": email, "billing": {"email": email}}))["id"]


def _order_count(wc: httpx.Client) -> int:
    listed = wc.get(f"{WC}/orders", params={"status": "any", "per_page": 1})
    assert listed.status_code == 200, listed.text
    return int(listed.headers["x-wp-total"])


def _out_of_bounds(response: httpx.Response, param: str, name: str, bounds: str) -> None:
    invalid_param(response, param, "rest_out_of_bounds", f"{name} must be {bounds}")


# --- amounts and quantities ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lines", "param", "name", "bounds"),
    [
        ({"fee_lines": [{"name": "Fee", "total": "1e30"}]}, "fee_lines", "fee_lines[total]", MONEY_BOUNDS),
        (
            {"fee_lines": [{"name": "Fee", "total": "9999999999999999999999"}]},
            "fee_lines",
            "fee_lines[total]",
            MONEY_BOUNDS,
        ),
        (
            {"shipping_lines": [{"method_id": "flat_rate", "total": "-1e19"}]},
            "shipping_lines",
            "shipping_lines[total]",
            MONEY_BOUNDS,
        ),
        ({"line_items": [{"quantity": 1, "total": "1e30"}]}, "line_items", "line_items[total]", MONEY_BOUNDS),
        (
            {"line_items": [{"quantity": 1, "subtotal": "92233720368547758.08"}]},
            "line_items",
            "line_items[subtotal]",
            MONEY_BOUNDS,
        ),
        ({"line_items": [{"quantity": 2**31}]}, "line_items", "line_items[quantity]", COUNT_BOUNDS),
        ({"line_items": [{"quantity": 2**31 - 1}]}, "line_items", "line_items[total]", MONEY_BOUNDS),
        (
            {"fee_lines": [{"name": "A", "total": MAX_MONEY}, {"name": "B", "total": "0.01"}]},
            "total",
            "total",
            MONEY_BOUNDS,
        ),
    ],
)
def test_amounts_the_store_cannot_hold_are_refused_and_store_nothing(
    wc: httpx.Client, lines: dict[str, Any], param: str, name: str, bounds: str
) -> None:
    dear = _product(wc, regular_price="9999999999.99", downloadable=False, downloads=[])
    for item in lines.get("line_items", []):
        item["product_id"] = dear["id"]
    before = _order_count(wc)
    _out_of_bounds(wc.post(f"{WC}/orders", json={"set_paid": True, **lines}), param, name, bounds)
    assert _order_count(wc) == before
    order = _created(wc.post(f"{WC}/orders", json={"fee_lines": [{"name": "Fee", "total": "1.00"}]}))
    _out_of_bounds(wc.put(f"{WC}/orders/{order['id']}", json=lines), param, name, bounds)
    kept = wc.get(f"{WC}/orders/{order['id']}").json()
    assert (kept["total"], [f["total"] for f in kept["fee_lines"]], kept["line_items"]) == (
        "1.00",
        ["1.00"],
        [],
    )


def test_a_batch_refuses_the_item_in_place(wc: httpx.Client) -> None:
    batch = {"create": [{"fee_lines": [{"name": "Fee", "total": "1e30"}]}, {"fee_lines": [{"name": "F"}]}]}
    answered = wc.post(f"{WC}/orders/batch", json=batch)
    assert answered.status_code == 200, answered.text
    refused, made = answered.json()["create"]
    message = f"fee_lines[total] must be {MONEY_BOUNDS}"
    assert refused == {
        "id": 0,
        "error": {
            "code": "rest_invalid_param",
            "message": "Invalid parameter(s): fee_lines",
            "data": {
                "status": 400,
                "params": {"fee_lines": message},
                "details": {"fee_lines": {"code": "rest_out_of_bounds", "message": message, "data": None}},
            },
        },
    }
    assert made["id"] > 0 and made["total"] == "0.00"


@pytest.mark.parametrize("price", ["1e30", "9999999999999999999999", "-92233720368547758.09"])
def test_a_price_no_order_line_could_hold_is_refused(wc: httpx.Client, price: str) -> None:
    sku = f"dear-{uuid.uuid4().hex[:8]}"
    refused = wc.post(f"{WC}/products", json={"name": "Dear", "sku": sku, "regular_price": price})
    _out_of_bounds(refused, "regular_price", "regular_price", MONEY_BOUNDS)
    assert wc.get(f"{WC}/products", params={"sku": sku}).json() == []
    product = _product(wc, sku=sku)
    _out_of_bounds(
        wc.put(f"{WC}/products/{product['id']}", json={"sale_price": price}),
        *(["sale_price"] * 2),
        MONEY_BOUNDS,
    )
    assert wc.get(f"{WC}/products/{product['id']}").json()["sale_price"] == ""


def test_a_price_stored_before_prices_were_bounded_is_still_shown(server: Server, wc: httpx.Client) -> None:
    """A store written before prices had to fit an order line may hold "1e30": the product still reads
    (WooCommerce prints whatever it keeps), only an order line for it would be refused."""
    product = _product(wc, sku=f"old-{uuid.uuid4().hex[:8]}", regular_price="10")
    engine = create_engine(normalise_url(server.database_url))
    with engine.begin() as connection:
        connection.execute(
            update(products).where(products.c.id == product["id"]).values(regular_price="1e30")
        )
    engine.dispose()
    shown = wc.get(f"{WC}/products/{product['id']}")
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert (body["price"], body["regular_price"]) == ("1e30", "1e30")
    assert "&#36;</span>1000000000000000000000000000000.00</bdi>" in body["price_html"]


def test_money_is_printed_exactly_in_every_view(server: Server, wc: httpx.Client, api: httpx.Client) -> None:
    """To the cent, however large: a guest order up to what an order holds, a customer's spend up to what
    its indexed average order value can be computed from (half of that); beyond, refused."""
    guest = {"set_paid": True, "fee_lines": [{"name": "Everything", "total": MAX_MONEY}]}
    order = _created(wc.post(f"{WC}/orders", json=guest))
    assert (order["status"], order["total"], order["fee_lines"][0]["total"]) == (
        "completed",
        *[MAX_MONEY] * 2,
    )
    account = _buyer(wc)
    body = {"customer_id": account, "set_paid": True, "fee_lines": [{"name": "Half", "total": MAX_SPENT}]}
    assert _created(wc.post(f"{WC}/orders", json=body))["total"] == MAX_SPENT
    key = server.keys["read_write"]
    query = {"consumer_key": key.consumer_key, "consumer_secret": key.consumer_secret}
    record = record_of(server, account)

    def spent() -> dict[str, Any]:
        legacy = wc.get(f"/wc-api/v3/customers/{account}", params=query).json()["customer"]
        stats = api.get(f"{FC}/customers/get-stats/{record}").json()["data"]["stats"]
        return {
            "v1": wc.get(f"/wp-json/wc/v1/customers/{account}").json()["total_spent"],
            "v2": wc.get(f"/wp-json/wc/v2/customers/{account}").json()["total_spent"],
            "legacy": legacy["total_spent"],
            "fluentcart": (stats["total_spent"], stats["average_order_value"]),
        }

    cents = int(MAX_SPENT.replace(".", ""))
    figures = {"v1": MAX_SPENT, "v2": MAX_SPENT, "legacy": MAX_SPENT, "fluentcart": (cents, cents)}
    assert spent() == figures
    before = _order_count(wc)
    more = {"customer_id": account, "set_paid": True, "fee_lines": [{"name": "Cent", "total": "0.01"}]}
    spend_bounds = f"between -46116860184273879.04 (inclusive) and {MAX_SPENT} (inclusive)"
    _out_of_bounds(wc.post(f"{WC}/orders", json=more), "total", "total", spend_bounds)
    assert _order_count(wc) == before
    pending = _created(wc.post(f"{WC}/orders", json={**more, "set_paid": False}))
    done = wc.put(f"{WC}/orders/{pending['id']}", json={"status": "completed"})
    _out_of_bounds(done, "total", "total", spend_bounds)
    assert wc.get(f"{WC}/orders/{pending['id']}").json()["status"] == "pending"
    assert spent() == figures
    fees = [{"name": "A", "total": "0.1"}, {"name": "B", "total": "0.2"}]
    assert _created(wc.post(f"{WC}/orders", json={"fee_lines": fees}))["total"] == "0.30"


# --- download limits and expiry -----------------------------------------------------------------------
def test_download_settings_follow_woocommerces_setters(wc: httpx.Client) -> None:
    """-1 stays (unlimited, never); anything else is kept as its absint; '' is not an integer to the REST
    schema, so WordPress refuses it before WooCommerce's setter could read it as -1."""
    negative = _product(wc, download_limit=-5, download_expiry=-7)
    assert (negative["download_limit"], negative["download_expiry"]) == (5, 7)
    unlimited = _product(wc, download_limit=-1, download_expiry=-1)
    assert (unlimited["download_limit"], unlimited["download_expiry"]) == (-1, -1)
    changed = wc.put(f"{WC}/products/{unlimited['id']}", json={"download_limit": "-3", "download_expiry": 0})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["download_limit"], changed.json()["download_expiry"]) == (3, 0)
    refused = wc.put(f"{WC}/products/{negative['id']}", json={"download_limit": ""})
    assert refused.status_code == 400 and refused.json()["data"]["details"]["download_limit"]["code"] == (
        "rest_invalid_type"
    )
    for sent in (2**31, -(2**31)):  # absint of either is past the column
        refused = wc.put(f"{WC}/products/{negative['id']}", json={"download_limit": sent})
        bounds = "between -1 (inclusive) and 2147483647 (inclusive)"
        _out_of_bounds(refused, "download_limit", "download_limit", bounds)
    stored = wc.get(f"{WC}/products/{negative['id']}").json()
    assert (stored["download_limit"], stored["download_expiry"]) == (5, 7)


def _downloads(server: Server, wc: httpx.Client, account: int) -> dict[str, list[tuple]]:
    """(product, remaining, expires[, expires gmt]) of each download every downloads route lists."""
    key = server.keys["read_write"]
    query = {"consumer_key": key.consumer_key, "consumer_secret": key.consumer_secret}
    found: dict[str, list[tuple]] = {}
    for version in ("v1", "v2", "v3"):
        listed = wc.get(f"/wp-json/wc/{version}/customers/{account}/downloads")
        assert listed.status_code == 200, listed.text
        found[version] = [
            (d["product_id"], d["downloads_remaining"], d["access_expires"], d.get("access_expires_gmt"))
            for d in listed.json()
        ]
    for version in ("v2", "v3"):
        listed = wc.get(f"/wc-api/{version}/customers/{account}/downloads", params=query)
        assert listed.status_code == 200, listed.text
        found[f"legacy {version}"] = [
            (d["product_id"], d["downloads_remaining"], d["access_expires"])
            for d in listed.json()["downloads"]
        ]
    return found


def test_every_downloads_route_shows_unlimited_and_never_as_its_version_does(
    server: Server, wc: httpx.Client
) -> None:
    forever = _product(wc, name="Forever", download_limit=-1, download_expiry=-1)
    counted = _product(wc, name="Counted", download_limit=-5, download_expiry=-7)
    bulk = _product(wc, name="Bulk", regular_price="0.01", download_limit=5, download_expiry=0)
    account = _buyer(wc)
    lines = [
        {"product_id": forever["id"], "quantity": 1},
        {"product_id": counted["id"], "quantity": 2},
        {"product_id": bulk["id"], "quantity": 2**31 - 1},  # 5 times that many: past 32 bits
    ]
    order = _created(wc.post(f"{WC}/orders", json={"customer_id": account, "line_items": lines}))
    done = wc.put(f"{WC}/orders/{order['id']}", json={"status": "completed"})
    assert done.status_code == 200, done.text
    completed = date.fromisoformat(done.json()["date_completed_gmt"][:10])
    expires = f"{completed + timedelta(days=7)}T00:00:00"  # from the day it was completed
    many = str(5 * (2**31 - 1))
    found = _downloads(server, wc, account)
    local = found["v3"][1][2]  # the site's time zone (UTC unless configured)
    rest = [
        (forever["id"], "unlimited", "never", "never"),
        (counted["id"], "10", local, expires),
        (bulk["id"], many, "never", "never"),
    ]
    legacy = [(forever["id"], "", None), (counted["id"], "10", f"{expires}Z"), (bulk["id"], many, None)]
    assert found == {
        "v1": [(p, r, e, None) for p, r, e, _ in rest],  # v1 has no access_expires_gmt
        "v2": rest,
        "v3": rest,
        "legacy v2": legacy,
        "legacy v3": legacy,
    }
