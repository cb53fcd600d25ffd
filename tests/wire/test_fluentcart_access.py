"""Who may call FluentCart's routes, and how often, over real HTTPS on SQLite and PostgreSQL: application
passwords only, FluentCart's permission model by role, and the seed's per-credential rate limits by kind
of operation — in one worker's memory, and through Redis across workers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
import redis

from tests.support.databases import BACKENDS
from tests.support.fluentcart import BASE, app_password, client, email, error, fluentcart_server, ok, staff
from tests.support.servers import Server

pytestmark = pytest.mark.wire

TINY_LIMITS = {
    "REGULARS_RATE_LIMIT_LIST": "3",
    "REGULARS_RATE_LIMIT_CREATE": "2",
    "REGULARS_RATE_LIMIT_UPDATE": "2",
    "REGULARS_RATE_LIMIT_DELETE": "1",
}
# One Redis database per backend: the two servers' accounts have the same ids, so they must not share keys.
REDIS_URLS = {"sqlite": "redis://127.0.0.1:6379/13", "postgresql": "redis://127.0.0.1:6379/14"}


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with fluentcart_server(request.param, tmp_path_factory.mktemp("fluentcart")) as running:
        yield running


@pytest.fixture(scope="module", params=BACKENDS)
def limited(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with fluentcart_server(request.param, tmp_path_factory.mktemp("limited"), env=TINY_LIMITS) as running:
        yield running


def _customer(api: httpx.Client) -> dict:
    return ok(api.post(f"{BASE}/customers", json={"email": email(), "first_name": "Ann"}), 201)["customer"]


def _address(api: httpx.Client, customer_id: int) -> dict:
    body = {"first_name": "A", "address_1": "1 Main St", "city": "Porto", "country": "PT"}
    return ok(api.post(f"{BASE}/customers/{customer_id}/address", json=body), 201)["address"]


# --- authentication ---------------------------------------------------------------------------------------
def test_only_application_passwords_over_https_get_in(server: Server) -> None:
    url = f"{BASE}/customers"
    with server.client(https=True) as anonymous:
        refused = error(anonymous.get(url), 401, "insufficient_permissions")
        assert "HTTPS" not in refused["message"]
        error(anonymous.get(url, auth=("admin", "wrong password here")), 401, "incorrect_password")
        error(anonymous.get(url, auth=("nobody", server.admin_password)), 401, "invalid_username")
        key = server.keys["read_write"]  # WooCommerce keys open wc/ routes only
        error(anonymous.get(url, auth=(key.consumer_key, key.consumer_secret)), 401, "invalid_username")
    with server.client(https=False) as plain:
        refused = error(
            plain.get(url, auth=("admin", server.admin_password)), 401, "insufficient_permissions"
        )
        assert "HTTPS" in refused["message"]


# --- permissions ------------------------------------------------------------------------------------------
def test_an_administrator_may_do_everything(server: Server) -> None:
    with client(server) as admin:
        customer = _customer(admin)
        _address(admin, customer["id"])
        spare = _address(admin, customer["id"])
        deleted = admin.request(
            "DELETE", f"{BASE}/customers/{customer['id']}/address", json={"address_id": spare["id"]}
        )
        assert ok(deleted) is None
        ok(admin.get(f"{BASE}/customers/attachable-user"))


def test_a_shop_manager_views_and_manages_but_does_not_delete(server: Server) -> None:
    _, username, password = staff(server, "shop_manager")
    with client(server, username, password) as manager:
        customer = _customer(manager)
        ok(manager.get(f"{BASE}/customers"))
        ok(manager.get(f"{BASE}/customers/{customer['id']}"))
        ok(manager.put(f"{BASE}/customers/{customer['id']}", json={"phone": "+1"}))
        ok(manager.get(f"{BASE}/customers/attachable-user"))
        _address(manager, customer["id"])
        spare = _address(manager, customer["id"])
        refused = manager.request(
            "DELETE", f"{BASE}/customers/{customer['id']}/address", json={"address_id": spare["id"]}
        )
        error(refused, 403, "insufficient_permissions")
        assert len(ok(manager.get(f"{BASE}/customers/{customer['id']}/address"))["addresses"]) == 2


def test_a_shop_manager_cannot_rewrite_an_administrators_account(server: Server) -> None:
    _, username, password = staff(server, "shop_manager")
    with client(server) as admin, client(server, username, password) as manager:
        customer = _customer(admin)
        admin_id = server.admin_id
        ok(admin.post(f"{BASE}/customers/{customer['id']}/attachable-user", json={"user_id": admin_id}))
        url = f"{BASE}/customers/{customer['id']}"
        error(manager.put(url, json={"email": email("evil")}), 403, "insufficient_permissions")
        assert ok(manager.put(url, json={"phone": "+9"}))["customer"]["phone"] == "+9"
        assert ok(admin.put(url, json={"last_name": "Boss"}))["customer"]["last_name"] == "Boss"
        ok(admin.post(f"{url}/detach-user"))


@pytest.mark.parametrize("role", ["customer", "subscriber", "editor"])
def test_other_roles_are_refused(server: Server, role: str) -> None:
    _, username, password = staff(server, role)
    with client(server, username, password) as outsider:
        for method, path in [
            ("GET", "/customers"),
            ("POST", "/customers"),
            ("GET", "/customers/1"),
            ("POST", "/customers/do-bulk-action"),
        ]:
            refused = error(
                outsider.request(method, f"{BASE}{path}", json={}), 403, "insufficient_permissions"
            )
            assert refused["message"] == "Sorry, you are not allowed to do that."


# --- rate limits ------------------------------------------------------------------------------------------
def _limited_admin(server: Server) -> httpx.Client:
    """A fresh administrator credential, so each test starts with full allowances."""
    _, username, password = staff(server, "administrator")
    return client(server, username, password)


def _refused_for_rate(response: httpx.Response, limit: int) -> None:
    refused = error(response, 429, "rate_limit_exceeded")
    assert refused["message"].startswith("Too many")
    retry = int(response.headers["Retry-After"])
    assert 0 < retry <= 3600
    assert response.headers["X-RateLimit-Limit"] == str(limit)
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert int(response.headers["X-RateLimit-Reset"]) > time.time()


def test_each_kind_has_its_own_hourly_allowance(limited: Server) -> None:
    with _limited_admin(limited) as api:
        # reads of any route share the "list" allowance (3 here)
        customer = _customer(api)
        first = api.get(f"{BASE}/customers")
        assert (
            ok(first)
            and first.headers["X-RateLimit-Limit"] == "3"
            and first.headers["X-RateLimit-Remaining"] == "2"
        )
        assert api.get(f"{BASE}/customers/{customer['id']}").headers["X-RateLimit-Remaining"] == "1"
        assert api.get(f"{BASE}/customers/get-stats/{customer['id']}").headers["X-RateLimit-Remaining"] == "0"
        _refused_for_rate(api.get(f"{BASE}/customers"), 3)
        # creates (2): one customer above, one address now, then refused
        _address(api, customer["id"])
        _refused_for_rate(api.post(f"{BASE}/customers", json={"email": email(), "first_name": "B"}), 2)
        # updates (2)
        url = f"{BASE}/customers/{customer['id']}"
        assert ok(api.put(url, json={"phone": "+1"}))
        assert ok(
            api.post(
                f"{BASE}/customers/do-bulk-action",
                json={"action": "update_status", "customer_ids": [customer["id"]], "new_status": "inactive"},
            )
        )
        _refused_for_rate(api.put(url, json={"phone": "+2"}), 2)
        # deletes (1)
        gone = api.post(
            f"{BASE}/customers/do-bulk-action", json={"action": "delete", "customer_ids": [customer["id"]]}
        )
        assert ok(gone)["processed"] == 1 and gone.headers["X-RateLimit-Limit"] == "1"
        _refused_for_rate(api.request("DELETE", f"{url}/address", json={"address_id": 1}), 1)


def test_a_bulk_action_counts_each_customer_against_its_kind(limited: Server) -> None:
    """A bulk update or delete is one of its kind per selected customer; a selection larger than what is
    left of its kind is refused whole, spending and changing nothing."""
    with _limited_admin(limited) as maker:
        ids = [_customer(maker)["id"] for _ in range(2)]
    with _limited_admin(limited) as api:
        bulk = f"{BASE}/customers/do-bulk-action"
        both = api.post(bulk, json={"action": "delete", "customer_ids": ids})
        refused = error(both, 429, "rate_limit_exceeded")
        assert refused["message"].startswith("Too many delete requests.")
        assert (both.headers["X-RateLimit-Limit"], both.headers["X-RateLimit-Remaining"]) == ("1", "1")
        assert 0 < int(both.headers["Retry-After"]) <= 3600
        status = {"action": "update_status", "customer_ids": ids, "new_status": "inactive"}
        changed = api.post(bulk, json=status)
        assert ok(changed)["processed"] == 2 and changed.headers["X-RateLimit-Remaining"] == "0"
        assert [ok(api.get(f"{BASE}/customers/{n}"))["customer"]["status"] for n in ids] == ["inactive"] * 2
        _refused_for_rate(api.post(bulk, json={**status, "customer_ids": ids[:1]}), 2)
        gone = api.post(bulk, json={"action": "delete", "customer_ids": ids[:1]})
        assert ok(gone)["processed"] == 1 and gone.headers["X-RateLimit-Remaining"] == "0"


def test_limits_are_per_credential(limited: Server) -> None:
    with _limited_admin(limited) as first, _limited_admin(limited) as second:
        for _ in range(3):
            ok(first.get(f"{BASE}/customers"))
        _refused_for_rate(first.get(f"{BASE}/customers"), 3)
        answered = second.get(f"{BASE}/customers")
        assert ok(answered) and answered.headers["X-RateLimit-Remaining"] == "2"


def test_two_application_passwords_of_one_account_have_their_own_allowances(limited: Server) -> None:
    account_id, username, password = staff(limited, "administrator")
    with client(limited, username, password) as first:
        for _ in range(3):
            ok(first.get(f"{BASE}/customers"))
        _refused_for_rate(first.get(f"{BASE}/customers"), 3)
        with client(limited, username, app_password(limited, account_id)) as second:
            answered = second.get(f"{BASE}/customers")
            assert ok(answered) and answered.headers["X-RateLimit-Remaining"] == "2"
        _refused_for_rate(first.get(f"{BASE}/customers"), 3)  # the first password's window is its own


def test_a_refused_request_still_counts(limited: Server) -> None:
    with _limited_admin(limited) as api:
        for _ in range(2):
            error(api.get(f"{BASE}/customers", params={"order_by": "nonsense"}), 422, "validation_error")
        answered = api.get(f"{BASE}/customers")
        assert ok(answered) and answered.headers["X-RateLimit-Remaining"] == "0"


@pytest.fixture(params=BACKENDS)
def redis_backend(request: pytest.FixtureRequest) -> Iterator[tuple[str, redis.Redis]]:
    """A backend and its Redis database, without rate-limit keys before and after the test."""
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
    yield request.param, connection
    flush()
    connection.close()


def test_limits_hold_across_workers_through_redis(
    redis_backend: tuple[str, redis.Redis], tmp_path_factory: pytest.TempPathFactory
) -> None:
    backend, connection = redis_backend
    env = {**TINY_LIMITS, "REGULARS_RATE_LIMIT_LIST": "4", "REGULARS_REDIS_URL": REDIS_URLS[backend]}
    with fluentcart_server(backend, tmp_path_factory.mktemp("redis"), env=env, workers=2) as running:
        _, username, password = staff(running, "administrator")
        statuses = []
        for _ in range(12):  # a new connection each time, so both workers answer some
            with client(running, username, password) as api:
                statuses.append(api.get(f"{BASE}/customers").status_code)
        assert statuses == [200] * 4 + [429] * 8
        assert any(b"fluentcart" in key for key in connection.scan_iter("LIMITS*"))
