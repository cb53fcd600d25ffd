"""What every /wp-json/fluent-cart/v2 request goes through: reading, authentication (application
passwords), routing by a declarative table, FluentCart's permission model, the per-credential rate limits
and FluentCart's envelopes — `{"success": true, "data": ...}` and
`{"success": false, "error": {"code", "message"}}` — for every answer, errors of any origin included.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response

from regulars import querystring
from regulars.context import Context
from regulars.dialects import incoming as incoming_module
from regulars.dialects.incoming import Incoming
from regulars.dialects.wordpress import as_id
from regulars.dialects.wordpress import requested_method as method_of
from regulars.dialects.wp_auth import AuthError, authenticate
from regulars.domain.accounts import Account
from regulars.domain.errors import DomainError
from regulars.domain.text import is_utf8
from regulars.openapi import Doc
from regulars.ratelimit import Counts

NAMESPACE = "fluent-cart/v2"
DIALECT = "fluentcart"
JSON_TYPE = "application/json; charset=UTF-8"
NO_ROUTE = "No route was found matching the URL and request method."
UNDECODED = "surrogateescape"  # how octets that are not UTF-8 are read from query strings and forms

# FluentCart's permissions by role: an administrator (manage_options) has all of them; a shop manager
# views and manages customers but does not delete; every other role has none.
VIEW, MANAGE, DELETE = "view", "manage", "delete"
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "administrator": frozenset({VIEW, MANAGE, DELETE}),
    "shop_manager": frozenset({VIEW, MANAGE}),
}


class FcError(Exception):
    """An answer in FluentCart's error envelope; `errors` lists field problems as {field: {rule: message}}."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        errors: Mapping[str, Mapping[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = dict(errors or {})
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors:
            error["errors"] = self.errors
        return {"success": False, "error": error}


def invalid(field_name: str, rule: str, message: str, status: int = 422) -> FcError:
    return FcError(status, "validation_error", message, errors={field_name: {rule: message}})


@dataclass
class FcReply:
    data: Any = None
    status: int = 200
    message: str | None = None
    file: Response | None = None  # a download instead of JSON


@dataclass
class FcCall:
    """One request as a handler sees it: the merged input, the body alone, the path and the caller."""

    ctx: Context
    actor: Account
    path: dict[str, str]
    params: dict[str, Any]
    body: dict[str, Any]
    headers: Headers

    @property
    def customer_id(self) -> int:
        raw = self.path.get("customer_id", "")
        found = as_id(raw) if raw.isdigit() else 0  # past 64 bits no id is stored
        if not found:
            raise FcError(404, "customer_not_found", f"Customer with ID {raw} not found")
        return found


Handler = Callable[[FcCall], FcReply]
ByCall = Callable[[FcCall], str]


@dataclass
class Op:
    """One row of the routing table: method, path pattern, handler, permission and rate-limit kind
    (the last two may depend on the request, as a bulk action's do: its customers by kind)."""

    method: str
    pattern: str  # "/customers/{customer_id}/address"
    handler: Handler
    permission: str | ByCall
    kind: str | Callable[[FcCall], Counts]

    def limit_counts(self, call: FcCall) -> Counts:
        return {self.kind: 1} if isinstance(self.kind, str) else self.kind(call)

    doc: Doc = field(default_factory=Doc)  # its parameters, body and answers, for the OpenAPI document
    regex: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        self.regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.pattern) + "$")


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, dict(headers or {}), media_type=JSON_TYPE)


def error_response(error: FcError, headers: Mapping[str, str] | None = None) -> Response:
    return json_response(error.body(), error.status, {**(headers or {}), **error.headers})


def _resolve(value: str | ByCall, call: FcCall) -> str:
    return value if isinstance(value, str) else value(call)


def _internal_error() -> Response:
    return error_response(FcError(500, "internal_error", "An internal error occurred."))


