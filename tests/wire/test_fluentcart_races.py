"""FluentCart's writes racing each other over real HTTPS with two server workers, on SQLite and
PostgreSQL: one email gives one customer, an address book keeps exactly one primary per type, an account
is attached to one customer — and every loser hears a clear 4xx, never a 500."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.databases import BACKENDS
from tests.support.fluentcart import BASE, client, email, fluentcart_server, ok, staff
from tests.support.servers import Server

pytestmark = pytest.mark.wire

ADDRESS = {"first_name": "Race", "address_1": "1 Main St", "city": "Porto", "country": "PT"}


@pytest.fixture(scope="module", params=BACKENDS)
def busy(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with fluentcart_server(request.param, tmp_path_factory.mktemp("busy"), workers=2) as running:
        yield running


def _all_at_once(server: Server, count: int, call: Callable[[httpx.Client, int], httpx.Response]) -> Counter:
    """`count` requests at once, each on its own connection; (status, error code) of each answer."""

    def one(n: int) -> tuple[int, str]:
        with client(server) as api:
            response = call(api, n)
        body: Any = response.json()
        return response.status_code, (body.get("error") or {}).get("code", "")

    with ThreadPoolExecutor(max_workers=count) as pool:
        return Counter(pool.map(one, range(count)))


def _customer(api: httpx.Client) -> int:
    return ok(api.post(f"{BASE}/customers", json={"email": email(), "first_name": "R"}), 201)["customer"][
        "id"
    ]


def _primaries(api: httpx.Client, customer_id: int) -> list[int]:
    book = ok(api.get(f"{BASE}/customers/{customer_id}/address"))["addresses"]
    return [a["id"] for a in book if a["is_primary"]]


def test_one_email_makes_one_customer(busy: Server) -> None:
    address = email("race")
    outcomes = _all_at_once(
        busy, 20, lambda api, n: api.post(f"{BASE}/customers", json={"email": address, "first_name": f"R{n}"})
    )
    assert outcomes == Counter({(201, ""): 1, (409, "invalid_email"): 19})


def test_first_addresses_of_a_type_race_to_one_primary(busy: Server) -> None:
    with client(busy) as api:
        customer_id = _customer(api)
    url = f"{BASE}/customers/{customer_id}/address"
    outcomes = _all_at_once(busy, 16, lambda api, n: api.post(url, json={**ADDRESS, "is_primary": n % 2}))
    assert outcomes == Counter({(201, ""): 16})
    with client(busy) as api:
        assert len(_primaries(api, customer_id)) == 1


def test_make_primary_races_leave_one_primary(busy: Server) -> None:
    with client(busy) as api:
        customer_id = _customer(api)
        url = f"{BASE}/customers/{customer_id}/address"
        ids = [ok(api.post(url, json=ADDRESS), 201)["address"]["id"] for _ in range(12)]
    outcomes = _all_at_once(
        busy, 12, lambda api, n: api.post(f"{url}/make-primary", json={"address_id": ids[n]})
    )
    assert outcomes == Counter({(200, ""): 12})
    with client(busy) as api:
        assert len(_primaries(api, customer_id)) == 1


def test_an_account_is_attached_to_one_customer(busy: Server) -> None:
    account_id, _, _ = staff(busy, "customer")
    with client(busy) as api:
        customers = [_customer(api) for _ in range(12)]
    outcomes = _all_at_once(
        busy,
        12,
        lambda api, n: api.post(
            f"{BASE}/customers/{customers[n]}/attachable-user", json={"user_id": account_id}
        ),
    )
    assert outcomes == Counter({(200, ""): 1, (409, "invalid_user"): 11})
