"""FluentCart's address book over real HTTPS, on SQLite and PostgreSQL: the seed's requests and answers,
the plugin's aliases, and the rules — one primary per type, the primary and the last address stay,
make-primary is atomic, every route is scoped to the customer in the URL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.support.databases import BACKENDS
from tests.support.fluentcart import BASE, email, error, fluentcart_server, ok
from tests.support.servers import Server

pytestmark = pytest.mark.wire

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
SEED_ADDRESS = {
    "type": "shipping",
    "first_name": "John",
    "last_name": "Doe",
    "address_1": "789 New St",
    "city": "Queens",
    "state": "NY",
    "postcode": "11301",
    "country": "US",
}


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with fluentcart_server(request.param, tmp_path_factory.mktemp("fluentcart")) as running:
        yield running


def _customer(api: httpx.Client) -> int:
    return ok(api.post(f"{BASE}/customers", json={"email": email(), "first_name": "John"}), 201)["customer"][
        "id"
    ]


def _add(api: httpx.Client, customer_id: int, **fields) -> dict:
    body = {**SEED_ADDRESS, "type": "billing", **fields}
    return ok(api.post(f"{BASE}/customers/{customer_id}/address", json=body), 201)["address"]


def _book(api: httpx.Client, customer_id: int, **params) -> list[dict]:
    return ok(api.get(f"{BASE}/customers/{customer_id}/address", params=params))["addresses"]


def _primaries(api: httpx.Client, customer_id: int) -> dict[str, int]:
    return {a["type"]: a["id"] for a in _book(api, customer_id) if a["is_primary"]}


def test_create_and_list_answer_the_seed(api: httpx.Client) -> None:
    customer_id = _customer(api)
    assert ok(api.get(f"{BASE}/customers/{customer_id}/address")) == {"addresses": []}
    response = api.post(f"{BASE}/customers/{customer_id}/address", json=SEED_ADDRESS)
    created = ok(response, 201)["address"]
    assert {k: created[k] for k in SEED_ADDRESS} == SEED_ADDRESS
    assert isinstance(created["id"], int) and ISO_UTC.match(created["created_at"])
    assert created["is_primary"] is True and created["customer_id"] == customer_id  # the first of its type
    billing = _add(
        api, customer_id, first_name="Jane", address_1="123 Main St", city="New York", postcode="10001"
    )
    second = _add(api, customer_id, address_1="456 Oak Ave", city="Brooklyn", postcode="11201")
    assert billing["is_primary"] is True and second["is_primary"] is False
    book = _book(api, customer_id)
    assert [(a["id"], a["type"], a["is_primary"]) for a in book] == [
        (created["id"], "shipping", True),
        (billing["id"], "billing", True),
        (second["id"], "billing", False),
    ]
    assert [a["id"] for a in _book(api, customer_id, type="billing")] == [billing["id"], second["id"]]
    error(
        api.get(f"{BASE}/customers/{customer_id}/address", params={"type": "home"}), 422, "validation_error"
    )


def test_create_accepts_the_plugins_fields(api: httpx.Client) -> None:
    customer_id = _customer(api)
    _add(api, customer_id)
    body = {
        "type": "billing",
        "name": "Mary Ann Lee",
        "company_name": "ACME",
        "address_1": "1 Rua",
        "city": "Porto",
        "country": "pt",
        "email": "mary@example.com",
        "phone": "+351",
        "label": "Work",
        "is_primary": "1",
        "vat_number": "PT123",
    }
    created = ok(api.post(f"{BASE}/customers/{customer_id}/address", json=body), 201)["address"]
    assert (created["first_name"], created["last_name"], created["name"]) == (
        "Mary Ann",
        "Lee",
        "Mary Ann Lee",
    )
    assert (created["company_name"], created["country"], created["label"], created["vat_number"]) == (
        "ACME",
        "PT",
        "Work",
        "PT123",
    )
    assert created["is_primary"] is True  # asked for: it replaces the old primary
    assert _primaries(api, customer_id) == {"billing": created["id"]}


def test_create_refusals(api: httpx.Client) -> None:
    customer_id = _customer(api)
    url = f"{BASE}/customers/{customer_id}/address"
    missing = error(api.post(url, json={**SEED_ADDRESS, "address_1": ""}), 422, "validation_error")
    assert missing["errors"] == {"address_1": {"required": "Street Address field is required."}}
    for country in ("USA", "XX", "UK", "1A"):
        refused = error(api.post(url, json={**SEED_ADDRESS, "country": country}), 422, "validation_error")
        assert refused["errors"] == {"country": {"country": "Invalid country code."}}, country
    error(api.post(url, json={**SEED_ADDRESS, "type": "home"}), 422, "validation_error")
    error(api.post(url, json={**SEED_ADDRESS, "email": "nope"}), 422, "invalid_email")
    error(api.post(url, json={**SEED_ADDRESS, "is_primary": "maybe"}), 422, "validation_error")
    error(
        api.post(url, json={**SEED_ADDRESS, "first_name": None, "last_name": None}), 422, "validation_error"
    )
    assert _book(api, customer_id) == []


def test_update_answers_the_seed_and_is_scoped(api: httpx.Client) -> None:
    customer_id = _customer(api)
    address = _add(api, customer_id)
    sent = {"address_id": address["id"], "address_1": "123 Updated St", "city": "New York"}
    changed = ok(api.put(f"{BASE}/customers/{customer_id}/address", json=sent))["address"]
    assert (changed["id"], changed["address_1"], changed["city"]) == (
        address["id"],
        "123 Updated St",
        "New York",
    )
    assert (changed["first_name"], changed["postcode"], changed["is_primary"]) == ("John", "11301", True)
    assert ISO_UTC.match(changed["updated_at"])
    by_plugin_id = ok(
        api.put(f"{BASE}/customers/{customer_id}/address", json={"id": address["id"], "name": "J D"})
    )
    assert (by_plugin_id["address"]["first_name"], by_plugin_id["address"]["last_name"]) == ("J", "D")
    stranger = _customer(api)
    refused = error(
        api.put(f"{BASE}/customers/{stranger}/address", json={**sent, "city": "Elsewhere"}),
        404,
        "address_not_found",
    )
    assert refused["message"] == f"Address with ID {address['id']} not found"
    assert _book(api, customer_id)[0]["city"] == "New York"
    error(api.put(f"{BASE}/customers/{customer_id}/address", json={"city": "X"}), 422, "validation_error")
    moved = {**sent, "country": "ZZ", "city": "Nowhere"}
    refused = error(api.put(f"{BASE}/customers/{customer_id}/address", json=moved), 422, "validation_error")
    assert refused["message"] == "Invalid country code."
    assert (_book(api, customer_id)[0]["country"], _book(api, customer_id)[0]["city"]) == ("US", "New York")
    error(
        api.put(f"{BASE}/customers/{customer_id}/address", json={"address_id": 999999}),
        404,
        "address_not_found",
    )
    error(
        api.put(f"{BASE}/customers/{customer_id}/address", json={**sent, "type": "shipping"}),
        422,
        "validation_error",
    )  # a primary keeps its type
    error(
        api.put(f"{BASE}/customers/{customer_id}/address", json={**sent, "is_primary": False}),
        422,
        "validation_error",
    )


def test_a_spare_address_may_move_to_another_type_and_become_its_primary(api: httpx.Client) -> None:
    customer_id = _customer(api)
    primary = _add(api, customer_id)
    spare = _add(api, customer_id)
    moved = ok(
        api.put(
            f"{BASE}/customers/{customer_id}/address", json={"address_id": spare["id"], "type": "shipping"}
        )
    )
    assert moved["address"]["type"] == "shipping" and moved["address"]["is_primary"] is True
    assert _primaries(api, customer_id) == {"billing": primary["id"], "shipping": spare["id"]}


def test_delete_answers_the_seed_and_keeps_the_rules(api: httpx.Client) -> None:
    customer_id = _customer(api)
    primary = _add(api, customer_id)
    url = f"{BASE}/customers/{customer_id}/address"
    last = error(api.request("DELETE", url, json={"address_id": primary["id"]}), 422, "validation_error")
    assert last["message"] == "At least one address must remain. Address deletion failed!"
    spare = _add(api, customer_id)
    kept = error(api.request("DELETE", url, json={"address_id": primary["id"]}), 422, "validation_error")
    assert kept["message"] == "Primary address cannot be deleted!"
    stranger = _customer(api)
    error(
        api.request("DELETE", f"{BASE}/customers/{stranger}/address", json={"address_id": spare["id"]}),
        404,
        "address_not_found",
    )
    error(api.request("DELETE", url, json={}), 422, "validation_error")
    response = api.request("DELETE", url, json={"address_id": spare["id"]})
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Address deleted successfully"}
    assert [a["id"] for a in _book(api, customer_id)] == [primary["id"]]
    # the plugin's way: address[id] in the query string
    third = _add(api, customer_id)
    assert ok(api.delete(url, params={"address[id]": third["id"]})) is None
    error(api.delete(url, params={"address[id]": third["id"]}), 404, "address_not_found")


def test_make_primary_answers_the_seed_and_is_atomic(api: httpx.Client) -> None:
    customer_id = _customer(api)
    first = _add(api, customer_id)
    second = _add(api, customer_id)
    url = f"{BASE}/customers/{customer_id}/address/make-primary"
    promoted = ok(api.post(url, json={"address_id": second["id"]}))["address"]
    assert (promoted["id"], promoted["is_primary"]) == (second["id"], True) and ISO_UTC.match(
        promoted["updated_at"]
    )
    assert _primaries(api, customer_id) == {"billing": second["id"]}
    stranger = _customer(api)
    foreign = _add(api, stranger)
    for body in (
        {"address_id": 999999},
        {"address_id": foreign["id"]},
        {"addressId": first["id"], "type": "shipping"},
    ):
        error(api.post(url, json=body), 404, "address_not_found")
        assert _primaries(api, customer_id) == {"billing": second["id"]}  # a bad id changes nothing
    assert _primaries(api, stranger) == {"billing": foreign["id"]}
    back = ok(api.post(url, json={"addressId": str(first["id"]), "type": "billing"}))["address"]
    assert back["is_primary"] is True and _primaries(api, customer_id) == {"billing": first["id"]}
    assert ok(api.post(url, json={"address_id": first["id"]}))["address"]["is_primary"] is True  # again: fine
