"""Legacy API authentication as WooCommerce's WC_API_Authentication: keys over HTTPS (query or Basic),
OAuth 1.0a in the query string over HTTP, key permissions, and what the key's owner may do."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from woocommerce.oauth import OAuth

from regulars.services import credentials
from regulars.services.clock import now
from regulars.store.unit import Store
from tests.support.clients import node_available, npm_calls, python_client
from tests.support.databases import BACKENDS
from tests.support.servers import Key, Server, running_server

pytestmark = pytest.mark.wire
CHALLENGE = (
    'Basic realm="WooCommerce API. Use a consumer key in the username field and a consumer secret in the '
    'password field."'
)


def fail(response: httpx.Response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {
        "errors": [{"code": "woocommerce_api_authentication_error", "message": message}]
    }


def signed(server: Server, path: str, key: Key, version: str, method: str = "GET", **params: str) -> str:
    url = f"{server.http_url}{path}" + (f"?{urlencode(params)}" if params else "")
    return OAuth(url, key.consumer_key, key.consumer_secret, version=version, method=method).get_oauth_url()


def https(server: Server) -> httpx.Client:
    return httpx.Client(verify=server.tls)


def test_v3_keys_over_https(server: Server) -> None:
    key = server.keys["read_write"]
    url = f"{server.https_url}/wc-api/v3/customers"
    with https(server) as client:
        nothing = client.get(url)
        fail(nothing, 401, "Consumer Secret is invalid.")
        assert nothing.headers["www-authenticate"] == CHALLENGE
        wrong = client.get(url, auth=(key.consumer_key, "cs_wrong"))
        fail(wrong, 401, "Consumer Secret is invalid.")
        assert wrong.headers["www-authenticate"] == CHALLENGE
        unknown = client.get(url, auth=("ck_" + "0" * 40, key.consumer_secret))
        fail(unknown, 401, "Consumer key is invalid.")
        assert "www-authenticate" not in unknown.headers
        fail(
            client.get(url, params={"consumer_key": key.consumer_key, "consumer_secret": "x"}),
            401,
            "Consumer secret is invalid.",
        )
        fail(
            client.get(url, params={"consumer_key": "ck_nope", "consumer_secret": "x"}),
            401,
            "Consumer key is invalid.",
        )
        # Upper case is folded away, as WordPress's sanitize_key does.
        shouted = client.get(
            url,
            params={"consumer_key": key.consumer_key.upper(), "consumer_secret": key.consumer_secret.upper()},
        )
        assert shouted.status_code == 200
        # The administrator's application password is not an API key.
        fail(client.get(url, auth=("admin", server.admin_password)), 401, "Consumer key is invalid.")


def test_v2_keys_over_https(server: Server) -> None:
    key = server.keys["read_write"]
    url = f"{server.https_url}/wc-api/v2/customers"
    with https(server) as client:
        missing = client.get(url)
        fail(missing, 404, "Consumer key is missing.")
        assert "www-authenticate" not in missing.headers
        fail(client.get(url, params={"consumer_key": key.consumer_key}), 404, "Consumer secret is missing.")
        fail(client.get(url, auth=(key.consumer_key, "cs_wrong")), 401, "Consumer secret is invalid.")
        fail(client.get(url, auth=("ck_unknown", "cs_wrong")), 401, "Consumer key is invalid.")
        # Basic carries the key, the query string the secret: v2 takes each where it finds it.
        mixed = client.get(url, params={"consumer_secret": key.consumer_secret}, auth=(key.consumer_key, ""))
        assert mixed.status_code == 200


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_oauth_over_http(server: Server, version: str) -> None:
    key = server.keys["read_write"]
    path = f"/wc-api/{version}/customers"
    fail(httpx.get(f"{server.http_url}{path}"), 404, "oauth_consumer_key parameter is missing")
    # Keys in Basic or the query string are not looked at over plain HTTP.
    basic = httpx.get(f"{server.http_url}{path}", auth=(key.consumer_key, key.consumer_secret))
    fail(basic, 404, "oauth_consumer_key parameter is missing")
    fail(
        httpx.get(f"{server.http_url}{path}", params={"oauth_consumer_key": key.consumer_key}),
        404,
        "oauth_timestamp parameter is missing",
    )

    good = signed(server, path, key, version, **{"filter[role]": "customer", "page": "1"})
    assert httpx.get(good).status_code == 200
    fail(httpx.get(good), 401, "Invalid nonce - nonce has already been used.")

    query = dict(parse_qsl(urlsplit(signed(server, path, key, version)).query))
    base = f"{server.http_url}{path}"
    fail(
        httpx.get(base, params={**query, "oauth_signature": "bm9wZQ=="}),
        401,
        "Invalid signature - provided signature does not match.",
    )
    fail(
        httpx.get(base, params={**query, "oauth_signature_method": "PLAINTEXT"}),
        401,
        "Invalid signature - signature method is invalid.",
    )
    fail(
        httpx.get(base, params={**query, "oauth_consumer_key": "ck_unknown"}), 401, "Consumer key is invalid."
    )
    fail(
        httpx.get(base, params={**query, "page": "2"}),
        401,
        "Invalid signature - provided signature does not match.",
    )
    stale = OAuth(
        base,
        key.consumer_key,
        key.consumer_secret,
        version=version,
        method="GET",
        oauth_timestamp=int(time.time()) - 3600,
    ).get_oauth_url()
    fail(httpx.get(stale), 401, "Invalid timestamp.")


def test_v2_oauth_accepts_the_python_clients_signature(server: Server) -> None:
    """Real WooCommerce verifies v2 as v3 (a /wc-api/v3 URL, secret&); the official Python client signs
    the v2 URL with the bare secret. Regulars accepts both, but not the v2 URL with secret&."""
    key = server.keys["read_write"]
    path = "/wc-api/v2/customers"
    assert httpx.get(signed(server, path, key, "v2")).status_code == 200
    as_v3 = signed(server, "/wc-api/v3/customers", key, "v3").replace("/wc-api/v3", "/wc-api/v2")
    assert httpx.get(as_v3).status_code == 200
    fail(
        httpx.get(signed(server, path, key, "v3")),
        401,
        "Invalid signature - provided signature does not match.",
    )
    # The same through the client itself, with filters.
    wc = python_client(server, "v2", "oauth", wp_api=False)
    listed = wc.get("customers", params={"filter[role]": "administrator", "filter[limit]": 5})
    assert listed.status_code == 200 and [c["id"] for c in listed.json()["customers"]] == [server.admin_id]


@pytest.mark.parametrize("version", ["v2", "v3"])
@pytest.mark.parametrize("transport", ["oauth", "query"])
def test_key_permissions(server: Server, version: str, transport: str) -> None:
    reader = python_client(server, version, transport, "read", wp_api=False)
    writer = python_client(server, version, transport, "write", wp_api=False)
    admin = f"customers/{server.admin_id}"
    assert reader.get(admin).status_code == 200
    for response in (
        reader.post("customers", {"customer": {"email": "ro@example.com"}}),
        reader.put(admin, {"customer": {"first_name": "RO"}}),
        reader.delete(admin),
        reader.post("customers/bulk", {"customers": [{"email": "ro@example.com"}]}),
    ):
        assert response.status_code == 401
        assert (
            response.json()["errors"][0]["message"] == "The API key provided does not have write permissions."
        )
    refused = writer.get(admin)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["message"] == "The API key provided does not have read permissions."
    written = writer.post("customers", {"customer": {"email": f"w.{uuid.uuid4().hex[:8]}@example.com"}})
    assert written.status_code == 201


def _key_of(server: Server, role: str) -> tuple[int, Key]:
    """A read_write key owned by a new account with `role`."""
    store = Store(server.database_url)
    try:
        with store.write() as unit:
            tag = uuid.uuid4().hex[:8]
            account_id = unit.accounts.insert(
                username=f"{role}-{tag}",
                email=f"{role}.{tag}@example.com",
                role=role,
                now=now(),
                password_hash=None,
            )
            owner = unit.accounts.get(account_id)
            assert owner is not None
            issued = credentials.issue_key(unit, owner, "read_write")
    finally:
        store.dispose()
    return account_id, Key(issued.consumer_key, issued.consumer_secret)


def _client(server: Server, key: Key) -> httpx.Client:
    auth = {"consumer_key": key.consumer_key, "consumer_secret": key.consumer_secret}
    return httpx.Client(base_url=f"{server.https_url}/wc-api/v3", verify=server.tls, params=auth)


def refusal(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["errors"][0]["code"]


def test_what_a_customers_own_key_may_do(server: Server) -> None:
    customer_id, key = _key_of(server, "customer")
    with _client(server, key) as client:
        listed = client.get("/customers", params={"filter[role]": "administrator"})
        assert listed.status_code == 200 and listed.json() == {"customers": []}
        assert listed.headers["x-wc-total"] == "1"  # WooCommerce still counts what it does not show
        assert refusal(client.get("/customers/count")) == (
            401,
            "woocommerce_api_user_cannot_read_customers_count",
        )
        assert refusal(client.get(f"/customers/{server.admin_id}")) == (
            401,
            "woocommerce_api_user_cannot_read_customer",
        )
        assert refusal(client.get(f"/customers/{customer_id}/orders")) == (
            401,
            "woocommerce_api_user_cannot_read_customer",
        )
        assert refusal(client.post("/customers", json={"customer": {"email": "x@example.com"}})) == (
            401,
            "woocommerce_api_user_cannot_create_customer",
        )
        assert refusal(
            client.put(f"/customers/{server.admin_id}", json={"customer": {"first_name": "x"}})
        ) == (400, "woocommerce_api_user_cannot_edit_customer")
        assert refusal(client.delete(f"/customers/{server.admin_id}")) == (
            401,
            "woocommerce_api_user_cannot_delete_customer",
        )
        bulk = client.post("/customers/bulk", json={"customers": [{"email": "y@example.com"}]})
        assert bulk.status_code == 200
        assert bulk.json()["customers"][0]["error"]["code"] == "woocommerce_api_user_cannot_create_customer"


def test_what_a_shop_managers_key_may_do(server: Server) -> None:
    _, key = _key_of(server, "shop_manager")
    admin_client = python_client(server, "v3", "basic", wp_api=False)
    customer_id = admin_client.post(
        "customers", {"customer": {"email": f"sm.{uuid.uuid4().hex[:8]}@example.com"}}
    ).json()["customer"]["id"]
    with _client(server, key) as client:
        assert client.get(f"/customers/{customer_id}").status_code == 200
        assert client.get("/customers/count").status_code == 200
        # The legacy API still asks for WordPress's create_users, which shop managers lack.
        assert refusal(client.post("/customers", json={"customer": {"email": "z@example.com"}})) == (
            401,
            "woocommerce_api_user_cannot_create_customer",
        )
        edited = client.put(f"/customers/{customer_id}", json={"customer": {"first_name": "Managed"}})
        assert edited.status_code == 200 and edited.json()["customer"]["first_name"] == "Managed"
        assert refusal(
            client.put(f"/customers/{server.admin_id}", json={"customer": {"first_name": "x"}})
        ) == (400, "woocommerce_api_user_cannot_edit_customer")
        assert refusal(client.delete(f"/customers/{customer_id}")) == (
            401,
            "woocommerce_api_user_cannot_delete_customer",
        )


def test_the_index_needs_no_credentials(server: Server) -> None:
    with https(server) as client:
        wrong = client.get(f"{server.https_url}/wc-api/v3", auth=("ck_wrong", "cs_wrong"))
        assert wrong.status_code == 200 and "store" in wrong.json()
    assert httpx.get(f"{server.http_url}/wc-api/v2/").status_code == 200


@pytest.mark.skipif(not node_available(), reason="the npm client is not installed (tests/wire/node)")
def test_the_npm_clients_v2_signature_is_refused_over_http(server: Server) -> None:
    """The npm client signs every version with secret&: for v2 over plain HTTP that is the signature real
    WooCommerce refuses, and so does Regulars (over HTTPS it works, see test_legacy_npm)."""
    [result] = npm_calls(server, [{"method": "get", "endpoint": "customers"}], version="v2", prefix="wc-api")
    assert result["status"] == 401
    assert result["data"]["errors"][0]["message"] == "Invalid signature - provided signature does not match."


@pytest.fixture(params=BACKENDS)
def limited(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """A server whose hourly limits apply to the legacy API: two creates per key."""
    env = {"REGULARS_RATE_LIMITED_DIALECTS": "wc_legacy", "REGULARS_RATE_LIMIT_CREATE": "2"}
    with running_server(request.param, tmp_path, env=env) as running:
        yield running


def test_rate_limits_when_configured(limited: Server) -> None:
    wc = python_client(limited, "v3", "basic", wp_api=False)
    answers = [
        wc.post("customers", {"customer": {"email": f"rl{i}.{uuid.uuid4().hex[:6]}@example.com"}})
        for i in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert (
        answers[0].headers["x-ratelimit-limit"] == "2" and answers[1].headers["x-ratelimit-remaining"] == "0"
    )
    [error] = answers[2].json()["errors"]
    assert error["code"] == "woocommerce_api_too_many_requests"
    assert (
        error["message"].startswith("Too many create requests.")
        and int(answers[2].headers["retry-after"]) > 0
    )
    assert wc.get("customers/count").status_code == 200  # other kinds keep their own limits
    assert (
        python_client(limited, "v3", "basic", "write", wp_api=False)
        .post("customers", {"customer": {"email": f"other.{uuid.uuid4().hex[:6]}@example.com"}})
        .status_code
        == 201
    )  # and other keys theirs


def test_a_bulk_counts_each_customer_against_its_own_kind(limited: Server) -> None:
    """Items without an id are creates, with one updates; a bulk holding more creates than are left is
    refused whole (429, the create limit's headers) and neither creates nor edits anything."""
    wc = python_client(limited, "v3", "basic", wp_api=False)
    reader = python_client(limited, "v3", "basic", "read", wp_api=False)
    tag = uuid.uuid4().hex[:8]
    new = [{"email": f"bulk{n}.{tag}@example.com"} for n in range(3)]

    def stored() -> list[dict]:
        return reader.get("customers", params={"filter[q]": f"*{tag}*"}).json()["customers"]

    def refused_for_creates(answer) -> None:
        assert answer.status_code == 429
        [error] = answer.json()["errors"]
        assert error["code"] == "woocommerce_api_too_many_requests"
        assert error["message"].startswith("Too many create requests.")
        assert int(answer.headers["retry-after"]) > 0 and answer.headers["x-ratelimit-limit"] == "2"

    three = wc.post("customers/bulk", {"customers": new})
    refused_for_creates(three)
    assert three.headers["x-ratelimit-remaining"] == "2"  # nothing spent: two creates are still left
    assert stored() == []
    made = wc.post("customers/bulk", {"customers": new[:2]})
    assert made.status_code == 201 and made.headers["x-ratelimit-remaining"] == "0"
    first = made.json()["customers"][0]["id"]
    before = stored()
    mixed = wc.post("customers/bulk", {"customers": [{"id": first, "first_name": "Ann"}, new[2]]})
    refused_for_creates(mixed)
    assert stored() == before and len(before) == 2  # the edit in the refused bulk was not made either
    edit = wc.post("customers/bulk", {"customers": [{"id": first, "first_name": "Ann"}]})
    assert edit.status_code == 200 and edit.json()["customers"][0]["first_name"] == "Ann"
    assert (edit.headers["x-ratelimit-limit"], edit.headers["x-ratelimit-remaining"]) == ("200", "199")
