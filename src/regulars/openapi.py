"""The OpenAPI 3.1 document of every dialect, generated from the routing tables the dispatchers serve.

Nothing here lists a route. WordPress routes describe themselves already (their arguments are the dicts
OPTIONS shows, their schema the item schema; an Endpoint says whether it answers an item, a list or a
batch); the legacy and FluentCart tables carry a `Doc` per operation for what their handlers read and
answer. Every error answer is documented in its dialect's envelope.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from regulars import __version__

if TYPE_CHECKING:
    from regulars.dialects import fluentcart_wire, wc_legacy, wordpress

Schema = dict[str, Any]
WRITE_METHODS = ("POST", "PUT", "PATCH")
# How long each text of a request may be, by property name; a nested table is that property's object's
# (or its items'). The store's column widths from domain/limits, shown as maxLength in this document only:
# OPTIONS shows WordPress's own arguments, which carry none.
Widths = Mapping[str, "int | Widths"]


@dataclass(frozen=True)
class Doc:
    """What the document says of one operation of a table without WordPress-style arguments: its path and
    query parameters, its JSON body and the `data`/body of its successful answers (JSON Schemas), and
    the statuses of those answers."""

    query: Mapping[str, Schema] = field(default_factory=dict)
    body: Schema | None = None
    answer: Schema | None = None
    statuses: tuple[int, ...] = (200,)
    path: Mapping[str, Schema] = field(default_factory=dict)
    summary: str = ""
    widths: Widths = field(default_factory=dict)  # of the body's texts


# --- WordPress schemas as JSON Schema ------------------------------------------------------------------
# WordPress's own type words that JSON Schema lacks; "mixed" is any value.
_WP_TYPES = {"date-time": "string", "bool": "boolean", "mixed": None}
_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
}


def _types(kind: Any) -> list[str] | None:
    """The JSON types a WordPress `type` names; None for any value."""
    if kind is None:
        return None
    mapped = [_WP_TYPES.get(k, k) for k in (kind if isinstance(kind, list) else [kind])]
    return None if None in mapped else list(dict.fromkeys(mapped))


def _default_fits(value: Any, types: list[str] | None) -> bool:
    if types is None:
        return True
    return any(
        isinstance(value, _PYTHON_TYPES[t]) and not (t in ("integer", "number") and isinstance(value, bool))
        for t in types
        if t in _PYTHON_TYPES
    ) or (value is None and "null" in types)


def from_wp(spec: Mapping[str, Any], *, answer: bool) -> Schema:
    """One WordPress schema or argument as JSON Schema.

    In answers a read-only property may be null (WordPress fills a figure it lacks with null: a date never
    set, no last order) and formats are not claimed (WordPress prints local times without an offset). In
    requests, defaults that fit the type are kept (WooCommerce declares a few that do not).
    """
    out: Schema = {}
    types = _types(spec.get("type"))
    if types is not None and answer and spec.get("readonly") and "null" not in types:
        types.append("null")
    if types is not None:
        out["type"] = types[0] if len(types) == 1 else types
    for key in ("title", "description", "enum", "minimum", "maximum"):
        if key in spec:
            out[key] = spec[key]
    if "format" in spec and not answer:
        out["format"] = spec["format"]
    if "default" in spec and not answer and _default_fits(spec["default"], types):
        out["default"] = spec["default"]
    if spec.get("readonly"):
        out["readOnly"] = True
    if isinstance(spec.get("items"), Mapping):
        out["items"] = from_wp(spec["items"], answer=answer)
    if isinstance(spec.get("properties"), Mapping):
        out["properties"] = {k: from_wp(v, answer=answer) for k, v in spec["properties"].items()}
    if "enum" in out and answer and "null" in (types or []):
        out["enum"] = [*out["enum"], None]
    return out


def with_max_lengths(schema: Schema, widths: Widths) -> Schema:
    """A copy of a request schema with maxLength on each text property `widths` names, into nested objects
    and arrays' items, so generated requests also try texts longer than the store keeps."""
    if not widths:
        return schema
    if isinstance(schema.get("items"), Mapping):
        return {**schema, "items": with_max_lengths(schema["items"], widths)}
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return schema
    widened: Schema = {}
    for name, prop in properties.items():
        width = widths.get(name)
        if isinstance(width, int):
            widened[name] = {**prop, "maxLength": width} if _is_text(prop) else prop
        else:
            widened[name] = with_max_lengths(prop, width or {})
    return {**schema, "properties": widened}


