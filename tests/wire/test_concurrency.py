"""Races over real HTTP with two server workers, on SQLite and PostgreSQL: one email gives one customer,
concurrent partial updates lose no field."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.clients import python_client
from tests.support.servers import Server, running_server

pytestmark = pytest.mark.wire


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def busy_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(request.param, Path(tmp_path_factory.mktemp("busy")), workers=2) as server:
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
