"""What every /wc-api/v2 and /wc-api/v3 route shares: versions as data, routing the way WooCommerce's
legacy WC_API_Server routes, its error list envelope, `fields=`, the pagination headers and the index.

A resource module (wc_legacy_customers) declares its routes as data: a pattern as WooCommerce
registers it, and the endpoints on it with their methods and handlers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import orjson
from starlette.requests import Request
from starlette.responses import Response

from regulars.auth.principal import Principal
from regulars.dialects import incoming as incoming_module
from regulars.dialects.incoming import Incoming
from regulars.dialects.wc_legacy_auth import CHALLENGE, LegacyAuthError, authenticate
from regulars.openapi import Doc
from regulars.ratelimit import Counts, Verdict

DIALECT = "wc_legacy"  # its name in REGULARS_RATE_LIMITED_DIALECTS
JSON_TYPE = "application/json; charset=UTF-8"
METHODS = ("HEAD", "GET", "POST", "PUT", "PATCH", "DELETE")  # WC_API_Server::$method_map, in its order
READABLE = ("GET",)
CREATABLE = ("POST",)
EDITABLE = ("POST", "PUT", "PATCH")
DELETABLE = ("DELETE",)
# The WooCommerce release whose behaviour these routes reproduce; the index reports it, as clients
# choose features by it.
WOOCOMMERCE_VERSION = "10.0.2"
MISSING: Any = object()  # a request body that is absent or not JSON: the handler's `data` is missing
_HIDDEN_IN_LINKS = ("consumer_key", "consumer_secret", "oauth_")
_QUERY_ROUTE = re.compile(r"[^A-Za-z0-9_/\-]")


@dataclass(frozen=True)
class Version:
    """One legacy API version: everything v2 and v3 differ in, for customers."""

    name: str
    customer_fields: tuple[str, ...]  # keys of a customer, in WooCommerce's order
    order_fields: tuple[str, ...]  # keys of an order (customers/<id>/orders)
    every_role: bool  # filter[role]=all lists every role (v3); in v2 "all" is a role nobody has
    orders_as_query: bool  # customers/<id>/orders is the paged orders query (v3), not all orders oldest first
    api_version: str | None  # store.version in the index
    ssl_from_request: bool  # the index's ssl_enabled is also true when the request came over HTTPS


_CUSTOMER = (
    "id",
    "created_at",
    "email",
    "first_name",
    "last_name",
    "username",
    "role",
    "last_order_id",
    "last_order_date",
    "orders_count",
    "total_spent",
    "avatar_url",
    "billing_address",
    "shipping_address",
)
_ORDER = (
    "id",
    "order_number",
    "created_at",
    "updated_at",
    "completed_at",
    "status",
    "currency",
    "total",
    "subtotal",
    "total_line_items_quantity",
    "total_tax",
    "total_shipping",
    "cart_tax",
    "shipping_tax",
    "total_discount",
    "shipping_methods",
    "payment_details",
    "billing_address",
    "shipping_address",
    "note",
    "customer_ip",
    "customer_user_agent",
    "customer_id",
    "view_order_url",
    "line_items",
    "shipping_lines",
    "tax_lines",
    "fee_lines",
    "coupon_lines",
    "customer",
)

VERSIONS: dict[str, Version] = {
    "v2": Version(
        "v2",
        _CUSTOMER,
        _ORDER,
        every_role=False,
        orders_as_query=False,
        api_version=None,
        ssl_from_request=False,
    ),
    "v3": Version(
        "v3",
        (*_CUSTOMER[:2], "last_update", *_CUSTOMER[2:]),
        (*_ORDER[:2], "order_key", *_ORDER[2:]),
        every_role=True,
        orders_as_query=True,
        api_version="3.1.0",
        ssl_from_request=True,
    ),
}


class LegacyError(Exception):
    """A legacy API error: {"errors": [{"code", "message"}]} with this HTTP status."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def entry(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass
