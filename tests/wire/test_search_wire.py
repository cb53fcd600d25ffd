"""Search, list totals, date filters and deep pages over the wire, through each dialect's own parameters:
wc/v1-v3 `search` and the new registered_/modified_ filters, the legacy `filter[q]` and
`filter[updated_at_*]`, FluentCart's `search`; WooCommerce's search columns by default and the extended
search when REGULARS_EXTENDED_SEARCH is on. On SQLite and PostgreSQL, each against a real server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.support.databases import BACKENDS
from tests.support.fluentcart import BASE, fluentcart_server, ok, writing
from tests.support.fluentcart import client as fluentcart_client
from tests.support.fluentcart import woocommerce as keyed
from tests.support.servers import Server

pytestmark = pytest.mark.wire
WC = "/wp-json/wc/v3/customers"
LEGACY = "/wc-api/v3/customers"


@pytest.fixture(scope="module", params=BACKENDS)
def servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Server]]:
    """Two servers on one backend: WooCommerce's search columns (the default), and the extended search."""
    with (
        fluentcart_server(request.param, tmp_path_factory.mktemp("default")) as default,
        fluentcart_server(
            request.param, tmp_path_factory.mktemp("extended"), env={"REGULARS_EXTENDED_SEARCH": "true"}
        ) as extended,
    ):
        yield {"default": default, "extended": extended}


@dataclass
class Person:
    id: int
    email: str
    username: str
    marker: str


def person(server: Server, first: str, last: str, phone: str = "") -> Person:
    marker = uuid.uuid4().hex[:8]
    email = f"{first.lower()}.{marker}@example.com"
    body = {"email": email, "first_name": first, "last_name": f"{last}{marker}", "billing": {"phone": phone}}
    with keyed(server) as wc:
        made = wc.post(WC, json=body)
    assert made.status_code == 201, made.text
    return Person(made.json()["id"], email, made.json()["username"], marker)


def ids(response: httpx.Response, key: str | None = None) -> list[int]:
    assert response.status_code == 200, response.text
    body = response.json()
    return [item["id"] for item in (body[key] if key else body)]


def found(server: Server, term: str, **params: Any) -> list[int]:
    with keyed(server) as wc:
        return ids(wc.get(WC, params={"search": term, "per_page": 100, **params}))


def fluentcart_found(server: Server, term: str) -> list[int]:
    with fluentcart_client(server) as api:
        listed = ok(api.get(f"{BASE}/customers", params={"search": term, "per_page": 100}))
    return [c["id"] for c in listed["customers"]]


def fluentcart_total(server: Server, **params: str) -> int:
    with fluentcart_client(server) as api:
        return int(ok(api.get(f"{BASE}/customers", params=params))["pagination"]["total"])


def legacy_filtered(server: Server, **filters: str) -> list[int]:
    with keyed(server) as wc:
        listed = wc.get(LEGACY, params={f"filter[{k}]": v for k, v in filters.items()})
    return ids(listed, "customers")


# --- search ---------------------------------------------------------------------------------------------
def test_woocommerces_search_keeps_woocommerces_columns(servers: dict[str, Server]) -> None:
    server = servers["default"]
    klein = person(server, "John", "Klein", "+351 912 345 678")
    assert found(server, f"Klein{klein.marker}") == []  # a last name is not among WordPress's columns
    assert found(server, "912 345") == []
    assert found(server, klein.username[2:]) == [klein.id]  # part of the login
    assert found(server, klein.marker, per_page=10) == [klein.id]  # part of the email
    for version in ("v1", "v2"):
        with keyed(server) as wc:
            listed = wc.get(f"/wp-json/wc/{version}/customers", params={"search": klein.marker})
        assert ids(listed) == [klein.id] and listed.headers["x-wp-total"] == "1"
    # The legacy API's filter[q]: the whole value unless `*` says otherwise, as WordPress.
    assert legacy_filtered(server, q=klein.username) == [klein.id]
    assert legacy_filtered(server, q=klein.marker) == []
    assert legacy_filtered(server, q=f"*{klein.marker}*") == [klein.id]


