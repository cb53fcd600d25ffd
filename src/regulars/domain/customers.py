"""Customers (the shop's record of a person), their addresses, statistics and the views built on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from regulars.domain import limits
from regulars.domain.accounts import Account

STATUSES: tuple[str, ...] = ("active", "inactive", "archived")
ADDRESS_TYPES: tuple[str, ...] = ("billing", "shipping")
ADDRESS_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
    "email",
    "phone",
)
_ADDRESS_NAMES = frozenset(ADDRESS_FIELDS)
# What each kind of address carries: billing has an email, shipping does not.
BILLING_FIELDS: tuple[str, ...] = ADDRESS_FIELDS
SHIPPING_FIELDS: tuple[str, ...] = (*ADDRESS_FIELDS[:9], "phone")


@dataclass
class Address:
    id: int
    customer_id: int
    type: str
    is_primary: bool
    status: str = "active"
    label: str = ""
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    address_1: str = ""
    address_2: str = ""
    city: str = ""
    state: str = ""
    postcode: str = ""
    country: str = ""
    email: str = ""
    phone: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def value(self, name: str) -> str:
        return str(getattr(self, name))


@dataclass
class Stats:
    """Figures derived from orders. total_spent counts paid orders only, in minor units; the first and
    last order are of every order but the trash (WooCommerce's), the paid ones of paid orders only
    (FluentCart's purchase dates)."""

    orders_count: int = 0
    paid_orders_count: int = 0
    total_spent: int = 0
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    last_order_id: int | None = None
    is_paying: bool = False
    first_paid_order_at: datetime | None = None
    last_paid_order_at: datetime | None = None

    @property
    def average_order_value(self) -> int:
        return self.total_spent // self.paid_orders_count if self.paid_orders_count else 0


@dataclass
class Customer:
    id: int
    account_id: int | None
    email: str
    first_name: str
    last_name: str
    created_at: datetime
    updated_at: datetime
    phone: str = ""
    status: str = "active"
    notes: str = ""
    additional_info: dict[str, Any] = field(default_factory=dict)
    stats: Stats = field(default_factory=Stats)
    addresses: list[Address] = field(default_factory=list)
    # The customer's place (customer_records.PLACE); None where nothing set it.
    country: str | None = None
    city: str | None = None
    state: str | None = None
    postcode: str | None = None

    def primary(self, kind: str) -> Address | None:
        return next((a for a in self.addresses if a.type == kind and a.is_primary), None)


@dataclass
class Profile:
    """WooCommerce's customer: an account joined with its customer record (which it may lack)."""

    account: Account
    customer: Customer | None = None

    @property
    def id(self) -> int:
        return self.account.id

    @property
    def stats(self) -> Stats:
        return self.customer.stats if self.customer else Stats()

    def address(self, kind: str) -> Address | None:
        return self.customer.primary(kind) if self.customer else None


@dataclass
class MetaChange:
    """One meta_data item of a request: upsert by id or key; a None value removes the key."""

    key: str
    value: Any
    id: int | None = None


@dataclass
class ProfileChange:
    """What a request asks to change on a profile; None means "not sent"."""

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    password: str | None = None
    billing: dict[str, str] | None = None
    shipping: dict[str, str] | None = None
    meta: list[MetaChange] | None = None

    def addresses(self) -> dict[str, dict[str, str]]:
        """The address fields sent, as text, by type; a type with none is left out."""
        found = {}
        for kind, sent in (("billing", self.billing), ("shipping", self.shipping)):
            fields = {k: str(v) for k, v in (sent or {}).items() if k in _ADDRESS_NAMES and v is not None}
            if fields:
                found[kind] = fields
        return found

    def check_lengths(self) -> dict[str, dict[str, str]]:
        """Refuse any text longer than the column it would be stored in; returns the addresses it
        checked (`addresses()`), so that a caller writing them need not work them out again."""
        names = {"email": self.email, "first_name": self.first_name, "last_name": self.last_name}
        limits.check_all(names, limits.ACCOUNT)
        found = self.addresses()
        for kind, fields in found.items():
            limits.check_all(fields, limits.ADDRESS, f"{kind}.")
        for item in self.meta or ():
            limits.check("meta_data.key", item.key, limits.META_KEY)
        return found


@dataclass
class ProfileQuery:
    """A page of profiles: WooCommerce's list parameters, said in domain terms."""

    role: str | None = "customer"  # None: every role
    search: str | None = None
    search_columns: tuple[str, ...] = ()  # of username, email, display_name, name, phone, id
    email: str | None = None
    include: tuple[int, ...] = ()
    exclude: tuple[int, ...] = ()
    orderby: str = "display_name"  # id | include | display_name | username | registered_at | email
    descending: bool = False
    limit: int | None = 10  # None: no limit
    offset: int = 0
    registered_after: datetime | None = None
    registered_before: datetime | None = None
    modified_after: datetime | None = None
    modified_before: datetime | None = None


@dataclass
class Page:
    items: list[Profile]
    total: int