class FluentCartApi:
    """The /wp-json/fluent-cart/v2 server for one table of operations."""

    def __init__(self, ctx: Context, ops: Sequence[Op], translate: Callable[[DomainError], FcError]) -> None:
        self.ctx = ctx
        self.ops = list(ops)
        self.translate = translate

    async def __call__(self, request: Request) -> Response:
        return await incoming_module.guarded(request, self._answer, _internal_error, "FluentCart")

    async def _answer(self, request: Request) -> Response:
        ctx = self.ctx
        # Octets that are not UTF-8 stay recognisable, so a text holding them is dropped as WordPress's
        # sanitize_text_field drops it (domain/text.py), never stored mangled.
        incoming = await incoming_module.read(request, ctx.settings, UNDECODED)
        method = method_of(incoming.method, incoming.query, incoming.headers)
        try:
            with incoming_module.snapshot(ctx.store, method):
                return self._handle(request, incoming, method)
        except FcError as exc:
            return error_response(exc)

    def _handle(self, request: Request, incoming: Incoming, method: str) -> Response:
        ctx = self.ctx
        route = request.path_params.get("route", "")
        rest_route = incoming.query.get("rest_route")  # /?rest_route=/fluent-cart/v2/… (no pretty links)
        if isinstance(rest_route, str) and rest_route.startswith(f"/{NAMESPACE}"):
            route = rest_route.removeprefix(f"/{NAMESPACE}")
        route = "/" + route.strip("/")
        if not is_utf8(route):  # a rest_route with octets that are not UTF-8 names no route
            raise FcError(404, "rest_no_route", NO_ROUTE)
        if len(incoming.body) > ctx.settings.max_body_bytes:
            raise FcError(413, "request_too_large", "The request body is too large.")
        form = _form(incoming.headers, incoming.body)
        try:
            principal = authenticate(ctx, incoming, f"/{NAMESPACE}{route}", form)
        except AuthError as exc:
            raise FcError(exc.status, exc.code, exc.message) from exc
        if route == "/" and method in ("GET", "HEAD"):
            return json_response(self._index())
        op, path = self._match(method, route)
        methods = self._methods(route)
        allow = {"Allow": ", ".join(methods)} if methods else {}
        if method == "OPTIONS" and methods:
            return json_response({"success": True, "data": {"methods": methods}}, 200, allow)
        if op is None:
            raise FcError(404, "rest_no_route", NO_ROUTE, headers=allow)
        if principal is None:
            hint = "" if incoming.secure else " Application passwords are accepted over HTTPS only."
            raise FcError(401, "insufficient_permissions", f"You must be authenticated to do this.{hint}")
        body = _json_body(incoming.headers, incoming.body)
        if body is None:
            body = form or {}
        params: dict[str, Any] = {**incoming.query, **body}
        call = FcCall(ctx, principal.account, path, params, body, incoming.headers)
        granted = ROLE_PERMISSIONS.get(principal.account.role, frozenset())
        # A caller without any permission hears so before the request is read for one (a bulk action).
        if not granted or _resolve(op.permission, call) not in granted:
            raise FcError(403, "insufficient_permissions", "Sorry, you are not allowed to do that.")
        limits: dict[str, str] = {}
        if ctx.limiter.applies_to(DIALECT):
            verdict = ctx.limiter.hit(DIALECT, principal.credential, op.limit_counts(call))
            limits = verdict.headers()
            if not verdict.allowed:
                raise FcError(429, "rate_limit_exceeded", verdict.message, headers=limits)
        try:
            reply = op.handler(call)
        except DomainError as exc:
            return error_response(self.translate(exc), limits)
        except FcError as exc:
            return error_response(exc, limits)
        return self._respond(reply, method, limits)

    def _respond(self, reply: FcReply, method: str, headers: dict[str, str]) -> Response:
        if reply.file is not None:
            reply.file.headers.update(headers)
            return reply.file
        body: dict[str, Any] = {"success": True}
        if reply.message is not None:
            body["message"] = reply.message
        if reply.data is not None:
            body["data"] = reply.data
        if method == "HEAD":
            return Response(b"", reply.status, headers, media_type=JSON_TYPE)
        return json_response(body, reply.status, headers)

    def _match(self, method: str, route: str) -> tuple[Op | None, dict[str, str]]:
        """The first operation of the table for this method and path, with its path parameters."""
        wanted = "GET" if method == "HEAD" else method
        for op in self.ops:
            found = op.regex.match(route)
            if found is not None and op.method == wanted:
                return op, found.groupdict()
        return None, {}

    def _methods(self, route: str) -> list[str]:
        return list(dict.fromkeys(op.method for op in self.ops if op.regex.match(route)))

    def _index(self) -> dict[str, Any]:
        """The namespace index WordPress gives for /wp-json/fluent-cart/v2: each route and its methods."""
        routes: dict[str, dict[str, list[str]]] = {}
        for op in self.ops:
            routes.setdefault(f"/{NAMESPACE}{op.pattern}", {"methods": []})["methods"].append(op.method)
        return {"namespace": NAMESPACE, "routes": routes}


def _content_type(headers: Headers) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def _form(headers: Headers, body: bytes) -> dict[str, Any] | None:
    if body and _content_type(headers) == "application/x-www-form-urlencoded":
        return querystring.parse(body.decode("utf-8", UNDECODED), UNDECODED)
    return None


def _json_body(headers: Headers, body: bytes) -> dict[str, Any] | None:
    if _content_type(headers) != "application/json" or not body.strip():
        return None
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise FcError(400, "validation_error", "The request body is not valid JSON.") from exc
    if not isinstance(parsed, dict):
        raise FcError(400, "validation_error", "The request body must be a JSON object.")
    return parsed
