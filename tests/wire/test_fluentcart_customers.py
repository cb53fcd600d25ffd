"""FluentCart's customer routes over real HTTPS, on SQLite and PostgreSQL: the seed's requests, envelopes,
fields and error codes, every list filter and sort, stats and orders, attaching users, and the plugin's
aliases."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from tests.support.databases import BACKENDS
from tests.support.fluentcart import (
    BASE,
    client,
    email,
    error,
    fluentcart_server,
    ok,
    set_columns,
    staff,
    woocommerce,
    writing,
)
from tests.support.servers import Server

pytestmark = pytest.mark.wire

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
SEED_LIST_ITEM = {
    "id": int,
    "email": str,
    "first_name": str,
    "last_name": str,
    "status": str,
    "total_spent": int,
    "order_count": int,
    "created_at": str,
    "updated_at": str,
}
SEED_DETAIL = {**SEED_LIST_ITEM, "phone": str, "addresses": list}


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with fluentcart_server(request.param, tmp_path_factory.mktemp("fluentcart")) as running:
        yield running


def _shape(item: dict, fields: dict[str, type]) -> None:
    for name, kind in fields.items():
        assert isinstance(item[name], kind), (name, item)
    for name in ("created_at", "updated_at"):
        assert ISO_UTC.match(item[name]), item[name]


def _create(api: httpx.Client, **fields) -> dict:
    body = {"email": email(), "first_name": "Jane", "last_name": "Smith", **fields}
    return ok(api.post(f"{BASE}/customers", json=body), 201)["customer"]


# --- create -----------------------------------------------------------------------------------------------
def test_create_answers_the_seed_example(api: httpx.Client) -> None:
    sent = {
        "email": email("newcustomer"),
        "first_name": "Jane",
        "last_name": "Smith",
        "phone": "+1234567890",
        "status": "active",
        "additional_info": {"company": "Example Corp", "notes": "VIP customer"},
    }
    response = api.post(f"{BASE}/customers", json=sent)
    body = response.json()
    assert (
        response.status_code == 201 and set(body) == {"success", "data"} and set(body["data"]) == {"customer"}
    )
    customer = body["data"]["customer"]
    _shape(customer, {**SEED_LIST_ITEM, "phone": str})
    for name in ("email", "first_name", "last_name", "phone", "status", "additional_info"):
        assert customer[name] == sent[name]
    assert customer["user_id"] is None and customer["total_spent"] == 0 and customer["order_count"] == 0
    assert customer["full_name"] == "Jane Smith" and customer["ltv"] == 0 and customer["aov"] == 0
    again = ok(api.get(f"{BASE}/customers/{customer['id']}"))["customer"]
    assert again["additional_info"] == sent["additional_info"] and again["phone"] == "+1234567890"


def test_create_accepts_the_plugins_full_name_and_form_bodies(api: httpx.Client) -> None:
    created = ok(api.post(f"{BASE}/customers", json={"email": email(), "full_name": "Mary Ann Lee"}), 201)
    assert (created["customer"]["first_name"], created["customer"]["last_name"]) == ("Mary Ann", "Lee")
    form = {"email": email(), "first_name": " Form <b>User</b> ", "additional_info[tier]": "gold"}
    created = ok(api.post(f"{BASE}/customers", data=form), 201)["customer"]
    assert created["first_name"] == "Form User" and created["additional_info"] == {"tier": "gold"}


def test_texts_are_cleaned_as_wordpress_cleans_them(api: httpx.Client) -> None:
    """As FluentCart's sanitize_text_field: tags, line breaks, runs of spaces, percent octets go; a text
    that is not UTF-8 is dropped (and a required one is then missing)."""
    sent = {
        "email": email(),
        "first_name": " <b>Jane</b>\n\tMary ",
        "last_name": "O%41Hara  <script>x()</script>",
        "phone": "+1 555\r\n0100",
        "notes": "1 < 2 & 3",
        "additional_info": {"company": "<i>Acme</i>  Corp"},
    }
    made = _create(api, **sent)
    assert (made["first_name"], made["last_name"], made["phone"]) == ("Jane Mary", "OHara", "+1 555 0100")
    assert (made["notes"], made["additional_info"]) == ("1 &lt; 2 &amp; 3", {"company": "Acme Corp"})
    url = f"{BASE}/customers/{made['id']}/address"
    body = {"name": "Jo<br/>Doe", "address_1": "1\nMain  St", "city": "<em>Porto</em>", "country": " pt "}
    address = ok(api.post(url, json=body), 201)["address"]
    assert (address["name"], address["address_1"], address["city"], address["country"]) == (
        "JoDoe",
        "1 Main St",
        "Porto",
        "PT",
    )
    # form and query octets that are not UTF-8 (%FF) drop their text, as wp_check_invalid_utf8 does
    form = "email=" + email() + "&first_name=Ann&last_name=Lee%FF&phone=%C3%A9%FF"
    headers = {"content-type": "application/x-www-form-urlencoded"}
    formed = ok(api.post(f"{BASE}/customers", content=form, headers=headers), 201)["customer"]
    assert (formed["first_name"], formed["last_name"], formed["phone"]) == ("Ann", "", "")
    missing = api.post(f"{BASE}/customers", content=f"email={email()}&first_name=%FF", headers=headers)
    assert error(missing, 422, "validation_error")["errors"] == {
        "first_name": {"required": "First Name is required."}
    }
    undecodable = ok(api.get(f"{BASE}/customers?search=%FF{formed['email']}"))["customers"]
    assert [c["id"] for c in undecodable] == _ids(api)  # an undecodable search is no search
    error(api.get("/?rest_route=/fluent-cart/v2/customers/%FF"), 404, "rest_no_route")
    info = api.put(
        f"{BASE}/customers/{formed['id']}/additional-info", content="a[b]=%FF&c=%3Cb%3Ed", headers=headers
    )
    assert ok(info)["customer"]["additional_info"] == {"a": {"b": ""}, "c": "d"}
    refused = api.put(f"{BASE}/customers/{made['id']}", json={"first_name": "<b></b>"})
    error(refused, 422, "validation_error")
    assert ok(api.get(f"{BASE}/customers/{made['id']}"))["customer"]["first_name"] == "Jane Mary"


def test_create_refusals_use_the_seed_codes(api: httpx.Client) -> None:
    taken = _create(api)["email"]
    cases = [
        ({"first_name": "A"}, 422, "validation_error", {"email": {"required": "Email is required."}}),
        ({"email": "nope", "first_name": "A"}, 422, "invalid_email", None),
        (
            {"email": taken.upper(), "first_name": "A"},
            409,
            "invalid_email",
            {"email": {"exist": "Email already exists."}},
        ),
        (
            {"email": email()},
            422,
            "validation_error",
            {"first_name": {"required": "First Name is required."}},
        ),
        ({"email": email(), "first_name": "A", "status": "gone"}, 422, "validation_error", None),
        ({"email": email(), "first_name": "A", "additional_info": "x"}, 422, "validation_error", None),
        ({"email": email(), "first_name": ["A"]}, 422, "validation_error", None),
        ({"email": email(), "first_name": "A" * 256}, 422, "validation_error", None),
        ({"email": email(), "first_name": "A", "user_id": 99999}, 422, "invalid_user", None),
    ]
    for body, status, code, errors in cases:
        refused = error(api.post(f"{BASE}/customers", json=body), status, code)
        if errors is not None:
            assert refused["errors"] == errors
    assert error(
        api.post(f"{BASE}/customers", content=b"{bad", headers={"content-type": "application/json"}),
        400,
        "validation_error",
    )
    assert error(api.post(f"{BASE}/customers", json=[1, 2]), 400, "validation_error")
    total = ok(api.get(f"{BASE}/customers", params={"search": taken}))["pagination"]["total"]
    assert total == 1  # nothing refused was stored


def test_create_with_wp_user_registers_an_account(api: httpx.Client) -> None:
    created = _create(api, wp_user="yes")
    assert isinstance(created["user_id"], int)
    users = ok(api.get(f"{BASE}/customers/attachable-user", params={"search": created["email"]}))["users"]
    assert users == []  # its new account is linked already


# --- details, update, additional info ---------------------------------------------------------------------
def test_details_include_addresses_and_asked_relations(api: httpx.Client) -> None:
    customer = _create(api)
    address = {
        "first_name": "John",
        "last_name": "Doe",
        "address_1": "123 Main St",
        "city": "New York",
        "state": "NY",
        "postcode": "10001",
        "country": "US",
    }
    billing = ok(
        api.post(f"{BASE}/customers/{customer['id']}/address", json={**address, "type": "billing"}), 201
    )
    shipping = ok(
        api.post(f"{BASE}/customers/{customer['id']}/address", json={**address, "type": "shipping"}), 201
    )
    response = api.get(
        f"{BASE}/customers/{customer['id']}",
        params={"with[]": ["billing_address", "primary_shipping_address"]},
    )
    found = ok(response)["customer"]
    _shape(found, SEED_DETAIL)
    assert [a["id"] for a in found["addresses"]] == [billing["address"]["id"], shipping["address"]["id"]]
    first = found["addresses"][0]
    assert (
        {k: first[k] for k in address} == address
        and first["is_primary"] is True
        and first["type"] == "billing"
    )
    assert [a["id"] for a in found["billing_address"]] == [billing["address"]["id"]]
    assert found["primary_shipping_address"]["id"] == shipping["address"]["id"]
    assert (found["country"], found["city"]) == ("US", "New York")
    assert error(
        api.get(f"{BASE}/customers/{customer['id']}", params={"with[]": "wpUser"}), 422, "validation_error"
    )


def test_unknown_customers_are_customer_not_found(api: httpx.Client) -> None:
    refused = error(api.get(f"{BASE}/customers/999999"), 404, "customer_not_found")
    assert refused["message"] == "Customer with ID 999999 not found"
    for method, path in [
        ("GET", "/customers/abc"),
        ("PUT", "/customers/999999"),
        ("PUT", "/customers/999999/additional-info"),
        ("GET", "/customers/get-stats/999999"),
        ("GET", "/customers/999999/orders"),
        ("GET", "/customers/999999/address"),
        ("POST", "/customers/999999/detach-user"),
    ]:
        error(api.request(method, f"{BASE}{path}", json={}), 404, "customer_not_found")


def test_update_changes_what_was_sent(api: httpx.Client) -> None:
    customer = _create(api, phone="+1", additional_info={"company": "A"})
    changed = ok(
        api.put(f"{BASE}/customers/{customer['id']}", json={"phone": "+1234567890", "status": "inactive"})
    )
    found = changed["customer"]
    assert (found["first_name"], found["last_name"], found["phone"], found["status"]) == (
        "Jane",
        "Smith",
        "+1234567890",
        "inactive",
    )
    assert found["additional_info"] == {"company": "A"} and found["updated_at"] >= customer["updated_at"]
    # the admin UI's way: POST with a method override, and `id` in the body
    overridden = api.post(
        f"{BASE}/customers/{customer['id']}",
        headers={"X-HTTP-Method-Override": "PUT"},
        json={"id": str(customer["id"]), "full_name": "Janet Smythe", "email": customer["email"]},
    )
    assert (ok(overridden)["customer"]["first_name"], ok(overridden)["customer"]["last_name"]) == (
        "Janet",
        "Smythe",
    )
    other = _create(api)
    error(api.put(f"{BASE}/customers/{customer['id']}", json={"email": other["email"]}), 409, "invalid_email")
    error(api.put(f"{BASE}/customers/{customer['id']}", json={"id": other["id"]}), 422, "validation_error")
    error(api.put(f"{BASE}/customers/{customer['id']}", json={"first_name": ""}), 422, "validation_error")


def test_additional_info_merges_key_by_key(api: httpx.Client) -> None:
    customer = _create(api, additional_info={"company": "Example Corp", "notes": "VIP"})
    sent = {"company": "Updated Corp", "notes": None, "custom_field_1": "Custom value"}
    response = api.put(f"{BASE}/customers/{customer['id']}/additional-info", json=sent)
    found = ok(response)["customer"]
    assert found["id"] == customer["id"] and ISO_UTC.match(found["updated_at"])
    assert found["additional_info"] == {"company": "Updated Corp", "custom_field_1": "Custom value"}


# --- stats and orders -------------------------------------------------------------------------------------
def test_stats_are_honest_zeros_then_the_orders_figures(server: Server, api: httpx.Client) -> None:
    customer = _create(api, wp_user="yes")  # orders are placed by accounts (WooCommerce's customer_id)
    empty = ok(api.get(f"{BASE}/customers/get-stats/{customer['id']}"))["stats"]
    assert empty == {
        "total_spent": 0,
        "order_count": 0,
        "average_order_value": 0,
        "last_order_date": None,
        "first_order_date": None,
        "currency": "USD",
    }
    placed = []
    with woocommerce(server) as wc:
        for status, total in (
            ("completed", "16.66"),
            ("processing", "16.67"),
            ("completed", "16.67"),
            ("pending", "10.00"),
        ):
            body = {
                "customer_id": customer["user_id"],
                "status": status,
                "fee_lines": [{"name": "Service", "total": total}],
            }
            response = wc.post("/wp-json/wc/v3/orders", json=body)
            assert response.status_code == 201, response.text
            placed.append(response.json())
    stats = ok(api.get(f"{BASE}/customers/get-stats/{customer['id']}"))["stats"]
    dates = [f"{o['date_created_gmt']}Z" for o in placed if o["status"] != "pending"]  # paid ones only
    assert stats == {
        "total_spent": 5000,
        "order_count": 3,  # paid orders, as FluentCart counts purchases
        "average_order_value": 1667,  # the seed's own figures: 5000 over 3, rounded
        "last_order_date": max(dates),
        "first_order_date": min(dates),
        "currency": "USD",
    }
    found = ok(api.get(f"{BASE}/customers/{customer['id']}"))["customer"]
    assert (found["total_spent"], found["order_count"], found["aov"], found["ltv"]) == (5000, 3, 1667, 5000)
    orders = ok(api.get(f"{BASE}/customers/{customer['id']}/orders"))["orders"]
    assert [o["id"] for o in orders] == [o["id"] for o in placed[::-1]]
    assert orders[-1] == {
        "id": placed[0]["id"],
        "customer_id": customer["id"],
        "status": "completed",
        "payment_status": "paid",
        "total_amount": 1666,
        "currency": "USD",
        "payment_method": "",
        "created_at": dates[0],
        "updated_at": f"{placed[0]['date_modified_gmt']}Z",
    }
    assert [o["payment_status"] for o in orders] == ["pending", "paid", "paid", "paid"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_stats_answer_in_the_shops_currency(backend: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("euro")
    env = {"REGULARS_CURRENCY": "eur"}
    with fluentcart_server(backend, tmp, env=env) as shop, client(shop) as api, woocommerce(shop) as wc:
        customer = _create(api, wp_user="yes")
        body = {
            "customer_id": customer["user_id"],
            "status": "completed",
            "fee_lines": [{"name": "Fee", "total": "9.50"}],
        }
        placed = wc.post("/wp-json/wc/v3/orders", json=body)
        assert placed.status_code == 201 and placed.json()["currency"] == "EUR", placed.text
        stats = ok(api.get(f"{BASE}/customers/get-stats/{customer['id']}"))["stats"]
        assert (stats["total_spent"], stats["currency"]) == (950, "EUR")
        orders = ok(api.get(f"{BASE}/customers/{customer['id']}/orders"))["orders"]
        assert [(o["total_amount"], o["currency"]) for o in orders] == [(950, "EUR")]


# --- the list ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def crowd(server: Server, api: httpx.Client) -> tuple[str, list[dict]]:
    """Four customers sharing a marker in their last name, with distinct dates, spend and status."""
    marker = f"Zq{uuid.uuid4().hex[:6]}"
    rows = [  # name, status, total spent, created, first purchase (Adam and Dora: none recorded)
        ("Adam", "active", 500, "2024-01-10", None),
        ("Bella", "inactive", 1500, "2024-03-10", "2024-04-01"),
        ("Cyd", "active", 3000, "2024-06-10", "2024-02-01"),
        ("Dora", "archived", 0, "2024-12-31", None),
    ]
    made = []
    for first, status, spent, day, purchase in rows:
        made.append(
            _create(
                api,
                first_name=first,
                last_name=f"{marker}{first[0]}",
                status=status,
                phone=f"+4420{len(made)}",
            )
        )
        with writing(server) as unit:
            set_columns(
                unit,
                made[-1]["id"],
                total_spent=spent,
                paid_orders_count=len(made),
                created_at=datetime.fromisoformat(f"{day}T12:00:00"),
                first_paid_order_at=purchase and datetime.fromisoformat(f"{purchase}T08:00:00"),
            )
    return marker, made


def _ids(api: httpx.Client, **params) -> list[int]:
    return [c["id"] for c in ok(api.get(f"{BASE}/customers", params=params))["customers"]]


def test_list_answers_the_seed_shape(api: httpx.Client, crowd: tuple[str, list[dict]]) -> None:
    marker, made = crowd
    data = ok(api.get(f"{BASE}/customers", params={"search": marker, "page": 1, "per_page": 3}))
    assert set(data) == {"customers", "pagination"}
    assert data["pagination"] == {"current_page": 1, "per_page": 3, "total": 4, "total_pages": 2}
    for item in data["customers"]:
        _shape(item, SEED_LIST_ITEM)
    assert [c["id"] for c in data["customers"]] == [c["id"] for c in made[::-1][:3]]  # id DESC by default
    second = ok(api.get(f"{BASE}/customers", params={"search": marker, "page": 2, "per_page": 3}))
    assert [c["id"] for c in second["customers"]] == [made[0]["id"]]
    assert ok(api.get(f"{BASE}/customers", params={"per_page": 500}))["pagination"]["per_page"] == 100
    beyond = ok(api.get(f"{BASE}/customers", params={"search": marker, "page": 9}))
    assert beyond["customers"] == [] and beyond["pagination"]["total"] == 4


def test_every_filter(api: httpx.Client, crowd: tuple[str, list[dict]]) -> None:
    marker, made = crowd
    a, b, c, d = (m["id"] for m in made)

    def filtered(**filters) -> list[int]:
        return _ids(api, search=marker, **{f"filters[{k}]": v for k, v in filters.items()})

    assert filtered(status="active") == [c, a]
    assert filtered(date_from="2024-03-10") == [d, c, b]
    assert filtered(date_to="2024-03-10") == [b, a]  # a whole day: inclusive
    assert filtered(date_from="2024-02-01", date_to="2024-06-30") == [c, b]
    assert filtered(date_to="2024-03-10T11:59:59Z") == [a]
    assert filtered(total_spent_min=1000) == [c, b]
    assert filtered(total_spent_max=1500) == [d, b, a]
    assert filtered(total_spent_min=1000, total_spent_max=2000, status="inactive") == [b]
    # the same filters as a JSON object in the query (as FluentCart's admin sends them) or in a JSON body
    assert _ids(api, search=marker, filters='{"status": "active", "total_spent_min": 1000}') == [c]
    as_body = api.request(
        "GET", f"{BASE}/customers", json={"search": marker, "filters": {"status": "archived"}}
    )
    assert [x["id"] for x in ok(as_body)["customers"]] == [d]
    assert _ids(api, search=marker, **{"scopes[]": "ofArchived"}) == [d]
    for bad in (
        {"filters[status]": "gone"},
        {"filters[date_from]": "yesterday"},
        {"filters[total_spent_min]": "1.5"},
        {"filters": "[1"},
        {"scopes[]": "ofEverything"},
        {"page": "0"},
        {"per_page": "x"},
    ):
        error(api.get(f"{BASE}/customers", params=bad), 422, "validation_error")


def test_every_sort_and_its_aliases(api: httpx.Client, crowd: tuple[str, list[dict]]) -> None:
    marker, made = crowd
    a, b, c, d = (m["id"] for m in made)
    ascending = {
        "id": [a, b, c, d],
        "email": sorted((m["email"].lower(), m["id"]) for m in made),
        "first_name": [a, b, c, d],
        "last_name": [a, b, c, d],
        "status": [a, c, d, b],  # active, archived, inactive; then by id
        "created_at": [a, b, c, d],
        "total_spent": [d, a, b, c],
        "order_count": [a, b, c, d],
        "aov": [d, a, b, c],  # 0, 500, 750, 1000
        # MySQL's order on both backends: NULLs (Adam, Dora) first ascending, last descending
        "first_purchase_date": [a, d, c, b],
    }
    ascending["email"] = [i for _, i in ascending["email"]]
    for key, expected in ascending.items():
        assert _ids(api, search=marker, order_by=key, order_type="ASC") == expected, key
        assert _ids(api, search=marker, order_by=key, order_type="DESC") == expected[::-1], key
    assert _ids(api, search=marker, sort_by="ltv", sort_type="asc") == ascending["total_spent"]
    assert _ids(api, search=marker, sort_by="purchase_count", sort_type="desc") == [d, c, b, a]
    assert _ids(api, search=marker, sort_by="first_purchase_date", sort_type="desc") == [b, c, d, a]
    for key in ("updated_at", "last_purchase_date", "user_id"):  # none has an account nor a last order
        assert _ids(api, search=marker, order_by=key, order_type="ASC") == [a, b, c, d], key
    error(api.get(f"{BASE}/customers", params={"order_by": "password"}), 422, "validation_error")
    error(api.get(f"{BASE}/customers", params={"order_type": "sideways"}), 422, "validation_error")


def test_sort_by_user_puts_customers_without_one_first(api: httpx.Client) -> None:
    marker = f"Zu{uuid.uuid4().hex[:6]}"
    linked = [_create(api, last_name=marker, wp_user="yes") for _ in range(2)]
    alone = _create(api, last_name=marker)
    assert linked[0]["user_id"] < linked[1]["user_id"] and alone["user_id"] is None
    expected = [alone["id"], linked[0]["id"], linked[1]["id"]]
    assert _ids(api, search=marker, sort_by="user_id", sort_type="asc") == expected
    assert _ids(api, search=marker, order_by="user_id", order_type="DESC") == expected[::-1]


def _address(api: httpx.Client, customer_id: int, **fields) -> dict:
    body = {"name": "Jo Doe", "address_1": "1 Main St", **fields}
    return ok(api.post(f"{BASE}/customers/{customer_id}/address", json=body), 201)["address"]


def _places(api: httpx.Client, marker: str, key: str, direction: str) -> list[tuple[int, str | None]]:
    found = ok(
        api.get(f"{BASE}/customers", params={"search": marker, "sort_by": key, "sort_type": direction})
    )
    return [(c["id"], c[key]) for c in found["customers"]]


def test_sorts_by_the_primary_billing_place(server: Server, api: httpx.Client) -> None:
    """country, city, state and postcode are the primary billing address's: NULLs (no billing address)
    first ascending and last descending, ties by id; make-primary, an address update and WooCommerce's
    billing update move a customer at once."""
    marker = f"Zp{uuid.uuid4().hex[:6]}"
    a, b, c, d = (_create(api, last_name=marker)["id"] for _ in range(4))
    e = _create(api, last_name=marker, wp_user="yes")["id"]  # with a WooCommerce user
    _address(api, b, type="billing", country="US", city="Austin", state="TX", postcode="73301")
    porto = _address(api, c, type="billing", country="PT", city="Porto", state="13", postcode="4000-001")
    _address(api, c, type="shipping", country="DE", city="Berlin", state="BE", postcode="10115")
    _address(api, d, type="shipping", country="AR", city="Azul", state="B", postcode="7300")  # no billing
    _address(api, e, type="billing", country="CA", city="Montreal", state="QC", postcode="H2X")
    expected = {
        "country": [(a, None), (d, None), (e, "CA"), (c, "PT"), (b, "US")],
        "city": [(a, None), (d, None), (b, "Austin"), (e, "Montreal"), (c, "Porto")],
        "state": [(a, None), (d, None), (c, "13"), (e, "QC"), (b, "TX")],
        "postcode": [(a, None), (d, None), (c, "4000-001"), (b, "73301"), (e, "H2X")],
    }
    for key, ascending in expected.items():
        assert _places(api, marker, key, "asc") == ascending, key
        assert _places(api, marker, key, "DESC") == ascending[::-1], key
        assert _ids(api, search=marker, order_by=key, order_type="ASC") == [i for i, _ in ascending], key
    # make-primary: b's second billing address becomes the one it sorts by
    spare = _address(api, b, type="billing", country="NL", city="Zwolle", state="", postcode="8011")
    assert _places(api, marker, "city", "asc") == expected["city"]  # not primary yet
    ok(api.post(f"{BASE}/customers/{b}/address/make-primary", json={"address_id": spare["id"]}))
    assert _places(api, marker, "city", "asc") == [
        (a, None),
        (d, None),
        (e, "Montreal"),
        (c, "Porto"),
        (b, "Zwolle"),
    ]
    assert _places(api, marker, "country", "desc") == [(c, "PT"), (b, "NL"), (e, "CA"), (d, None), (a, None)]
    # an update of c's primary billing address
    ok(api.put(f"{BASE}/customers/{c}/address", json={"address_id": porto["id"], "city": "Aveiro"}))
    assert _places(api, marker, "city", "asc") == [
        (a, None),
        (d, None),
        (c, "Aveiro"),
        (e, "Montreal"),
        (b, "Zwolle"),
    ]
    # WooCommerce's billing is the same address: wc/v3 writes it, the sort follows
    user_id = ok(api.get(f"{BASE}/customers/{e}"))["customer"]["user_id"]
    with woocommerce(server) as wc:
        billing = {"billing": {"city": "Zurich", "postcode": "8001"}}
        changed = wc.put(f"/wp-json/wc/v3/customers/{user_id}", json=billing)
        assert changed.status_code == 200, changed.text
    assert _places(api, marker, "city", "desc") == [
        (b, "Zwolle"),
        (e, "Zurich"),
        (c, "Aveiro"),
        (d, None),
        (a, None),
    ]
    assert _places(api, marker, "postcode", "asc") == [
        (a, None),
        (d, None),
        (c, "4000-001"),
        (e, "8001"),
        (b, "8011"),
    ]
    # ... and so do a wc/v3 batch and the legacy API
    with woocommerce(server) as wc:
        batch = {"update": [{"id": user_id, "billing": {"country": "AT"}}]}
        assert wc.post("/wp-json/wc/v3/customers/batch", json=batch).status_code == 200
        assert _places(api, marker, "country", "asc")[2] == (e, "AT")
        legacy = {"customer": {"billing_address": {"state": "ZH"}}}
        assert wc.put(f"/wc-api/v3/customers/{user_id}", json=legacy).status_code == 200
    assert _places(api, marker, "state", "desc")[0] == (e, "ZH")


def test_a_place_sent_on_the_customer_is_kept_until_its_billing_address_sets_it(api: httpx.Client) -> None:
    """country, city, state and postcode sent on a create or an update are the customer's own, as the
    plugin keeps them on its customer row; refused ones leave what is stored; the primary billing
    address, once written, sets them."""
    marker = f"Zq{uuid.uuid4().hex[:6]}"
    place = {"country": "PT", "city": "Porto", "state": "13", "postcode": "4000-001"}
    made = _create(api, last_name=marker, **place)
    other = _create(api, last_name=marker, city="Aveiro")
    assert {k: made[k] for k in place} == place
    assert {k: ok(api.get(f"{BASE}/customers/{made['id']}"))["customer"][k] for k in place} == place
    assert _places(api, marker, "city", "asc") == [(other["id"], "Aveiro"), (made["id"], "Porto")]
    assert _places(api, marker, "country", "asc") == [(other["id"], None), (made["id"], "PT")]
    moved = ok(api.put(f"{BASE}/customers/{made['id']}", json={"city": " <b>Braga</b> "}))["customer"]
    assert {k: moved[k] for k in place} == {**place, "city": "Braga"}
    refused = error(
        api.put(f"{BASE}/customers/{made['id']}", json={"city": "B" * 193}), 422, "validation_error"
    )
    assert refused["errors"] == {"city": {"maxLength": "The city must not be greater than 192 characters."}}
    error(api.put(f"{BASE}/customers/{made['id']}", json={"postcode": ["4000"]}), 422, "validation_error")
    kept = ok(api.get(f"{BASE}/customers/{made['id']}"))["customer"]
    assert {k: kept[k] for k in place} == {**place, "city": "Braga"}
    _address(api, made["id"], type="billing", country="ES", city="Vigo", state="PO", postcode="36201")
    billed = ok(api.get(f"{BASE}/customers/{made['id']}"))["customer"]
    assert {k: billed[k] for k in place} == {
        "country": "ES",
        "city": "Vigo",
        "state": "PO",
        "postcode": "36201",
    }


def test_search_by_name_email_phone_and_id(api: httpx.Client, crowd: tuple[str, list[dict]]) -> None:
    marker, made = crowd
    a, b, c, d = (m["id"] for m in made)
    assert _ids(api, search=f"bella {marker}") == [b]
    assert _ids(api, search=made[2]["email"].upper()) == [c]
    assert _ids(api, search="+44202") == [c]
    assert d in _ids(api, search=str(d), per_page=100)  # (phones hold digits too)
    assert _ids(api, search=str(d), **{"filters[status]": "archived"}) == [d]
    assert _ids(api, search=f"id={b}") == [b]
    assert _ids(api, search=f"id::{b}-{c}") == [c, b]
    assert set(_ids(api, search=f"id>={c}", per_page=100)) >= {c, d}
    assert a not in _ids(api, search=f"id>{a}", per_page=100)
    assert _ids(api, search="nobody-like-this") == []


# --- attaching users --------------------------------------------------------------------------------------
def test_attach_and_detach_users(server: Server, api: httpx.Client) -> None:
    customer = _create(api)
    account_id, username, _ = staff(server, "subscriber")
    users = ok(api.get(f"{BASE}/customers/attachable-user", params={"search": username}))
    assert users == {
        "users": [
            {
                "id": account_id,
                "ID": account_id,
                "display_name": username,
                "user_email": users["users"][0]["user_email"],
                "user_login": username,
            }
        ],
        "pagination": {"current_page": 1, "per_page": 10, "total": 1, "total_pages": 1},
    }
    error(api.post(f"{BASE}/customers/{customer['id']}/attachable-user", json={}), 422, "validation_error")
    error(
        api.post(f"{BASE}/customers/{customer['id']}/attachable-user", json={"user_id": 999999}),
        422,
        "invalid_user",
    )
    attached = ok(
        api.post(f"{BASE}/customers/{customer['id']}/attachable-user", json={"user_id": str(account_id)})
    )
    assert attached["customer"]["id"] == customer["id"] and attached["customer"]["user_id"] == account_id
    assert ISO_UTC.match(attached["customer"]["updated_at"])
    assert ok(api.get(f"{BASE}/customers/attachable-user", params={"search": username}))["users"] == []
    other = _create(api)
    error(
        api.post(f"{BASE}/customers/{other['id']}/attachable-user", json={"user_id": account_id}),
        409,
        "invalid_user",
    )
    second_id, _, _ = staff(server, "subscriber")
    error(
        api.post(f"{BASE}/customers/{customer['id']}/attachable-user", json={"user_id": second_id}),
        409,
        "invalid_user",
    )
    detached = ok(api.post(f"{BASE}/customers/{customer['id']}/detach-user"))["customer"]
    assert detached["id"] == customer["id"] and detached["user_id"] is None
    assert ok(api.post(f"{BASE}/customers/{other['id']}/attachable-user", json={"user_id": account_id}))


# --- the edges of the wire --------------------------------------------------------------------------------
def test_routes_methods_and_bodies_at_the_edges(api: httpx.Client) -> None:
    missing = error(api.get(f"{BASE}/orders"), 404, "rest_no_route")
    assert missing["message"] == "No route was found matching the URL and request method."
    wrong = api.delete(f"{BASE}/customers")
    error(wrong, 404, "rest_no_route")
    assert wrong.headers["Allow"] == "GET, POST"
    options = api.options(f"{BASE}/customers/1/address")
    assert ok(options) == {"methods": ["GET", "POST", "PUT", "DELETE"]}
    assert ok(api.get(f"{BASE}/customers/"))["pagination"]["current_page"] == 1  # a trailing slash is fine
    error(
        api.post(
            f"{BASE}/customers",
            content=b"{" + b" " * (1024 * 1024 + 1) + b"}",
            headers={"content-type": "application/json"},
        ),
        413,
        "request_too_large",
    )
    index = api.get(BASE).json()
    assert (
        index["namespace"] == "fluent-cart/v2"
        and "/fluent-cart/v2/customers/do-bulk-action" in index["routes"]
    )
    for root in ("/", "/index.php"):  # sites without pretty permalinks
        plain = api.get(root, params={"rest_route": "/fluent-cart/v2/customers", "per_page": 2})
        assert ok(plain)["pagination"]["per_page"] == 2
    head = api.head(f"{BASE}/customers")
    assert head.status_code == 200 and head.content == b""
