"""OAuth base strings: ours agree with the official Python client's signing, for arbitrary parameters."""

from __future__ import annotations

import string
from urllib.parse import parse_qsl, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st
from woocommerce.oauth import OAuth

from regulars import querystring
from regulars.auth import oauth

URL = "http://shop.example:8080/wp-json/wc/v3/customers"
keys = st.text(alphabet=string.ascii_letters + string.digits + "_", min_size=1, max_size=8).filter(
    lambda k: not k.startswith("oauth")
)
values = st.text(max_size=12)


def _signed(params: dict[str, str], version: str, method: str = "GET") -> tuple[dict, str]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    client = OAuth(
        f"{URL}?{query}" if params else URL, "ck_test", "cs_secret", version=version, method=method
    )
    signed_url = client.get_oauth_url()
    raw_query = urlsplit(signed_url).query
    return dict(parse_qsl(raw_query, keep_blank_values=True)), raw_query


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(keys, values, max_size=5), st.sampled_from(["GET", "POST", "PUT", "DELETE"]))
def test_the_python_clients_signature_verifies(params: dict[str, str], method: str) -> None:
    from urllib.parse import quote

    encoded = {k: quote(v, safe="") for k, v in params.items()}
    sent, raw_query = _signed(encoded, "wc/v3", method)
    presented = oauth.presented_signature(sent["oauth_signature"])
    candidates = [
        oauth.Candidate(
            oauth.rest_string(
                method, URL, {k: v for k, v in querystring.parse(raw_query).items() if k != "oauth_signature"}
            ),
            "cs_secret&",
        ),
        oauth.Candidate(oauth.python_client_string(method, URL, querystring.pairs(raw_query)), "cs_secret&"),
    ]
    assert oauth.matches(presented, "HMAC-SHA256", candidates)
    wrong = [oauth.Candidate(c.string_to_sign, "cs_other&") for c in candidates]
    assert not oauth.matches(presented, "HMAC-SHA256", wrong)


def test_rest_string_matches_woocommerce_for_nested_and_reserved_characters() -> None:
    params = {"oauth_nonce": "n", "filter": {"role": "all", "q": "a b"}, "search": "50%/é~"}
    assert oauth.rest_string("GET", "http://h/wp-json/wc/v3/customers", params) == (
        "GET&http%3A%2F%2Fh%2Fwp-json%2Fwc%2Fv3%2Fcustomers&"
        "filter%255Brole%255D%3Dall%26filter%255Bq%255D%3Da%2520b%26oauth_nonce%3Dn%26"
        "search%3D50%2525%252F%25C3%25A9~"
    )


def test_php_query_parsing() -> None:
    assert querystring.parse("filter[role]=all&filter[q]=x&a[]=1&a[]=2&k=1&k=2&b.c=3") == {
        "filter": {"role": "all", "q": "x"},
        "a": {"0": "1", "1": "2"},
        "k": "2",
        "b_c": "3",
    }


def test_timestamps_outside_fifteen_minutes_are_stale() -> None:
    assert oauth.fresh("1000", 1000 + 900) and not oauth.fresh("1000", 1000 + 901)
    assert not oauth.fresh("soon", 1000)


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",))))
def test_rfc3986_is_phps_rawurlencode(value: str) -> None:
    """Every character but A-Z a-z 0-9 - _ . ~ becomes its UTF-8 bytes as upper-case %XX, ASCII or not."""
    expected = "".join(
        c if c.isascii() and (c.isalnum() or c in "-_.~") else "".join(f"%{b:02X}" for b in c.encode())
        for c in value
    )
    assert oauth.rfc3986(value) == expected
