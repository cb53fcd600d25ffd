"""A request as the dialects read it: raw path, PHP-style query, whether the connection is HTTPS."""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response

from regulars import querystring
from regulars.replies import SCOPE_KEY
from regulars.settings import Settings
from regulars.store.unit import Store

READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})
log = logging.getLogger(__name__)


@dataclass
class Incoming:
    method: str
    secure: bool
    host: str
    path: str
    query_pairs: list[tuple[str, str]]
    query: dict[str, Any]
    headers: Headers
    body: bytes
    # The key its answer may be held by (replies.py), when the request is one whose answer may be.
    reply_key: bytes | None = None

    @property
    def base(self) -> str:
        return f"{'https' if self.secure else 'http'}://{self.host}"

    def basic_credentials(self) -> tuple[str, str] | None:
        header = self.headers.get("authorization", "")
        if header[:6].lower() != "basic ":
            return None
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        return (user, password) if sep else None


async def read(request: Request, settings: Settings, errors: str = "replace") -> Incoming:
    """The request; query octets that are not UTF-8 decoded as `errors` says (querystring.pairs)."""
    scope = request.scope
    client = scope.get("client")
    secure = scope.get("scheme") == "https"
    host = request.headers.get("host", "localhost")
    if settings.is_trusted_proxy(client[0] if client else None):
        secure = secure or request.headers.get("x-forwarded-proto", "").lower() == "https"
        host = request.headers.get("x-forwarded-host", host)
    raw_query = scope.get("query_string", b"").decode("latin-1")
    decoded = querystring.pairs(raw_query, errors)
    raw_path = scope.get("raw_path") or scope["path"].encode()
    return Incoming(
        method=request.method.upper(),
        secure=secure,
        host=host,
        path=raw_path.decode("latin-1").split("?", 1)[0],
        # The pairs always as replaced text (what signatures and links are made of).
        query_pairs=decoded if errors == "replace" else querystring.pairs(raw_query),
        query=querystring.nested(decoded),
        headers=request.headers,
        body=await _bounded_body(request, settings.max_body_bytes),
        reply_key=scope.get(SCOPE_KEY),
    )


async def _bounded_body(request: Request, limit: int) -> bytes:
    """The body, but never more than limit + 1 bytes in memory: enough for the caller to see it is too
    large and answer 413 without reading the rest."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return b"\0" * (limit + 1)
    if declared in ("", "0") and "transfer-encoding" not in request.headers:
        return b""  # HTTP/1.1 has a body only with a length or chunked encoding
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(chunks)


def snapshot(store: Store, method: str) -> AbstractContextManager[object]:
    """What a request reads from: a read-only request reads its credentials, its target and its answer
    from one snapshot of the store (consistent, and on SQLite far cheaper than a snapshot per statement);
    a writing request reads anew after each of its writes, so it sees what it wrote."""
    return store.read() if method in READ_ONLY else nullcontext()


async def guarded(
    request: Request,
    answer: Callable[[Request], Awaitable[Response]],
    failure: Callable[[], Response],
    dialect: str,
) -> Response:
    """The dialect's answer; should anything fail unforeseen, the failure is logged with its traceback
    and the caller gets the dialect's own 500 (never a traceback, never the framework's plain text)."""
    try:
        return await answer(request)
    except Exception:
        log.exception("%s request failed: %s %s", dialect, request.method, request.url.path)
        return failure()
