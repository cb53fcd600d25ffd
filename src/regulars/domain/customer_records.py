"""The shop's customer records managed directly (not through an account): what a list asks for, what a
change says, and the pure rules for names, search terms and averages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Sort keys a list may ask for (the store maps each to an indexed column).
SORTS: tuple[str, ...] = (
    "id",
    "email",
    "first_name",
    "last_name",
    "status",
    "created_at",
    "updated_at",
    "total_spent",
    "order_count",
    "first_paid_order_at",
    "last_paid_order_at",
    "account_id",
    "average_order_value",
    # The customer's place (FluentCart's customer columns, PLACE).
    "country",
    "city",
    "state",
    "postcode",
)
# A customer's place, as FluentCart keeps it on the customer row: what was set on the record itself, until
# its primary billing address is written and sets it (or, once that address is removed, clears it).
PLACE: tuple[str, ...] = ("country", "city", "state", "postcode")


@dataclass(frozen=True)
class IdCondition:
    """A search on the id column: `id=5`, `id>10`, `id::5-20` (inclusive range)."""

    operator: str  # one of = != > < >= <= between
    value: int
    upper: int | None = None


@dataclass
class CustomerQuery:
    search: str | None = None  # matched against names, email, phone and the id
    id_condition: IdCondition | None = None
    statuses: tuple[str, ...] = ()
    created_from: datetime | None = None  # inclusive
    created_before: datetime | None = None  # exclusive
    total_spent_min: int | None = None  # minor units, inclusive
    total_spent_max: int | None = None
    order_by: str = "id"
    descending: bool = True
    limit: int = 10
    offset: int = 0


@dataclass
class CustomerChange:
    """What a request asks to change on a customer record; None means "not sent"."""

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    status: str | None = None
    notes: str | None = None
    additional_info: dict[str, Any] | None = None
    place: dict[str, str] = field(default_factory=dict)  # of PLACE, those sent

    def names(self) -> dict[str, str]:
        sent = (("first_name", self.first_name), ("last_name", self.last_name))
        return {k: v for k, v in sent if v is not None}


@dataclass
class RecordPage:
    items: list[Any] = field(default_factory=list)  # customers (or accounts), in the order asked
    total: int = 0


def split_name(full: str) -> tuple[str, str]:
    """FluentCart's one-field name: everything before the last space is the first name."""
    cleaned = " ".join(full.split())
    first, _, last = cleaned.rpartition(" ")
    return (first, last) if first else (last, "")


LARGEST_ID = 2**63 - 1
_ID_SEARCH = re.compile(r"^\s*id\s*(>=|<=|!=|::|=|>|<)\s*(\d+)(?:\s*-\s*(\d+))?\s*$", re.IGNORECASE)


def _id(digits: str) -> int:
    """Ids are 64-bit: a larger number compares as the largest id (no row has it or anything above)."""
    return min(int(digits), LARGEST_ID)


def id_condition(term: str) -> IdCondition | None:
    """`id=5`, `id!=5`, `id>10`, `id>=10`, `id::5-20`; None when the term is not one of these."""
    found = _ID_SEARCH.match(term)
    if found is None:
        return None
    operator, value, upper = found.group(1), _id(found.group(2)), found.group(3)
    if operator == "::":
        if upper is None:
            return None
        low, high = sorted((value, _id(upper)))
        return IdCondition("between", low, high)
    return None if upper is not None else IdCondition(operator, value)


def average(total: int, count: int) -> int:
    """Average in minor units, rounded half up (5000 over 3 orders is 1667)."""
    return (2 * total + count) // (2 * count) if count else 0