class Reply:
    body: Any
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Call:
    """One request as a legacy handler sees it."""

    version: Version
    method: str
    url_params: dict[str, str]
    query: dict[str, Any]  # PHP-parsed query string (filter[...] is a dict)
    data: Any  # the JSON body for endpoints that accept data; MISSING when absent or invalid
    principal: Principal | None
    context: Any  # the application: store, settings
    incoming: Incoming

    @property
    def filter(self) -> dict[str, Any]:
        raw = self.query.get("filter")
        return raw if isinstance(raw, dict) else {}

    @property
    def base(self) -> str:
        return self.incoming.base


Handler = Callable[[Call], Reply]


@dataclass(frozen=True)
class Endpoint:
    methods: tuple[str, ...]
    handler: Handler
    accepts_data: bool = False
    kind: str = "list"  # which hourly rate limit it counts against: list, create, update or delete
    doc: Doc = field(default_factory=Doc)  # its parameters, body and answers, for the OpenAPI document
    # How many operations of each kind a request holds (a bulk's items), when not one of `kind`.
    counts: Callable[[Call], Counts] | None = None

    def limit_counts(self, call: Call) -> Counts:
        counted = self.counts(call) if self.counts is not None else None
        return counted or {self.kind: 1}


@dataclass
class Route:
    pattern: str  # as WooCommerce registers it, e.g. r"/customers/(?P<id>\d+)"
    endpoints: tuple[Endpoint, ...]

    def __post_init__(self) -> None:
        self.regex = re.compile(f"^{self.pattern}$", re.IGNORECASE)
        # "/customers/<id>", as the index shows it
        self.name = re.sub(r"\(\?P(<\w+?>).*?\)", r"\1", self.pattern)

    def endpoint_for(self, method: str) -> Endpoint | None:
        wanted = "GET" if method == "HEAD" else method
        return next((e for e in self.endpoints if wanted in e.methods), None)


# --- shaping helpers shared by resources -----------------------------------------------------------------
def filter_fields(data: dict[str, Any], fields: Any) -> dict[str, Any]:
    """`fields=a,b,parent.child`, as WC_API_Resource::filter_response_fields does it: listed top-level keys
    stay; a parent named with a child keeps only children named after *any* parent's dot (one per parent)."""
    if not isinstance(fields, str) or not fields:
        return data
    names = fields.split(",")
    children: dict[str, str] = {}
    for name in names:
        if "." in name:
            parent, child = name.split(".")[:2]
            children[parent] = child
    kept_children = set(children.values())
    shaped: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and key in children:
            shaped[key] = {k: v for k, v in value.items() if k in kept_children}
        elif key in names:
            shaped[key] = value
    return shaped


def php_number(value: float) -> str:
    """A number as PHP prints it (precision 14): 3.0 -> "3", 0.30000000000000004 -> "0.3"."""
    return str(int(value)) if float(value).is_integer() else format(value, ".14G")


def pagination_headers(
    call: Call, total: int, page: float, total_pages: int, single: bool
) -> list[tuple[str, str]]:
    """X-WC-Total, X-WC-TotalPages and one Link header per relation (WC_API_Server::add_pagination_headers),
    with its float page arithmetic. The caller's credentials are left out of the links."""
    headers: list[tuple[str, str]] = []
    if not single:
        if page > 1:
            headers += [_link(call, "first", 1), _link(call, "prev", page - 1)]
        if int(page) + 1 <= total_pages:
            headers.append(_link(call, "next", int(page) + 1))
        if page != total_pages:
            headers.append(_link(call, "last", total_pages))
    return [*headers, ("X-WC-Total", str(total)), ("X-WC-TotalPages", str(total_pages))]


def _link(call: Call, rel: str, page: float) -> tuple[str, str]:
    kept = [
        (k, v) for k, v in call.incoming.query_pairs if k != "page" and not k.startswith(_HIDDEN_IN_LINKS)
    ]
    kept.append(("page", php_number(page)))
    query = "&".join(f"{quote(k, safe='[]')}={quote(v, safe='')}" for k, v in kept)
    return "Link", f'<{call.base}{call.incoming.path}?{query}>; rel="{rel}"'


