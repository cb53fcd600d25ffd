"""The legacy API's customers (/wc-api/v2 and /wc-api/v3) through the official Python client
(`wp_api=False`), over OAuth (HTTP), Basic and query keys (HTTPS), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from woocommerce import API

from regulars.services import profiles
from regulars.store.unit import Store, Unit
from tests.support.clients import python_client
from tests.support.servers import Server
from tests.support.shop import SEED_ADDRESS, SEED_BILLING

pytestmark = pytest.mark.wire
LEGACY = ("v2", "v3")
TRANSPORTS = ("oauth", "basic", "query")
DATE_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
V2_KEYS = [
    "id",
    "created_at",
    "email",
    "first_name",
    "last_name",
    "username",
    "role",
    "last_order_id",
    "last_order_date",
    "orders_count",
    "total_spent",
    "avatar_url",
    "billing_address",
    "shipping_address",
]


def legacy(server: Server, version: str = "v3", transport: str = "basic", key: str = "read_write") -> API:
    return python_client(server, version, transport, key, wp_api=False)


def email(tag: str = "c") -> str:
    return f"{tag}.{uuid.uuid4().hex[:10]}@example.com"


def errors(response: httpx.Response | object) -> list[dict[str, str]]:
    return response.json()["errors"]  # type: ignore[attr-defined]


def link_pages(response: httpx.Response | object) -> dict[str, str]:
    """The page each Link header points to, by relation."""
    headers = response.headers.get("link", "")  # type: ignore[attr-defined]
    return {rel: page for page, rel in re.findall(r"[?&]page=([\d.]+)>; rel=\"(\w+)\"", headers)}


@contextmanager
def stored(server: Server) -> Iterator[Unit]:
    """The server's own store, to check what a request left behind."""
    store = Store(server.database_url)
    try:
        with store.read() as unit:
            yield unit
    finally:
        store.dispose()


@pytest.mark.parametrize("version", LEGACY)
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_crud_through_the_python_client(server: Server, version: str, transport: str) -> None:
    wc = legacy(server, version, transport)
    address = email("john")
    username = f"john-{uuid.uuid4().hex[:8]}"
    body = {
        "email": address,
        "first_name": "John",
        "last_name": "Doe",
        "username": username,
        "role": "administrator",  # ignored: legacy customers are always customers
        "billing_address": SEED_BILLING,
        "shipping_address": {**SEED_ADDRESS, "phone": "not kept"},
    }
    created = wc.post("customers", {"customer": body})
    assert created.status_code == 201, created.text
    customer = created.json()["customer"]
    expected_keys = V2_KEYS if version == "v2" else [*V2_KEYS[:2], "last_update", *V2_KEYS[2:]]
    assert list(customer) == expected_keys
    assert DATE_Z.match(customer["created_at"])
    assert customer["username"] == username and customer["role"] == "customer"
    assert (customer["last_order_id"], customer["last_order_date"]) == (None, None)
    assert (customer["orders_count"], customer["total_spent"]) == (0, "0.00")
    assert customer["billing_address"] == SEED_BILLING and customer["shipping_address"] == SEED_ADDRESS
    assert list(customer["billing_address"]) == list(SEED_BILLING)
    customer_id = customer["id"]
    with stored(server) as unit:
        profile = profiles.get(unit, customer_id)
        assert profile is not None and profile.account.role == "customer"
        assert profile.address("shipping").city == "San Francisco"  # type: ignore[union-attr]

    assert wc.get(f"customers/{customer_id}").json() == {"customer": customer}
    assert wc.get(f"customers/email/{address}").json()["customer"]["id"] == customer_id

    updated = wc.put(
        f"customers/{customer_id}",
        {"customer": {"first_name": "James", "username": "renamed", "shipping_address": {"city": "Oakland"}}},
    )
    assert updated.status_code == 200, updated.text
    changed = updated.json()["customer"]
    assert changed["first_name"] == "James" and changed["username"] == username  # username ignored
    assert changed["shipping_address"] == {**SEED_ADDRESS, "city": "Oakland"}  # a partial merge
    assert changed["billing_address"] == SEED_BILLING

    new_address = email("james")
    moved = wc.put(f"customers/{customer_id}", {"customer": {"email": new_address, "password": "pw"}})
    assert moved.json()["customer"]["email"] == new_address
    assert wc.get(f"customers/email/{new_address}").json()["customer"]["id"] == customer_id

    deleted = wc.delete(f"customers/{customer_id}")
    assert deleted.status_code == 200 and deleted.json() == {"message": "Permanently deleted customer"}
    gone = wc.get(f"customers/{customer_id}")
    assert gone.status_code == 404
    assert errors(gone) == [{"code": "woocommerce_api_invalid_customer", "message": "Invalid customer"}]
    with stored(server) as unit:
        assert profiles.get(unit, customer_id) is None


