"""The OpenAPI 3.1 document a real server serves: a valid document, generated from the routing tables, so
it names every route and method each dialect's own index lists; errors in each dialect's envelope; and
the /docs page that renders it."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from regulars.domain import limits
from tests.support.servers import Server

pytestmark = pytest.mark.wire

ENVELOPES = {
    "/wp-json/fluent-cart/": "FluentCartError",
    "/wp-json/": "WordPressError",
    "/wc-api/": "LegacyErrors",
}
DOCUMENTED = ("get", "post", "put", "patch", "delete")


def _document(server: Server) -> dict:
    with server.client() as http:
        answer = http.get("/openapi.json")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    return answer.json()


def _operations(document: dict) -> set[tuple[str, str]]:
    return {(m.upper(), p) for p, item in document["paths"].items() for m in item if m in DOCUMENTED}


def _placeholders(route: str) -> str:
    """An index's route as OpenAPI writes paths: (?P<id>…) and <id> become {id}."""
    return re.sub(r"<(\w+)>", r"{\1}", re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route))


def test_the_document_is_valid_openapi_3_1(server: Server) -> None:
    document = _document(server)
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_route_and_method_of_every_dialect_is_documented(server: Server) -> None:
    operations = _operations(_document(server))
    expected: set[tuple[str, str]] = set()
    with server.client(https=True, auth=("admin", server.admin_password)) as http:
        for route, entry in http.get("/wp-json/").json()["routes"].items():
            expected |= {(m, "/wp-json" + _placeholders(route)) for m in entry["methods"]}
        fluentcart = http.get("/wp-json/fluent-cart/v2").json()["routes"]
        expected |= {(m, "/wp-json" + route) for route, entry in fluentcart.items() for m in entry["methods"]}
        for version in ("v2", "v3"):
            legacy = http.get(f"/wc-api/{version}").json()["store"]["routes"]
            expected |= {
                (m, f"/wc-api/{version}" + _placeholders(route).rstrip("/"))  # "/" is the index
                for route, entry in legacy.items()
                for m in entry["supports"]
                if m != "HEAD"
            }
    assert len(expected) > 90
    assert expected - operations == set()
    # and nothing the servers do not route: the rest are the indexes that do not list themselves
    assert {p for _, p in operations - expected} == {"/wp-json/", "/wp-json/fluent-cart/v2"}


def test_every_error_is_documented_in_its_dialects_envelope(server: Server) -> None:
    document = _document(server)
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        envelope = next(name for prefix, name in ENVELOPES.items() if path.startswith(prefix))
        for method, operation in item.items():
            refused = operation["responses"]["default"]["content"]["application/json"]["schema"]
            assert refused == {"$ref": f"#/components/schemas/{envelope}"}, (method, path)
            assert any(status.startswith("2") for status in operation["responses"]), (method, path)
    assert schemas["WordPressError"]["required"] == ["code", "message", "data"]
    assert schemas["LegacyErrors"]["required"] == ["errors"]
    assert schemas["FluentCartError"]["properties"]["success"] == {"const": False}


def test_wordpress_arguments_and_schemas_are_the_routes_own(server: Server) -> None:
    """What OPTIONS shows for a route is what the document says of it."""
    document = _document(server)
    with server.client(https=True, auth=("admin", server.admin_password)) as http:
        described = http.options("/wp-json/wc/v3/customers").json()
    listing = document["paths"]["/wp-json/wc/v3/customers"]["get"]
    query = {p["name"]: p["schema"] for p in listing["parameters"]}
    listed_args = described["endpoints"][0]["args"]
    assert set(query) == set(listed_args)
    assert query["per_page"]["maximum"] == listed_args["per_page"]["maximum"] == 100
    assert query["role"]["enum"] == listed_args["role"]["enum"]
    creating = document["paths"]["/wp-json/wc/v3/customers"]["post"]
    body = creating["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["email"] and set(body["properties"]) == set(described["endpoints"][1]["args"])
    item = creating["responses"]["201"]["content"]["application/json"]["schema"]
    customer = document["components"]["schemas"][item["$ref"].rsplit("/", 1)[1]]
    assert set(customer["properties"]) == set(described["schema"]["properties"])
    # WordPress's own type words become JSON Schema: a read-only date may be null, a bool is a boolean.
    assert customer["properties"]["date_modified"]["type"] == ["string", "null"]
    assert customer["properties"]["is_paying_customer"]["type"] == ["boolean", "null"]


def _body(document: dict, method: str, path: str) -> dict:
    return document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]


def test_request_texts_carry_the_stores_widths_as_max_length(server: Server) -> None:
    """Every dialect's request texts say how long they may be (the column widths the checks refuse past),
    so generated requests try longer ones too; OPTIONS keeps WordPress's own arguments, without them."""
    document = _document(server)
    wc = _body(document, "put", "/wp-json/wc/v3/customers/{id}")["properties"]
    assert wc["email"]["maxLength"] == limits.ACCOUNT["email"] == 100
    assert wc["billing"]["properties"]["postcode"]["maxLength"] == limits.ADDRESS["postcode"]
    assert wc["meta_data"]["items"]["properties"]["key"]["maxLength"] == limits.META_KEY
    assert "maxLength" not in wc["meta_data"]["items"]["properties"]["value"]
    order = _body(document, "post", "/wp-json/wc/v3/orders")["properties"]
    assert order["payment_method"]["maxLength"] == limits.ORDER["payment_method"]
    assert order["line_items"]["items"]["properties"]["name"]["maxLength"] == limits.ORDER_LINE_NAME
    assert _body(document, "post", "/wp-json/wc/v3/products")["properties"]["sku"]["maxLength"] == 100
    bulk = _body(document, "post", "/wc-api/v3/customers/bulk")["properties"]["customers"]["items"]
    assert bulk["properties"]["billing_address"]["properties"]["city"]["maxLength"] == limits.ADDRESS["city"]
    fluent = _body(document, "post", "/wp-json/fluent-cart/v2/customers")["properties"]
    assert fluent["email"]["maxLength"] == limits.CUSTOMER["email"] == 192
    address = _body(document, "put", "/wp-json/fluent-cart/v2/customers/{customer_id}/address")["properties"]
    assert (
        address["company_name"]["maxLength"] == address["company"]["maxLength"] == limits.ADDRESS["company"]
    )
    with server.client(https=True, auth=("admin", server.admin_password)) as http:
        described = http.options("/wp-json/wc/v3/customers").text
    assert "maxLength" not in described


def test_security_schemes_name_each_dialects_credentials(server: Server) -> None:
    document = _document(server)
    schemes = document["components"]["securitySchemes"]
    assert schemes["basic"] == {**schemes["basic"], "type": "http", "scheme": "basic"}
    assert schemes["consumerKey"]["in"] == "query" and schemes["consumerSecret"]["name"] == "consumer_secret"
    assert "OAuth 1.0a" in schemes["oauth1"]["description"]
    paths = document["paths"]
    assert paths["/wp-json/fluent-cart/v2/customers"]["get"]["security"] == [{"basic": []}]
    keys = [{"basic": []}, {"consumerKey": [], "consumerSecret": []}, {"oauth1": []}]
    assert paths["/wp-json/wc/v1/customers"]["get"]["security"] == keys
    assert paths["/wc-api/v3/customers"]["get"]["security"] == keys
    assert paths["/wc-api/v3"]["get"]["security"] == []


def test_the_docs_page_renders_the_served_document(server: Server) -> None:
    with server.client() as http:
        page = http.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'url: "/openapi.json"' in page.text and "swagger-ui" in page.text
