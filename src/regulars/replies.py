"""Answers a server process gives again without working them out: a customer read again, as clients that
poll do, is sent as the bytes it was sent as before, while nothing it was made of has changed.

An answer is held only when an endpoint says it may be (`Endpoint.held`: it depends on the caller, the
URL and the profiles alone), for a GET or HEAD with no body, no method override and no OAuth signature
(whose nonce makes every request new), and only a 200. It is keyed by a digest of everything of the
request it could depend on (method, scheme, host, forwarding headers, path, query, Authorization), so
no credential is kept in memory by this, and each caller has its own. It is given again only while the
store's revisions (credentials and profiles, moved by every process's writes: migrations 0009 and 0013)
stand where they stood in the snapshot it was made from, and while its credential's last use needs no
recording (settings.last_access_resolution): then the request goes the whole way, as the first did.

Held answers are bytes, which the garbage collector never walks, so holding many costs its full passes
nothing (unlike held profiles: store/profiles.py). The least recently given go first past the limit.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]
Stamp = tuple[int, ...]

SCOPE_KEY = "regulars.held_reply"  # where the front leaves a request's key for the dispatcher to keep by
_KEYED = (b"authorization", b"host", b"x-forwarded-proto", b"x-forwarded-host")
_UNHELD = (b"x-http-method-override", b"transfer-encoding")  # another method, or a body
_ENTRY_OVERHEAD = 200  # bytes an entry costs beyond its body and headers, roughly: the key, the tuples


@dataclass(frozen=True, slots=True)
class HeldReply:
    stamp: Stamp
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    due: float  # when (time.time()) the credential's use is to be recorded again

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + _ENTRY_OVERHEAD


def reply_key(scope: Scope) -> bytes | None:
    """The key a request's answer is held by, or None for a request whose answer is never held."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return None
    path: bytes = scope.get("raw_path") or scope["path"].encode()
    if not path.startswith(b"/wp-json/"):
        return None  # only /wp-json/ endpoints say whether their answers may be held
    query: bytes = scope.get("query_string", b"")
    if b"oauth_" in query or b"_method" in query:
        return None
    digest = hashlib.sha256()
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        if name in _KEYED:
            found[name] = value
        elif name in _UNHELD or (name == b"content-length" and value.strip() not in (b"", b"0")):
            return None
    if found.get(b"authorization", b"")[:6].lower() == b"oauth ":
        return None
    if b"x-forwarded-proto" in found or b"x-forwarded-host" in found:
        client = scope.get("client")
        found[b"client"] = str(client[0] if client else "").encode()  # they count from trusted proxies only
    digest.update(b"\0".join((scope["method"].encode(), scope.get("scheme", "http").encode(), path, query)))
    for name in sorted(found):
        digest.update(b"\0" + name + b"\0" + found[name])
    return digest.digest()


class HeldReplies:
    """The answers held, least recently given first, within `limit` bytes (0 holds none)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._held: OrderedDict[bytes, HeldReply] = OrderedDict()
        self._stamp: Stamp = ()

    def __len__(self) -> int:
        return len(self._held)

    def get(self, key: bytes, stamp: Callable[[], Stamp]) -> HeldReply | None:
        """The answer held under `key`, if the store's revisions (`stamp()`, read only when one is held)
        still stand where they stood when it was made and its credential's use needs no recording."""
        held = self._held.get(key)
        if held is None or held.stamp != stamp() or time.time() >= held.due:
            return None
        self._held.move_to_end(key)
        return held

    def keep(self, key: bytes, reply: HeldReply) -> None:
        """Hold an answer; one made at newer revisions than those held lets all the others go, one made
        at older ones (a request that began before a change and ended after) is not held."""
        if reply.size > self.limit:
            return
        if reply.stamp != self._stamp:
            if len(reply.stamp) == len(self._stamp) and any(
                new < old for new, old in zip(reply.stamp, self._stamp, strict=True)
            ):
                return
            self._held.clear()
            self.size = 0
            self._stamp = reply.stamp
        previous = self._held.pop(key, None)
        if previous is not None:
            self.size -= previous.size
        self._held[key] = reply
        self.size += reply.size
        while self.size > self.limit:
            _, dropped = self._held.popitem(last=False)
            self.size -= dropped.size


class HeldReplyFront:
    """ASGI middleware: answers a request from what is held, or passes it on with its key in the scope
    (SCOPE_KEY) for the dispatcher to hold its answer by."""

    def __init__(self, app: ASGIApp, replies: HeldReplies, stamp: Callable[[], Stamp]) -> None:
        self.app, self.replies, self.stamp = app, replies, stamp

    async def __call__(
        self, scope: Scope, receive: Callable[[], Awaitable[Any]], send: Callable[[Any], Awaitable[None]]
    ) -> None:
        key = reply_key(scope) if self.replies.limit else None
        if key is not None:
            held = self.replies.get(key, self.stamp)
            if held is not None:
                await send({"type": "http.response.start", "status": held.status, "headers": held.headers})
                await send({"type": "http.response.body", "body": held.body})
                return
            scope[SCOPE_KEY] = key
        await self.app(scope, receive, send)
