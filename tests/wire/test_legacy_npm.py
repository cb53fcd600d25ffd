"""The legacy API through the official npm client (@woocommerce/woocommerce-rest-api with
`wpAPIPrefix: "wc-api"`): every customer route, filters, bulk and errors, over OAuth, Basic and query keys."""

from __future__ import annotations

import uuid

import pytest

from tests.support.clients import node_available, npm_calls
from tests.support.servers import Server

pytestmark = [
    pytest.mark.wire,
    pytest.mark.skipif(not node_available(), reason="the npm client is not installed (tests/wire/node)"),
]


@pytest.mark.parametrize(
    ("version", "transport"),
    [("v3", "oauth"), ("v3", "basic"), ("v3", "query"), ("v2", "basic"), ("v2", "query")],
)
def test_every_route_through_the_npm_client(server: Server, version: str, transport: str) -> None:
    tag = uuid.uuid4().hex[:8]
    first, second = f"ana.{tag}@example.com", f"rui.{tag}@example.com"

    def run(*calls: dict) -> list[dict]:
        return npm_calls(server, list(calls), version=version, transport=transport, prefix="wc-api")

    [created] = run(
        {
            "method": "post",
            "endpoint": "customers",
            "data": {"customer": {"email": first, "first_name": "Ana", "billing_address": {"city": "Faro"}}},
        }
    )
    assert created["status"] == 201, created
    customer = created["data"]["customer"]
    customer_id = customer["id"]
    assert customer["billing_address"]["city"] == "Faro" and ("last_update" in customer) is (version == "v3")

    listing = {"filter": {"q": f"*{tag}*", "limit": 1}, "fields": "id,email"}
    (
        one,
        by_email,
        bulk,
        listed,
        count,
        edited,
        orders,
        downloads,
        index,
        missing,
        deleted,
        gone,
    ) = run(
        {"method": "get", "endpoint": f"customers/{customer_id}"},
        {"method": "get", "endpoint": f"customers/email/{first}"},
        {
            "method": "post",
            "endpoint": "customers/bulk",
            "data": {
                "customers": [{"email": second}, {"email": first}, {"id": customer_id, "last_name": "Sousa"}]
            },
        },
        {"method": "get", "endpoint": "customers", "params": listing},
        {"method": "get", "endpoint": "customers/count", "params": {"filter": {"q": f"*{tag}*"}}},
        {
            "method": "put",
            "endpoint": f"customers/{customer_id}",
            "data": {"customer": {"first_name": "Anna"}},
        },
        {"method": "get", "endpoint": f"customers/{customer_id}/orders"},
        {"method": "get", "endpoint": f"customers/{customer_id}/downloads"},
        {"method": "get", "endpoint": ""},
        {"method": "get", "endpoint": "customers/987654"},
        {"method": "delete", "endpoint": f"customers/{customer_id}"},
        {"method": "get", "endpoint": f"customers/{customer_id}"},
    )
    assert one["status"] == 200 and one["data"]["customer"] == customer
    assert by_email["data"]["customer"]["id"] == customer_id

    assert bulk["status"] == 201
    made, clash, changed = bulk["data"]["customers"]
    assert made["email"] == second
    assert clash["id"] == 0 and clash["error"]["code"] == "registration-error-email-exists"
    assert changed["id"] == customer_id and changed["last_name"] == "Sousa"

    assert listed["status"] == 200 and listed["data"] == {"customers": [{"id": customer_id, "email": first}]}
    assert listed["headers"]["x-wc-total"] == "2" and listed["headers"]["x-wc-totalpages"] == "2"
    assert count["data"] == {"count": 2}
    assert edited["data"]["customer"]["first_name"] == "Anna"
    assert edited["data"]["customer"]["last_name"] == "Sousa"
    assert orders["status"] == 200 and orders["data"] == {"orders": []}
    assert downloads["status"] == 200 and downloads["data"] == {"downloads": []}
    assert "/customers/<id>/orders" in index["data"]["store"]["routes"]
    assert missing["status"] == 404
    assert missing["data"] == {
        "errors": [{"code": "woocommerce_api_invalid_customer", "message": "Invalid customer"}]
    }
    assert deleted["data"] == {"message": "Permanently deleted customer"}
    assert gone["status"] == 404


def test_errors_and_key_permissions_through_the_npm_client(server: Server) -> None:
    calls = [
        {"method": "post", "endpoint": "customers", "data": {"customer": {"email": "not-an-email"}}},
        {"method": "post", "endpoint": "customers", "data": {"email": "no-envelope@example.com"}},
        {"method": "get", "endpoint": "customerz"},
    ]
    invalid, unwrapped, unknown = npm_calls(server, calls, version="v3", prefix="wc-api")
    assert (invalid["status"], invalid["data"]["errors"][0]["code"]) == (400, "customer_invalid_email")
    assert (unwrapped["status"], unwrapped["data"]["errors"][0]["code"]) == (
        400,
        "woocommerce_api_missing_customer_data",
    )
    assert (unknown["status"], unknown["data"]["errors"][0]["code"]) == (404, "woocommerce_api_no_route")
    [read_only] = npm_calls(
        server,
        [{"method": "post", "endpoint": "customers", "data": {"customer": {"email": "ro@example.com"}}}],
        version="v3",
        transport="basic",
        key="read",
        prefix="wc-api",
    )
    assert read_only["status"] == 401
    assert read_only["data"]["errors"] == [
        {
            "code": "woocommerce_api_authentication_error",
            "message": "The API key provided does not have write permissions.",
        }
    ]
