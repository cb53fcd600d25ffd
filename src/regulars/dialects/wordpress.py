"""What every /wp-json route shares: routing, the error envelope, argument validation, `_fields`,
`_envelope`, OPTIONS, the discovery indexes and WordPress's headers.

A dialect (wc_rest, fluentcart) declares its routes as data: a path pattern, the endpoints on it with
their methods, arguments (the same dicts OPTIONS shows), permission check and handler.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response

from regulars import querystring
from regulars.dialects import incoming as incoming_module
from regulars.dialects.incoming import Incoming
from regulars.dialects.wp_auth import AuthError, Principal, authenticate, key_method_error
from regulars.dialects.wp_schema import ArgError, out_of_bounds, sanitize, validate
from regulars.openapi import Widths
from regulars.ratelimit import Counts, Verdict
from regulars.replies import HeldReply
from regulars.services import credentials

JSON_TYPE = "application/json; charset=UTF-8"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
BASE_HEADERS = {
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    "Access-Control-Expose-Headers": "X-WP-Total, X-WP-TotalPages, Link",
    "Access-Control-Allow-Headers": (
        "Authorization, X-WP-Nonce, Content-Disposition, Content-MD5, Content-Type"
    ),
}


class RestError(Exception):
    """A WordPress REST error: {"code", "message", "data": {"status", ...}}."""

    def __init__(self, code: str, message: str, status: int, **data: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.data = data

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": {"status": self.status, **self.data}}


@dataclass
class Reply:
    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # Pagination links (rel, url); when present they are the Link header.
    links: list[tuple[str, str]] = field(default_factory=list)
    # A single item whose `_links` WordPress adds after `_fields` filtering.
    links_after_fields: dict[str, Any] | None = None


@dataclass
class Call:
    """One request as an endpoint sees it: validated parameters and who is asking."""

    method: str
    route_path: str
    params: dict[str, Any]
    sent: frozenset[str]  # parameter names the client actually sent (query, body or path)
    url_params: dict[str, str]
    raw_query: list[tuple[str, str]]
    base: str  # scheme://host of this server as the client addressed it
    principal: Principal | None
    context: Any  # the application: store, settings
    loaded: dict[str, Any] = field(default_factory=dict)  # what a permission check read, for the handler

    def has(self, name: str) -> bool:
        return name in self.sent

    @property
    def home(self) -> str:
        return self.base

    def rest_url(self, route: str) -> str:
        return f"{self.base}/wp-json{route}"


Handler = Callable[[Call], Reply]
Permission = Callable[[Call], None]


@dataclass
class Endpoint:
    methods: tuple[str, ...]
    handler: Handler
    permission: Permission | None = None
    args: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Which hourly rate limit the endpoint counts against: list, create, update or delete.
    kind: str | None = None
    # What it answers on success, for the OpenAPI document: "item" (one of the route's schema), "list"
    # (of them) or "batch" ({create, update, delete} lists); and the status.
    returns: str = "item"
    status: int = 200
    # How many operations of each kind a request holds (a batch's items), when not one of `kind`.
    counts: Callable[[Call], Counts] | None = None
    # Whether its answer depends on the caller, the URL and the profiles alone, so that it may be given
    # again while the store's revisions stand (replies.py).
    held: bool = False

    def limit_counts(self, call: Call) -> Counts:
        """What the call costs against the rate limits: its items by kind, or one of the endpoint's kind."""
        counted = self.counts(call) if self.counts is not None else None
        if counted:
            return counted
        default = {"GET": "list", "HEAD": "list", "POST": "create", "DELETE": "delete"}
        return {self.kind or default.get(call.method, "update"): 1}


@dataclass
class Route:
    namespace: str
    pattern: str  # as WordPress registers it, e.g. r"/customers/(?P<id>[\d]+)"
    endpoints: list[Endpoint]
    schema: Callable[[], dict[str, Any]] | None = None
    widths: Widths = field(default_factory=dict)  # of its arguments' texts, for the OpenAPI document only

    def __post_init__(self) -> None:
        self.full = f"/{self.namespace}{self.pattern}"
        self.regex = re.compile(f"^{self.full}$", re.IGNORECASE)

    @property
    def methods(self) -> list[str]:
        return [m for e in self.endpoints for m in e.methods]

    def endpoint_for(self, method: str) -> Endpoint | None:
        return next((e for e in self.endpoints if method in e.methods), None)


