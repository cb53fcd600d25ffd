"""OAuth 1.0a one-legged signatures, built exactly as WooCommerce verifies them.

Each function returns the string to sign for one way of building it; the verifier accepts a signature
that matches any of the ways the caller may legitimately have used (WooCommerce's own, and the
official clients' where they differ from it), compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

REQUIRED: tuple[str, ...] = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)
ALGORITHMS = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}
WINDOW_SECONDS = 15 * 60
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
_ASCII_ESCAPES = {byte: f"%{byte:02X}" for byte in range(128) if byte not in _UNRESERVED}


def rfc3986(value: str) -> str:
    """PHP's rawurlencode: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded (UTF-8 bytes, upper-case
    hex). ASCII text, nearly every parameter of a signed request, is encoded by one str.translate: urllib's
    quote costs several times more, and a base string encodes every parameter twice."""
    if value.isascii():
        return value.translate(_ASCII_ESCAPES)
    return quote(value, safe="~")


def _php_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else ""
    return "" if value is None else str(value)


def rest_string(method: str, url: str, params: Mapping[str, Any]) -> str:
    """WooCommerce REST: raw keys sorted byte-wise, pairs encoded, then each pair encoded again."""
    joined: list[str] = []

    def join(items: Mapping[str, Any], prefix: str) -> None:
        for key, value in items.items():
            name = rfc3986(key) if not prefix else f"{prefix}%5B{key}%5D"
            if isinstance(value, Mapping):
                join(value, name)
            else:
                # The pair encoded again: what the first encoding made is unreserved but for its "%".
                encoded = rfc3986(_php_scalar(value)).replace("%", "%25")
                joined.append(f"{rfc3986(name)}%3D{encoded}")

    ordered = {k: params[k] for k in sorted(params, key=lambda k: k.encode())}
    join(ordered, "")
    return f"{method}&{rfc3986(url)}&{'%26'.join(joined)}"


def _legacy_normal(value: str) -> str:
    return rfc3986(unquote(value)).replace("%", "%25")


def legacy_string(method: str, url: str, params: Mapping[str, Any]) -> str:
    """The legacy API (/wc-api/v3): values decoded and re-encoded, arrays expanded one level."""
    parts: list[str] = []
    for key in sorted(params, key=lambda k: k.encode()):
        value = params[key]
        name = _legacy_normal(key)
        if isinstance(value, Mapping):
            for inner, inner_value in value.items():
                value_text = _legacy_normal(_php_scalar(inner_value))
                parts.append(f"{name}%255B{inner}%255D%3D{value_text}")
        else:
            parts.append(f"{name}%3D{_legacy_normal(_php_scalar(value))}")
    return f"{method}&{rfc3986(url)}&{'%26'.join(parts)}"


def python_client_signed(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """What the official `woocommerce` Python client signed, if the query has the shape it sends; None if
    not. It signs its parameters as parse_qsl reads them (the empty ones dropped, a repeated key once, with
    its last value), then its oauth_* ones, the signature last; requests then appends every parameter
    again, empty ones included. So: nothing empty before the signature, and after it either nothing or
    that repeat, which must say again each signed value last (an empty value may not stand in for one)."""
    keys = [key for key, _ in pairs]
    if keys.count("oauth_signature") != 1:
        return None
    at = keys.index("oauth_signature")
    signed, repeat = list(pairs[:at]), list(pairs[at + 1 :])
    first_oauth = next((i for i, key in enumerate(keys[:at]) if key.startswith("oauth_")), at)
    own = signed[:first_oauth]
    if any(value == "" for _, value in own) or len({k for k, _ in own}) != len(own):
        return None
    if not all(key.startswith("oauth_") for key, _ in signed[first_oauth:]):
        return None
    if repeat:
        sent = dict(repeat)  # what the server acts on: the last of each key
        said = dict((key, value) for key, value in repeat if value != "")
        if list(said.items()) != own or any(sent[key] != value for key, value in own):
            return None
    return signed


def python_client_string(method: str, url: str, pairs: Sequence[tuple[str, str]]) -> str | None:
    """How the official `woocommerce` Python client signs (None when the query is not shaped as it sends
    one): flat keys grouped by their base name, each key and value passed through quote(unquote(x))
    (which leaves "/" alone) and "%" doubled."""
    signed = python_client_signed(pairs)
    if signed is None:
        return None
    latest = dict(signed)
    ordered: list[tuple[str, str]] = []
    for base in sorted({k.split("[")[0] for k in latest}):
        ordered.extend((k, v) for k, v in latest.items() if k == base or k.startswith(base + "["))
    normal = [
        (quote(unquote(k)).replace("%", "%25"), quote(unquote(v)).replace("%", "%25")) for k, v in ordered
    ]
    return f"{method}&{quote(url, safe='')}&{'%26'.join(f'{k}%3D{v}' for k, v in normal)}"


def sign(string_to_sign: str, key: str, method: str) -> str:
    digest = hmac.new(key.encode(), string_to_sign.encode(), ALGORITHMS[method]).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class Candidate:
    """One way a signature may have been built: the string and the HMAC key. No string: the request
    cannot have been signed this way."""

    string_to_sign: str | None
    key: str


def presented_signature(raw: str) -> str:
    """WooCommerce reads the signature with spaces as "+" and percent-decoded."""
    return unquote(raw.replace(" ", "+"))


def matches(presented: str, method: str, candidates: Iterable[Candidate]) -> bool:
    """Whether any candidate's signature is the presented one, each compared in constant time. Candidates
    may come lazily: the first that matches ends the search (which way the caller signed is no secret),
    so the usual signature costs one base string, not every variant's."""
    wanted = presented.encode()
    return any(
        hmac.compare_digest(sign(candidate.string_to_sign, candidate.key, method).encode(), wanted)
        for candidate in candidates
        if candidate.string_to_sign is not None
    )


def fresh(timestamp: str, now: float) -> bool:
    try:
        return abs(now - int(timestamp)) <= WINDOW_SECONDS
    except ValueError:
        return False