@pytest.mark.parametrize("version", LEGACY)
def test_list_filters_and_pagination(server: Server, version: str) -> None:
    wc = legacy(server, version)
    tag = uuid.uuid4().hex[:8]
    ids, dates = [], []
    for name in ("erin", "alice", "dave", "bob", "carol"):
        created = wc.post("customers", {"customer": {"email": f"{name}.{tag}@example.com"}}).json()[
            "customer"
        ]
        ids.append(created["id"])
        dates.append(created["created_at"])
    mine = {"filter[q]": f"*{tag}*"}

    everyone = wc.get("customers", params=mine)
    assert [c["id"] for c in everyone.json()["customers"]] == ids  # registration order
    assert everyone.headers["x-wc-total"] == "5" and everyone.headers["x-wc-totalpages"] == "1"
    assert "link" not in everyone.headers

    page = wc.get("customers", params={**mine, "filter[limit]": 2, "page": 2})
    assert [c["id"] for c in page.json()["customers"]] == ids[2:4]
    assert page.headers["x-wc-total"] == "5" and page.headers["x-wc-totalpages"] == "3"
    links = page.raw.headers.getlist("link")
    assert len(links) == 4  # one header line per relation
    assert link_pages(page) == {"first": "1", "prev": "1", "next": "3", "last": "3"}
    assert all("consumer_secret" not in link and "oauth_" not in link for link in links)
    assert all(f"filter[q]=%2A{tag}%2A" in link for link in links)

    offset = wc.get("customers", params={**mine, "filter[offset]": 3})
    assert [c["id"] for c in offset.json()["customers"]] == ids[3:]
    assert link_pages(offset) == {"first": "1", "prev": "0.3", "last": "1"}  # page 1.3, as PHP counts

    every = wc.get("customers", params={**mine, "filter[limit]": -1})
    assert len(every.json()["customers"]) == 5 and every.headers["x-wc-totalpages"] == "1"

    by_id = wc.get("customers", params={**mine, "filter[orderby]": "ID", "filter[order]": "DESC"})
    assert [c["id"] for c in by_id.json()["customers"]] == sorted(ids, reverse=True)
    by_email = wc.get("customers", params={**mine, "filter[orderby]": "email"})
    assert [c["email"].split(".")[0] for c in by_email.json()["customers"]] == [
        "alice",
        "bob",
        "carol",
        "dave",
        "erin",
    ]

    exact = wc.get("customers", params={"filter[q]": f"bob.{tag}@example.com"})
    assert [c["id"] for c in exact.json()["customers"]] == [ids[3]]
    assert wc.get("customers", params={"filter[q]": tag}).json()["customers"] == []  # no implicit wildcards
    by_number = wc.get("customers", params={"filter[q]": str(ids[2])})  # the id, or a login
    assert by_number.status_code == 200 and [c["id"] for c in by_number.json()["customers"]] == [ids[2]]

    since_first = wc.get("customers", params={**mine, "filter[created_at_min]": dates[0]})
    assert len(since_first.json()["customers"]) == 5  # the bound is inclusive
    until_last = wc.get("customers", params={**mine, "filter[created_at_max]": dates[-1]})
    assert len(until_last.json()["customers"]) == 5
    before = wc.get("customers", params={**mine, "filter[created_at_max]": "2000-01-01T00:00:00Z"})
    assert before.json()["customers"] == [] and before.headers["x-wc-totalpages"] == "0"
    assert link_pages(before) == {"last": "0"}

    trimmed = wc.get("customers", params={**mine, "fields": "id,billing_address.city", "filter[limit]": 1})
    assert trimmed.json()["customers"] == [{"id": ids[0], "billing_address": {"city": ""}}]

    admins = wc.get("customers", params={"filter[role]": "administrator"}).json()["customers"]
    assert [c["id"] for c in admins] == [server.admin_id]
    all_roles = wc.get("customers", params={"filter[role]": "all", "filter[limit]": -1}).json()["customers"]
    if version == "v3":
        assert server.admin_id in [c["id"] for c in all_roles] and len(all_roles) >= 6
    else:
        assert all_roles == []  # v2 has no "all": it is a role nobody has

    count = wc.get("customers/count", params=mine)
    assert count.status_code == 200 and count.json() == {"count": 5}
    assert "x-wc-total" not in count.headers
    assert wc.get("customers/count", params={"filter[role]": "administrator"}).json() == {"count": 1}


