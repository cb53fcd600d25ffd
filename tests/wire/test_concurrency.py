"""Races over real HTTP with two server workers, on SQLite and PostgreSQL: one email gives one customer,
concurrent partial updates lose no field, every dialect's list total stays exact through concurrent
creates and deletes, and a customer both workers hold is read anew after any change."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.clients import check_replays_refused, python_client
from tests.support.fluentcart import BASE, ROOMY_LIMITS, client, email, woocommerce
from tests.support.servers import Server, running_server

pytestmark = pytest.mark.wire


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def busy_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(
        request.param, Path(tmp_path_factory.mktemp("busy")), workers=2, env=ROOMY_LIMITS
    ) as server:
        yield server


def test_fifty_simultaneous_creates_of_one_email_make_one_customer(busy_server: Server) -> None:
    address = f"race.{uuid.uuid4().hex[:8]}@example.com"

    def create(n: int) -> tuple[int, str]:
        wc = python_client(busy_server, "wc/v3", "oauth")
        response = wc.post("customers", {"email": address, "first_name": f"Racer {n}"})
        return response.status_code, response.json().get("code", "")

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = Counter(pool.map(create, range(50)))
    assert outcomes[(201, "")] == 1, outcomes
    assert outcomes[(400, "registration-error-email-exists")] == 49, outcomes
    listed = python_client(busy_server).get("customers", params={"email": address}).json()
    assert len(listed) == 1


def test_simultaneous_partial_updates_lose_no_field(busy_server: Server) -> None:
    wc = python_client(busy_server, "wc/v3", "basic")
    customer_id = wc.post("customers", {"email": f"upd.{uuid.uuid4().hex[:8]}@example.com"}).json()["id"]
    changes = [
        {"billing": {field: f"b-{field}"}} for field in ("city", "phone", "postcode", "company", "state")
    ]
    changes += [{"shipping": {field: f"s-{field}"}} for field in ("city", "postcode", "country", "phone")]
    changes += [{"first_name": "First"}, {"last_name": "Last"}]

    def send(change: dict) -> int:
        return (
            python_client(busy_server, "wc/v3", "oauth").put(f"customers/{customer_id}", change).status_code
        )

    with ThreadPoolExecutor(max_workers=len(changes)) as pool:
        assert set(pool.map(send, changes)) == {200}
    final = wc.get(f"customers/{customer_id}").json()
    for change in changes:
        for name, value in change.items():
            if isinstance(value, dict):
                for field, text in value.items():
                    assert final[name][field] == text, (name, field, final[name])
            else:
                assert final[name] == value


def _totals(server: Server) -> dict[str, int]:
    """Each dialect's total of customers, from its list's header or body, and the items its pages hold."""
    with woocommerce(server) as wc, client(server) as fc:
        rest = wc.get("/wp-json/wc/v3/customers", params={"per_page": 100})
        legacy = wc.get("/wc-api/v3/customers", params={"filter[limit]": -1})
        counted = wc.get("/wc-api/v3/customers/count").json()["count"]
        records = fc.get(f"{BASE}/customers", params={"per_page": 100}).json()["data"]
    return {
        "X-WP-Total": int(rest.headers["x-wp-total"]),
        "wc/v3 items": len(rest.json()),
        "X-WC-Total": int(legacy.headers["x-wc-total"]),
        "legacy items": len(legacy.json()["customers"]),
        "legacy count": counted,
        "FluentCart total": records["pagination"]["total"],
        "FluentCart items": len(records["customers"]),
    }


def test_totals_stay_exact_through_concurrent_creates_and_deletes(busy_server: Server) -> None:
    with woocommerce(busy_server) as wc:
        doomed = [
            wc.post("/wp-json/wc/v3/customers", json={"email": email("doomed")}).json()["id"]
            for _ in range(12)
        ]
    with client(busy_server) as fc:
        records = [
            fc.post(f"{BASE}/customers", json={"email": email("rec"), "first_name": "R"}).json()["data"]
            for _ in range(6)
        ]
    before = _totals(busy_server)

    def wc_create(_n: int) -> int:
        with woocommerce(busy_server) as http:
            return http.post("/wp-json/wc/v3/customers", json={"email": email("new")}).status_code

    def legacy_create(_n: int) -> int:
        with woocommerce(busy_server) as http:
            return http.post("/wc-api/v3/customers", json={"customer": {"email": email("old")}}).status_code

    def fc_create(_n: int) -> int:
        with client(busy_server) as http:
            return http.post(f"{BASE}/customers", json={"email": email("fc"), "first_name": "F"}).status_code

    def wc_delete(account_id: int) -> int:
        with woocommerce(busy_server) as http:
            return http.delete(f"/wp-json/wc/v3/customers/{account_id}", params={"force": "true"}).status_code

    def legacy_delete(account_id: int) -> int:
        with woocommerce(busy_server) as http:
            return http.delete(f"/wc-api/v3/customers/{account_id}").status_code

    def fc_delete(record: dict) -> int:
        body = {"action": "delete", "customer_ids": [record["customer"]["id"]]}
        with client(busy_server) as http:
            return http.post(f"{BASE}/customers/do-bulk-action", json=body).status_code

    calls = [(wc_create, n) for n in range(10)] + [(legacy_create, n) for n in range(10)]
    calls += [(fc_create, n) for n in range(8)] + [(fc_delete, r) for r in records[:4]]
    calls += [(wc_delete, i) for i in doomed[:6]] + [(legacy_delete, i) for i in doomed[6:]]
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = Counter(pool.map(lambda call: call[0](call[1]), calls))
    assert statuses == {201: 28, 200: 16}, statuses
    accounts = before["X-WP-Total"] + 20 - 12
    assert _totals(busy_server) == {
        "X-WP-Total": accounts,
        "wc/v3 items": accounts,
        "X-WC-Total": accounts,
        "legacy items": accounts,
        "legacy count": accounts,
        "FluentCart total": before["FluentCart total"] + 28 - 16,
        "FluentCart items": before["FluentCart total"] + 28 - 16,
    }


def test_a_nonce_replayed_through_the_other_worker_is_refused(busy_server: Server) -> None:
    """Used nonces are kept where every worker looks (the database), not in one worker's memory."""
    check_replays_refused(busy_server)


