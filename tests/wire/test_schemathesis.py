"""Schemathesis against a live server, from the OpenAPI document it serves: generated requests (valid and
invalid) with an administrator's credentials on every operation of every dialect. No answer is a server
error, every success matches its documented schema, and every error is in its dialect's own envelope.

Bounded so the suite stays fast: derandomized, a few examples per operation and mode, no shrinking.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from regulars.dialects.wc_legacy_customers import intval
from tests.support.databases import BACKENDS
from tests.support.fluentcart import fluentcart_server
from tests.support.servers import Server

pytestmark = pytest.mark.wire

# Examples per operation and mode: the PostgreSQL pass is the smaller one.
MAX_EXAMPLES = {"sqlite": 6, "postgresql": 3}
# WooCommerce's own answer to a customer DELETE without force=true (customers have no trash).
TRASH_NOT_SUPPORTED = 501


@pytest.fixture(scope="module", params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with fluentcart_server(request.param, tmp_path_factory.mktemp("schemathesis")) as running:
        yield running


@pytest.fixture(scope="module")
def api(live: Server) -> schemathesis.BaseSchema:
    document = httpx.get(f"{live.http_url}/openapi.json").json()
    config = schemathesis.Config.from_dict(
        {"checks": {"not_a_server_error": {"expected-statuses": ["2XX", "3XX", "4XX", "501"]}}}
    )
    return schemathesis.openapi.from_dict(document, config=config)


@schemathesis.check
def dialect_envelope(ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """Every refusal is in the envelope of the dialect that answered, with the status it says."""
    status = response.status_code
    if status < 400:
        return
    try:
        body: Any = response.json()
    except ValueError:
        raise AssertionError(f"{status} is not JSON: {response.text[:300]!r}") from None
    path = case.operation.path
    if path.startswith("/wp-json/fluent-cart/"):
        assert body["success"] is False and set(body) == {"success", "error"}, body
        assert set(body["error"]) <= {"code", "message", "errors"}, body
        assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str), body
    elif path.startswith("/wp-json"):
        assert set(body) == {"code", "message", "data"} and body["data"]["status"] == status, body
        assert isinstance(body["code"], str) and isinstance(body["message"], str), body
        if status == TRASH_NOT_SUPPORTED:
            assert body["code"] == "woocommerce_rest_trash_not_supported", body
    else:
        assert set(body) == {"errors"} and len(body["errors"]) >= 1, body
        assert all(set(e) == {"code", "message"} for e in body["errors"]), body
    assert status != TRASH_NOT_SUPPORTED or path.startswith("/wp-json/wc/"), body


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    dialect_envelope,
]


def _deletes_the_caller(live: Server, case: schemathesis.Case) -> bool:
    operation = case.operation
    if operation.method.upper() != "DELETE" or not operation.path.startswith("/wc-api/"):
        return False
    sent = str((case.path_parameters or {}).get("id", ""))
    return abs(intval(sent)) == live.admin_id  # the id as the legacy API reads it


def _send(live: Server, case: schemathesis.Case) -> None:
    """One generated request with the administrator's credentials: its application password on /wp-json,
    its API key in the query string on the legacy API (both over HTTPS)."""
    kwargs: dict[str, Any] = {"verify": live.ca_file, "timeout": 30}
    if _deletes_the_caller(live, case):
        # Deleting one's own account through the legacy API is allowed, as in WooCommerce; generated ids
        # are small, so it would soon remove the administrator every call authenticates as. Another id.
        case.path_parameters = {**case.path_parameters, "id": live.admin_id + 1_000_000}
    if case.operation.path.startswith("/wc-api/"):
        key = live.keys["read_write"]
        kwargs["params"] = {"consumer_key": key.consumer_key, "consumer_secret": key.consumer_secret}
    else:
        kwargs["auth"] = ("admin", live.admin_password)
    case.call_and_validate(base_url=live.https_url, checks=CHECKS, **kwargs)


def _explore(live: Server, operation: schemathesis.APIOperation, mode: GenerationMode) -> None:
    @settings(
        max_examples=MAX_EXAMPLES[live.database_url.split(":")[0]],
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode))
    def explore(case: schemathesis.Case) -> None:
        _send(live, case)

    explore()


def test_generated_requests_on_every_operation(api: schemathesis.BaseSchema, live: Server) -> None:
    failures: list[str] = []
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) > 90
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _explore(live, operation, mode)
            except Unsatisfiable:
                continue  # nothing about it can be invalid (an index without parameters)
            except (Exception, FailureGroup) as exc:  # every operation's failures, reported at the end
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
