"""Hostile callers against a real server: replays, forged or stale signatures, the wrong transport,
stolen or weakened keys, privilege grabs, injection and oversized or malformed input. Each answer is
the dialect's own error, nothing leaks and nothing stored changes."""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from woocommerce.oauth import OAuth

from regulars.services import credentials
from regulars.store.unit import Store
from tests.support.clients import python_client
from tests.support.servers import Server, running_server

pytestmark = pytest.mark.wire


def _signed(
    server: Server,
    method: str,
    path: str,
    params: dict | None = None,
    key: str = "read_write",
    timestamp: int | None = None,
) -> str:
    credentials_ = server.keys[key]
    url = f"{server.http_url}{path}" + (f"?{urlencode(params)}" if params else "")
    oauth = OAuth(
        url,
        credentials_.consumer_key,
        credentials_.consumer_secret,
        version="wc/v3",
        method=method,
        oauth_timestamp=timestamp or int(time.time()),
    )
    return oauth.get_oauth_url()


def _customer(server: Server) -> dict:
    made = python_client(server, "wc/v3", "basic").post(
        "customers", {"email": f"t.{uuid.uuid4().hex[:8]}@example.com", "first_name": "Target"}
    )
    assert made.status_code == 201
    return made.json()


def _auth_error(response: httpx.Response, message: str) -> None:
    assert response.status_code == 401
    assert response.json() == {
        "code": "woocommerce_rest_authentication_error",
        "message": message,
        "data": {"status": 401},
    }


def test_replayed_nonce_is_refused(server: Server) -> None:
    url = _signed(server, "GET", "/wp-json/wc/v3/customers")
    assert httpx.get(url).status_code == 200
    _auth_error(httpx.get(url), "Invalid nonce - nonce has already been used.")


