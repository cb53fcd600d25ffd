"""WooCommerce API keys: how they are made, stored (the key only as a digest) and checked."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

PERMISSIONS: tuple[str, ...] = ("read", "write", "read_write")
READ_METHODS = frozenset({"GET", "HEAD"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class NewKey:
    consumer_key: str
    consumer_secret: str

    @property
    def digest(self) -> str:
        return key_digest(self.consumer_key)

    @property
    def truncated(self) -> str:
        return self.consumer_key[-7:]


def generate() -> NewKey:
    return NewKey("ck_" + secrets.token_hex(20), "cs_" + secrets.token_hex(20))


def key_digest(consumer_key: str) -> str:
    """WooCommerce's wc_api_hash: HMAC-SHA256 of the key under the literal key "wc-api"."""
    return hmac.new(b"wc-api", consumer_key.encode(), hashlib.sha256).hexdigest()


def secrets_match(stored: str, presented: str) -> bool:
    return hmac.compare_digest(stored.encode(), presented.encode())


def method_refusal(permissions: str, method: str) -> str | None:
    """Why a key may not be used for `method`: 'read', 'write' or 'method'; None when it may."""
    if method in READ_METHODS:
        return None if permissions in ("read", "read_write") else "read"
    if method in WRITE_METHODS:
        return None if permissions in ("write", "read_write") else "write"
    if method == "OPTIONS":
        return None
    return "method"
