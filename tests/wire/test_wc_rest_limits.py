"""Hourly per-credential rate limits on the WooCommerce REST dialect, when configured for it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.support.clients import python_client
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


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_batch_counts_as_its_kind_and_a_refused_one_writes_nothing(backend: str, tmp_path: Path) -> None:
    """A batch is one request of its configured kind (update), whatever it holds: the update limit bounds
    how many batches a credential sends, and a batch refused for it creates none of its items."""
    env = {**LIMITS, "REGULARS_RATE_LIMIT_UPDATE": "2"}
    with running_server(backend, tmp_path, env=env) as server:
        admin = python_client(server, "wc/v3", "basic")
        tag = uuid.uuid4().hex[:6]

        def batch(n: int):
            creates = [{"email": f"b{n}.{i}.{tag}@example.com"} for i in range(100)]
            return admin.post("customers/batch", {"create": creates})

        sent = [batch(n) for n in range(3)]
        assert [r.status_code for r in sent] == [200, 200, 429]
        assert [r.headers["x-ratelimit-limit"] for r in sent] == ["2", "2", "2"]
        assert sent[2].json()["code"] == "rest_too_many_requests"
        assert all("error" not in item for r in sent[:2] for item in r.json()["create"])
        total = python_client(server, "wc/v3", "basic", key="read").get("customers", params={"search": tag})
        assert total.headers["x-wp-total"] == "200"
