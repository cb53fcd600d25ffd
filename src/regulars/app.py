"""Builds the ASGI application: every dialect mounted on one store."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

import orjson
from starlette.applications import Starlette
from starlette.convertors import PathConvertor, register_url_convertor
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from regulars import __version__, openapi
from regulars.context import Context
from regulars.dialects import fluentcart, wc_legacy_customers, wc_orders, wc_rest
from regulars.dialects.wc_legacy import VERSIONS as LEGACY_VERSIONS
from regulars.dialects.wc_legacy import LegacyApi
from regulars.dialects.wordpress import WpJson
from regulars.replies import HeldReplyFront
from regulars.settings import Settings

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class AnyPath(PathConvertor):
    """Starlette's `path`, line breaks included: a URL with %0A still reaches its dialect, which answers it
    in its own envelope."""

    regex = r"[\s\S]*"


register_url_convertor("anypath", AnyPath())


async def ping(_request: Request) -> Response:
    """A trivial endpoint: what the benchmarks measure every other route against."""
    return Response(b'{"ok":true}', media_type="application/json")


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    ctx = Context.build(settings)
    site = {
        "name": "Regulars",
        "description": f"Regulars {__version__}: WooCommerce- and FluentCart-compatible customers",
    }
    wp_json = WpJson(
        ctx,
        [*wc_rest.all_routes(), *wc_orders.all_routes()],
        {**site, "gmt_offset": "0", "timezone_string": settings.timezone},
        served_elsewhere=[fluentcart.NAMESPACE],
    )
    fluent_cart = fluentcart.api(ctx)
    legacy = LegacyApi(ctx, wc_legacy_customers.routes(), site)
    # The OpenAPI document of the very tables the dispatchers route by.
    document = orjson.dumps(
        openapi.build(wp_json.routes, legacy.routes, LEGACY_VERSIONS, fluent_cart.ops, fluentcart.NAMESPACE)
    )

    async def openapi_json(_request: Request) -> Response:
        return Response(document, media_type="application/json")

    async def docs(_request: Request) -> Response:
        return HTMLResponse(openapi.DOCS_PAGE)

    async def site_root(request: Request) -> Response:
        """The site root: ?wc-api-version=&wc-api-route= is the legacy API, ?rest_route=/fluent-cart/v2/…
        FluentCart's, anything else WordPress's."""
        if "wc-api-version" in request.query_params and "wc-api-route" in request.query_params:
            return await legacy(request)
        if request.query_params.get("rest_route", "").startswith(f"/{fluentcart.NAMESPACE}"):
            return await fluent_cart(request)
        return await wp_json(request)

    routes = [
        Route("/ping", ping, methods=["GET", "HEAD"]),
        Route("/openapi.json", openapi_json, methods=["GET", "HEAD"]),
        Route("/docs", docs, methods=["GET", "HEAD"]),
        Route("/wp-json", wp_json.__call__, methods=ALL_METHODS),
        Route("/wp-json/fluent-cart/v2", fluent_cart.__call__, methods=ALL_METHODS),
        Route("/wp-json/fluent-cart/v2/{route:anypath}", fluent_cart.__call__, methods=ALL_METHODS),
        Route("/wp-json/{route:anypath}", wp_json.__call__, methods=ALL_METHODS),
        Route("/wc-api/{version}", legacy.__call__, methods=ALL_METHODS),
        Route("/wc-api/{version}/{route:anypath}", legacy.__call__, methods=ALL_METHODS),
        Route("/index.php", site_root, methods=ALL_METHODS),
        Route("/", site_root, methods=ALL_METHODS),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        # What startup built (modules, routes, schemas, compiled statements) lives as long as the worker:
        # frozen, the collector's full passes no longer walk it. Each such pass had taken 60-90 ms,
        # every few hundred requests: the worst latency of every route (a list of 100 at a million
        # customers, in process: p99 27 -> 12 ms).
        gc.collect()
        gc.freeze()
        yield
        ctx.store.dispose()

    front = Middleware(HeldReplyFront, replies=ctx.replies, stamp=ctx.store.revisions)
    app = Starlette(routes=routes, middleware=[front], lifespan=lifespan)
    app.state.ctx = ctx
    return app
