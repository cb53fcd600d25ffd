"""Rate limits held across workers and servers through Redis for WooCommerce's dialects too: two servers
(HTTP and HTTPS) of two workers each share one count per credential, dialect and kind, with 429,
Retry-After and X-RateLimit-* in each dialect's own words."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis

from regulars.services import credentials
from regulars.store.unit import Store
from tests.support.clients import check_replays_refused, python_client
from tests.support.databases import BACKENDS
from tests.support.servers import Key, Server, running_server

pytestmark = pytest.mark.wire

LIST_LIMIT = 4
# One Redis database per backend (FluentCart's limit tests use 13 and 14): both servers' keys have the
# same ids, so they must not share counts.
REDIS_URLS = {"sqlite": "redis://127.0.0.1:6379/11", "postgresql": "redis://127.0.0.1:6379/12"}


@pytest.fixture(scope="module", params=BACKENDS)
def shared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = REDIS_URLS[request.param]
    connection = redis.Redis.from_url(url)
    try:
        connection.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at {url} is not reachable: {exc}")

    def flush() -> None:
        for key in connection.scan_iter("LIMITS*"):
            connection.delete(key)

    flush()
    env = {
        "REGULARS_REDIS_URL": url,
        "REGULARS_RATE_LIMITED_DIALECTS": "wc_rest,wc_legacy",
        "REGULARS_RATE_LIMIT_LIST": str(LIST_LIMIT),
        "REGULARS_RATE_LIMIT_CREATE": "2",
    }
    with running_server(
        request.param, Path(tmp_path_factory.mktemp("redis-limits")), workers=2, env=env
    ) as server:
        server.extra["redis"] = connection
        yield server
    flush()
    connection.close()


def _https(server: Server, key_name: str = "read_write") -> httpx.Client:
    """A new connection each time, so both workers of the HTTPS server answer some calls."""
    key = server.keys[key_name]
    return server.client(https=True, auth=(key.consumer_key, key.consumer_secret), timeout=30)


def _limited(response: httpx.Response, limit: int) -> None:
    assert response.headers["X-RateLimit-Limit"] == str(limit)
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    assert int(response.headers["X-RateLimit-Reset"]) > 0


def test_wc_rest_limits_hold_across_workers_and_servers(shared: Server) -> None:
    statuses, remaining = [], []
    for n in range(10):
        if n % 2:  # OAuth over the plain-HTTP server, Basic over the HTTPS one: four processes, one count
            answer = python_client(shared, "wc/v3", "oauth").get("customers")
        else:
            with _https(shared) as api:
                answer = api.get("/wp-json/wc/v3/customers")
        statuses.append(answer.status_code)
        remaining.append(answer.headers.get("X-RateLimit-Remaining"))
    assert statuses == [200] * LIST_LIMIT + [429] * (10 - LIST_LIMIT)
    assert remaining[:LIST_LIMIT] == ["3", "2", "1", "0"]
    refused = answer.json()
    assert refused["code"] == "rest_too_many_requests" and refused["data"] == {"status": 429}
    _limited(answer, LIST_LIMIT)
    # Another kind keeps its own count: creating is still allowed (twice).
    made = [
        python_client(shared, "wc/v3", "basic").post(
            "customers", {"email": f"r{n}.{uuid.uuid4().hex[:6]}@example.com"}
        )
        for n in range(3)
    ]
    assert [m.status_code for m in made] == [201, 201, 429]
    assert any(b"wc_rest" in key for key in shared.extra["redis"].scan_iter("LIMITS*"))


def test_wc_legacy_limits_hold_across_workers_and_servers(shared: Server) -> None:
    key = shared.keys["read"]  # its own credential: the REST test's count is another's
    statuses = []
    for n in range(8):
        if n % 2:
            answer = python_client(shared, "v3", "oauth", key="read", wp_api=False).get("customers")
        else:
            with shared.client(https=True, timeout=30) as api:
                answer = api.get(
                    "/wc-api/v3/customers",
                    params={"consumer_key": key.consumer_key, "consumer_secret": key.consumer_secret},
                )
        statuses.append(answer.status_code)
    assert statuses == [200] * LIST_LIMIT + [429] * (8 - LIST_LIMIT)
    assert answer.json() == {
        "errors": [
            {
                "code": "woocommerce_api_too_many_requests",
                "message": answer.json()["errors"][0]["message"],
            }
        ]
    }
    assert answer.json()["errors"][0]["message"].startswith("Too many list requests.")
    _limited(answer, LIST_LIMIT)
    # The same key on the REST dialect is counted apart.
    with shared.client(https=True, auth=(key.consumer_key, key.consumer_secret), timeout=30) as api:
        assert api.get("/wp-json/wc/v3/customers").status_code == 200
    assert any(b"wc_legacy" in k for k in shared.extra["redis"].scan_iter("LIMITS*"))


def test_a_nonce_replayed_through_the_other_worker_is_refused(shared: Server) -> None:
    """Used nonces are kept where every worker looks (Redis), not in one worker's memory."""
    check_replays_refused(shared)
    assert any(shared.extra["redis"].scan_iter("regulars:nonce:*"))