@pytest.mark.parametrize("version", LEGACY)
def test_bulk_creates_and_edits_item_by_item(server: Server, version: str) -> None:
    wc = legacy(server, version)
    existing = wc.post("customers", {"customer": {"email": email("old")}}).json()["customer"]["id"]
    taken = email("taken")
    wc.post("customers", {"customer": {"email": taken}})
    fresh, refused = email("new"), email("refused")
    result = wc.post(
        "customers/bulk",
        {
            "customers": [
                {"email": fresh, "first_name": "New", "billing_address": {"city": "Porto"}},
                {"email": taken},
                {"id": existing, "last_name": "Edited"},
                {"id": 987654, "first_name": "Nobody"},
                {"email": refused, "billing_address": {"email": "not-an-email"}},
                {"first_name": "No email"},
            ]
        },
    )
    assert result.status_code == 201, result.text  # something was created
    items = result.json()["customers"]
    assert items[0]["email"] == fresh and items[0]["billing_address"]["city"] == "Porto"
    assert items[1] == {
        "id": 0,
        "error": {
            "code": "registration-error-email-exists",
            "message": f"An account is already registered with {taken}. "
            "Please log in or use a different email address.",
        },
    }
    assert items[2]["id"] == existing and items[2]["last_name"] == "Edited"
    assert items[3] == {
        "id": 987654,
        "error": {"code": "woocommerce_api_invalid_customer", "message": "Invalid customer"},
    }
    assert items[4]["error"]["code"] == "customer_invalid_billing_email"
    assert items[5]["error"] == {
        "code": "woocommerce_api_missing_customer_email",
        "message": "Missing parameter email",
    }
    with stored(server) as unit:
        assert profiles.by_email(unit, fresh) is not None
        assert profiles.by_email(unit, refused) is None  # a failed item leaves nothing behind

    edits_only = wc.put("customers/bulk", {"customers": [{"id": existing, "first_name": "Again"}]})
    assert edits_only.status_code == 200 and edits_only.json()["customers"][0]["first_name"] == "Again"

    too_many = wc.post("customers/bulk", {"customers": [{"email": email("many")} for _ in range(101)]})
    assert too_many.status_code == 413
    assert errors(too_many) == [
        {
            "code": "woocommerce_api_customers_request_entity_too_large",
            "message": "Unable to accept more than 100 items for this request.",
        }
    ]
    missing = wc.post("customers/bulk", {"customer": []})
    assert missing.status_code == 400
    assert errors(missing)[0]["code"] == "woocommerce_api_missing_customers_data"