def user_query_pages(total: int, limit: int | None, offset: int) -> tuple[float, int]:
    """Current page and page count of a user query: offset/limit + 1 (a float when it does not divide)."""
    if not limit:
        return 1, 1
    return offset / limit + 1, math.ceil(total / limit)


# --- the server ----------------------------------------------------------------------------------------
def error_response(error: LegacyError, headers: Mapping[str, str] | None = None) -> Response:
    return json_response({"errors": [error.entry()]}, error.status, headers)


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, dict(headers or {}), media_type=JSON_TYPE)


def _no_route() -> LegacyError:
    return LegacyError(
        "woocommerce_api_no_route", "No route was found matching the URL and request method", 404
    )


def _internal_error() -> Response:
    return error_response(LegacyError("woocommerce_api_internal_error", "An internal error occurred.", 500))


def _effective_method(incoming: Incoming) -> str:
    """?_method= (query) or X-HTTP-Method-Override, for clients that cannot send PUT or DELETE."""
    override = incoming.query.get("_method")
    if not isinstance(override, str) or not override:
        override = incoming.headers.get("x-http-method-override", "")
    return override.upper() if override else incoming.method


def _body(incoming: Incoming) -> Any:
    """The raw body as JSON whatever its Content-Type, as WooCommerce reads it; MISSING when it is not."""
    try:
        parsed = orjson.loads(incoming.body) if incoming.body.strip() else None
    except orjson.JSONDecodeError:
        return MISSING
    return MISSING if parsed is None else parsed


