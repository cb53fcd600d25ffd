"""One store, many views, over real HTTPS on SQLite and PostgreSQL: a customer made through FluentCart is
invisible to WooCommerce until a user is attached; then wc/v3 and the legacy API show its primary
addresses as billing and shipping, both ways; and what either side changes, the other sees."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.databases import BACKENDS
from tests.support.fluentcart import BASE, email, error, fluentcart_server, ok, staff
from tests.support.servers import Server

pytestmark = pytest.mark.wire

BILLING = {
    "first_name": "John",
    "last_name": "Doe",
    "company": "ACME",
    "address_1": "123 Main St",
    "city": "New York",
    "state": "NY",
    "postcode": "10001",
    "country": "US",
    "email": "billing@example.com",
    "phone": "+1555",
}
SHIPPING = {
    "first_name": "Jo",
    "last_name": "Doe",
    "address_1": "456 Oak Ave",
    "city": "Brooklyn",
    "state": "NY",
    "postcode": "11201",
    "country": "US",
}


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with fluentcart_server(request.param, tmp_path_factory.mktemp("fluentcart")) as running:
        yield running


def _wc_customer(wc: httpx.Client, account_id: int) -> dict:
    response = wc.get(f"/wp-json/wc/v3/customers/{account_id}")
    assert response.status_code == 200, response.text
    return response.json()


def _legacy_customer(wc: httpx.Client, account_id: int) -> dict:
    response = wc.get(f"/wc-api/v3/customers/{account_id}")
    assert response.status_code == 200, response.text
    return response.json()["customer"]


def _wc_search(wc: httpx.Client, term: str) -> list[int]:
    response = wc.get("/wp-json/wc/v3/customers", params={"search": term, "role": "all"})
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()]


def _fc_create(api: httpx.Client, **fields) -> dict:
    body = {"email": email("fc"), "first_name": "Jane", "last_name": "Smith", **fields}
    return ok(api.post(f"{BASE}/customers", json=body), 201)["customer"]


def _fc_address(api: httpx.Client, customer_id: int, kind: str, values: dict, **extra) -> dict:
    body = {**values, "type": kind, **extra}
    return ok(api.post(f"{BASE}/customers/{customer_id}/address", json=body), 201)["address"]


def test_made_here_invisible_to_woocommerce_until_a_user_is_attached(
    server: Server, api: httpx.Client, wc: httpx.Client
) -> None:
    customer = _fc_create(api)
    _fc_address(api, customer["id"], "billing", BILLING)
    _fc_address(api, customer["id"], "shipping", SHIPPING)
    assert _wc_search(wc, customer["email"]) == []
    assert wc.get(f"/wc-api/v3/customers/email/{customer['email']}").status_code == 404
    account_id, username, _ = staff(server, "customer")
    assert wc.get(f"/wp-json/wc/v3/customers/{account_id}").json()["billing"]["address_1"] == ""
    ok(api.post(f"{BASE}/customers/{customer['id']}/attachable-user", json={"user_id": account_id}))
    seen = _wc_customer(wc, account_id)
    assert seen["username"] == username
    assert seen["billing"] == {**BILLING, "address_2": ""}
    assert seen["shipping"] == {"company": "", "address_2": "", "phone": "", **SHIPPING}
    legacy = _legacy_customer(wc, account_id)
    assert {k: legacy["billing_address"][k] for k in BILLING} == BILLING
    assert {k: legacy["shipping_address"][k] for k in SHIPPING} == SHIPPING
    assert _wc_search(wc, username) == [account_id]
    ok(api.post(f"{BASE}/customers/{customer['id']}/detach-user"))
    assert _wc_customer(wc, account_id)["billing"]["address_1"] == ""


def test_the_primary_address_is_woocommerces_billing_both_ways(api: httpx.Client, wc: httpx.Client) -> None:
    customer = _fc_create(api, wp_user="yes")
    account_id = customer["user_id"]
    first = _fc_address(api, customer["id"], "billing", BILLING)
    second = _fc_address(
        api, customer["id"], "billing", {**BILLING, "address_1": "9 Second Ave", "city": "Albany"}
    )
    assert _wc_customer(wc, account_id)["billing"]["address_1"] == "123 Main St"
    ok(api.post(f"{BASE}/customers/{customer['id']}/address/make-primary", json={"address_id": second["id"]}))
    assert _wc_customer(wc, account_id)["billing"]["city"] == "Albany"
    assert _legacy_customer(wc, account_id)["billing_address"]["address_1"] == "9 Second Ave"
    # and back: WooCommerce writes its billing into the primary address
    changed = wc.put(
        f"/wp-json/wc/v3/customers/{account_id}", json={"billing": {"city": "Buffalo", "phone": "+1777"}}
    )
    assert changed.status_code == 200, changed.text
    book = {a["id"]: a for a in ok(api.get(f"{BASE}/customers/{customer['id']}/address"))["addresses"]}
    assert (book[second["id"]]["city"], book[second["id"]]["phone"], book[second["id"]]["is_primary"]) == (
        "Buffalo",
        "+1777",
        True,
    )
    assert book[first["id"]]["city"] == "New York" and book[first["id"]]["is_primary"] is False


def test_woocommerce_customers_appear_here_with_their_user(
    server: Server, api: httpx.Client, wc: httpx.Client
) -> None:
    made = wc.post(
        "/wp-json/wc/v3/customers", json={"email": email("wc"), "first_name": "Wendy", "billing": BILLING}
    )
    assert made.status_code == 201, made.text
    account = made.json()
    listed = ok(api.get(f"{BASE}/customers", params={"search": account["email"]}))["customers"]
    assert [(c["user_id"], c["email"], c["first_name"]) for c in listed] == [
        (account["id"], account["email"], "Wendy")
    ]
    details = ok(api.get(f"{BASE}/customers/{listed[0]['id']}"))["customer"]
    assert [(a["type"], a["is_primary"], a["address_1"]) for a in details["addresses"]] == [
        ("billing", True, "123 Main St")
    ]
    # an account that has no record yet is joined by the email it shares
    account_id, _, _ = staff(server, "customer")
    account_email = _wc_customer(wc, account_id)["email"]
    joined = _fc_create(api, email=account_email.upper(), first_name="Sam")
    assert joined["user_id"] == account_id
    _fc_address(api, joined["id"], "billing", BILLING)
    assert _wc_customer(wc, account_id)["billing"]["address_1"] == "123 Main St"


def test_changes_here_reach_the_account(server: Server, api: httpx.Client, wc: httpx.Client) -> None:
    made = wc.post(
        "/wp-json/wc/v3/customers", json={"email": email("wc"), "first_name": "Old", "last_name": "Name"}
    )
    account = made.json()
    record = ok(api.get(f"{BASE}/customers", params={"search": account["email"]}))["customers"][0]
    new_email = email("renamed")
    changed = api.put(
        f"{BASE}/customers/{record['id']}", json={"email": new_email, "full_name": "New Person"}
    )
    assert ok(changed)["customer"]["email"] == new_email
    seen = _wc_customer(wc, account["id"])
    assert (seen["email"], seen["first_name"], seen["last_name"]) == (new_email, "New", "Person")
    legacy = _legacy_customer(wc, account["id"])
    assert (legacy["email"], legacy["first_name"]) == (new_email, "New")
    other_id, _, _ = staff(server, "customer")
    taken = _wc_customer(wc, other_id)["email"]
    refused = error(api.put(f"{BASE}/customers/{record['id']}", json={"email": taken}), 409, "invalid_email")
    assert refused["message"] == "Email already exists."
    assert _wc_customer(wc, account["id"])["email"] == new_email  # nothing half-written
    assert ok(api.get(f"{BASE}/customers/{record['id']}"))["customer"]["email"] == new_email


def test_woocommerce_orders_are_the_figures_here(api: httpx.Client, wc: httpx.Client) -> None:
    customer = _fc_create(api, wp_user="yes")
    for status, total in (("completed", "30.00"), ("on-hold", "5.00")):
        body = {
            "customer_id": customer["user_id"],
            "status": status,
            "fee_lines": [{"name": "Fee", "total": total}],
        }
        assert wc.post("/wp-json/wc/v3/orders", json=body).status_code == 201
    stats = ok(api.get(f"{BASE}/customers/get-stats/{customer['id']}"))["stats"]
    assert (stats["total_spent"], stats["order_count"], stats["average_order_value"]) == (3000, 1, 3000)
    legacy = _legacy_customer(wc, customer["user_id"])
    assert (legacy["total_spent"], legacy["orders_count"]) == ("30.00", 2)
    assert [
        o["payment_status"] for o in ok(api.get(f"{BASE}/customers/{customer['id']}/orders"))["orders"]
    ] == [
        "pending",
        "paid",
    ]


def test_attaching_keeps_each_sides_email_and_names(
    server: Server, api: httpx.Client, wc: httpx.Client
) -> None:
    """As FluentCart's attach does: the link alone is written; the customer keeps its email and names, the
    user (WooCommerce's customer) its own. What changes here afterwards reaches the user too."""
    customer = _fc_create(api, first_name="Record", last_name="Side")
    account_id, username, _ = staff(server, "customer")
    before = _wc_customer(wc, account_id)  # a user with no names yet
    assert before["email"] != customer["email"]
    attached = ok(
        api.post(f"{BASE}/customers/{customer['id']}/attachable-user", json={"user_id": account_id})
    )
    mine = attached["customer"]
    assert (mine["user_id"], mine["email"], mine["first_name"]) == (account_id, customer["email"], "Record")
    seen = _wc_customer(wc, account_id)
    assert (seen["username"], seen["email"], seen["first_name"]) == (username, before["email"], "")
    ok(api.put(f"{BASE}/customers/{customer['id']}", json={"first_name": "Both"}))
    assert _wc_customer(wc, account_id)["first_name"] == "Both"


def test_bulk_delete_leaves_the_user_and_its_orders(
    server: Server, api: httpx.Client, wc: httpx.Client
) -> None:
    """Only the FluentCart customer goes (with its addresses); the WordPress user stays a WooCommerce
    customer who can be attached again, and its orders stay, no longer linked to the deleted record."""
    customer = _fc_create(api, wp_user="yes")
    account_id = customer["user_id"]
    _fc_address(api, customer["id"], "billing", BILLING)
    order = wc.post("/wp-json/wc/v3/orders", json={"customer_id": account_id, "status": "completed"})
    assert order.status_code == 201, order.text
    gone = ok(
        api.post(
            f"{BASE}/customers/do-bulk-action", json={"action": "delete", "customer_ids": [customer["id"]]}
        )
    )
    assert gone == {
        "processed": 1,
        "failed": 0,
        "results": [{"customer_id": customer["id"], "success": True}],
    }
    error(api.get(f"{BASE}/customers/{customer['id']}"), 404, "customer_not_found")
    seen = _wc_customer(wc, account_id)
    assert (seen["id"], seen["email"], seen["first_name"]) == (account_id, customer["email"], "Jane")
    assert seen["billing"]["address_1"] == ""  # the addresses were the deleted customer's
    kept = wc.get(f"/wp-json/wc/v3/orders/{order.json()['id']}")
    assert kept.status_code == 200 and kept.json()["customer_id"] == 0, kept.text
    users = ok(api.get(f"{BASE}/customers/attachable-user", params={"search": customer["email"]}))["users"]
    assert [u["id"] for u in users] == [account_id]