def _fresh_key(server: Server, name: str) -> str:
    """A new read_write key of the administrator, known to the test clients as `name`: a credential whose
    counts no other test has touched."""
    store = Store(server.database_url)
    try:
        with store.write() as unit:
            admin = unit.accounts.get(server.admin_id)
            assert admin is not None
            issued = credentials.issue_key(unit, admin, "read_write")
    finally:
        store.dispose()
    server.keys[name] = Key(issued.consumer_key, issued.consumer_secret)
    return name


def _stored(server: Server, emails: list[str]) -> list[str]:
    store = Store(server.database_url)
    try:
        with store.read() as unit:
            return [e for e in emails if unit.accounts.by_email(e) is not None]
    finally:
        store.dispose()


@pytest.mark.parametrize(
    ("dialect", "path", "body"),
    [
        ("wc/v3", "customers/batch", lambda items: {"create": items}),
        ("v3", "customers/bulk", lambda items: {"customers": items}),
    ],
)
def test_batch_items_count_against_their_kind_across_workers(
    shared: Server, dialect: str, path: str, body: Callable[[list], dict]
) -> None:
    """A batch's creates are counted one by one in the shared count: three creates against a limit of two
    are refused whole on one server (nothing stored), two pass on the other, and then even one more is
    refused on the first; updates keep their own count."""
    legacy = not dialect.startswith("wc/")
    key = _fresh_key(shared, f"batches {dialect}")
    emails = [f"rb{n}.{uuid.uuid4().hex[:8]}@example.com" for n in range(4)]
    items = [{"email": e} for e in emails]
    prefix = f"/wc-api/{dialect}" if legacy else f"/wp-json/{dialect}"
    with _https(shared, key) as api:
        refused = api.post(f"{prefix}/{path}", json=body(items[:3]))

    def message(answer: httpx.Response) -> str:
        return answer.json()["errors"][0]["message"] if legacy else answer.json()["message"]

    assert refused.status_code == 429 and message(refused).startswith("Too many create requests.")
    assert refused.headers["X-RateLimit-Remaining"] == "2" and int(refused.headers["Retry-After"]) > 0
    assert _stored(shared, emails) == []
    made = python_client(shared, dialect, "oauth", key=key, wp_api=not legacy).post(path, body(items[:2]))
    assert made.status_code in (200, 201) and made.headers["X-RateLimit-Remaining"] == "0"
    assert _stored(shared, emails) == emails[:2]
    with _https(shared, key) as api:
        one = api.post(f"{prefix}/{path}", json=body(items[3:]))
        _limited(one, 2)
        assert message(one).startswith("Too many create requests.")
        assert _stored(shared, emails) == emails[:2]
        ids = [item["id"] for item in made.json()["customers" if legacy else "create"]]
        edits = [{"id": n, "first_name": "Ann"} for n in ids]
        updated = api.post(f"{prefix}/{path}", json={"customers": edits} if legacy else {"update": edits})
        assert updated.status_code == 200 and updated.headers["X-RateLimit-Remaining"] == "198"