def test_a_nonce_is_spent_with_its_timestamp(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """RFC 5849 3.3: a replay repeats the signed timestamp; the official Python client draws nonces from 8
    random digits, so an honest request may repeat a nonce with another timestamp, and is served."""
    monkeypatch.setattr(OAuth, "generate_nonce", staticmethod(lambda: "the-same-nonce"))
    now = int(time.time())
    first = _signed(server, "GET", "/wp-json/wc/v3/customers", timestamp=now - 5)
    assert httpx.get(first).status_code == 200
    _auth_error(httpx.get(first), "Invalid nonce - nonce has already been used.")
    again = _signed(server, "GET", "/wp-json/wc/v3/customers", timestamp=now - 4)
    assert "the-same-nonce" in again and httpx.get(again).status_code == 200
    _auth_error(httpx.get(again), "Invalid nonce - nonce has already been used.")


@pytest.mark.parametrize("skew", [-1000, 1000])
def test_stale_or_future_timestamps_are_refused(server: Server, skew: int) -> None:
    url = _signed(server, "GET", "/wp-json/wc/v3/customers", timestamp=int(time.time()) + skew)
    _auth_error(httpx.get(url), "Invalid timestamp.")


def test_a_signature_is_bound_to_its_method_url_and_parameters(server: Server) -> None:
    target = _customer(server)
    other = _customer(server)
    mismatch = "Invalid signature - provided signature does not match."
    signed_get = _signed(server, "GET", f"/wp-json/wc/v3/customers/{target['id']}", {"force": "true"})
    _auth_error(httpx.delete(signed_get), mismatch)
    moved = signed_get.replace(f"/customers/{target['id']}", f"/customers/{other['id']}")
    _auth_error(httpx.get(moved), mismatch)
    split = urlsplit(_signed(server, "GET", "/wp-json/wc/v3/customers", {"per_page": "5"}))
    query = dict(parse_qsl(split.query))
    query["per_page"] = "50"
    _auth_error(httpx.get(f"{server.http_url}{split.path}?{urlencode(query)}"), mismatch)
    # Form bodies are signed too: the same signature with another body fails.
    split = urlsplit(_signed(server, "POST", f"/wp-json/wc/v3/customers/{target['id']}", {"first_name": "A"}))
    query = dict(parse_qsl(split.query))
    signed_fields = {k: v for k, v in query.items() if k.startswith("oauth_")}
    response = httpx.post(
        f"{server.http_url}{split.path}?{urlencode(signed_fields)}", data={"first_name": "Mallory"}
    )
    _auth_error(response, mismatch)
    assert python_client(server).get(f"customers/{target['id']}").json()["first_name"] == "Target"


def test_unsigned_empty_parameters_are_refused(server: Server) -> None:
    """The official Python client does not sign empty values; it sends them only in the copy of its
    parameters that follows the signature. An empty parameter anywhere else, or one standing in for a
    signed value, is tampering."""
    mismatch = "Invalid signature - provided signature does not match."
    path = "/wp-json/wc/v3/customers"

    def fresh() -> str:
        return _signed(server, "GET", path, {"per_page": "5"})

    repeat = "&per_page=5"
    assert httpx.get(fresh() + repeat).status_code == 200  # as the client sends it
    assert httpx.get(fresh() + repeat + "&search=").status_code == 200  # the client's own empty one
    _auth_error(httpx.get(fresh() + "&context="), mismatch)  # appended without the copy
    _auth_error(httpx.get(fresh() + repeat + "&per_page="), mismatch)  # an empty in place of a signed value
    _auth_error(httpx.get(fresh().replace("?", "?search=&", 1)), mismatch)  # inside the signed part
    _auth_error(httpx.get(fresh() + "&per_page=6"), mismatch)  # a copy that says something else
    legacy = "/wc-api/v3/customers"
    assert httpx.get(_signed(server, "GET", legacy, {"filter[limit]": "5"})).status_code == 200
    refused = httpx.get(_signed(server, "GET", legacy, {"filter[limit]": "5"}) + "&filter[role]=")
    assert refused.status_code == 401
    assert refused.json() == {
        "errors": [{"code": "woocommerce_api_authentication_error", "message": mismatch}]
    }


def test_basic_auth_over_plain_http_authenticates_nobody(server: Server) -> None:
    key = server.keys["read_write"]
    for auth in [(key.consumer_key, key.consumer_secret), ("admin", server.admin_password)]:
        response = httpx.get(f"{server.http_url}/wp-json/wc/v3/customers", auth=auth)
        assert response.status_code == 401 and response.json()["code"] == "woocommerce_rest_cannot_view"
    response = httpx.get(
        f"{server.http_url}/wp-json/wc/v3/customers",
        params={"consumer_key": key.consumer_key, "consumer_secret": key.consumer_secret},
    )
    assert response.status_code == 401


def test_wrong_secret_and_unknown_key(server: Server) -> None:
    key = server.keys["read_write"]
    with httpx.Client(verify=server.tls) as http:
        wrong = http.get(
            f"{server.https_url}/wp-json/wc/v3/customers", auth=(key.consumer_key, "cs_" + "0" * 40)
        )
        _auth_error(wrong, "Consumer secret is invalid.")
    forged = _signed(server, "GET", "/wp-json/wc/v3/customers").replace(key.consumer_key, "ck_" + "1" * 40)
    _auth_error(httpx.get(forged), "Consumer key is invalid.")


def test_keys_of_a_deleted_or_demoted_owner_stop_working(server: Server) -> None:
    store = Store(server.database_url)
    try:
        with store.write() as unit:
            manager_id = unit.accounts.insert(
                username=f"m{uuid.uuid4().hex[:6]}",
                email=f"m.{uuid.uuid4().hex[:6]}@example.com",
                role="shop_manager",
                now=_now(),
                password_hash=None,
            )
            manager = unit.accounts.get(manager_id)
            issued = credentials.issue_key(unit, manager, "read_write")
        auth = (issued.consumer_key, issued.consumer_secret)
        with httpx.Client(verify=server.tls, auth=auth, base_url=server.https_url) as http:
            assert http.get("/wp-json/wc/v3/customers").status_code == 200
            with store.write() as unit:
                unit.accounts.update(manager_id, {"role": "customer"})
            demoted = http.get("/wp-json/wc/v3/customers")
            assert demoted.status_code == 403 and demoted.json()["code"] == "woocommerce_rest_cannot_view"
            with store.write() as unit:
                unit.accounts.delete(manager_id)
            deleted = http.get("/wp-json/wc/v3/customers")
            # The key is gone with its owner; as in WordPress the Basic pair is then tried as a login.
            assert deleted.status_code == 401 and deleted.json()["code"] == "invalid_username"
    finally:
        store.dispose()


def _now():
    from regulars.services.clock import now

    return now()


def test_a_read_key_cannot_write_even_through_batch_or_method_override(server: Server) -> None:
    target = _customer(server)
    read = python_client(server, "wc/v3", "oauth", key="read")
    refused = read.post("customers/batch", {"update": [{"id": target["id"], "first_name": "RO"}]})
    assert refused.status_code == 401
    assert refused.json()["message"] == "The API key provided does not have write permissions."
    override = read.get(f"customers/{target['id']}", params={"_method": "DELETE", "force": "true"})
    assert override.status_code == 401
    assert python_client(server).get(f"customers/{target['id']}").status_code == 200


def test_a_customer_key_cannot_read_other_customers(server: Server) -> None:
    store = Store(server.database_url)
    try:
        with store.write() as unit:
            account_id = unit.accounts.insert(
                username=f"c{uuid.uuid4().hex[:6]}",
                email=f"c.{uuid.uuid4().hex[:6]}@example.com",
                role="customer",
                now=_now(),
                password_hash=None,
            )
            issued = credentials.issue_key(unit, unit.accounts.get(account_id), "read_write")
    finally:
        store.dispose()
    with httpx.Client(
        verify=server.tls, auth=(issued.consumer_key, issued.consumer_secret), base_url=server.https_url
    ) as http:
        for path in (
            "/wp-json/wc/v3/customers",
            f"/wp-json/wc/v3/customers/{server.admin_id}",
            f"/wp-json/wc/v3/customers/{account_id}",
        ):
            response = http.get(path)
            assert response.status_code == 403 and "email" not in response.text
        made = http.post("/wp-json/wc/v3/customers", json={"email": "x@example.com"})
        assert made.status_code == 403


def _private_meta(server: Server, account_id: int) -> list[tuple[int, str, object]]:
    """The account's `_`-prefixed meta as stored (every API hides it, so only the store can show it)."""
    store = Store(server.database_url)
    try:
        with store.read() as unit:
            return [(m.id, m.key, m.value) for m in unit.accounts.meta(account_id) if m.key.startswith("_")]
    finally:
        store.dispose()


def test_bodies_cannot_grant_roles_ids_dates_or_private_meta(server: Server) -> None:
    wc = python_client(server, "wc/v3", "basic")
    target = _customer(server)
    store = Store(server.database_url)
    try:
        with store.write() as unit:
            secret_id = unit.accounts.add_meta(target["id"], "_secret", "kept")
    finally:
        store.dispose()
    sneaky = {
        "role": "administrator",
        "id": target["id"],
        "date_created": "1999-01-01T00:00:00",
        "meta_data": [
            {"key": "_wp_capabilities", "value": {"administrator": True}},
            {"key": "_secret", "value": "overwritten"},
            {"id": secret_id, "key": "renamed", "value": "through the private row's id"},
            {"id": secret_id, "key": "_secret", "value": None},
            {"key": "wp_user_level", "value": "10"},
        ],
    }
    response = wc.put(f"customers/{target['id']}", sneaky)
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "customer" and body["date_created"] == target["date_created"]
    assert "_wp_capabilities" not in json.dumps(body) and "_secret" not in json.dumps(body)
    assert _private_meta(server, target["id"]) == [(secret_id, "_secret", "kept")]
    shown = {m["key"]: m for m in wc.get(f"customers/{target['id']}").json()["meta_data"]}
    assert shown["renamed"]["id"] != secret_id and shown["renamed"]["value"] == "through the private row's id"
    assert wc.get(f"customers/{target['id']}").json()["role"] == "customer"
    created = wc.post("customers", {**sneaky, "id": None, "email": f"n.{uuid.uuid4().hex[:6]}@example.com"})
    assert created.status_code == 201 and created.json()["role"] == "customer"
    assert _private_meta(server, created.json()["id"]) == []


@pytest.mark.parametrize(
    "params",
    [
        {"search": "' OR 1=1 --"},
        {"search": "%"},
        {"search": "_"},
        {"orderby": "id; DROP TABLE accounts"},
        {"email": "a@b.co' OR '1'='1"},
        {"include": "1) OR (1=1"},
        {"role": "customer' --"},
    ],
)
def test_injection_in_list_parameters_finds_nothing_and_breaks_nothing(server: Server, params: dict) -> None:
    wc = python_client(server, "wc/v3", "basic")
    _customer(server)
    response = wc.get("customers", params={**params, "role": params.get("role", "all")})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json() == []
    else:
        assert response.json()["code"] == "rest_invalid_param"
    assert int(wc.get("customers", params={"role": "all"}).headers["x-wp-total"]) >= 2


def test_oversized_and_malformed_input(server: Server) -> None:
    key = server.keys["read_write"]
    target = _customer(server)
    with httpx.Client(
        verify=server.tls, auth=(key.consumer_key, key.consumer_secret), base_url=server.https_url
    ) as http:
        huge_batch = http.post(
            "/wp-json/wc/v3/customers/batch",
            json={"create": [{"email": f"b{i}@example.com"} for i in range(101)]},
        )
        assert huge_batch.status_code == 413
        assert http.get("/wp-json/wc/v3/customers", params={"per_page": 1000000}).status_code == 400
        long_search = http.get("/wp-json/wc/v3/customers", params={"search": "x" * 6_000})
        assert long_search.status_code == 200 and long_search.json() == []
        bad_utf8 = http.put(
            f"/wp-json/wc/v3/customers/{target['id']}",
            content=b'{"first_name": "\xff\xfe"}',
            headers={"content-type": "application/json"},
        )
        assert bad_utf8.status_code == 400 and bad_utf8.json()["code"] == "rest_invalid_json"
        nested = http.put(
            f"/wp-json/wc/v3/customers/{target['id']}",
            content=b"[" * 100_000,
            headers={"content-type": "application/json"},
        )
        assert nested.status_code == 400
        assert http.get(f"/wp-json/wc/v3/customers/{target['id']}").json()["first_name"] == "Target"
        assert http.get("/wp-json/wc/v3/customers/99999999999999999999999").status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"filter[q]": "' OR 1=1 --"},
        {"filter[q]": "%"},
        {"filter[orderby]": "id; DROP TABLE accounts"},
        {"filter[orderby]": "(SELECT password_hash FROM accounts)"},
        {"filter[order]": "ASC; DELETE FROM accounts"},
        {"filter[role]": "customer' OR '1'='1"},
        {"filter[created_at_min]": "2000-01-01' OR 1=1 --"},
        {"filter[limit]": "1 UNION SELECT * FROM api_keys"},
    ],
)
def test_injection_in_legacy_filters_finds_nothing_and_breaks_nothing(server: Server, params: dict) -> None:
    """The legacy API's filter[...] reaches the store only as bound values or chosen from a fixed list."""
    target = _customer(server)
    key = server.keys["read_write"]
    with httpx.Client(verify=server.tls, auth=(key.consumer_key, key.consumer_secret)) as http:
        before = http.get(f"{server.https_url}/wc-api/v3/customers/count").json()["count"]
        response = http.get(f"{server.https_url}/wc-api/v3/customers", params=params)
        assert response.status_code in (200, 400), response.text
        body = response.json()
        if response.status_code == 400:
            assert set(body) == {"errors"} and set(body["errors"][0]) == {"code", "message"}
        else:
            found = body["customers"]
            assert all(c["role"] == "customer" for c in found)
            assert "password" not in response.text and "consumer" not in response.text
            if "filter[q]" in params:
                assert found == []
        assert http.get(f"{server.https_url}/wc-api/v3/customers/count").json()["count"] == before
        assert http.get(f"{server.https_url}/wc-api/v3/customers/{target['id']}").status_code == 200


