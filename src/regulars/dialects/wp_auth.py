"""WordPress REST authentication: WooCommerce API keys on wc/ routes (Basic or query keys over HTTPS,
OAuth 1.0a otherwise), and application passwords (Basic over HTTPS) on every route."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from regulars.auth import keys, oauth
from regulars.auth.principal import Principal
from regulars.context import Context
from regulars.dialects.incoming import Incoming
from regulars.services import credentials
from regulars.services.clock import now
from regulars.store.unit import Unit

__all__ = ["AuthError", "Principal", "authenticate", "key_method_error"]

_OAUTH_HEADER_PARAM = re.compile(r'(oauth_[a-z_-]*)=(?:"([^"]*)"|([^,]*))')
_AUTH_CODE = "woocommerce_rest_authentication_error"


class AuthError(Exception):
    def __init__(self, code: str, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def _key_scope(route: str) -> bool:
    trimmed = route.lstrip("/")
    return trimmed.startswith(("wc/", "wc-"))


def authenticate(
    ctx: Context, incoming: Incoming, route: str, form: dict[str, Any] | None
) -> Principal | None:
    """Who is calling, or None for an anonymous caller; AuthError for credentials that are wrong."""
    if _key_scope(route):
        principal = None
        if incoming.secure:
            principal = _basic_key(ctx, incoming)
        if principal is None:
            principal = _oauth(ctx, incoming, form)
        if principal is not None:
            return principal
    return _application_password(ctx, incoming)


def key_method_error(principal: Principal | None, method: str) -> AuthError | None:
    if principal is None or principal.key is None:
        return None
    refusal = keys.method_refusal(principal.key.permissions, method)
    if refusal is None:
        return None
    if refusal == "method":
        return AuthError(_AUTH_CODE, "Unknown request method.")
    return AuthError(_AUTH_CODE, f"The API key provided does not have {refusal} permissions.")


def _owner(ctx: Context, consumer_key: str) -> tuple[Any, Any] | None:
    with ctx.store.read() as unit:
        found = ctx.credential_cache.key_owner(unit, consumer_key)
    if found is None or found[1] is None:
        return None
    return found


def _recorded_use(ctx: Context, last: datetime | None, record: Callable[[Unit], None]) -> datetime | None:
    """Record a credential's use when it is due (`record`), and say since when its use stands recorded."""
    if not credentials.use_due(last, ctx.settings.last_access_resolution):
        return last
    with ctx.store.write() as unit:
        record(unit)
    return now()


def _accept(ctx: Context, key: Any, account: Any) -> Principal:
    recorded = _recorded_use(ctx, key.last_access, lambda unit: credentials.record_key_use(unit, key))
    return Principal(account, key, recorded_at=recorded)


def _basic_key(ctx: Context, incoming: Incoming) -> Principal | None:
    query = incoming.query
    ck, cs = query.get("consumer_key"), query.get("consumer_secret")
    if not (isinstance(ck, str) and isinstance(cs, str) and ck and cs):
        basic = incoming.basic_credentials()
        if basic is None or not basic[0].startswith("ck_"):
            return None
        ck, cs = basic
    found = _owner(ctx, ck.strip())
    if found is None:
        return None  # an unknown key is not an error: the caller is simply anonymous
    key, account = found
    if not keys.secrets_match(key.consumer_secret, cs):
        raise AuthError(_AUTH_CODE, "Consumer secret is invalid.")
    return _accept(ctx, key, account)


def oauth_params(incoming: Incoming, form: dict[str, Any] | None) -> dict[str, Any]:
    """Query string, then form body, then the Authorization: OAuth header (later wins), as WooCommerce."""
    params: dict[str, Any] = {**incoming.query, **(form or {})}
    header = incoming.headers.get("authorization", "")
    if header[:6].lower() == "oauth ":
        for name, quoted, bare in _OAUTH_HEADER_PARAM.findall(header[6:]):
            params[name] = unquote(quoted if quoted else bare.strip())
    return params


def _oauth(ctx: Context, incoming: Incoming, form: dict[str, Any] | None) -> Principal | None:
    params = oauth_params(incoming, form)
    present = [name for name in oauth.REQUIRED if isinstance(params.get(name), str) and params.get(name)]
    if not present:
        return None
    missing = [name for name in oauth.REQUIRED if name not in present]
    if missing:
        noun = "parameter" if len(missing) == 1 else "parameters"
        raise AuthError(
            "woocommerce_rest_authentication_missing_parameter", f"Missing OAuth {noun} {', '.join(missing)}"
        )
    found = _owner(ctx, params["oauth_consumer_key"])
    if found is None:
        raise AuthError(_AUTH_CODE, "Consumer key is invalid.")
    key, account = found
    method = params["oauth_signature_method"]
    if method not in oauth.ALGORITHMS:
        raise AuthError(_AUTH_CODE, "Invalid signature - signature method is invalid.")
    signed = {k: v for k, v in params.items() if k != "oauth_signature"}
    url = incoming.base + incoming.path
    secret = key.consumer_secret + "&"
    candidates = (
        oauth.Candidate(build(), secret)
        for build in (
            lambda: oauth.rest_string(incoming.method, url, signed),
            lambda: oauth.python_client_string(incoming.method, url, incoming.query_pairs),
        )
    )
    presented = oauth.presented_signature(params["oauth_signature"])
    if not oauth.matches(presented, method, candidates):
        raise AuthError(_AUTH_CODE, "Invalid signature - provided signature does not match.")
    check_fresh(ctx, key.id, params["oauth_timestamp"], params["oauth_nonce"])
    return _accept(ctx, key, account)


def check_fresh(ctx: Context, key_id: int, timestamp: str, nonce: str) -> None:
    now = time.time()
    if not oauth.fresh(timestamp, now):
        raise AuthError(_AUTH_CODE, "Invalid timestamp.")
    if not ctx.nonces.use(key_id, nonce, int(timestamp), int(now)):
        raise AuthError(_AUTH_CODE, "Invalid nonce - nonce has already been used.")


def _application_password(ctx: Context, incoming: Incoming) -> Principal | None:
    basic = incoming.basic_credentials()
    if basic is None or not incoming.secure:
        return None  # application passwords never travel over plain HTTP
    username, password = basic
    with ctx.store.read() as unit:
        found = ctx.credential_cache.app_password_owner(unit, username, password, ctx.site_secret)
    if found is None:
        raise AuthError("invalid_username", "Unknown username. Check again or try your email address.")
    if found is False or found is True:
        raise AuthError("incorrect_password", "The provided password is an invalid application password.")
    account, row = found
    resolution = ctx.settings.last_access_resolution
    recorded = _recorded_use(
        ctx, row.last_used, lambda unit: credentials.record_app_password_use(unit, row, resolution)
    )
    return Principal(account, app_password=row.uuid, recorded_at=recorded)
