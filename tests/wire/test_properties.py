"""Properties over real HTTP against one server: a customer written through any dialect reads back the
same through every other (in each one's shape), and the official Python client's OAuth signatures verify
on the REST and legacy APIs for arbitrary parameters — nested, repeated, unicode, reserved characters."""

from __future__ import annotations

import random
import string
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.clients import python_client
from tests.support.fluentcart import fluentcart_server
from tests.support.servers import Server

pytestmark = pytest.mark.wire

FC = "/wp-json/fluent-cart/v2"
ADDRESS = ("first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode")
COUNTRIES = ("PT", "US", "DE", "JP", "BR", "IN")
SETTINGS = settings(
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """SQLite is enough for the properties: the store's engines are compared by every other wire test."""
    with fluentcart_server("sqlite", Path(tmp_path_factory.mktemp("properties"))) as running:
        yield running


# --- any valid names, addresses and phones, unicode included ---------------------------------------------
# Words of letters and digits from any script, joined by single spaces: text WordPress keeps as sent.
_word = st.text(st.characters(categories=("L", "N"), exclude_characters="ǅǈǋǲ"), min_size=1, max_size=8)
_text = st.lists(_word, min_size=1, max_size=3).map(" ".join)
_phone = st.from_regex(r"\+?[0-9]{1,3}( [0-9]{2,4}){1,3}", fullmatch=True)


@st.composite
def customers(draw: st.DrawFn) -> dict[str, Any]:
    email = f"prop-{uuid.uuid4().hex[:12]}@example.com"

    def address() -> dict[str, str]:
        values = {name: draw(_text) for name in ADDRESS}
        return {**values, "country": draw(st.sampled_from(COUNTRIES))}

    return {
        "email": email,
        "first_name": draw(_text),
        "last_name": draw(_text),
        "billing": {**address(), "email": email, "phone": draw(_phone)},
        "shipping": address(),
    }


# --- writers: each dialect's own request for the same customer; each returns the account id -------------
def _ok(response: httpx.Response, status: int) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _wc_writer(version: str) -> Callable[[Server, dict[str, Any]], int]:
    def write(live: Server, c: dict[str, Any]) -> int:
        with _wc(live) as http:
            return _ok(http.post(f"/wp-json/wc/{version}/customers", json=c), 201)["id"]

    return write


def _legacy_writer(version: str) -> Callable[[Server, dict[str, Any]], int]:
    def write(live: Server, c: dict[str, Any]) -> int:
        body = {
            "email": c["email"],
            "first_name": c["first_name"],
            "last_name": c["last_name"],
            "billing_address": c["billing"],
            "shipping_address": c["shipping"],
        }
        with _wc(live) as http:
            return _ok(http.post(f"/wc-api/{version}/customers", json={"customer": body}), 201)["customer"][
                "id"
            ]

    return write


def _fluentcart_address(kind: str, values: dict[str, str]) -> dict[str, str]:
    renamed = {("company_name" if k == "company" else k): v for k, v in values.items()}
    return {**renamed, "type": kind}


def _fluentcart_write(live: Server, c: dict[str, Any]) -> int:
    """A FluentCart customer with an account (wp_user), then its billing and shipping addresses."""
    sent = {"email": c["email"], "first_name": c["first_name"], "last_name": c["last_name"], "wp_user": "yes"}
    with _fc(live) as http:
        made = _ok(http.post(f"{FC}/customers", json=sent), 201)["data"]["customer"]
        for kind in ("billing", "shipping"):
            address = _fluentcart_address(kind, c[kind])
            _ok(http.post(f"{FC}/customers/{made['id']}/address", json=address), 201)
    return made["user_id"]


WRITERS: dict[str, Callable[[Server, dict[str, Any]], int]] = {
    "wc/v1": _wc_writer("v1"),
    "wc/v2": _wc_writer("v2"),
    "wc/v3": _wc_writer("v3"),
    "legacy/v2": _legacy_writer("v2"),
    "legacy/v3": _legacy_writer("v3"),
    "fluentcart": _fluentcart_write,
}


# --- readers: every view, brought to one shape -----------------------------------------------------------
def _wc(live: Server) -> httpx.Client:
    key = live.keys["read_write"]
    return live.client(https=True, auth=(key.consumer_key, key.consumer_secret), timeout=30)


def _fc(live: Server) -> httpx.Client:
    return live.client(https=True, auth=("admin", live.admin_password), timeout=30)


def _seen(email: str, first: str, last: str, billing: dict, shipping: dict) -> dict[str, Any]:
    return {"email": email, "first_name": first, "last_name": last, "billing": billing, "shipping": shipping}


def _read_views(live: Server, account_id: int, email: str) -> dict[str, dict[str, Any]]:
    views: dict[str, dict[str, Any]] = {}
    with _wc(live) as http:
        for version in ("v1", "v2", "v3"):
            c = _ok(http.get(f"/wp-json/wc/{version}/customers/{account_id}"), 200)
            views[f"wc/{version}"] = _seen(
                c["email"], c["first_name"], c["last_name"], c["billing"], c["shipping"]
            )
        for version in ("v2", "v3"):
            c = _ok(http.get(f"/wc-api/{version}/customers/{account_id}"), 200)["customer"]
            views[f"legacy/{version}"] = _seen(
                c["email"], c["first_name"], c["last_name"], c["billing_address"], c["shipping_address"]
            )
    with _fc(live) as http:
        found = _ok(http.get(f"{FC}/customers", params={"search": email}), 200)["data"]["customers"]
        assert [f["user_id"] for f in found] == [account_id]
        c = _ok(http.get(f"{FC}/customers/{found[0]['id']}"), 200)["data"]["customer"]
        primary = {a["type"]: a for a in c["addresses"] if a["is_primary"]}
        book = {
            kind: {("company" if k == "company_name" else k): v for k, v in primary[kind].items()}
            for kind in ("billing", "shipping")
        }
        views["fluentcart"] = _seen(
            c["email"], c["first_name"], c["last_name"], book["billing"], book["shipping"]
        )
    return views


def _shown(written: dict[str, Any], seen: dict[str, Any]) -> dict[str, Any]:
    """The view's values of every field written (each view has every one of them, under its own names)."""
    shown = {k: seen[k] for k in ("email", "first_name", "last_name")}
    for kind in ("billing", "shipping"):
        shown[kind] = {k: seen[kind][k] for k in written[kind]}
    return shown


@SETTINGS
@given(customer=customers(), writer=st.sampled_from(sorted(WRITERS)))
def test_a_customer_written_through_any_dialect_reads_the_same_through_every_other(
    live: Server, customer: dict[str, Any], writer: str
) -> None:
    account_id = WRITERS[writer](live, customer)
    views = _read_views(live, account_id, customer["email"])
    assert set(views) == set(WRITERS)
    for name, seen in views.items():
        assert _shown(customer, seen) == customer, (writer, name)


# --- OAuth: the official client's signatures, for arbitrary parameters ----------------------------------
_key_part = st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=1, max_size=6)
_names = st.one_of(
    _key_part.map(lambda k: f"x{k}"),
    st.tuples(_key_part, _key_part).map(lambda p: f"filter[x{p[0]}]"),  # nested, as filter[role]
    st.tuples(_key_part, _key_part).map(lambda p: f"x{p[0]}[{p[1]}]"),
)
# Any text: unicode, reserved characters (&=+/?#%[] and spaces), percent signs; no NUL, no lone surrogates.
_values = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)
# A list of pairs: the same key may come twice (the client sends the last; PHP keeps the last).
_params = st.lists(st.tuples(_names, _values), max_size=5)


@SETTINGS
@given(params=_params, legacy=st.booleans())
def test_the_python_clients_oauth_signatures_verify_for_arbitrary_parameters(
    live: Server, params: list[tuple[str, str]], legacy: bool
) -> None:
    """Over plain HTTP, as the client signs: whatever the parameters, the key is recognised (the answer may
    still refuse a parameter, but never the signature) — unless a key's last value is empty after one that
    is not: the client then signs the earlier value but sends the empty one last, which is what a tampered
    request would look like, and is refused."""
    # The client's nonces come from the `random` module, which Hypothesis seeds alike for every example.
    random.seed(uuid.uuid4().int)
    client = python_client(live, "v3" if legacy else "wc/v3", "oauth", wp_api=not legacy)
    answer = client.get("customers", params=params)
    body = answer.json()
    last = dict(params)
    if any(value != "" and last[key] == "" for key, value in params):
        assert answer.status_code == 401 and "signature does not match" in str(body), body
        return
    assert answer.status_code != 401, body
    assert answer.status_code == 200 or "authentication" not in str(body), body
