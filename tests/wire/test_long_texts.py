"""Texts longer than the store keeps, through every dialect, on SQLite and PostgreSQL: each is refused with
the dialect's own 400 (422 on FluentCart) naming the field and its limit, and nothing is stored (PostgreSQL
would otherwise fail the write with a server error, SQLite keep the whole text)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.support.databases import BACKENDS
from tests.support.fluentcart import BASE, client, email, error, fluentcart_server, ok
from tests.support.servers import Server
from tests.support.wordpress import invalid_param

pytestmark = pytest.mark.wire
WC = "/wp-json/wc/v3"
LONG_EMAIL = "a" * 90 + "@example.com"  # valid, and past the 100 characters an account's email may have


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with fluentcart_server(request.param, tmp_path_factory.mktemp("long")) as running:
        yield running


def _too_long(response: httpx.Response, param: str, name: str, limit: int) -> None:
    """WordPress's refusal of a string past its maxLength."""
    invalid_param(response, param, "rest_too_long", f"{name} must be at most {limit} characters long.")


def _legacy_too_long(response: httpx.Response, name: str, limit: int) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {
        "errors": [
            {
                "code": "woocommerce_api_field_too_long",
                "message": f"{name} may not be longer than {limit} characters.",
            }
        ]
    }


def _no_account(wc: httpx.Client, address: str) -> None:
    assert wc.get(f"{WC}/customers", params={"email": address, "role": "all"}).json() == []


@pytest.mark.parametrize(
    ("body", "param", "name", "limit"),
    [
        ({"first_name": "x" * 256}, "first_name", "first_name", 255),
        ({"email": LONG_EMAIL}, "email", "email", 100),
        ({"billing": {"city": "x" * 193}}, "billing", "billing[city]", 192),
        ({"shipping": {"postcode": "1" * 33}}, "shipping", "shipping[postcode]", 32),
        ({"billing": {"country": "x" * 101}}, "billing", "billing[country]", 100),
        ({"meta_data": [{"key": "k" * 256, "value": "v"}]}, "meta_data", "meta_data[key]", 255),
    ],
)
def test_wc_rest_create_refuses_and_stores_nothing(
    wc: httpx.Client, body: dict, param: str, name: str, limit: int
) -> None:
    address = email("long")
    _too_long(wc.post(f"{WC}/customers", json={"email": address, **body}), param, name, limit)
    _no_account(wc, body.get("email", address))


def test_wc_rest_update_and_batch_refuse_and_change_nothing(wc: httpx.Client) -> None:
    made = wc.post(f"{WC}/customers", json={"email": email("keep"), "first_name": "Kept"})
    assert made.status_code == 201
    before = made.json()
    path = f"{WC}/customers/{before['id']}"
    sent = {"first_name": "Changed", "shipping": {"address_1": "x" * 256}}
    _too_long(wc.put(path, json=sent), "shipping", "shipping[address_1]", 255)
    batch = wc.post(
        f"{WC}/customers/batch",
        json={
            "create": [{"email": email("b"), "last_name": "x" * 256}],
            "update": [{"id": before["id"], **sent}],
        },
    )
    assert batch.status_code == 200
    for item in (*batch.json()["create"], *batch.json()["update"]):
        assert item["error"]["code"] == "rest_invalid_param"
        assert item["error"]["data"]["details"] and item["error"]["data"]["status"] == 400
    after = wc.get(path).json()
    assert after["first_name"] == "Kept" and after["shipping"] == before["shipping"]
    assert after["date_modified"] == before["date_modified"]


def test_a_text_exactly_at_its_limit_is_kept_whole(wc: httpx.Client) -> None:
    body = {"email": email("edge"), "first_name": "é" * 255, "billing": {"city": "c" * 192}}
    made = wc.post(f"{WC}/customers", json=body)
    assert made.status_code == 201, made.text
    read = wc.get(f"{WC}/customers/{made.json()['id']}").json()
    assert read["first_name"] == "é" * 255 and read["billing"]["city"] == "c" * 192


def test_legacy_refuses_in_its_own_envelope(wc: httpx.Client) -> None:
    address = email("legacy")
    refused = wc.post("/wc-api/v3/customers", json={"customer": {"email": address, "last_name": "x" * 256}})
    _legacy_too_long(refused, "last_name", 255)
    refused = wc.post(
        "/wc-api/v2/customers",
        json={"customer": {"email": address, "billing_address": {"state": "x" * 193}}},
    )
    _legacy_too_long(refused, "billing_address[state]", 192)
    _no_account(wc, address)
    made = wc.post("/wc-api/v3/customers", json={"customer": {"email": address}}).json()["customer"]
    edit = wc.put(f"/wc-api/v3/customers/{made['id']}", json={"customer": {"email": LONG_EMAIL}})
    _legacy_too_long(edit, "email", 100)
    assert wc.get(f"/wc-api/v3/customers/{made['id']}").json()["customer"]["email"] == address