def error_response(error: RestError, headers: Mapping[str, str] | None = None) -> Response:
    return json_response(error.body(), error.status, headers)


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    merged = {**BASE_HEADERS, **(headers or {})}
    return Response(orjson.dumps(body), status, merged, media_type=JSON_TYPE)


def parse_fields(raw: Any) -> list[list[str]]:
    names = raw if isinstance(raw, list) else str(raw).split(",")
    return [n.strip().split(".") for n in names if str(n).strip()]


def filter_fields(data: Any, fields: list[list[str]]) -> Any:
    """rest_filter_response_fields: keep only the named top-level keys and nested paths."""
    if not isinstance(data, dict):
        return data
    kept: dict[str, Any] = {}
    for path in fields:
        source: Any = data
        target = kept
        for depth, part in enumerate(path):
            if not isinstance(source, dict) or part not in source:
                break
            if depth == len(path) - 1:
                target[part] = source[part]
            else:
                source = source[part]
                target = target.setdefault(part, {})
    return kept


MAX_ID = 2**63 - 1


def as_id(raw: Any) -> int:
    """A stored id, or 0 for anything that cannot be one (text, negatives, numbers past 64 bits)."""
    if isinstance(raw, bool):
        return 0
    if isinstance(raw, int):
        return raw if 0 < raw <= MAX_ID else 0
    text = str(raw).strip() if raw is not None else ""
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else 0


def rows_to_skip(offset: int | None, page: int, per_page: int) -> int:
    """The `offset` sent, else the page's first row; never negative (WordPress reads it as 0) and never past
    what a store can count (a page that far is empty all the same)."""
    skip = (page - 1) * per_page if offset is None else offset
    return min(max(skip, 0), MAX_ID)


def invalid_params(invalid: Mapping[str, ArgError]) -> RestError:
    """rest_invalid_param naming each refused argument, with WordPress's params and details."""
    return RestError(
        "rest_invalid_param",
        f"Invalid parameter(s): {', '.join(invalid)}",
        400,
        params={n: e.message for n, e in invalid.items()},
        details={n: {"code": e.code, "message": e.message, "data": e.data} for n, e in invalid.items()},
    )


def bracketed(field: str, outer: Mapping[str, str] = {}) -> tuple[str, str]:
    """A domain field (`billing.city`) as PHP names a request's nested value: the argument (`billing`,
    or what `outer` calls it) and the full name (`billing[city]`)."""
    top, *inner = field.split(".")
    top = outer.get(top, top)
    return top, top + "".join(f"[{part}]" for part in inner)


def too_long(field: str, limit: int) -> RestError:
    """A text longer than the store keeps, refused as WordPress refuses a string past its schema's
    maxLength."""
    top, name = bracketed(field)
    message = f"{name} must be at most {limit} characters long."
    return invalid_params({top: ArgError("rest_too_long", message)})


def too_large(field: str, low: Any, high: Any) -> RestError:
    """A number the store cannot hold, refused as WordPress refuses one outside its schema's bounds."""
    top, name = bracketed(field)
    return invalid_params({top: out_of_bounds(name, low, high)})


def checked_args(
    params: dict[str, Any], args: Mapping[str, Mapping[str, Any]], trusted: Mapping[str, Any] = {}
) -> dict[str, Any]:
    """Validate the declared arguments (all refusals at once), then sanitise them and fill defaults.
    `trusted` values (the URL's, already matched by the route pattern) are sanitised, not validated."""
    invalid: dict[str, ArgError] = {}
    for name, spec in args.items():
        if name in params and name not in trusted:
            try:
                validate(params[name], spec, name)
            except ArgError as exc:
                invalid[name] = exc
    if invalid:
        raise invalid_params(invalid)
    for name, spec in args.items():
        if name in params:
            params[name] = sanitize(params[name], spec)
        elif "default" in spec:
            params[name] = spec["default"]
    return params


def path_id(call: Call) -> int:
    """The id in the URL. A body id naming another record is refused rather than obeyed (WordPress would act
    on the body's id: one of our deliberate deviations)."""
    in_path = as_id(call.url_params["id"])
    if call.params.get("id") not in (None, in_path):
        message = "id does not match the resource in the URL."
        raise invalid_params({"id": ArgError("rest_id_mismatch", message)})
    return in_path


