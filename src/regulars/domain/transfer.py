"""Customers moving in bulk: what an import decided for one customer, ready to be written as rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class NewProfile:
    """A WooCommerce customer that passed every create rule: the account, its customer record, its
    primary addresses (type -> fields) and its meta rows (key, value), in the order they are added."""

    email: str
    username: str
    password_hash: str | None
    first_name: str = ""
    last_name: str = ""
    addresses: dict[str, dict[str, str]] = field(default_factory=dict)
    meta: list[tuple[str, Any]] = field(default_factory=list)