@pytest.mark.parametrize("version", LEGACY)
def test_errors_use_the_legacy_envelope(server: Server, version: str) -> None:
    wc = legacy(server, version)
    address = email("err")
    customer_id = wc.post(
        "customers", {"customer": {"email": address, "username": f"u{uuid.uuid4().hex[:8]}"}}
    )
    customer_id = customer_id.json()["customer"]["id"]
    cases = [
        (wc.get("customers/0"), 404, "woocommerce_api_invalid_customer_id", "Invalid customer ID"),
        (wc.get("customers/987654"), 404, "woocommerce_api_invalid_customer", "Invalid customer"),
        (wc.get("customers/987654/orders"), 404, "woocommerce_api_invalid_customer", "Invalid customer"),
        (wc.get("customers/987654/downloads"), 404, "woocommerce_api_invalid_customer", "Invalid customer"),
        (wc.delete("customers/987654"), 404, "woocommerce_api_invalid_customer", "Invalid customer"),
        (
            wc.put("customers/987654", {"customer": {}}),
            400,
            "woocommerce_api_invalid_customer",
            "Invalid customer",
        ),
        (
            wc.put("customers/0", {"customer": {}}),
            400,
            "woocommerce_api_invalid_customer_id",
            "Invalid customer ID",
        ),
        (
            wc.get("customers/email/nobody@example.com"),
            404,
            "woocommerce_api_invalid_customer_email",
            "Invalid customer email",
        ),
        (
            wc.get("customers/email/not-an-email"),
            404,
            "woocommerce_api_invalid_customer_email",
            "Invalid customer email",
        ),
        (
            wc.post("customers", {"customer": {"email": "bad"}}),
            400,
            "customer_invalid_email",
            "Invalid email address",
        ),
        (
            wc.post("customers", {"customer": {"email": ""}}),
            400,
            "registration-error-invalid-email",
            "Please provide a valid email address.",
        ),
        (
            wc.post("customers", {"customer": {"first_name": "x"}}),
            400,
            "woocommerce_api_missing_customer_email",
            "Missing parameter email",
        ),
        (
            wc.post("customers", {"email": email()}),
            400,
            "woocommerce_api_missing_customer_data",
            "No customer data specified to create customer",
        ),
        (
            wc.put(f"customers/{customer_id}", {"first_name": "x"}),
            400,
            "woocommerce_api_missing_customer_data",
            "No customer data specified to edit customer",
        ),
        (
            wc.put(f"customers/{customer_id}", {"customer": {"email": "bad"}}),
            400,
            "customer_invalid_email",
            "Invalid email address",
        ),
        (
            wc.put(f"customers/{customer_id}", {"customer": {"billing_address": {"email": "bad"}}}),
            400,
            "customer_invalid_billing_email",
            "Invalid billing email address",
        ),
        (
            wc.get("customerz"),
            404,
            "woocommerce_api_no_route",
            "No route was found matching the URL and request method",
        ),
        (
            wc.delete("customers"),
            404,
            "woocommerce_api_no_route",
            "No route was found matching the URL and request method",
        ),
        (wc.options("customers"), 400, "woocommerce_api_unsupported_method", "Unsupported request method"),
    ]
    for response, status, code, message in cases:
        assert (response.status_code, errors(response)) == (status, [{"code": code, "message": message}]), (
            response.request.method,
            response.request.url,
        )
        assert response.headers["content-type"] == "application/json; charset=UTF-8"
    with stored(server) as unit:
        assert profiles.get(unit, customer_id).account.email == address  # type: ignore[union-attr]


