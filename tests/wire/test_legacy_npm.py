"""The legacy API through the official npm client (@woocommerce/woocommerce-rest-api with
`wpAPIPrefix: "wc-api"`): every customer route, filters, bulk and errors, over OAuth, Basic and query keys.
The npm client signs v2 over plain HTTP as WooCommerce refuses (test_legacy_auth), so v2 runs over HTTPS."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.support.clients import node_available, npm_calls
from tests.support.servers import Server
from tests.support.shop import place_orders

pytestmark = [
    pytest.mark.wire,
    pytest.mark.skipif(not node_available(), reason="the npm client is not installed (tests/wire/node)"),
]
# Every way the npm client reaches each version: v3 signs OAuth over HTTP, v2 only works over HTTPS.
WAYS = [("v3", "oauth"), ("v3", "basic"), ("v3", "query"), ("v2", "basic"), ("v2", "query")]


def runner(server: Server, version: str, transport: str = "basic") -> Any:
    def run(*calls: dict) -> list[dict]:
        return npm_calls(server, list(calls), version=version, transport=transport, prefix="wc-api")

    return run


def ids(result: dict) -> list[int]:
    return [c["id"] for c in result["data"]["customers"]]


def link_pages(result: dict) -> dict[str, str]:
    """The page each Link points to, by relation (Node joins the Link header lines with ", ")."""
    found = re.findall(r"[?&]page=([\d.]+)>; rel=\"(\w+)\"", result["headers"].get("link", ""))
    return {rel: page for page, rel in found}


def error(result: dict) -> tuple[int, list[dict[str, str]]]:
    return result["status"], result["data"]["errors"]


@pytest.mark.parametrize(("version", "transport"), WAYS)
def test_every_route_through_the_npm_client(server: Server, version: str, transport: str) -> None:
    tag = uuid.uuid4().hex[:8]
    first, second = f"ana.{tag}@example.com", f"rui.{tag}@example.com"
    run = runner(server, version, transport)
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
    routes = index["data"]["store"]["routes"]
    assert list(routes)[:2] == ["/", "/customers"] and "/customers/<id>/orders" in routes
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


@pytest.mark.parametrize(("version", "transport"), WAYS)
def test_list_filters_through_the_npm_client(server: Server, version: str, transport: str) -> None:
    """filter[role|q|limit|offset|order|orderby|created_at_min|created_at_max], page and fields, as the npm
    client sends nested params (flattened into the OAuth signature over HTTP, brackets over HTTPS)."""
    tag = uuid.uuid4().hex[:8]
    run = runner(server, version, transport)
    made = run(
        *(
            {
                "method": "post",
                "endpoint": "customers",
                "data": {"customer": {"email": f"{name}.{tag}@example.com"}},
            }
            for name in ("erin", "alice", "dave", "bob")
        )
    )
    created = [m["data"]["customer"] for m in made]
    mine, dates = [c["id"] for c in created], [c["created_at"] for c in created]
    q = f"*{tag}*"
    (
        everyone,
        paged,
        offset,
        every,
        by_id,
        by_email,
        since,
        until,
        future,
        trimmed,
        admins,
        all_roles,
        counted,
        admin_count,
    ) = run(
        {"method": "get", "endpoint": "customers", "params": {"filter": {"q": q}}},
        {"method": "get", "endpoint": "customers", "params": {"filter": {"q": q, "limit": 1}, "page": 2}},
        {"method": "get", "endpoint": "customers", "params": {"filter": {"q": q, "limit": 2, "offset": 1}}},
        {"method": "get", "endpoint": "customers", "params": {"filter": {"q": q, "limit": -1}}},
        {
            "method": "get",
            "endpoint": "customers",
            "params": {"filter": {"q": q, "orderby": "ID", "order": "DESC"}},
        },
        {"method": "get", "endpoint": "customers", "params": {"filter": {"q": q, "orderby": "email"}}},
        {
            "method": "get",
            "endpoint": "customers",
            "params": {"filter": {"q": q, "created_at_min": dates[0]}},
        },
        {
            "method": "get",
            "endpoint": "customers",
            "params": {"filter": {"q": q, "created_at_max": dates[-1]}},
        },
        {
            "method": "get",
            "endpoint": "customers",
            "params": {"filter": {"q": q, "created_at_min": "2999-01-01T00:00:00Z"}},
        },
        {
            "method": "get",
            "endpoint": "customers",
            "params": {"filter": {"q": q, "limit": 1}, "fields": "id,email"},
        },
        {"method": "get", "endpoint": "customers", "params": {"filter": {"role": "administrator"}}},
        {"method": "get", "endpoint": "customers", "params": {"filter": {"role": "all", "limit": -1}}},
        {"method": "get", "endpoint": "customers/count", "params": {"filter": {"q": q}}},
        {"method": "get", "endpoint": "customers/count", "params": {"filter": {"role": "administrator"}}},
    )
    assert ids(everyone) == mine  # registration order
    assert (everyone["headers"]["x-wc-total"], everyone["headers"]["x-wc-totalpages"]) == ("4", "1")
    assert ids(paged) == mine[1:2] and paged["headers"]["x-wc-totalpages"] == "4"
    assert link_pages(paged) == {}  # a page of one customer has no Link headers, as in WooCommerce
    assert ids(offset) == mine[1:3]
    assert link_pages(offset) == {"first": "1", "prev": "0.5", "next": "2", "last": "2"}  # page 1.5
    assert "consumer_secret" not in offset["headers"]["link"] and "oauth_" not in offset["headers"]["link"]
    assert ids(every) == mine and every["headers"]["x-wc-totalpages"] == "1"
    assert ids(by_id) == sorted(mine, reverse=True)
    assert [c["email"].split(".")[0] for c in by_email["data"]["customers"]] == [
        "alice",
        "bob",
        "dave",
        "erin",
    ]
    assert ids(since) == mine and ids(until) == mine  # both bounds are inclusive
    assert future["data"] == {"customers": []} and link_pages(future) == {"last": "0"}
    assert trimmed["data"] == {"customers": [{"id": mine[0], "email": f"erin.{tag}@example.com"}]}
    assert ids(admins) == [server.admin_id]
    if version == "v3":
        assert server.admin_id in ids(all_roles) and set(mine) <= set(ids(all_roles))
    else:
        assert ids(all_roles) == []  # v2 has no "all": it is a role nobody has
    assert counted["data"] == {"count": 4} and admin_count["data"] == {"count": 1}


@pytest.fixture(scope="module")
def shop(server: Server) -> dict[str, Any]:
    return place_orders(server)


@pytest.mark.parametrize(("version", "transport"), WAYS)
def test_orders_and_downloads_through_the_npm_client(
    server: Server, shop: dict[str, Any], version: str, transport: str
) -> None:
    completed, cancelled, processing = (o["id"] for o in shop["orders"])
    path = f"customers/{shop['customer_id']}"
    orders, paid, first, trimmed, downloads, customer = runner(server, version, transport)(
        {"method": "get", "endpoint": f"{path}/orders"},
        {
            "method": "get",
            "endpoint": f"{path}/orders",
            "params": {"filter": {"status": "completed,processing"}},
        },
        {"method": "get", "endpoint": f"{path}/orders", "params": {"filter": {"limit": 1}}},
        {"method": "get", "endpoint": f"{path}/orders", "params": {"fields": "id,status,total"}},
        {"method": "get", "endpoint": f"{path}/downloads"},
        {"method": "get", "endpoint": path},
    )
    assert orders["status"] == 200
    listed = [o["id"] for o in orders["data"]["orders"]]
    owner = orders["data"]["orders"][0]["customer"]
    assert owner == customer["data"]["customer"]
    assert (owner["orders_count"], owner["total_spent"], owner["last_order_id"]) == (3, "62.95", processing)
    if version == "v3":  # the orders query: newest first, filters, page 1 with its headers
        assert listed == [processing, cancelled, completed] and orders["headers"]["x-wc-total"] == "3"
        assert [o["id"] for o in paid["data"]["orders"]] == [processing, completed]
        assert [o["id"] for o in first["data"]["orders"]] == [processing]
        assert first["headers"]["x-wc-totalpages"] == "3" and link_pages(first)["next"] == "2"
        assert "order_key" in orders["data"]["orders"][0]
    else:  # every order, oldest first, without filters or headers
        assert listed == [completed, cancelled, processing] and "x-wc-total" not in orders["headers"]
        assert (
            [o["id"] for o in paid["data"]["orders"]] == listed == [o["id"] for o in first["data"]["orders"]]
        )
        assert "order_key" not in orders["data"]["orders"][0]
    assert sorted(trimmed["data"]["orders"], key=lambda o: o["id"]) == [
        {"id": completed, "status": "completed", "total": "26.48"},
        {"id": cancelled, "status": "cancelled", "total": "16.49"},
        {"id": processing, "status": "processing", "total": "36.47"},
    ]
    granted = downloads["data"]["downloads"]  # the cancelled order grants nothing
    assert [d["order_id"] for d in granted] == [completed, processing]
    assert {d["download_name"] for d in granted} == {"E-book PDF"}
    assert granted[0]["file"] == {"name": "E-book PDF", "file": "https://example.com/files/ebook.pdf"}


@pytest.mark.parametrize(("version", "transport"), WAYS)
def test_edits_bulk_and_bad_input_through_the_npm_client(
    server: Server, version: str, transport: str
) -> None:
    """POST also edits, bulk by PUT, and every refusal in the legacy envelope with nothing stored."""
    tag = uuid.uuid4().hex[:8]
    address, never = f"edit.{tag}@example.com", f"never.{tag}@example.com"
    run = runner(server, version, transport)
    [made] = run({"method": "post", "endpoint": "customers", "data": {"customer": {"email": address}}})
    customer_id = made["data"]["customer"]["id"]
    (
        posted,
        put_bulk,
        too_many,
        no_list,
        lone,
        wrong_shape,
        emptied,
        bulk_shape,
        no_customers,
        unknown,
        again,
        created,
    ) = run(
        {
            "method": "post",
            "endpoint": f"customers/{customer_id}",
            "data": {"customer": {"first_name": "Posted"}},
        },
        {
            "method": "put",
            "endpoint": "customers/bulk",
            "data": {"customers": [{"id": customer_id, "last_name": "Bulk"}]},
        },
        {
            "method": "post",
            "endpoint": "customers/bulk",
            "data": {"customers": [{"email": f"{i}.{never}"} for i in range(101)]},
        },
        {"method": "put", "endpoint": "customers/bulk", "data": {"customers": "everyone"}},
        {"method": "post", "endpoint": "customers/bulk", "data": {"customers": {"email": never}}},
        {
            "method": "put",
            "endpoint": f"customers/{customer_id}",
            "data": {"customer": {"first_name": ["a"]}},
        },
        {"method": "put", "endpoint": f"customers/{customer_id}", "data": {"customer": {"email": ""}}},
        {
            "method": "post",
            "endpoint": "customers/bulk",
            "data": {"customers": [{"email": never, "billing_address": {"city": {"x": 1}}}]},
        },
        {"method": "post", "endpoint": "customers/bulk", "data": {"customer": []}},
        {"method": "put", "endpoint": "customers/987654", "data": {"customer": {"first_name": "x"}}},
        {"method": "get", "endpoint": f"customers/{customer_id}"},
        {"method": "get", "endpoint": f"customers/email/{never}"},
    )
    assert posted["status"] == 200 and posted["data"]["customer"]["first_name"] == "Posted"
    assert put_bulk["status"] == 200 and put_bulk["data"]["customers"][0]["last_name"] == "Bulk"
    assert error(too_many) == (
        413,
        [
            {
                "code": "woocommerce_api_customers_request_entity_too_large",
                "message": "Unable to accept more than 100 items for this request.",
            }
        ],
    )
    not_a_list = [
        {
            "code": "woocommerce_api_invalid_customers_data",
            "message": "customers must be a list of customer objects.",
        }
    ]
    assert error(no_list) == (400, not_a_list) and error(lone) == (400, not_a_list)
    assert error(wrong_shape) == (
        400,
        [{"code": "woocommerce_api_invalid_customer_data", "message": "first_name must be a string."}],
    )
    assert error(emptied) == (400, [{"code": "customer_invalid_email", "message": "Invalid email address"}])
    assert bulk_shape["status"] == 200
    assert bulk_shape["data"]["customers"] == [
        {
            "id": 0,
            "error": {
                "code": "woocommerce_api_invalid_customer_data",
                "message": "billing_address.city must be a string.",
            },
        }
    ]
    assert error(no_customers) == (
        400,
        [
            {
                "code": "woocommerce_api_missing_customers_data",
                "message": "No customers data specified to create/edit customers",
            }
        ],
    )
    assert error(unknown) == (
        400,
        [{"code": "woocommerce_api_invalid_customer", "message": "Invalid customer"}],
    )
    shown = again["data"]["customer"]
    assert (shown["email"], shown["first_name"], shown["last_name"]) == (address, "Posted", "Bulk")
    assert error(created) == (
        404,
        [{"code": "woocommerce_api_invalid_customer_email", "message": "Invalid customer email"}],
    )