class LegacyApi:
    """The /wc-api/vN server: authentication first (except for the index), then the first matching route."""

    def __init__(self, ctx: Any, routes: Sequence[Route], store_info: Mapping[str, Any]) -> None:
        self.ctx = ctx
        self.routes = list(routes)  # the resources' routes (the OpenAPI document describes the index apart)
        self.store_info = dict(store_info)
        # WC_API_Server::get_routes: the index is the route "/", first, and the index lists it too.
        self.table = [Route("/", (Endpoint(READABLE, self._index),)), *self.routes]

    def _locate(self, request: Request, incoming: Incoming) -> tuple[str, str]:
        """(version, route): from /wc-api/vN/<route>, or from ?wc-api-version=N&wc-api-route=<route>."""
        if "version" in request.path_params:
            route = request.path_params.get("route", "").rstrip("/")
            return request.path_params["version"].lower(), "/" + route if route else "/"
        number, route = incoming.query.get("wc-api-version"), incoming.query.get("wc-api-route")
        route = _QUERY_ROUTE.sub("", route if isinstance(route, str) else "").rstrip("/")
        return f"v{number}", route or "/"

    async def __call__(self, request: Request) -> Response:
        return await incoming_module.guarded(request, self._answer, _internal_error, "legacy API")

    async def _answer(self, request: Request) -> Response:
        ctx = self.ctx
        incoming = await incoming_module.read(request, ctx.settings)
        version_name, route = self._locate(request, incoming)
        version = VERSIONS.get(version_name)
        if version is None:
            return error_response(_no_route())
        if len(incoming.body) > ctx.settings.max_body_bytes:
            return error_response(
                LegacyError("woocommerce_api_request_entity_too_large", "The request body is too large.", 413)
            )
        method = _effective_method(incoming)
        with incoming_module.snapshot(ctx.store, method):
            return self._handle(incoming, version, route, method)

    def _handle(self, incoming: Incoming, version: Version, route: str, method: str) -> Response:
        ctx = self.ctx
        principal = None
        if route != "/":  # the index is open to anyone
            trailing = "/" if incoming.path.endswith("/") else ""
            signed_url = f"{incoming.base}/wc-api/v3{route}{trailing}"
            try:
                principal = authenticate(ctx, incoming, version.name, signed_url, method)
            except LegacyAuthError as exc:
                headers = {"WWW-Authenticate": CHALLENGE} if exc.challenge else None
                error = LegacyError("woocommerce_api_authentication_error", exc.message, exc.status)
                return error_response(error, headers)
        if method not in METHODS:
            return error_response(
                LegacyError("woocommerce_api_unsupported_method", "Unsupported request method", 400)
            )
        matched = self._match(route, method)
        if matched is None:
            return error_response(_no_route())
        endpoint, url_params = matched
        data = _body(incoming) if endpoint.accepts_data else MISSING
        if endpoint.accepts_data and data is MISSING:
            return error_response(
                LegacyError("woocommerce_api_missing_callback_param", "Missing parameter data", 400)
            )
        call = Call(version, method, url_params, incoming.query, data, principal, ctx, incoming)
        limits: dict[str, str] = {}
        try:
            verdict = self._rate_limit(endpoint, call)
            limits = verdict.headers() if verdict is not None else {}
            if verdict is not None and not verdict.allowed:
                # Regulars' own words: WooCommerce has no limits.
                raise LegacyError("woocommerce_api_too_many_requests", verdict.message, 429)
            response = self._respond(endpoint.handler(call), method)
        except LegacyError as exc:
            response = error_response(exc)
        response.headers.update(limits)
        return response

    def _rate_limit(self, endpoint: Endpoint, call: Call) -> Verdict | None:
        """Count the call against its key's hourly limits, when limits apply to this dialect."""
        limiter = self.ctx.limiter
        if call.principal is None or not limiter.applies_to(DIALECT):
            return None
        return limiter.hit(DIALECT, call.principal.credential, endpoint.limit_counts(call))

    def _match(self, route: str, method: str) -> tuple[Endpoint, dict[str, str]] | None:
        for candidate in self.table:
            found = candidate.regex.match(route)
            endpoint = candidate.endpoint_for(method) if found else None
            if found and endpoint is not None:
                return endpoint, {k: v for k, v in found.groupdict().items() if v is not None}
        return None

    def _respond(self, reply: Reply, method: str) -> Response:
        content = b"" if method == "HEAD" else orjson.dumps(reply.body)
        response = Response(content, reply.status, media_type=JSON_TYPE)
        for name, value in reply.headers:
            response.headers.append(name, value)
        return response

    # --- the index -------------------------------------------------------------------------------------
    def _index(self, call: Call) -> Reply:
        """GET /wc-api/vN: the store and the routes it serves (WC_API_Server::get_index)."""
        incoming, version, settings = call.incoming, call.version, self.ctx.settings
        routes: dict[str, Any] = {}
        for route in self.table:
            described: dict[str, Any] = {"supports": [m for m in METHODS if route.endpoint_for(m)]}
            if any(e.accepts_data for e in route.endpoints):
                described["accepts_data"] = True
            if "<" not in route.name:
                # get_woocommerce_api_url: the API's URL, ending in "/", then the route without its "/"
                described["meta"] = {"self": f"{incoming.base}/wc-api/{version.name}/{route.name[1:]}"}
            routes[route.name] = described
        store: dict[str, Any] = {**self.store_info, "URL": incoming.base, "wc_version": WOOCOMMERCE_VERSION}
        if version.api_version:
            store["version"] = version.api_version
        store["routes"] = routes
        store["meta"] = {
            "timezone": "+00:00" if settings.timezone == "UTC" else settings.timezone,
            "currency": settings.currency,
            "currency_format": CURRENCY_SYMBOLS.get(settings.currency, settings.currency),
            "currency_position": "left",
            "thousand_separator": ",",
            "decimal_separator": ".",
            "price_num_decimals": settings.currency_decimals,
            "tax_included": False,
            "weight_unit": "lbs",
            "dimension_unit": "in",
            "ssl_enabled": version.ssl_from_request and incoming.secure,
            "permalinks_enabled": True,
            "generate_password": settings.generate_password,
            "links": {"help": "https://woocommerce.github.io/woocommerce-rest-api-docs/"},
        }
        return Reply({"store": store})


# WooCommerce's currency symbols, as the index shows them (HTML entities).
CURRENCY_SYMBOLS: dict[str, str] = {"USD": "&#36;", "EUR": "&euro;", "GBP": "&pound;", "JPY": "&yen;"}