def test_request_bodies_and_methods(server: Server) -> None:
    base = f"{server.https_url}/wc-api/v3"
    key = server.keys["read_write"]
    auth = {"consumer_key": key.consumer_key, "consumer_secret": key.consumer_secret}
    with httpx.Client(verify=server.tls, params=auth) as client:
        for content in (b'{"customer": {"email": ', b"", b"null"):
            broken = client.post(
                f"{base}/customers", content=content, headers={"content-type": "application/json"}
            )
            assert broken.status_code == 400
            assert errors(broken) == [
                {"code": "woocommerce_api_missing_callback_param", "message": "Missing parameter data"}
            ]
        # The body is JSON whatever its Content-Type says.
        address = email("form")
        as_text = client.post(
            f"{base}/customers", content=f'{{"customer": {{"email": "{address}"}}}}'.encode()
        )
        assert as_text.status_code == 201 and as_text.json()["customer"]["email"] == address
        customer_id = as_text.json()["customer"]["id"]
        head = client.head(f"{base}/customers/{customer_id}")
        assert head.status_code == 200 and head.content == b""
        overridden = client.post(f"{base}/customers/{customer_id}", params={"_method": "DELETE"}, content=b"")
        assert overridden.json() == {"message": "Permanently deleted customer"}
        header_override = client.post(
            f"{base}/customers/count", headers={"X-HTTP-Method-Override": "GET"}, content=b""
        )
        assert header_override.status_code == 200 and "count" in header_override.json()
        routed = client.get(
            f"{server.https_url}/", params={"wc-api-version": "3", "wc-api-route": "/customers/count"}
        )
        assert routed.status_code == 200 and routed.json() == header_override.json()
        assert client.get(f"{server.https_url}/wc-api/v1/customers").status_code == 404


@pytest.mark.parametrize("version", LEGACY)
def test_index(server: Server, version: str) -> None:
    for base, secure in ((server.http_url, False), (server.https_url, True)):
        response = httpx.get(f"{base}/wc-api/{version}/", verify=server.tls)  # no credentials needed
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
        store = response.json()["store"]
        assert store["URL"] == base
        assert ("version" in store) is (version == "v3")
        assert store["routes"]["/customers"] == {
            "supports": ["HEAD", "GET", "POST"],
            "accepts_data": True,
            "meta": {"self": f"{base}/wc-api/{version}/customers"},
        }
        assert store["routes"]["/customers/<id>"] == {
            "supports": ["HEAD", "GET", "POST", "PUT", "PATCH", "DELETE"],
            "accepts_data": True,
        }
        assert store["routes"]["/customers/bulk"]["supports"] == ["POST", "PUT", "PATCH"]
        # The index lists itself, as WooCommerce's does (its self link ends in "/").
        assert store["routes"]["/"] == {
            "supports": ["HEAD", "GET"],
            "meta": {"self": f"{base}/wc-api/{version}/"},
        }
        assert list(store["routes"]) == [
            "/",
            "/customers",
            "/customers/count",
            "/customers/<id>",
            "/customers/email/<email>",
            "/customers/<id>/orders",
            "/customers/<id>/downloads",
            "/customers/bulk",
        ]
        meta = store["meta"]
        assert (meta["currency"], meta["price_num_decimals"], meta["timezone"]) == ("USD", 2, "+00:00")
        assert meta["ssl_enabled"] is (secure and version == "v3")
        assert httpx.get(f"{base}/wc-api/{version}", verify=server.tls).json() == response.json()
        assert httpx.post(f"{base}/wc-api/{version}/", verify=server.tls).status_code == 404


SHAPE_ERRORS = [
    ({"first_name": ["a"]}, "first_name must be a string."),
    ({"last_name": {"x": 1}}, "last_name must be a string."),
    ({"password": True}, "password must be a string."),
    ({"email": ["a@example.com"]}, "email must be a string."),
    ({"billing_address": {"city": {"x": 1}}}, "billing_address.city must be a string."),
    ({"shipping_address": {"postcode": [94103]}}, "shipping_address.postcode must be a string."),
    ({"billing_address": {"phone": False}}, "billing_address.phone must be a string."),
    ({"billing_address": "Porto"}, "billing_address must be an object."),
    ({"shipping_address": ["Porto"]}, "shipping_address must be an object."),
]