def _is_text(schema: Schema) -> bool:
    kind = schema.get("type")
    return kind == "string" or (isinstance(kind, list) and "string" in kind)


# --- shared pieces -------------------------------------------------------------------------------------
_GROUP = re.compile(r"\(\?P<(\w+)>([^)]*)\)")
_DIGITS = ("[\\d]+", "\\d+")


def _path(pattern: str) -> tuple[str, dict[str, Schema]]:
    """An OpenAPI path and its parameters' schemas from a route's regular expression."""
    params = {
        name: {"type": "integer", "minimum": 0} if inner in _DIGITS else {"type": "string", "minLength": 1}
        for name, inner in _GROUP.findall(pattern)
    }
    return _GROUP.sub(r"{\1}", pattern), params


def _parameter(name: str, where: str, schema: Schema, required: bool = False) -> Schema:
    param: Schema = {"name": name, "in": where, "required": required or where == "path", "schema": schema}
    if "description" in schema:
        param["description"] = schema["description"]
    types = schema.get("type")
    if where == "query" and types == "object":
        param.update(style="deepObject", explode=True)  # filter[role]=all, as PHP reads it
    elif where == "query" and types == "array":
        param.update(style="form", explode=False)  # include=1,2, as wp_parse_list reads it
    return param


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation_id(method: str, path: str) -> str:
    return ".".join([*re.findall(r"[A-Za-z0-9]+", path), method.lower()])


def _component_name(*parts: str) -> str:
    return ".".join(re.sub(r"[^A-Za-z0-9_-]+", "-", p).strip("-") for p in parts)


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


ERROR_SCHEMAS: dict[str, Schema] = {
    "WordPressError": {
        "description": "WordPress's REST error: a code, a message and data with the HTTP status.",
        "type": "object",
        "required": ["code", "message", "data"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "data": {
                "type": "object",
                "required": ["status"],
                "properties": {
                    "status": {"type": "integer"},
                    "params": {
                        "description": "The refused arguments: name to message; the missing ones' names.",
                        "type": ["object", "array"],
                    },
                    "details": {"type": "object"},
                },
            },
        },
    },
    "LegacyErrors": {
        "description": "The WooCommerce legacy API's errors: a list of codes and messages.",
        "type": "object",
        "required": ["errors"],
        "properties": {
            "errors": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                },
            }
        },
    },
    "FluentCartError": {
        "description": "FluentCart's error envelope; `errors` names each refused field and rule.",
        "type": "object",
        "required": ["success", "error"],
        "properties": {
            "success": {"const": False},
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "errors": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "additionalProperties": {"type": "string"},
                        },
                    },
                },
            },
        },
    },
}

SECURITY_SCHEMES: dict[str, Schema] = {
    "basic": {
        "type": "http",
        "scheme": "basic",
        "description": "Over HTTPS only: a WooCommerce API key (consumer_key:consumer_secret) on the wc/ "
        "and legacy routes, or a WordPress application password (username:password) on every /wp-json "
        "route. Over plain HTTP, Basic credentials are ignored, as in WooCommerce.",
    },
    "consumerKey": {
        "type": "apiKey",
        "in": "query",
        "name": "consumer_key",
        "description": "Over HTTPS only, with consumerSecret: a WooCommerce API key in the query string.",
    },
    "consumerSecret": {"type": "apiKey", "in": "query", "name": "consumer_secret"},
    "oauth1": {
        "type": "http",
        "scheme": "OAuth",
        "description": "Over plain HTTP: OAuth 1.0a one-legged (RFC 5849), HMAC-SHA1 or HMAC-SHA256, signed "
        "with `consumer_secret&`; oauth_consumer_key, oauth_timestamp (within 15 minutes), oauth_nonce "
        "(used once), oauth_signature_method and oauth_signature in the query string (on /wp-json also the "
        "form body or an `Authorization: OAuth` header). The base string is WooCommerce's; the official "
        "clients' signatures verify too.",
    },
}
KEYS_SECURITY = [{"basic": []}, {"consumerKey": [], "consumerSecret": []}, {"oauth1": []}]
APP_PASSWORD_SECURITY = [{"basic": []}]
OPEN: list[Schema] = []
_OBJECT: Schema = {"type": "object"}