def batch_items(value: Any) -> list[Any]:
    """A batch list as WordPress reads one: a JSON array, or an object's values."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return []


BATCH_KINDS = ("create", "update", "delete")


def batch_lists(call: Call) -> dict[str, list[Any]]:
    """A batch's create, update and delete lists; more items than the batch limit are refused whole."""
    lists = {kind: batch_items(call.params.get(kind)) for kind in BATCH_KINDS}
    limit = call.context.settings.batch_limit
    if sum(len(items) for items in lists.values()) > limit:
        raise RestError(
            "woocommerce_rest_request_entity_too_large",
            f"Unable to accept more than {limit} items for this request.",
            413,
        )
    return lists


def batch_counts(call: Call) -> Counts:
    """A batch costs its items against the rate limits, each against its own kind."""
    return {kind: len(items) for kind, items in batch_lists(call).items() if items}


def item_error(item_id: Any, error: RestError) -> dict[str, Any]:
    return {"id": item_id, "error": error.body()}


_HIDDEN_IN_LINKS = ("consumer_key", "consumer_secret", "oauth_")


def pagination(call: Call, total: int, per_page: int, page: int, route: str) -> Reply:
    """X-WP-Total, X-WP-TotalPages and the next/prev links WordPress controllers send.

    WordPress copies every query parameter into the links, credentials included; we leave the
    credentials out (a client has them already, and logs and caches should not).
    """
    pages = -(-total // per_page) if per_page else 0
    reply = Reply(None, headers={"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)})
    kept = {k: v for k, v in call.raw_query if k != "page" and not k.startswith(_HIDDEN_IN_LINKS)}
    base = call.rest_url(route)
    if pages > page:
        reply.links.append(("next", f"{base}?{urlencode({**kept, 'page': page + 1})}"))
    if page > 1:
        reply.links.append(("prev", f"{base}?{urlencode({**kept, 'page': min(page - 1, pages) or 1})}"))
    return reply


def _allowed(route: Route, call: Call) -> list[str]:
    """The methods of a route whose permission check passes for this caller (WordPress's Allow)."""
    allowed: list[str] = []
    for endpoint in route.endpoints:
        try:
            if endpoint.permission is not None:
                endpoint.permission(call)
        except RestError:
            continue
        allowed.extend(endpoint.methods)
    return allowed


def requested_method(incoming_method: str, query: Mapping[str, Any], headers: Mapping[str, str]) -> str:
    """The method WordPress acts on: `_method` or X-HTTP-Method-Override, else the HTTP one."""
    override = query.get("_method") or headers.get("x-http-method-override")
    if isinstance(override, str) and override:
        return override.upper()
    return incoming_method


def _internal_error() -> Response:
    """What WordPress answers when a request dies of an uncaught error (its fatal-error handler)."""
    message = "There has been a critical error on this website."
    return error_response(RestError("internal_server_error", message, 500))


class WpJson:
    """The /wp-json/ server: every registered route of every namespace, dispatched as WordPress does."""

    def __init__(
        self,
        ctx: Any,
        routes: Sequence[Route],
        index_info: Mapping[str, Any],
        dialect: str = "wc_rest",
        served_elsewhere: Sequence[str] = (),
    ) -> None:
        self.ctx = ctx
        self.dialect = dialect
        self.routes = list(routes)
        self.namespaces = list(dict.fromkeys(r.namespace for r in self.routes))
        # Namespaces other dispatchers of this site serve, listed in the discovery index all the same.
        self.served_elsewhere = list(served_elsewhere)
        self.index_info = dict(index_info)

    async def __call__(self, request: Request) -> Response:
        return await incoming_module.guarded(request, self._answer, _internal_error, "WordPress REST")

    async def _answer(self, request: Request) -> Response:
        ctx = self.ctx
        incoming = await incoming_module.read(request, ctx.settings)
        route_path = request.path_params.get("route", "")
        route_path = "/" + route_path.lstrip("/") if route_path else "/"
        if isinstance(incoming.query.get("rest_route"), str):
            route_path = incoming.query["rest_route"] or "/"
        method = requested_method(incoming.method, incoming.query, incoming.headers)
        with incoming_module.snapshot(ctx.store, method):
            return self._handle(incoming, route_path, method)

    def _handle(self, incoming: Incoming, route_path: str, method: str) -> Response:
        ctx = self.ctx
        api_link = {"Link": f'<{incoming.base}/wp-json/>; rel="https://api.w.org/"'}
        if len(incoming.body) > ctx.settings.max_body_bytes:
            return error_response(
                RestError("rest_request_too_large", "The request body is too large.", 413), api_link
            )
        form = self._form(incoming, method)
        try:
            principal = authenticate(ctx, incoming, route_path, form)
        except AuthError as exc:
            return error_response(RestError(exc.code, exc.message, exc.status), api_link)
        refusal = key_method_error(principal, method)
        if refusal is not None:
            return error_response(RestError(refusal.code, refusal.message, refusal.status), api_link)
        if method in ("GET", "HEAD") and route_path.rstrip("/") in ("", *[f"/{n}" for n in self.namespaces]):
            return json_response(self._index(incoming.base, route_path.strip("/")), 200, api_link)
        matched = self._match(route_path)
        if matched is None:
            return error_response(self._no_route(), api_link)
        route, url_params = matched
        call = Call(
            method=method,
            route_path=route_path,
            params={},
            sent=frozenset(),
            url_params=url_params,
            raw_query=incoming.query_pairs,
            base=incoming.base,
            principal=principal,
            context=ctx,
        )
        if method == "OPTIONS":
            return json_response(self._describe(route, call), 200, {**api_link, **self._allow(route, call)})
        endpoint = route.endpoint_for("GET" if method == "HEAD" else method)
        if endpoint is None:
            return error_response(self._no_route(), api_link)
        limited: dict[str, str] = {}
        try:
            body = self._json_body(incoming)
            params, sent = self._merge(incoming, body, form, url_params)
            call.params, call.sent = params, sent
            # Counted once the body says what the request holds, before anything is written.
            verdict = self._rate_limit(endpoint, call)
            if verdict is not None and not verdict.allowed:
                refusal = RestError("rest_too_many_requests", verdict.message, 429)
                return error_response(refusal, {**api_link, **verdict.headers()})
            limited = verdict.headers() if verdict is not None else {}
            self._validate(endpoint, call)
            if endpoint.permission is not None:
                endpoint.permission(call)
            reply = endpoint.handler(call)
        except RestError as exc:
            response = error_response(exc, {**api_link, **self._allow(route, call)})
        else:
            response = self._respond(reply, call, route, incoming, api_link)
            if endpoint.held and incoming.reply_key is not None and verdict is None:
                self._hold(incoming.reply_key, call.principal, response)
        response.headers.update(limited)
        return response

    def _hold(self, key: bytes, principal: Principal | None, response: Response) -> None:
        """Keep a successful answer to give again, stamped with the revisions of the snapshot it was read
        from (read already, for its credentials)."""
        if principal is None or response.status_code != 200:
            return
        ctx = self.ctx
        with ctx.store.read() as unit:
            stamp = unit.revisions.stamp()
        due = credentials.use_due_at(principal.recorded_at, ctx.settings.last_access_resolution)
        ctx.replies.keep(
            key, HeldReply(stamp, response.status_code, tuple(response.raw_headers), response.body, due)
        )

    # --- steps -------------------------------------------------------------------------------------
    def _rate_limit(self, endpoint: Endpoint, call: Call) -> Verdict | None:
        """Count the call against its credential's hourly limits, when limits apply to this dialect."""
        limiter = self.ctx.limiter
        if call.principal is None or not limiter.applies_to(self.dialect):
            return None
        return limiter.hit(self.dialect, call.principal.credential, endpoint.limit_counts(call))

    def _form(self, incoming: Any, method: str) -> dict[str, Any] | None:
        content_type = incoming.headers.get("content-type", "").split(";")[0].strip().lower()
        form_type = content_type == "application/x-www-form-urlencoded"
        if method in WRITE_METHODS and form_type and incoming.body:
            return querystring.parse(incoming.body.decode("utf-8", "replace"))
        return None

    def _json_body(self, incoming: Any) -> dict[str, Any] | None:
        content_type = incoming.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json" or not incoming.body.strip():
            return None
        try:
            parsed = orjson.loads(incoming.body)
        except orjson.JSONDecodeError as exc:
            raise RestError(
                "rest_invalid_json",
                "Invalid JSON body passed.",
                400,
                json_error_code=4,
                json_error_message=str(exc).split(":")[0] or "Syntax error",
            ) from exc
        return parsed if isinstance(parsed, dict) else {}

    def _merge(
        self, incoming: Any, body: dict[str, Any] | None, form: dict[str, Any] | None, url: dict[str, str]
    ) -> tuple[dict[str, Any], frozenset[str]]:
        merged: dict[str, Any] = dict(url)
        merged.update(incoming.query)
        merged.update(form or {})
        merged.update(body or {})
        return merged, frozenset(merged)

    def _validate(self, endpoint: Endpoint, call: Call) -> None:
        params = call.params
        missing = [n for n, spec in endpoint.args.items() if spec.get("required") and params.get(n) is None]
        if missing:
            raise RestError(
                "rest_missing_callback_param",
                f"Missing parameter(s): {', '.join(missing)}",
                400,
                params=missing,
            )
        checked_args(params, endpoint.args, trusted=call.url_params)

    def _allow(self, route: Route, call: Call) -> dict[str, str]:
        allowed = _allowed(route, call)
        return {"Allow": ", ".join(allowed)} if allowed else {}

    def _respond(self, reply: Reply, call: Call, route: Route, incoming: Any, api_link: dict) -> Response:
        body = reply.body
        fields = incoming.query.get("_fields")
        if fields:
            wanted = parse_fields(fields)
            body = (
                [filter_fields(i, wanted) for i in body]
                if isinstance(body, list)
                else filter_fields(body, wanted)
            )
        if reply.links_after_fields is not None and isinstance(body, dict):
            body = {**body, "_links": reply.links_after_fields}
        headers = {**reply.headers, **self._allow(route, call)}
        if reply.links:
            headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in reply.links)
        else:
            headers.update(api_link)
        if "_envelope" in incoming.query:
            return json_response({"body": body, "status": reply.status, "headers": headers}, 200, api_link)
        if call.method == "HEAD":
            return Response(b"", reply.status, {**BASE_HEADERS, **headers}, media_type=JSON_TYPE)
        return json_response(body, reply.status, headers)

    def _match(self, route_path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            found = route.regex.match(route_path)
            if found:
                return route, {k: v for k, v in found.groupdict().items() if v is not None}
        return None

    def _no_route(self) -> RestError:
        return RestError("rest_no_route", "No route was found matching the URL and request method.", 404)

    def _describe(self, route: Route, call: Call) -> dict[str, Any]:
        described: dict[str, Any] = {
            "namespace": route.namespace,
            "methods": route.methods,
            "endpoints": [
                {"methods": list(e.methods), "args": _public_args(e.args)} for e in route.endpoints
            ],
        }
        if route.schema is not None:
            described["schema"] = route.schema()
        if "(?P<" not in route.pattern:
            described["_links"] = {"self": [{"href": call.rest_url(route.full)}]}
        return described

    def _index(self, base: str, namespace: str) -> dict[str, Any]:
        routes = [r for r in self.routes if not namespace or r.namespace == namespace]
        described: dict[str, Any] = {}
        for ns in dict.fromkeys(r.namespace for r in routes):
            described[f"/{ns}"] = {
                "namespace": ns,
                "methods": ["GET"],
                "endpoints": [
                    {
                        "methods": ["GET"],
                        "args": {
                            "namespace": {"default": ns, "required": False},
                            "context": {"default": "view", "required": False},
                        },
                    }
                ],
                "_links": {"self": [{"href": f"{base}/wp-json/{ns}"}]},
            }
        for route in routes:
            entry: dict[str, Any] = {
                "namespace": route.namespace,
                "methods": route.methods,
                "endpoints": [
                    {"methods": list(e.methods), "args": _public_args(e.args)} for e in route.endpoints
                ],
            }
            if "(?P<" not in route.pattern:
                entry["_links"] = {"self": [{"href": f"{base}/wp-json{route.full}"}]}
            described[route.full] = entry
        if namespace:
            return {
                "namespace": namespace,
                "routes": described,
                "_links": {"up": [{"href": f"{base}/wp-json/"}]},
            }
        return {
            **self.index_info,
            "url": base,
            "home": base,
            "namespaces": [*self.namespaces, *self.served_elsewhere],
            "authentication": {"application-passwords": {"endpoints": {}}},
            "routes": described,
            "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
        }


def _public_args(args: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {name: {**spec, "required": bool(spec.get("required", False))} for name, spec in args.items()}
