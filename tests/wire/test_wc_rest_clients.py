"""wc/v1, v2 and v3 customers through the official clients, over OAuth (HTTP), Basic and query keys
(HTTPS), against a real server on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.support.clients import node_available, npm_calls, python_client
from tests.support.servers import Server
from tests.support.shop import SEED_ADDRESS, SEED_BILLING

pytestmark = pytest.mark.wire
VERSIONS = ("wc/v1", "wc/v2", "wc/v3")
TRANSPORTS = ("oauth", "basic", "query")


def email(tag: str = "c") -> str:
    return f"{tag}.{uuid.uuid4().hex[:10]}@example.com"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_crud_through_the_python_client(server: Server, version: str, transport: str) -> None:
    wc = python_client(server, version, transport)
    address = email("john")
    created = wc.post(
        "customers",
        {
            "email": address,
            "first_name": "John",
            "last_name": "Doe",
            "billing": SEED_BILLING,
            "shipping": SEED_ADDRESS,
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    customer_id = body["id"]
    assert created.headers["location"].endswith(f"/wp-json/{version}/customers/{customer_id}")
    assert body["email"] == address and body["username"] == address.split("@")[0]
    assert body["billing"]["city"] == "San Francisco" and body["shipping"]["phone"] == ""
    assert list(body["billing"]) == [
        "first_name",
        "last_name",
        "company",
        "address_1",
        "address_2",
        "city",
        "postcode",
        "country",
        "state",
        "email",
        "phone",
    ]
    if version == "wc/v1":
        assert body["last_order"] == {"id": None, "date": None} and body["total_spent"] == "0.00"
        assert "role" not in body and "meta_data" not in body
    else:
        assert body["role"] == "customer" and body["is_paying_customer"] is False
        assert ("orders_count" in body) is (version == "wc/v2")

    fetched = wc.get(f"customers/{customer_id}")
    assert fetched.status_code == 200 and fetched.json()["email"] == address

    updated = wc.put(
        f"customers/{customer_id}", {"first_name": "James", "billing": {"phone": "(11) 1111-1111"}}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["first_name"] == "James"
    assert updated.json()["billing"]["phone"] == "(11) 1111-1111"
    assert updated.json()["billing"]["city"] == "San Francisco", "a partial update keeps the other fields"

    listed = wc.get("customers", params={"email": address})
    assert listed.status_code == 200 and [c["id"] for c in listed.json()] == [customer_id]
    assert listed.headers["x-wp-total"] == "1" and listed.headers["x-wp-totalpages"] == "1"

    refused = wc.delete(f"customers/{customer_id}")
    assert refused.status_code == 501 and refused.json()["code"] == "woocommerce_rest_trash_not_supported"
    deleted = wc.delete(f"customers/{customer_id}", params={"force": "true"})
    assert deleted.status_code == 200 and deleted.json()["first_name"] == "James"
    gone = wc.get(f"customers/{customer_id}")
    assert gone.status_code == 404 and gone.json()["code"] == "wc_user_invalid_id"


@pytest.mark.parametrize("version", VERSIONS)
def test_list_parameters(server: Server, version: str) -> None:
    wc = python_client(server, version, "basic")
    tag = uuid.uuid4().hex[:6]
    ids = []
    for name in ("carol", "alice", "bob"):
        response = wc.post("customers", {"email": f"{name}.{tag}@example.com", "username": f"{name}-{tag}"})
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    carol, alice, bob = ids
    search = wc.get("customers", params={"search": tag, "orderby": "name"})
    assert [c["id"] for c in search.json()] == [alice, bob, carol]
    assert [
        c["id"]
        for c in wc.get("customers", params={"search": tag, "orderby": "name", "order": "desc"}).json()
    ] == [carol, bob, alice]
    assert [
        c["id"]
        for c in wc.get("customers", params={"include": f"{bob},{carol}", "orderby": "include"}).json()
    ] == [bob, carol]
    assert [
        c["id"]
        for c in wc.get("customers", params={"search": tag, "exclude": str(alice), "orderby": "id"}).json()
    ] == [carol, bob]
    assert [
        c["id"]
        for c in wc.get(
            "customers", params={"search": tag, "orderby": "registered_date", "order": "desc"}
        ).json()
    ] == [bob, alice, carol]
    paged = wc.get("customers", params={"search": tag, "orderby": "id", "per_page": 1, "page": 2})
    assert [c["id"] for c in paged.json()] == [alice]
    assert paged.headers["x-wp-total"] == "3" and paged.headers["x-wp-totalpages"] == "3"
    links = paged.headers["link"]
    assert 'rel="next"' in links and 'rel="prev"' in links and "page=3" in links and "page=1" in links
    assert "consumer_secret" not in links
    offset = wc.get("customers", params={"search": tag, "orderby": "id", "offset": 2})
    assert [c["id"] for c in offset.json()] == [bob]
    admins = wc.get("customers", params={"role": "administrator"})
    assert [c["username"] for c in admins.json()] == ["admin"]
    everyone = wc.get("customers", params={"role": "all", "per_page": 100})
    assert server.admin_id in [c["id"] for c in everyone.json()]
    bad = wc.get("customers", params={"per_page": 101, "orderby": "email"})
    assert bad.status_code == 400
    assert bad.json()["data"]["params"] == {
        "per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)",
        "orderby": "orderby is not one of id, include, name, and registered_date.",
    }


SCHEMA_SIZES = {"wc/v1": 14, "wc/v2": 18, "wc/v3": 16}


@pytest.mark.parametrize("version", VERSIONS)
def test_fields_context_options_and_indexes(server: Server, version: str) -> None:
    wc = python_client(server, version, "oauth")
    customer_id = wc.post("customers", {"email": email(), "billing": {"city": "Porto"}}).json()["id"]
    trimmed = wc.get(f"customers/{customer_id}", params={"_fields": "id,billing.city"}).json()
    assert trimmed["id"] == customer_id and trimmed["billing"] == {"city": "Porto"}
    assert set(trimmed) == {"id", "billing", "_links"}
    assert wc.get(f"customers/{customer_id}", params={"context": "edit"}).json()["id"] == customer_id
    assert wc.get(f"customers/{customer_id}", params={"context": "embed"}).status_code == 400
    options = wc.options("customers").json()
    assert options["namespace"] == version and len(options["schema"]["properties"]) == SCHEMA_SIZES[version]
    item_options = wc.options(f"customers/{customer_id}").json()
    assert set(item_options["endpoints"][0]["methods"]) == {"GET"}
    assert {m for e in item_options["endpoints"] for m in e["methods"]} >= {"GET", "POST", "PUT", "DELETE"}
    index = httpx.get(f"{server.http_url}/wp-json/{version}").json()
    assert index["namespace"] == version
    assert {f"/{version}/customers/(?P<id>[\\d]+)", f"/{version}/customers/batch"} <= set(index["routes"])
    root = httpx.get(f"{server.http_url}/wp-json/").json()
    assert version in root["namespaces"] and f"/{version}/customers" in root["routes"]
    assert "fluent-cart/v2" in root["namespaces"]
    downloads = wc.get(f"customers/{customer_id}/downloads")
    assert downloads.status_code == 200 and downloads.json() == []
    download_schema = wc.options(f"customers/{customer_id}/downloads").json()["schema"]["properties"]
    assert ("product_name" in download_schema) is (version != "wc/v1")


@pytest.mark.parametrize("version", VERSIONS)
def test_batch(server: Server, version: str) -> None:
    wc = python_client(server, version, "basic")
    keep = wc.post("customers", {"email": email("keep")}).json()["id"]
    drop = wc.post("customers", {"email": email("drop")}).json()["id"]
    taken = email("taken")
    wc.post("customers", {"email": taken})
    result = wc.post(
        "customers/batch",
        {
            "create": [{"email": email("new"), "first_name": "New"}, {"email": taken}],
            "update": [{"id": keep, "billing": {"phone": "123"}}, {"id": 987654, "first_name": "x"}],
            "delete": [drop, server.admin_id],
        },
    )
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["create"][0]["first_name"] == "New"
    assert body["create"][1] == {
        "id": 0,
        "error": {
            "code": "registration-error-email-exists",
            "message": f"An account is already registered with {taken}. "
            "Please log in or use a different email address.",
            "data": {"status": 400},
        },
    }
    assert body["update"][0]["billing"]["phone"] == "123"
    assert body["update"][1]["error"]["code"] == "wc_user_invalid_id"
    assert body["delete"][0]["id"] == drop
    assert body["delete"][1]["error"]["code"] == "woocommerce_rest_cannot_delete"
    assert wc.get(f"customers/{drop}").status_code == 404
    too_many = wc.post("customers/batch", {"delete": list(range(1, 102))})
    assert too_many.status_code == 413
    assert too_many.json()["code"] == "woocommerce_rest_request_entity_too_large"


def test_bad_input_changes_nothing(server: Server) -> None:
    wc = python_client(server, "wc/v3", "basic")
    customer = wc.post("customers", {"email": email(), "first_name": "Stay"}).json()
    url = f"{server.https_url}/wp-json/wc/v3/customers/{customer['id']}"
    key = server.keys["read_write"]
    auth = (key.consumer_key, key.consumer_secret)
    with httpx.Client(verify=server.tls, auth=auth) as http:
        malformed = http.put(url, content=b'{"first_name": ', headers={"content-type": "application/json"})
        assert malformed.status_code == 400 and malformed.json()["code"] == "rest_invalid_json"
        wrong_type = http.put(url, json={"first_name": ["x"], "billing": {"email": "nope"}})
        assert wrong_type.status_code == 400 and wrong_type.json()["data"]["params"] == {
            "first_name": "first_name is not of type string.",
            "billing": "Invalid email address.",
        }
        huge = http.put(url, json={"first_name": "x" * (1024 * 1024 + 10)})
        assert huge.status_code == 413
        mismatch = http.put(url, json={"id": customer["id"] + 1000, "first_name": "Other"})
        assert mismatch.status_code == 400 and mismatch.json()["code"] == "rest_invalid_param"
        readonly = http.put(
            url,
            json={
                "role": "administrator",
                "date_created": "2000-01-01T00:00:00",
                "is_paying_customer": True,
                "username": customer["username"],
            },
        )
        assert readonly.status_code == 200
        assert readonly.json()["role"] == "customer" and readonly.json()["is_paying_customer"] is False
        assert readonly.json()["date_created"] == customer["date_created"]
        rename = http.put(url, json={"username": "someone-else"})
        assert (
            rename.status_code == 400
            and rename.json()["code"] == "woocommerce_rest_customer_invalid_argument"
        )
        after = http.get(url).json()
    assert after["first_name"] == "Stay" and after["username"] == customer["username"]


def test_roles_cannot_be_granted_and_private_meta_stays_private(server: Server) -> None:
    wc = python_client(server, "wc/v3", "oauth")
    made = wc.post(
        "customers",
        {
            "email": email(),
            "role": "administrator",
            "meta_data": [{"key": "tier", "value": "gold"}, {"key": "_secret", "value": "x"}],
        },
    )
    assert made.status_code == 201 and made.json()["role"] == "customer"
    assert [m["key"] for m in made.json()["meta_data"]] == ["default_password_nag", "tier"]
    again = wc.put(
        f"customers/{made.json()['id']}", {"meta_data": [{"key": "_capabilities", "value": "admin"}]}
    )
    assert [m["key"] for m in again.json()["meta_data"]] == ["default_password_nag", "tier"]


def test_anonymous_callers_learn_nothing(server: Server) -> None:
    for path in ("customers/987654", f"customers/{server.admin_id}"):
        response = httpx.get(f"{server.http_url}/wp-json/wc/v3/{path}")
        assert response.status_code == 401 and response.json()["code"] == "woocommerce_rest_cannot_view"
    response = httpx.put(f"{server.http_url}/wp-json/wc/v3/customers/987654", json={"first_name": "x"})
    assert response.status_code == 401 and response.json()["code"] == "woocommerce_rest_cannot_edit"


def test_basic_auth_is_ignored_over_plain_http(server: Server) -> None:
    key = server.keys["read_write"]
    response = httpx.get(
        f"{server.http_url}/wp-json/wc/v3/customers", auth=(key.consumer_key, key.consumer_secret)
    )
    assert response.status_code == 401 and response.json()["code"] == "woocommerce_rest_cannot_view"


def test_key_permissions(server: Server) -> None:
    read = python_client(server, "wc/v3", "oauth", key="read")
    write = python_client(server, "wc/v3", "oauth", key="write")
    assert read.get("customers").status_code == 200
    refused = read.post("customers", {"email": email()})
    assert refused.status_code == 401
    assert refused.json()["message"] == "The API key provided does not have write permissions."
    assert write.get("customers").json()["message"] == "The API key provided does not have read permissions."
    assert write.post("customers", {"email": email()}).status_code == 201


FULL_BILLING = {**SEED_BILLING, "company": "Lima & Filhos", "address_2": "3º esq."}


@pytest.mark.parametrize("writer", VERSIONS)
def test_a_customer_is_one_record_through_every_version(server: Server, writer: str) -> None:
    """Written through one version, read back the same (modulo each version's shape) through all three."""
    clients = {v: python_client(server, v, "oauth") for v in VERSIONS}
    body = {
        "email": email(),
        "first_name": "Ana",
        "billing": FULL_BILLING,
        "shipping": {"city": "Lisbon", "country": "PT"},
        "meta_data": [{"key": "tier", "value": {"level": "gold", "since": 2020}}],
    }
    made = clients[writer].post("customers", body)
    assert made.status_code == 201, made.text
    customer_id = made.json()["id"]
    changed = clients[writer].put(
        f"customers/{customer_id}", {"last_name": "Lima", "billing": {"city": "Porto"}}
    )
    assert changed.status_code == 200, changed.text
    reads = {
        v: c.get(f"customers/{customer_id}", params={"context": "edit"}).json() for v, c in clients.items()
    }
    first = reads["wc/v3"]
    for version, read in reads.items():
        common = ("id", "email", "username", "first_name", "last_name", "date_created", "date_modified")
        assert {k: read[k] for k in common} == {k: first[k] for k in common}, version
        assert read["billing"] == {**FULL_BILLING, "city": "Porto"}, version
        assert read["shipping"]["city"] == "Lisbon" and read["shipping"]["country"] == "PT"
        assert read["avatar_url"] == first["avatar_url"]
    assert (reads["wc/v1"]["orders_count"], reads["wc/v2"]["orders_count"]) == (0, 0)
    assert reads["wc/v1"]["total_spent"] == reads["wc/v2"]["total_spent"] == "0.00"
    assert reads["wc/v2"]["role"] == first["role"] == "customer"
    tiers = [m["value"] for m in first["meta_data"] if m["key"] == "tier"]
    # v1 has no meta_data: what a v1 client sends there is not stored.
    assert tiers == ([] if writer == "wc/v1" else [{"level": "gold", "since": 2020}])
    assert [m for m in reads["wc/v2"]["meta_data"] if m["key"] == "tier"] == [
        m for m in first["meta_data"] if m["key"] == "tier"
    ]


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_items_cache_the_figures_they_report(server: Server, version: str) -> None:
    """As WooCommerce does for any item it renders, a batch through v1 or v2 caches the customer's order
    count and spend in user meta, which later reads show; v3 reports no figures and caches none."""
    wc = python_client(server, version, "basic")
    done = wc.post("customers/batch", {"create": [{"email": email("cache"), "first_name": "C"}]})
    assert done.status_code == 200, done.text
    customer_id = done.json()["create"][0]["id"]
    read = python_client(server, "wc/v3", "basic").get(f"customers/{customer_id}").json()
    cached = {m["key"]: m["value"] for m in read["meta_data"] if m["key"].startswith("wc_")}
    expected = {
        "wc/v1": {"wc_order_count_wp": "0", "wc_money_spent_wp": "0"},
        "wc/v2": {"wc_order_count_wp": "0", "wc_money_spent_wp": "0"},
        "wc/v3": {},
    }
    assert cached == expected[version]


@pytest.mark.skipif(not node_available(), reason="the npm client is installed by scripts/setup test")
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_npm_client(server: Server, transport: str, version: str) -> None:
    address = email("npm")
    first = npm_calls(
        server,
        [
            {"method": "post", "endpoint": "customers", "data": {"email": address, "first_name": "Node"}},
            {"method": "get", "endpoint": "customers", "params": {"email": address, "per_page": 5}},
        ],
        transport=transport,
        version=version,
    )
    assert first[0]["status"] == 201, first[0]
    customer_id = first[0]["data"]["id"]
    assert [c["id"] for c in first[1]["data"]] == [customer_id]
    assert first[1]["headers"]["x-wp-total"] == "1"
    rest = npm_calls(
        server,
        [
            {"method": "get", "endpoint": f"customers/{customer_id}"},
            {"method": "put", "endpoint": f"customers/{customer_id}", "data": {"billing": {"city": "Oslo"}}},
            {
                "method": "post",
                "endpoint": "customers/batch",
                "data": {"update": [{"id": customer_id, "last_name": "B"}]},
            },
            {"method": "get", "endpoint": f"customers/{customer_id}/downloads"},
            {"method": "options", "endpoint": "customers"},
            {"method": "delete", "endpoint": f"customers/{customer_id}", "params": {"force": True}},
            {"method": "get", "endpoint": f"customers/{customer_id}"},
        ],
        transport=transport,
        version=version,
    )
    assert [r["status"] for r in rest] == [200, 200, 200, 200, 200, 200, 404]
    assert rest[1]["data"]["billing"]["city"] == "Oslo"
    assert rest[2]["data"]["update"][0]["last_name"] == "B"
    assert rest[3]["data"] == [] and rest[4]["data"]["namespace"] == version
    assert rest[5]["data"]["id"] == customer_id