@pytest.mark.parametrize("version", LEGACY)
def test_values_of_the_wrong_shape_are_refused(server: Server, version: str) -> None:
    """A list, an object or a boolean where WooCommerce keeps text is a 400, on create, edit and in bulk,
    and nothing is stored (WooCommerce would keep PHP's rendering of it); numbers are text, as in PHP."""
    wc = legacy(server, version)
    address = email("shape")
    created = wc.post("customers", {"customer": {"email": address, "first_name": "Ann"}}).json()["customer"]
    for sent, message in SHAPE_ERRORS:
        expected = [{"code": "woocommerce_api_invalid_customer_data", "message": message}]
        fresh = email("never")
        create = wc.post("customers", {"customer": {"email": fresh, **sent}})
        edit = wc.put(f"customers/{created['id']}", {"customer": sent})
        assert (create.status_code, errors(create)) == (400, expected), sent
        assert (edit.status_code, errors(edit)) == (400, expected), sent
        in_bulk = wc.post(
            "customers/bulk", {"customers": [{"email": fresh, **sent}, {"id": created["id"], **sent}]}
        )
        assert in_bulk.status_code == 200, sent  # nothing was created
        assert in_bulk.json()["customers"] == [
            {"id": 0, "error": expected[0]},
            {"id": created["id"], "error": expected[0]},
        ]
        with stored(server) as unit:
            assert profiles.by_email(unit, fresh) is None
    assert wc.get(f"customers/{created['id']}").json()["customer"] == created  # untouched
    numbers = wc.put(
        f"customers/{created['id']}",
        {"customer": {"first_name": 7, "billing_address": {"postcode": 94103, "city": None, "phone": 1.5}}},
    )
    shown = numbers.json()["customer"]
    assert shown["first_name"] == "7" and shown["billing_address"]["city"] == ""  # null: not sent
    assert (shown["billing_address"]["postcode"], shown["billing_address"]["phone"]) == ("94103", "1.5")
    emptied = wc.put(f"customers/{created['id']}", {"customer": {"billing_address": [], "last_name": ""}})
    assert emptied.status_code == 200 and emptied.json()["customer"]["billing_address"]["postcode"] == "94103"


@pytest.mark.parametrize("version", LEGACY)
def test_an_email_cannot_be_emptied(server: Server, version: str) -> None:
    """WooCommerce's edit passes "" on to WordPress, which blanks the login's email; Regulars refuses it
    with the words a malformed email gets, and keeps everything else the request sent unapplied too."""
    wc = legacy(server, version)
    address = email("keep")
    customer_id = wc.post("customers", {"customer": {"email": address}}).json()["customer"]["id"]
    for sent in ("", "   "):
        emptied = wc.put(f"customers/{customer_id}", {"customer": {"email": sent, "first_name": "Changed"}})
        assert emptied.status_code == 400
        assert errors(emptied) == [{"code": "customer_invalid_email", "message": "Invalid email address"}]
    in_bulk = wc.post("customers/bulk", {"customers": [{"id": customer_id, "email": ""}]})
    assert in_bulk.json()["customers"] == [
        {"id": customer_id, "error": {"code": "customer_invalid_email", "message": "Invalid email address"}}
    ]
    absent = wc.put(f"customers/{customer_id}", {"customer": {"email": None, "first_name": "Kept"}})
    assert absent.status_code == 200 and absent.json()["customer"]["email"] == address  # null: not sent
    with stored(server) as unit:
        account = profiles.get(unit, customer_id).account  # type: ignore[union-attr]
        assert (account.email, account.first_name) == (address, "Kept")


