"""FluentCart's bulk actions over real HTTPS, on SQLite and PostgreSQL: the seed's `update_status`,
`delete` and `export` with `{processed, failed, results}`, the plugin's `change_customer_status` and
`delete_customers`, item-by-item outcomes, and exports a person can open."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pytest

from tests.support.databases import BACKENDS
from tests.support.fluentcart import BASE, client, email, error, fluentcart_server, ok, staff
from tests.support.servers import Server

pytestmark = pytest.mark.wire

BULK = f"{BASE}/customers/do-bulk-action"


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"REGULARS_BATCH_LIMIT": "5"}
    with fluentcart_server(request.param, tmp_path_factory.mktemp("fluentcart"), env=env) as running:
        yield running


def _customers(api: httpx.Client, count: int, **fields) -> list[dict]:
    made = []
    for n in range(count):
        body = {"email": email(), "first_name": f"Bulk{n}", "last_name": "Person", **fields}
        made.append(ok(api.post(f"{BASE}/customers", json=body), 201)["customer"])
    return made


def _status(api: httpx.Client, customer_id: int) -> str:
    return ok(api.get(f"{BASE}/customers/{customer_id}"))["customer"]["status"]


def test_update_status_answers_the_seed(api: httpx.Client) -> None:
    made = _customers(api, 3)
    ids = [c["id"] for c in made]
    body = {"action": "update_status", "customer_ids": ids, "data": {"status": "inactive"}}
    data = ok(api.post(BULK, json=body))
    assert data == {
        "processed": 3,
        "failed": 0,
        "results": [{"customer_id": i, "success": True} for i in ids],
    }
    assert [_status(api, i) for i in ids] == ["inactive"] * 3


def test_each_customer_succeeds_or_fails_on_its_own(api: httpx.Client) -> None:
    (one,) = _customers(api, 1)
    body = {
        "action": "update_status",
        "customer_ids": [one["id"], 999999, one["id"]],
        "data": {"status": "archived"},
    }
    data = ok(api.post(BULK, json=body))
    assert data["processed"] == 1 and data["failed"] == 1
    assert data["results"] == [
        {"customer_id": one["id"], "success": True},
        {
            "customer_id": 999999,
            "success": False,
            "error": {"code": "customer_not_found", "message": "Customer with ID 999999 not found"},
        },
    ]
    assert _status(api, one["id"]) == "archived"


def test_the_plugins_status_action_and_id_strings(api: httpx.Client) -> None:
    made = _customers(api, 2)
    body = {
        "action": "change_customer_status",
        "customer_ids": [str(c["id"]) for c in made],
        "new_status": "inactive",
    }
    assert ok(api.post(BULK, json=body))["processed"] == 2
    assert {_status(api, c["id"]) for c in made} == {"inactive"}
    form = {
        "action": "change_customer_status",
        "customer_ids[]": [str(c["id"]) for c in made],
        "new_status": "active",
    }
    assert ok(api.post(BULK, data=form))["processed"] == 2
    assert {_status(api, c["id"]) for c in made} == {"active"}


def test_bulk_refusals(api: httpx.Client) -> None:
    (one,) = _customers(api, 1)
    cases = [
        ({"customer_ids": [one["id"]]}, "action"),
        ({"action": "explode", "customer_ids": [one["id"]]}, "action"),
        ({"action": "update_status", "customer_ids": []}, "customer_ids"),
        ({"action": "update_status", "customer_ids": ["x"]}, "customer_ids"),
        ({"action": "update_status", "customer_ids": [one["id"]]}, "status"),
        ({"action": "update_status", "customer_ids": [one["id"]], "data": {"status": "gone"}}, "status"),
        (
            {"action": "update_status", "customer_ids": list(range(1, 7)), "data": {"status": "active"}},
            "customer_ids",
        ),
        ({"action": "export", "customer_ids": [one["id"]], "data": {"format": "xls"}}, "format"),
    ]
    for body, field in cases:
        refused = error(api.post(BULK, json=body), 422, "validation_error")
        assert list(refused["errors"]) == [field], body
    assert _status(api, one["id"]) == "active"


def test_delete_removes_records_and_reports_each(api: httpx.Client) -> None:
    made = _customers(api, 2)
    url = f"{BASE}/customers/{made[0]['id']}/address"
    address = {"address_1": "1 Main St", "city": "Porto", "country": "PT", "first_name": "A"}
    ok(api.post(url, json=address), 201)
    data = ok(api.post(BULK, json={"action": "delete", "customer_ids": [made[0]["id"], 999999]}))
    assert (data["processed"], data["failed"]) == (1, 1)
    error(api.get(f"{BASE}/customers/{made[0]['id']}"), 404, "customer_not_found")
    data = ok(api.post(BULK, json={"action": "delete_customers", "customer_ids": [made[1]["id"]]}))
    assert data == {"processed": 1, "failed": 0, "results": [{"customer_id": made[1]["id"], "success": True}]}
    error(api.get(f"{BASE}/customers/{made[1]['id']}"), 404, "customer_not_found")


def test_export_gives_a_csv_a_person_can_open(api: httpx.Client) -> None:
    made = _customers(api, 2, phone="=HYPERLINK(1)")
    ok(api.put(f"{BASE}/customers/{made[1]['id']}", json={"city": "Braga", "country": "PT"}))
    ok(
        api.post(
            f"{BASE}/customers/{made[0]['id']}/address",
            json={
                "first_name": "A",
                "address_1": "1 Main St",
                "city": "Porto",
                "country": "PT",
                "company": "ACME",
            },
        ),
        201,
    )
    ids = [made[0]["id"], 999999, made[1]["id"]]
    data = ok(api.post(BULK, json={"action": "export", "customer_ids": ids}))
    assert (data["processed"], data["failed"]) == (2, 1)
    export = data["export"]
    assert export["format"] == "csv" and export["mime_type"] == "text/csv"
    assert export["filename"].startswith("customers-") and export["filename"].endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(export["content"])))
    assert [int(r["id"]) for r in rows] == [made[0]["id"], made[1]["id"]]
    first = rows[0]
    assert (first["email"], first["first_name"], first["city"], first["company"]) == (
        made[0]["email"],
        "Bulk0",
        "Porto",
        "ACME",
    )
    assert first["phone"] == "'=HYPERLINK(1)"  # never run as a formula
    # without a billing address, the place set on the customer itself
    assert (rows[1]["city"], rows[1]["country"], rows[1]["address_1"]) == ("Braga", "PT", "")
    assert first["total_spent"] == "0" and first["created_at"] == made[0]["created_at"]
    as_json = ok(api.post(BULK, json={"action": "export", "customer_ids": ids, "data": {"format": "json"}}))
    assert [c["id"] for c in as_json["export"]["content"]] == [made[0]["id"], made[1]["id"]]
    download = api.post(BULK, json={"action": "export", "customer_ids": ids}, headers={"Accept": "text/csv"})
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"].startswith('attachment; filename="customers-')
    assert download.text == export["content"]


def test_a_shop_manager_updates_and_exports_but_does_not_delete(server: Server) -> None:
    _, username, password = staff(server, "shop_manager")
    with client(server) as admin, client(server, username, password) as manager:
        (one,) = _customers(admin, 1)
        changed = manager.post(
            BULK, json={"action": "update_status", "customer_ids": [one["id"]], "new_status": "inactive"}
        )
        assert ok(changed)["processed"] == 1
        assert (
            ok(manager.post(BULK, json={"action": "export", "customer_ids": [one["id"]]}))["processed"] == 1
        )
        for action in ("delete", "delete_customers"):
            error(
                manager.post(BULK, json={"action": action, "customer_ids": [one["id"]]}),
                403,
                "insufficient_permissions",
            )
        assert _status(admin, one["id"]) == "inactive"