class _Builder:
    """Collects paths and component schemas."""

    def __init__(self) -> None:
        self.paths: dict[str, dict[str, Schema]] = {}
        self.schemas: dict[str, Schema] = dict(ERROR_SCHEMAS)

    def add(self, method: str, path: str, operation: Schema) -> None:
        operation["operationId"] = _operation_id(method, path)
        self.paths.setdefault(path, {})[method.lower()] = operation

    def component(self, name: str, schema: Schema) -> Schema:
        self.schemas.setdefault(name, schema)
        return _ref(name)


def _errors(envelope: str) -> Schema:
    return {"default": _json(_ref(envelope), "An error, in the dialect's envelope.")}


# --- /wp-json: WooCommerce REST (wc/v1-v3) ---------------------------------------------------------------
def _wp_batch_answer(item: Schema) -> Schema:
    failed: Schema = {
        "type": "object",
        "required": ["id", "error"],
        "properties": {"id": {}, "error": _ref("WordPressError")},
    }
    entries: Schema = {"type": "array", "items": {"anyOf": [failed, item]}}
    batch: Schema = {"type": "object", "properties": {n: entries for n in ("create", "update", "delete")}}
    return {"anyOf": [batch, {"type": "array", "maxItems": 0}]}  # nothing to do: []


def _wp_operation(
    builder: _Builder, route: wordpress.Route, endpoint: wordpress.Endpoint, method: str, item: Schema
) -> None:
    path, path_params = _path(route.full)
    parameters = [_parameter(n, "path", s) for n, s in path_params.items()]
    operation: Schema = {"tags": [route.namespace]}
    args = {n: a for n, a in endpoint.args.items() if n not in path_params}
    if method in WRITE_METHODS:
        body: Schema = {
            "type": "object",
            "properties": {n: from_wp(a, answer=False) for n, a in args.items()},
        }
        required = [n for n, a in args.items() if a.get("required")]
        if required:
            body["required"] = required
        operation["requestBody"] = {
            "required": bool(required),
            "content": {"application/json": {"schema": with_max_lengths(body, route.widths)}},
        }
    else:
        parameters += [
            _parameter(n, "query", from_wp(a, answer=False), bool(a.get("required"))) for n, a in args.items()
        ]
    answer = {"item": item, "list": {"type": "array", "items": item}, "batch": _wp_batch_answer(item)}
    operation["parameters"] = parameters
    operation["security"] = KEYS_SECURITY
    operation["responses"] = {
        str(endpoint.status): _json(answer[endpoint.returns], "Success."),
        **_errors("WordPressError"),
    }
    builder.add(method, "/wp-json" + path, operation)


def _wp(builder: _Builder, routes: Sequence[wordpress.Route]) -> None:
    for route in routes:
        item = _OBJECT
        if route.schema is not None:
            schema = route.schema()
            item = builder.component(
                _component_name(route.namespace, schema.get("title", "item")), from_wp(schema, answer=True)
            )
        for endpoint in route.endpoints:
            for method in endpoint.methods:
                _wp_operation(builder, route, endpoint, method, item)


def _wp_indexes(builder: _Builder, namespaces: Iterable[str]) -> None:
    index: Schema = {"type": "object", "required": ["routes"], "properties": {"routes": _OBJECT}}
    for path, tag in [("/wp-json/", "wordpress"), *((f"/wp-json/{ns}", ns) for ns in namespaces)]:
        builder.add(
            "GET",
            path,
            {
                "tags": [tag],
                "summary": "The discovery index: routes, their methods and arguments.",
                "security": OPEN,
                "responses": {"200": _json(index, "The index."), **_errors("WordPressError")},
            },
        )


