"""Legacy API authentication (/wc-api/v2 and /wc-api/v3): WooCommerce API keys only, checked the way
WooCommerce's WC_API_Authentication checks them.

Over HTTPS the key and secret come from the query string or HTTP Basic; over plain HTTP only OAuth 1.0a
with its parameters in the query string is accepted. The two versions differ in the HTTPS order, in
their statuses for missing credentials, and in how the official Python client signs v2 (see `_oauth`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from regulars.auth import keys, oauth
from regulars.auth.principal import Principal
from regulars.context import Context
from regulars.dialects.incoming import Incoming
from regulars.dialects.wp_auth import AuthError, check_fresh
from regulars.domain.accounts import Account
from regulars.services import credentials
from regulars.store.credentials import ApiKeyRow

CHALLENGE = (
    'Basic realm="WooCommerce API. Use a consumer key in the username field and a consumer secret in the '
    'password field."'
)
_NOT_KEY = re.compile(r"[^a-z0-9_\-]")


class LegacyAuthError(Exception):
    """An authentication failure: code woocommerce_api_authentication_error, with this message and status."""

    def __init__(self, message: str, status: int = 401, challenge: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.challenge = challenge  # send WWW-Authenticate (v3 Basic failures)


def sanitize_key(value: str) -> str:
    """WordPress's sanitize_key: lower case, only a-z 0-9 _ - kept (applied to keys, secrets, nonces)."""
    return _NOT_KEY.sub("", value.lower())


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def authenticate(ctx: Context, incoming: Incoming, version: str, signed_url: str, method: str) -> Principal:
    """The key's owner; LegacyAuthError otherwise. `signed_url` is the URL WooCommerce verifies an OAuth
    signature against ({home}/wc-api/v3/<route>, for v2 requests too); `method` the effective method."""
    if incoming.secure:
        key, account = _https(ctx, incoming, version)
    else:
        key, account = _oauth(ctx, incoming, version, signed_url, method)
    refusal = keys.method_refusal(key.permissions, method)
    if refusal in ("read", "write"):
        raise LegacyAuthError(f"The API key provided does not have {refusal} permissions.")
    if account is None:
        raise LegacyAuthError("API user is invalid")
    if credentials.use_due(key.last_access, ctx.settings.last_access_resolution):
        with ctx.store.write() as unit:
            credentials.record_key_use(unit, key)
    return Principal(account, key)


def _lookup(ctx: Context, consumer_key: str) -> tuple[ApiKeyRow, Account | None]:
    with ctx.store.read() as unit:
        found = ctx.credential_cache.key_owner(unit, sanitize_key(consumer_key))
    if found is None:
        raise LegacyAuthError("Consumer key is invalid.")
    return found


def _https(ctx: Context, incoming: Incoming, version: str) -> tuple[ApiKeyRow, Account | None]:
    query = incoming.query
    query_key, query_secret = _text(query.get("consumer_key")), _text(query.get("consumer_secret"))
    basic_key, basic_secret = incoming.basic_credentials() or ("", "")
    if version == "v2":
        # Basic first, the query string as a fallback; what is missing is a 404.
        consumer_key = basic_key or query_key
        if not consumer_key:
            raise LegacyAuthError("Consumer key is missing.", 404)
        secret = basic_secret or query_secret
        if not secret:
            raise LegacyAuthError("Consumer secret is missing.", 404)
        key, account = _lookup(ctx, consumer_key)
        if not keys.secrets_match(key.consumer_secret, sanitize_key(secret)):
            raise LegacyAuthError("Consumer secret is invalid.")
        return key, account
    if query_key and query_secret:
        key, account = _lookup(ctx, query_key)
        if not keys.secrets_match(key.consumer_secret, sanitize_key(query_secret)):
            raise LegacyAuthError("Consumer secret is invalid.")
        return key, account
    if not (basic_key and basic_secret):
        raise LegacyAuthError("Consumer Secret is invalid.", challenge=True)
    key, account = _lookup(ctx, basic_key)
    if not keys.secrets_match(key.consumer_secret, sanitize_key(basic_secret)):
        raise LegacyAuthError("Consumer Secret is invalid.", challenge=True)
    return key, account


def _oauth(
    ctx: Context, incoming: Incoming, version: str, signed_url: str, method: str
) -> tuple[ApiKeyRow, Account | None]:
    """OAuth 1.0a from the query string only.

    Accepted signatures: WooCommerce's own (the legacy base string over `signed_url`, keyed with
    `secret&`), the official Python client's (its base string over the URL as requested, `secret&`), and
    for v2 also the Python client's v2 signature over the v2 URL with the bare secret, which real
    WooCommerce rejects although the client is the contract. A v2 URL signed with `secret&` stays refused.
    """
    params = incoming.query
    for name in oauth.REQUIRED:
        value = params.get(name)
        if not isinstance(value, str) or value in ("", "0"):
            raise LegacyAuthError(f"{name} parameter is missing", 404)
    key, account = _lookup(ctx, params["oauth_consumer_key"])
    algorithm = params["oauth_signature_method"]
    if algorithm not in oauth.ALGORITHMS:
        raise LegacyAuthError("Invalid signature - signature method is invalid.")
    signed = {k: v for k, v in params.items() if k != "oauth_signature"}
    requested_url = incoming.base + unquote(incoming.path)
    secret = key.consumer_secret
    ways = [
        lambda: oauth.Candidate(oauth.legacy_string(method, signed_url, signed), secret + "&"),
        lambda: oauth.Candidate(
            oauth.python_client_string(incoming.method, signed_url, incoming.query_pairs), secret + "&"
        ),
    ]
    if version == "v2":
        ways.append(
            lambda: oauth.Candidate(
                oauth.python_client_string(incoming.method, requested_url, incoming.query_pairs), secret
            )
        )
    candidates = (way() for way in ways)  # built only until one matches
    if not oauth.matches(oauth.presented_signature(params["oauth_signature"]), algorithm, candidates):
        raise LegacyAuthError("Invalid signature - provided signature does not match.")
    try:
        check_fresh(ctx, key.id, sanitize_key(params["oauth_timestamp"]), sanitize_key(params["oauth_nonce"]))
    except AuthError as exc:
        raise LegacyAuthError(exc.message, exc.status) from exc
    return key, account