def test_fluentcart_refuses_with_its_validation_error(server: Server) -> None:
    with client(server) as fc:
        # The record takes 192 characters, but the account it would register takes 100.
        address = "r" * 90 + f"{uuid.uuid4().hex[:8]}@example.com"
        refused = fc.post(f"{BASE}/customers", json={"email": address, "first_name": "A", "wp_user": "yes"})
        message = "The email must not be greater than 100 characters."
        assert error(refused, 422, "validation_error") == {
            "code": "validation_error",
            "message": message,
            "errors": {"email": {"maxLength": message}},
        }
        found = ok(fc.get(f"{BASE}/customers", params={"search": address}))
        assert found["customers"] == []


def test_orders_and_products_refuse_too(wc: httpx.Client) -> None:
    _too_long(
        wc.post(f"{WC}/orders", json={"payment_method": "p" * 101}), "payment_method", "payment_method", 100
    )
    fee = {"fee_lines": [{"name": "f" * 256, "total": "1.00"}]}
    _too_long(wc.post(f"{WC}/orders", json=fee), "fee_lines", "fee_lines[name]", 255)
    _too_long(wc.post(f"{WC}/products", json={"name": "n" * 256}), "name", "name", 255)
    sku = f"sku-{uuid.uuid4().hex}" + "s" * 80
    _too_long(wc.post(f"{WC}/products", json={"name": "A", "sku": sku}), "sku", "sku", 100)
    assert wc.get(f"{WC}/products", params={"sku": sku}).json() == []
    # A slug is cut to its width instead, as WordPress cuts it.
    made = wc.post(f"{WC}/products", json={"name": "A", "slug": "s" * 300})
    assert made.status_code == 201 and made.json()["slug"] == "s" * 200


@pytest.mark.parametrize(
    ("body", "param", "name", "limit"),
    [
        ({"payment_method_title": "t" * 256}, "payment_method_title", "payment_method_title", 255),
        ({"transaction_id": "t" * 256}, "transaction_id", "transaction_id", 255),
        ({"line_items": [{"name": "n" * 256}]}, "line_items", "line_items[name]", 255),
        (
            {"shipping_lines": [{"method_id": "flat_rate", "method_title": "m" * 256}]},
            "shipping_lines",
            "shipping_lines[method_title]",
            255,
        ),
        ({"coupon_lines": [{"code": "c" * 256}]}, "coupon_lines", "coupon_lines[code]", 255),
    ],
)
def test_an_order_update_refuses_and_changes_nothing(
    wc: httpx.Client, body: dict, param: str, name: str, limit: int
) -> None:
    product = wc.post(f"{WC}/products", json={"name": "Mug", "regular_price": "2.00"}).json()
    lines = {"line_items": [{"product_id": product["id"], "quantity": 1}]}
    order = wc.post(f"{WC}/orders", json={"payment_method_title": "Cash", **lines}).json()
    for item in body.get("line_items", []):
        item["id"] = order["line_items"][0]["id"]
    _too_long(wc.put(f"{WC}/orders/{order['id']}", json=body), param, name, limit)
    kept = wc.get(f"{WC}/orders/{order['id']}").json()
    assert kept == order


def test_a_product_update_refuses_and_changes_nothing(wc: httpx.Client) -> None:
    product = wc.post(f"{WC}/products", json={"name": "Mug", "sku": f"mug-{uuid.uuid4().hex[:8]}"}).json()
    for body, param, name, limit in (
        ({"name": "n" * 256}, "name", "name", 255),
        ({"sku": "s" * 101}, "sku", "sku", 100),
        ({"regular_price": "1" * 33}, "regular_price", "regular_price", 32),
        (
            {"downloads": [{"id": "i" * 37, "file": "https://example.com/a.zip"}]},
            "downloads",
            "downloads[id]",
            36,
        ),
    ):
        _too_long(wc.put(f"{WC}/products/{product['id']}", json=body), param, name, limit)
    assert wc.get(f"{WC}/products/{product['id']}").json() == product
    sku = f"file-{uuid.uuid4().hex[:8]}"
    refused = wc.post(
        f"{WC}/products",
        json={"name": "A", "sku": sku, "downloads": [{"id": "i" * 37, "file": "https://e.com/a"}]},
    )
    _too_long(refused, "downloads", "downloads[id]", 36)
    assert wc.get(f"{WC}/products", params={"sku": sku}).json() == []
