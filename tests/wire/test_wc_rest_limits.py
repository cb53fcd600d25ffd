"""Hourly per-credential rate limits on the WooCommerce REST dialect, when configured for it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.support.clients import python_client
from tests.support.databases import BACKENDS
from tests.support.servers import running_server

pytestmark = pytest.mark.wire

LIMITS = {
    "REGULARS_RATE_LIMITED_DIALECTS": "wc_rest",
    "REGULARS_RATE_LIMIT_LIST": "3",
    "REGULARS_RATE_LIMIT_CREATE": "2",
}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_limits_per_credential_and_kind(backend: str, tmp_path: Path) -> None:
    with running_server(backend, tmp_path, env=LIMITS) as server:
        admin = python_client(server, "wc/v3", "basic")
        reads = [admin.get("customers") for _ in range(3)]
        assert [r.status_code for r in reads] == [200, 200, 200]
        assert [r.headers["x-ratelimit-remaining"] for r in reads] == ["2", "1", "0"]
        assert reads[0].headers["x-ratelimit-limit"] == "3"
        refused = admin.get("customers")
        assert refused.status_code == 429
        assert refused.json()["code"] == "rest_too_many_requests" and refused.json()["data"] == {
            "status": 429
        }
        assert 0 < int(refused.headers["retry-after"]) <= 3600
        assert refused.headers["x-ratelimit-remaining"] == "0"
        # Creating is another kind with its own count; another key is another credential.
        made = [
            admin.post("customers", {"email": f"l{n}.{uuid.uuid4().hex[:6]}@example.com"}) for n in range(3)
        ]
        assert [m.status_code for m in made] == [201, 201, 429]
        other = python_client(server, "wc/v3", "basic", key="read")
        assert other.get("customers").status_code == 200


def _limits(response) -> tuple[str, str]:
    return response.headers["x-ratelimit-limit"], response.headers["x-ratelimit-remaining"]


def _too_many(response, kind: str) -> None:
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "rest_too_many_requests" and body["data"] == {"status": 429}
    assert body["message"].startswith(f"Too many {kind} requests.")
    assert 0 < int(response.headers["retry-after"]) <= 3600


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_batch_counts_each_item_against_its_own_kind(backend: str, tmp_path: Path) -> None:
    """100 creates in a batch are 100 creates: each item counts against its own kind, and a batch one of
    whose kinds would pass its limit is refused whole (429, the headers of that kind), counting nothing
    and writing nothing. Orders batches count the same way."""
    env = {
        "REGULARS_RATE_LIMITED_DIALECTS": "wc_rest",
        "REGULARS_RATE_LIMIT_CREATE": "3",
        "REGULARS_RATE_LIMIT_UPDATE": "4",
        "REGULARS_RATE_LIMIT_DELETE": "2",
    }
    with running_server(backend, tmp_path, env=env) as server:
        admin = python_client(server, "wc/v3", "basic")
        reader = python_client(server, "wc/v3", "basic", key="read")
        tag = uuid.uuid4().hex[:8]

        def new(n: int) -> dict[str, str]:
            return {"email": f"n{n}.{tag}@example.com"}

        def stored() -> list[dict]:
            return reader.get("customers", params={"search": tag, "per_page": 100, "orderby": "id"}).json()

        first = admin.post("customers/batch", {"create": [new(0), new(1)]})
        assert first.status_code == 200 and _limits(first) == ("3", "1")
        a, b = (item["id"] for item in first.json()["create"])
        mixed = admin.post(
            "customers/batch",
            {"create": [new(2)], "update": [{"id": a, "first_name": "Ann"}], "delete": [b]},
        )
        assert mixed.status_code == 200
        assert all("error" not in item for items in mixed.json().values() for item in items)
        # Creates 3 of 3 spent, updates 1 of 4, deletes 1 of 2: the headers tell of the kind nearest its
        # limit.
        assert _limits(mixed) == ("3", "0")

        before = stored()
        assert [c["email"] for c in before] == [new(0)["email"], new(2)["email"]]
        refused = admin.post(
            "customers/batch", {"update": [{"id": a, "first_name": "Bob"}], "create": [new(3)]}
        )
        _too_many(refused, "create")
        assert _limits(refused) == ("3", "0")
        assert stored() == before  # Ann is still Ann, and n3 was not made

        # The refused batch spent no update: three more fit in the four.
        updates = admin.post(
            "customers/batch", {"update": [{"id": a, "last_name": f"L{n}"} for n in range(3)]}
        )
        assert updates.status_code == 200 and _limits(updates) == ("4", "0")
        _too_many(admin.post("customers/batch", {"update": [{"id": a, "last_name": "M"}]}), "update")

        # One delete of two is left: a batch of two deletes is refused and deletes neither.
        c = python_client(server, "wc/v3", "basic", key="write").post("customers", new(4)).json()["id"]
        refused = admin.post("customers/batch", {"delete": [a, c]})
        _too_many(refused, "delete")
        assert _limits(refused) == ("2", "1")
        assert [reader.get(f"customers/{n}").status_code for n in (a, c)] == [200, 200]
        gone = admin.delete(f"customers/{c}", params={"force": True})
        assert gone.status_code == 200 and _limits(gone) == ("2", "0")

        orders = reader.get("orders").headers["x-wp-total"]
        _too_many(admin.post("orders/batch", {"create": [{"status": "pending"}]}), "create")
        assert reader.get("orders").headers["x-wp-total"] == orders


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_oversized_batch_is_refused_as_too_large_and_counts_nothing(backend: str, tmp_path: Path) -> None:
    env = {**LIMITS, "REGULARS_BATCH_LIMIT": "3"}
    with running_server(backend, tmp_path, env=env) as server:
        admin = python_client(server, "wc/v3", "basic")
        creates = [{"email": f"o{n}.{uuid.uuid4().hex[:6]}@example.com"} for n in range(4)]
        refused = admin.post("customers/batch", {"create": creates})
        assert refused.status_code == 413
        assert refused.json()["code"] == "woocommerce_rest_request_entity_too_large"
        made = admin.post("customers/batch", {"create": creates[:2]})
        assert made.status_code == 200 and _limits(made) == ("2", "0")