# --- tables with a Doc per operation (legacy, FluentCart) ------------------------------------------------
def _doc_operation(
    doc: Doc, tag: str, path_params: Mapping[str, Schema], envelope: str, security: list, wrap: Any
) -> Schema:
    parameters = [_parameter(n, "path", doc.path.get(n, s)) for n, s in path_params.items()]
    parameters += [_parameter(n, "query", s) for n, s in doc.query.items()]
    operation: Schema = {"tags": [tag], "parameters": parameters, "security": security}
    if doc.summary:
        operation["summary"] = doc.summary
    if doc.body is not None:
        body = with_max_lengths(doc.body, doc.widths)
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    operation["responses"] = {
        **{str(status): _json(wrap(doc.answer), "Success.") for status in doc.statuses},
        **_errors(envelope),
    }
    return operation


def _legacy(builder: _Builder, routes: Sequence[wc_legacy.Route], versions: Iterable[str]) -> None:
    for version in versions:
        base, tag = f"/wc-api/{version}", f"wc-api/{version}"
        builder.add(
            "GET",
            base,
            {
                "tags": [tag],
                "summary": "The index: the store and the routes it serves.",
                "security": OPEN,
                "responses": {"200": _json(_OBJECT, "The index."), **_errors("LegacyErrors")},
            },
        )
        for route in routes:
            path, path_params = _path(route.pattern)
            for endpoint in route.endpoints:
                for method in endpoint.methods:
                    operation = _doc_operation(
                        endpoint.doc, tag, path_params, "LegacyErrors", KEYS_SECURITY, lambda a: a or _OBJECT
                    )
                    builder.add(method, base + path, operation)


def _fluentcart_answer(data: Schema | None) -> Schema:
    answer: Schema = {
        "type": "object",
        "required": ["success"],
        "properties": {"success": {"const": True}, "message": {"type": "string"}},
    }
    if data is not None:
        answer["properties"]["data"] = data
        answer["required"].append("data")
    return answer


def _fluentcart(builder: _Builder, ops: Sequence[fluentcart_wire.Op], namespace: str) -> None:
    base = f"/wp-json/{namespace}"
    builder.add(
        "GET",
        base,
        {
            "tags": [namespace],
            "summary": "The namespace index: each route and its methods.",
            "security": APP_PASSWORD_SECURITY,
            "responses": {"200": _json(_OBJECT, "The index."), **_errors("FluentCartError")},
        },
    )
    for op in ops:
        path_params = {
            name: {"type": "string", "minLength": 1} for name in re.findall(r"\{(\w+)\}", op.pattern)
        }
        operation = _doc_operation(
            op.doc, namespace, path_params, "FluentCartError", APP_PASSWORD_SECURITY, _fluentcart_answer
        )
        builder.add(op.method, base + op.pattern, operation)


# --- the document --------------------------------------------------------------------------------------
DESCRIPTION = """\
WooCommerce's customer APIs (REST wc/v1-v3, legacy v2/v3) and FluentCart's customers API over one store.

Each dialect answers errors in its own envelope (WordPressError, LegacyErrors, FluentCartError).
Every /wp-json route also answers OPTIONS (its arguments and schema) and HEAD, and accepts `_fields`,
`_envelope`, `_method` and `?rest_route=`; the legacy API accepts `fields=` and `_method`."""


def build(
    wp_routes: Sequence[wordpress.Route],
    legacy_routes: Sequence[wc_legacy.Route],
    legacy_versions: Iterable[str],
    fluentcart_ops: Sequence[fluentcart_wire.Op],
    fluentcart_namespace: str,
) -> Schema:
    builder = _Builder()
    _wp_indexes(builder, dict.fromkeys(r.namespace for r in wp_routes))
    _wp(builder, wp_routes)
    _legacy(builder, legacy_routes, legacy_versions)
    _fluentcart(builder, fluentcart_ops, fluentcart_namespace)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Regulars", "version": __version__, "description": DESCRIPTION},
        "paths": builder.paths,
        "components": {"schemas": builder.schemas, "securitySchemes": SECURITY_SCHEMES},
    }


DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Regulars API</title>
  <link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js" crossorigin></script>
  <script>
    window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true});
  </script>
</body>
</html>
"""