@pytest.mark.parametrize("trusted", ["", "10.0.0.0/8", "127.0.0.1/32"])
def test_a_forwarded_proto_counts_only_from_a_trusted_proxy(
    trusted: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """X-Forwarded-Proto counts only from REGULARS_TRUSTED_PROXIES: from no proxy, or from a network the
    caller is not in, Basic credentials over plain HTTP still authenticate nobody, on every dialect; from
    the caller's own address (a TLS-terminating proxy in front) they do."""
    env = {"REGULARS_TRUSTED_PROXIES": trusted}
    honoured = trusted.startswith("127.")
    with running_server("sqlite", tmp_path_factory.mktemp("proxy"), env=env) as running:
        key = running.keys["read_write"]
        pair = (key.consumer_key, key.consumer_secret)
        forwarded = {"X-Forwarded-Proto": "https"}
        with httpx.Client(base_url=running.http_url, headers=forwarded) as http:
            rest = http.get("/wp-json/wc/v3/customers", auth=pair)
            legacy = http.get("/wc-api/v3/customers", auth=pair)
            fc = http.get("/wp-json/fluent-cart/v2/customers", auth=("admin", running.admin_password))
        if honoured:
            assert [rest.status_code, legacy.status_code, fc.status_code] == [200, 200, 200]
            return
        assert rest.status_code == 401 and rest.json()["code"] == "woocommerce_rest_cannot_view"
        # Over HTTP the legacy API looks for OAuth only, and says what it misses (WooCommerce's 404).
        assert legacy.status_code == 404 and legacy.json() == {
            "errors": [
                {
                    "code": "woocommerce_api_authentication_error",
                    "message": "oauth_consumer_key parameter is missing",
                }
            ]
        }
        assert fc.status_code == 401 and fc.json()["success"] is False