@pytest.mark.parametrize("version", LEGACY)
def test_bulk_customers_must_be_a_list(server: Server, version: str) -> None:
    wc = legacy(server, version)
    refused = [
        {
            "code": "woocommerce_api_invalid_customers_data",
            "message": "customers must be a list of customer objects.",
        }
    ]
    lone = email("lone")
    for customers in ({"email": lone}, "customers", 3, True):
        answer = wc.post("customers/bulk", {"customers": customers})
        assert (answer.status_code, errors(answer)) == (400, refused), customers
    with stored(server) as unit:
        assert profiles.by_email(unit, lone) is None
    # A PHP array json_encode wrote as an object (keys 0, 1, …) is still a list, as WooCommerce reads it.
    first, second = email("php0"), email("php1")
    keyed = wc.post("customers/bulk", {"customers": {"0": {"email": first}, "1": {"email": second}}})
    assert keyed.status_code == 201
    assert [c["email"] for c in keyed.json()["customers"]] == [first, second]
    empty = wc.post("customers/bulk", {"customers": []})
    assert (empty.status_code, empty.json()) == (200, {"customers": []})


@pytest.mark.parametrize("version", LEGACY)
def test_orders_and_downloads_of_a_customer_without_orders(server: Server, version: str) -> None:
    wc = legacy(server, version)
    customer_id = wc.post("customers", {"customer": {"email": email("none")}}).json()["customer"]["id"]
    orders = wc.get(f"customers/{customer_id}/orders")
    assert orders.status_code == 200 and orders.json() == {"orders": []}
    assert ("x-wc-total" in orders.headers) is (version == "v3")
    downloads = wc.get(f"customers/{customer_id}/downloads")
    assert downloads.status_code == 200 and downloads.json() == {"downloads": []}


def test_deviations_from_woocommerce(server: Server) -> None:
    """What Regulars does differently from WooCommerce on purpose (see the README)."""
    wc = legacy(server, "v3")
    first, second = email("first"), email("second")
    first_id = wc.post("customers", {"customer": {"email": first}}).json()["customer"]["id"]
    wc.post("customers", {"customer": {"email": second}})
    # WooCommerce answers 200 and silently keeps the old email; Regulars refuses, in the legacy envelope.
    moved = wc.put(f"customers/{first_id}", {"customer": {"email": second, "first_name": "Changed"}})
    assert moved.status_code == 400
    assert errors(moved) == [
        {
            "code": "registration-error-email-exists",
            "message": f"An account is already registered with {second}. "
            "Please log in or use a different email address.",
        }
    ]
    # WooCommerce leaves the new user behind when its billing email is refused; Regulars stores nothing.
    half = email("half")
    refused = wc.post("customers", {"customer": {"email": half, "billing_address": {"email": "bad"}}})
    assert refused.status_code == 400 and errors(refused)[0]["code"] == "customer_invalid_billing_email"
    # Meta cannot be written through the legacy API, private ("_") keys least of all.
    wc.put(
        f"customers/{first_id}",
        {"customer": {"customer_meta": {"_secret": "x"}, "meta_data": [{"key": "_k"}]}},
    )
    with stored(server) as unit:
        profile = profiles.get(unit, first_id)
        assert profile is not None and profile.account.email == first and profile.account.first_name == ""
        assert not [m for m in profile.account.meta if m.key.startswith("_")]
        assert profiles.by_email(unit, half) is None
    # Without credentials nothing tells an existing id from a missing one.
    anonymous = [httpx.get(f"{server.http_url}/wc-api/v3/customers/{i}") for i in (first_id, 987654)]
    assert [(r.status_code, r.json()) for r in anonymous] == [
        (
            404,
            {
                "errors": [
                    {
                        "code": "woocommerce_api_authentication_error",
                        "message": "oauth_consumer_key parameter is missing",
                    }
                ]
            },
        )
    ] * 2


def test_views_cache_the_figures_they_report(server: Server) -> None:
    """As WooCommerce: a legacy view stores the order count and money spent it showed in user meta."""
    wc = legacy(server, "v3")
    customer_id = wc.post("customers", {"customer": {"email": email("cache")}}).json()["customer"]["id"]
    rest = python_client(server, "wc/v3", "basic")
    meta = {m["key"]: m["value"] for m in rest.get(f"customers/{customer_id}").json()["meta_data"]}
    assert meta["wc_order_count_wp"] == "0" and meta["wc_money_spent_wp"] == "0"
    assert "wc_last_order_wp" not in meta  # no order, nothing to cache