def test_a_customer_both_workers_hold_is_read_anew_after_a_change_through_any_dialect(
    busy_server: Server,
) -> None:
    """Each worker holds the customers it has read, and each version's item for them (store/profiles.py):
    a change made through one dialect on one worker is what every later read shows, through every
    dialect and on either worker (each of the client's requests comes on a new connection)."""
    rest = python_client(busy_server, "wc/v3", "basic")
    legacy = python_client(busy_server, "v3", "basic", wp_api=False)
    created = rest.post(
        "customers", {"email": f"held.{uuid.uuid4().hex[:8]}@example.com", "first_name": "Ann"}
    )
    customer_id = created.json()["id"]

    def names() -> set[tuple[str, str]]:
        seen = set()
        for _ in range(12):
            item = rest.get(f"customers/{customer_id}").json()
            listed = rest.get("customers", params={"include": customer_id}).json()
            old = legacy.get(f"customers/{customer_id}").json()["customer"]
            seen |= {("rest", item["first_name"]), ("list", listed[0]["first_name"])}
            seen |= {("legacy", old["first_name"])}
        return seen

    assert names() == {("rest", "Ann"), ("list", "Ann"), ("legacy", "Ann")}
    changed = legacy.put(f"customers/{customer_id}", {"customer": {"first_name": "Bo"}})
    assert changed.json()["customer"]["first_name"] == "Bo"
    assert names() == {("rest", "Bo"), ("list", "Bo"), ("legacy", "Bo")}
    assert (
        rest.put(f"customers/{customer_id}", {"billing": {"city": "Faro"}}).json()["billing"]["city"]
        == "Faro"
    )
    for _ in range(12):
        assert rest.get(f"customers/{customer_id}").json()["billing"]["city"] == "Faro"
        address = legacy.get(f"customers/{customer_id}").json()["customer"]["billing_address"]
        assert address["city"] == "Faro"
