"""The seeds' example address, and a shop for the tests of what orders show: a downloadable product
and a customer with three orders (completed, cancelled, processing), placed through wc/v3 with the
official Python client."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.clients import python_client
from tests.support.servers import Server

# The address of the seeds' examples; billing adds an email and a phone.
SEED_ADDRESS = {
    "first_name": "John",
    "last_name": "Doe",
    "company": "",
    "address_1": "969 Market",
    "address_2": "",
    "city": "San Francisco",
    "state": "CA",
    "postcode": "94103",
    "country": "US",
}
SEED_BILLING = {**SEED_ADDRESS, "email": "john.doe@example.com", "phone": "(555) 555-5555"}


def place_orders(server: Server) -> dict[str, Any]:
    """A downloadable product and a customer with three orders: completed, cancelled, processing."""
    rest = python_client(server, "wc/v3", "basic")
    product = rest.post(
        "products",
        {
            "name": "E-book",
            "regular_price": "9.99",
            "sku": f"EB-{uuid.uuid4().hex[:6]}",
            "virtual": True,
            "downloadable": True,
            "downloads": [{"name": "E-book PDF", "file": "https://example.com/files/ebook.pdf"}],
            "download_limit": 5,
            "download_expiry": 30,
        },
    ).json()
    address = f"buyer.{uuid.uuid4().hex[:8]}@example.com"
    customer = python_client(server, "v3", "basic", wp_api=False).post(
        "customers", {"customer": {"email": address, "billing_address": {**SEED_ADDRESS, "email": address}}}
    )
    customer_id = customer.json()["customer"]["id"]
    orders = []
    for status, quantity in (("completed", 2), ("cancelled", 1), ("processing", 3)):
        placed = rest.post(
            "orders",
            {
                "customer_id": customer_id,
                "status": status,
                "payment_method": "bacs",
                "payment_method_title": "Direct Bank Transfer",
                "billing": {**SEED_ADDRESS, "email": address, "phone": "(555) 555-5555"},
                "shipping": SEED_ADDRESS,
                "customer_note": "Leave at the door",
                "line_items": [{"product_id": product["id"], "quantity": quantity}],
                "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "5.00"}],
                "fee_lines": [{"name": "Gift wrap", "total": "1.50"}],
            },
        )
        assert placed.status_code == 201, placed.text
        orders.append(placed.json())
    return {"product": product, "customer_id": customer_id, "email": address, "orders": orders}