def test_the_extended_search_finds_names_and_phones_in_every_dialect(servers: dict[str, Server]) -> None:
    server = servers["extended"]
    klein = person(server, "John", "Klein", f"+351 9{uuid.uuid4().int % 10**8:08d}")
    phone = f"{klein.id}"  # the billing phone below carries the id, so it is unique in this store
    with keyed(server) as wc:
        assert (
            wc.put(f"{WC}/{klein.id}", json={"billing": {"phone": f"+44 77 {phone} 00"}}).status_code == 200
        )
    last = f"Klein{klein.marker}"
    assert found(server, f"lein{klein.marker}") == [klein.id]  # part of the last name
    assert found(server, f"john {last}") == [klein.id]  # the full name
    assert found(server, f"77 {phone} 0") == [klein.id]  # part of the billing phone
    with keyed(server) as wc:
        listed = wc.get(WC, params={"search": last.upper()})
    assert ids(listed) == [klein.id] and listed.headers["x-wp-total"] == "1"
    # The legacy filter[q] finds any part too, and counts what it finds.
    assert legacy_filtered(server, q=f"ein{klein.marker}") == [klein.id]
    with keyed(server) as wc:
        counted = wc.get(f"{LEGACY}/count", params={"filter[q]": f"ein{klein.marker}"})
    assert counted.json() == {"count": 1}
    # FluentCart's search: names, email and the record's phone, always.
    with fluentcart_client(server) as api:
        walkin = ok(
            api.post(
                f"{BASE}/customers",
                json={
                    "email": f"walk.{klein.marker}@example.net",
                    "first_name": "Walk",
                    "last_name": "Inn",
                    "phone": f"+1 555 {phone}",
                },
            ),
            201,
        )["customer"]
    assert fluentcart_found(server, f"lein{klein.marker}") != []
    assert fluentcart_found(server, f"555 {phone}") == [walkin["id"]]
    assert fluentcart_found(server, f"WALK.{klein.marker}@") == [walkin["id"]]
    assert found(server, f"walk.{klein.marker}") == []  # a record without an account is not WooCommerce's


def test_terms_of_one_or_two_characters_match_from_the_start(servers: dict[str, Server]) -> None:
    server = servers["extended"]
    zed = person(server, "Zq", "Yx")  # a first name of two letters, a last name beginning "Yx"
    assert zed.id in found(server, "zq") and zed.id in found(server, "YX")
    assert zed.id not in found(server, "q")  # not the start of anything of theirs
    with fluentcart_client(server) as api:
        listed = ok(api.get(f"{BASE}/customers", params={"search": "yx", "per_page": 100}))["customers"]
    assert zed.email in [c["email"] for c in listed]


# --- date filters ---------------------------------------------------------------------------------------
def _dated(server: Server, who: Person, registered: str, modified: str) -> None:
    with writing(server) as unit:
        unit.accounts.update(
            who.id,
            {
                "registered_at": datetime.fromisoformat(registered),
                "modified_at": datetime.fromisoformat(modified),
            },
        )


def test_registered_and_modified_bounds_read_as_woocommerce_reads_dates(servers: dict[str, Server]) -> None:
    server = servers["default"]
    tag = uuid.uuid4().hex[:8]
    early, late = person(server, "Early", tag), person(server, "Late", tag)
    _dated(server, early, "2023-03-01T10:00:00", "2024-05-01T10:00:00")
    _dated(server, late, "2023-09-01T10:00:00", "2024-02-01T10:00:00")

    def window(version: str = "v3", **bounds: str) -> list[int]:
        with keyed(server) as wc:
            got = []
            for who in (early, late):
                listed = wc.get(f"/wp-json/wc/{version}/customers", params={"search": who.marker, **bounds})
                got += ids(listed)
        return got

    assert window(registered_after="2023-06-01T00:00:00") == [late.id]
    assert window(registered_before="2023-06-01T00:00:00") == [early.id]
    assert window(registered_after="2023-03-01T10:00:00") == [late.id]  # strictly after
    assert window(modified_after="2024-03-01T00:00:00Z") == [early.id]
    assert window(modified_before="2024-03-01T00:00:00", registered_after="2023-01-01T00:00:00") == [late.id]
    # An offset is honoured: 11:30 at +02:00 is 09:30 UTC, before early's 10:00.
    assert window(registered_after="2023-03-01T11:30:00+02:00") == [early.id, late.id]
    assert window("v1", registered_before="2023-06-01T00:00:00") == [early.id]
    assert window("v2", modified_after="2024-03-01T00:00:00", dates_are_gmt="true") == [early.id]
    # The legacy API: filter[created_at_*] and filter[updated_at_*], inclusive to the second.

    def legacy(**bounds: str) -> list[int]:
        return [i for who in (early, late) for i in legacy_filtered(server, q=f"*{who.marker}*", **bounds)]

    assert legacy() == [early.id, late.id]
    assert legacy(updated_at_min="2024-05-01T10:00:00Z") == [early.id]
    assert legacy(updated_at_max="2024-02-01T10:00:00Z") == [late.id]
    assert legacy(created_at_max="2023-03-01T10:00:00Z") == [early.id]


