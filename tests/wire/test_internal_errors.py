"""An unforeseen failure (here the store losing a table under a running server, on SQLite and PostgreSQL) is
answered by every dialect with its own 500 envelope, never a traceback or the framework's plain text; and
once the store is whole again the same server serves the same requests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.support.fluentcart import BASE, client, email, woocommerce
from tests.support.servers import Server

pytestmark = pytest.mark.wire


@contextmanager
def _addresses_gone(server: Server) -> Iterator[None]:
    """The addresses table renamed away (every read of a customer joins it), then put back."""
    engine = create_engine(server.database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE addresses RENAME TO addresses_away"))
        try:
            yield
        finally:
            with engine.begin() as connection:
                connection.execute(text("ALTER TABLE addresses_away RENAME TO addresses"))
    finally:
        engine.dispose()


def _reads(server: Server, account_id: int, record_id: int) -> list[httpx.Response]:
    with woocommerce(server) as wc, client(server) as fc:
        return [
            wc.get(f"/wp-json/wc/v3/customers/{account_id}"),
            wc.get(f"/wc-api/v3/customers/{account_id}"),
            fc.get(f"{BASE}/customers/{record_id}"),
        ]


def test_every_dialect_answers_a_failure_in_its_own_envelope(server: Server) -> None:
    with woocommerce(server) as wc:
        made = wc.post("/wp-json/wc/v3/customers", json={"email": email("fail"), "first_name": "Ada"})
        assert made.status_code == 201
        account_id = made.json()["id"]
    with client(server) as fc:
        listed = fc.get(f"{BASE}/customers", params={"search": made.json()["email"]}).json()
        record_id = listed["data"]["customers"][0]["id"]
    with _addresses_gone(server):
        rest, legacy, fluentcart = _reads(server, account_id, record_id)
    for response in (rest, legacy, fluentcart):
        assert response.status_code == 500 and response.headers["content-type"].startswith("application/json")
        assert "Traceback" not in response.text and "addresses" not in response.text
    assert rest.json() == {
        "code": "internal_server_error",
        "message": "There has been a critical error on this website.",
        "data": {"status": 500},
    }
    assert legacy.json() == {
        "errors": [{"code": "woocommerce_api_internal_error", "message": "An internal error occurred."}]
    }
    assert fluentcart.json() == {
        "success": False,
        "error": {"code": "internal_error", "message": "An internal error occurred."},
    }
    recovered = _reads(server, account_id, record_id)
    assert [r.status_code for r in recovered] == [200, 200, 200]
    assert recovered[0].json()["first_name"] == recovered[1].json()["customer"]["first_name"] == "Ada"
