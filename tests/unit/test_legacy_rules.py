"""The legacy API's request and response rules that need no server: fields=, PHP's page arithmetic in
Link headers, filter[...] into a profile query, dates, and the base strings the official clients sign."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from starlette.datastructures import Headers
from woocommerce.oauth import OAuth

from regulars import querystring
from regulars.auth import oauth
from regulars.dialects.incoming import Incoming
from regulars.dialects.wc_legacy import MISSING, VERSIONS, Call, filter_fields, pagination_headers, php_number
from regulars.dialects.wc_legacy_auth import sanitize_key
from regulars.dialects.wc_legacy_customers import intval, parse_datetime, query_from

CUSTOMER = {
    "id": 7,
    "email": "a@example.com",
    "billing_address": {"city": "Lisbon", "country": "PT", "phone": "1"},
    "shipping_address": {"city": "Porto", "country": "PT"},
}


def call(query: str, version: str = "v3", path: str = "/wc-api/v3/customers") -> Call:
    incoming = Incoming(
        method="GET",
        secure=False,
        host="shop.test",
        path=path,
        query_pairs=querystring.pairs(query),
        query=querystring.parse(query),
        headers=Headers({}),
        body=b"",
    )
    return Call(VERSIONS[version], "GET", {}, incoming.query, MISSING, None, None, incoming)


def test_fields_keep_listed_keys_and_one_child_per_parent() -> None:
    assert filter_fields(CUSTOMER, "id,email") == {"id": 7, "email": "a@example.com"}
    assert filter_fields(CUSTOMER, "id,billing_address.city") == {
        "id": 7,
        "billing_address": {"city": "Lisbon"},
    }
    # WooCommerce keeps, under every named parent, the children named after any parent's dot.
    assert filter_fields(CUSTOMER, "billing_address.city,shipping_address.country") == {
        "billing_address": {"city": "Lisbon", "country": "PT"},
        "shipping_address": {"city": "Porto", "country": "PT"},
    }
    # A later child of the same parent replaces the earlier one.
    assert filter_fields(CUSTOMER, "billing_address.city,billing_address.phone") == {
        "billing_address": {"phone": "1"}
    }
    assert filter_fields(CUSTOMER, "") == CUSTOMER
    assert filter_fields(CUSTOMER, None) == CUSTOMER


@pytest.mark.parametrize(
    ("value", "printed"), [(3.0, "3"), (1, "1"), (0.30000000000000004, "0.3"), (1.3, "1.3"), (0, "0")]
)
def test_numbers_print_as_php_prints_them(value: float, printed: str) -> None:
    assert php_number(value) == printed


def links(headers: list[tuple[str, str]]) -> dict[str, dict[str, str]]:
    found = {}
    for name, value in headers:
        if name == "Link":
            url, rel = value[1:].split(">; rel=")
            found[rel.strip('"')] = dict(parse_qsl(urlsplit(url).query))
    return found


def test_pagination_links_follow_woocommerce_arithmetic() -> None:
    middle = call("filter%5Blimit%5D=2&page=2&consumer_key=ck_x&oauth_nonce=n")
    headers = pagination_headers(middle, 5, 2.0, 3, single=False)
    assert ("X-WC-Total", "5") in headers and ("X-WC-TotalPages", "3") in headers
    assert [name for name, _ in headers[:4]] == ["Link"] * 4
    assert {rel: q["page"] for rel, q in links(headers).items()} == {
        "first": "1",
        "prev": "1",
        "next": "3",
        "last": "3",
    }
    assert links(headers)["next"] == {"filter[limit]": "2", "page": "3"}  # credentials are not copied
    # An offset that does not divide the page size: page 1.3, so "prev" is page 0.3 and "last" page 1.
    odd = links(pagination_headers(call("filter%5Boffset%5D=3"), 5, 3 / 10 + 1, 1, single=False))
    assert {rel: q["page"] for rel, q in odd.items()} == {"first": "1", "prev": "0.3", "last": "1"}
    # Nothing found: a "last" link to page 0; a single result: no links at all.
    assert links(pagination_headers(call(""), 0, 1, 0, single=False)) == {"last": {"page": "0"}}
    assert links(pagination_headers(call(""), 1, 1, 1, single=True)) == {}


def test_filters_become_a_profile_query() -> None:
    query = query_from(call("filter[role]=all&filter[q]=bob&filter[limit]=2&page=3"), paged=True)
    assert (
        query.role is None
        and query.search == "bob"
        and query.search_columns == ("username", "email", "display_name")
    )
    assert (query.limit, query.offset, query.orderby, query.descending) == (2, 4, "registered_at", False)
    v2 = query_from(call("filter[role]=all", "v2"), paged=True)
    assert v2.role == "all"  # v2 has no "all": a role no account has
    defaults = query_from(call(""), paged=True)
    assert (defaults.role, defaults.limit, defaults.offset) == ("customer", 10, 0)
    assert query_from(call("filter[limit]=-1&page=4"), paged=True).limit is None
    offset = query_from(call("filter[offset]=3&page=9"), paged=True)
    assert offset.offset == 3
    ordered = query_from(call("filter[orderby]=ID&filter[order]=desc"), paged=True)
    assert (ordered.orderby, ordered.descending) == ("id", True)
    assert query_from(call("filter[orderby]=unknown"), paged=True).orderby == "username"
    assert query_from(call("filter[q]=%2A%40corp.test"), paged=True).search_columns == ("email",)
    assert query_from(call("filter[q]=42"), paged=True).search_columns == ("username", "id")


def test_created_at_bounds_are_inclusive_to_the_second() -> None:
    query = query_from(
        call("filter[created_at_min]=2025-01-02T03:04:05Z&filter[created_at_max]=2025-01-03"), paged=False
    )
    assert query.registered_after == datetime(2025, 1, 2, 3, 4, 5) - timedelta(seconds=1)
    assert query.registered_before == datetime(2025, 1, 3) + timedelta(seconds=1)
    assert query.limit is None


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2025-01-02T03:04:05Z", datetime(2025, 1, 2, 3, 4, 5)),
        ("2025-01-02T03:04:05.123+02:00", datetime(2025, 1, 2, 3, 4, 5)),  # the offset is read as UTC
        ("2025-01-02", datetime(2025, 1, 2)),
        ("yesterday-ish", datetime(1970, 1, 1)),
    ],
)
def test_dates_parse_as_woocommerce_parses_them(text: str, moment: datetime) -> None:
    assert parse_datetime(text) == moment


@pytest.mark.parametrize(
    ("raw", "value"), [("12", 12), ("12abc", 12), ("-3", -3), ("abc", 0), (None, 0), (5, 5)]
)
def test_intval(raw: object, value: int) -> None:
    assert intval(raw) == value


def test_keys_are_sanitized_as_wordpress_does() -> None:
    assert sanitize_key("CK_ABC-def!") == "ck_abc-def"


def _client_signature(url: str, version: str) -> tuple[str, str]:
    """The official client's signature for a GET of `url`, and the query string it sends."""
    raw = urlsplit(OAuth(url, "ck_test", "cs_secret", version=version, method="GET").get_oauth_url()).query
    return oauth.presented_signature(querystring.parse(raw)["oauth_signature"]), raw


def test_the_python_clients_legacy_signatures() -> None:
    """v3 signs as WooCommerce's verifier does (secret&); v2 signs the v2 URL with the bare secret."""
    base = "http://shop.test/wc-api/{}/customers"
    query = "?filter%5Brole%5D=all&filter%5Bq%5D=a%20b&page=2"
    presented, raw = _client_signature(base.format("v3") + query, "v3")
    params = {k: v for k, v in querystring.parse(raw).items() if k != "oauth_signature"}
    woocommerce = oauth.Candidate(oauth.legacy_string("GET", base.format("v3"), params), "cs_secret&")
    assert oauth.matches(presented, "HMAC-SHA256", [woocommerce])

    presented, raw = _client_signature(base.format("v2") + query, "v2")
    bare = oauth.Candidate(
        oauth.python_client_string("GET", base.format("v2"), querystring.pairs(raw)), "cs_secret"
    )
    assert oauth.matches(presented, "HMAC-SHA256", [bare])
    assert not oauth.matches(presented, "HMAC-SHA256", [oauth.Candidate(bare.string_to_sign, "cs_secret&")])