def test_a_date_that_is_not_iso_8601_is_refused(servers: dict[str, Server]) -> None:
    with keyed(servers["default"]) as wc:
        refused = wc.get(
            WC, params={"registered_after": "yesterday", "modified_before": "2024-01-01T00:00:00"}
        )
        described = wc.options(WC).json()
    assert refused.status_code == 400
    body = refused.json()
    assert (
        body["code"] == "rest_invalid_param" and body["message"] == "Invalid parameter(s): registered_after"
    )
    assert body["data"]["status"] == 400 and body["data"]["params"] == {"registered_after": "Invalid date."}
    assert body["data"]["details"]["registered_after"]["code"] == "rest_invalid_date"
    args = described["endpoints"][0]["args"]
    for name in ("registered_after", "registered_before", "modified_after", "modified_before"):
        assert args[name]["type"] == "string" and args[name]["format"] == "date-time", name
    assert args["dates_are_gmt"] == {
        "description": args["dates_are_gmt"]["description"],
        "type": "boolean",
        "default": False,
        "required": False,
    }


# --- totals and pages -------------------------------------------------------------------------------------
def _total(response: httpx.Response, header: str = "x-wp-total") -> int:
    assert response.status_code == 200, response.text
    return int(response.headers[header])


def test_totals_follow_every_change(servers: dict[str, Server]) -> None:
    server = servers["default"]
    with keyed(server) as wc:
        before = _total(wc.get(WC, params={"per_page": 1}))
        everyone = _total(wc.get(WC, params={"per_page": 1, "role": "all"}))
        legacy_before = _total(wc.get(LEGACY, params={"filter[limit]": 1}), "x-wc-total")
        made = person(server, "Counted", "Once")
        assert _total(wc.get(WC, params={"per_page": 1})) == before + 1
        assert _total(wc.get(WC, params={"per_page": 1, "role": "all"})) == everyone + 1
        assert _total(wc.get(LEGACY, params={"filter[limit]": 1}), "x-wc-total") == legacy_before + 1
        assert wc.get(f"{LEGACY}/count").json() == {"count": legacy_before + 1}
        assert wc.delete(f"{WC}/{made.id}", params={"force": "true"}).status_code == 200
        assert _total(wc.get(WC, params={"per_page": 1})) == before
    active = fluentcart_total(server, **{"filters[status]": "active"})
    with fluentcart_client(server) as api:
        sent = {"email": f"n.{uuid.uuid4().hex[:8]}@x.test", "first_name": "Nia"}
        record = ok(api.post(f"{BASE}/customers", json=sent), 201)
        assert fluentcart_total(server, **{"filters[status]": "active"}) == active + 1
        ok(api.put(f"{BASE}/customers/{record['customer']['id']}", json={"status": "archived"}))
    assert fluentcart_total(server, **{"filters[status]": "active"}) == active
    assert fluentcart_total(server, **{"filters[status]": "archived"}) >= 1
    assert fluentcart_total(server) >= active + 1


def test_pages_deep_into_the_list_hold_every_customer_once(servers: dict[str, Server]) -> None:
    server = servers["default"]
    for n in range(23):
        person(server, f"Paged{n}", "Walker")
    with keyed(server) as wc:
        for orderby, order in (("id", "asc"), ("name", "desc"), ("registered_date", "asc")):
            whole = wc.get(WC, params={"per_page": 100, "orderby": orderby, "order": order})
            total = _total(whole)
            walked: list[int] = []
            for page in range(1, total // 7 + 2):
                listed = wc.get(WC, params={"per_page": 7, "page": page, "orderby": orderby, "order": order})
                assert _total(listed) == total and listed.headers["x-wp-totalpages"] == str(-(-total // 7))
                walked += ids(listed)
            assert walked == ids(whole) and len(set(walked)) == total >= 23, orderby
        by_id = ids(wc.get(WC, params={"per_page": 100, "orderby": "id"}))
        assert (
            ids(wc.get(WC, params={"per_page": 7, "offset": len(by_id) - 2, "orderby": "id"})) == by_id[-2:]
        )
    with fluentcart_client(server) as api:
        pages = [
            [
                c["id"]
                for c in ok(api.get(f"{BASE}/customers", params={"per_page": 5, "page": p}))["customers"]
            ]
            for p in range(1, 8)
        ]
        whole_fc = [c["id"] for c in ok(api.get(f"{BASE}/customers", params={"per_page": 100}))["customers"]]
    assert [i for page in pages for i in page] == whole_fc[:35]
