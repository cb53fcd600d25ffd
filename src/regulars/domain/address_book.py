"""A customer's address book and its rules: one primary address per type, the primary address and the
last address stay, a primary address keeps its type. Pure: the service applies what these decide."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from regulars.domain import limits
from regulars.domain.accounts import is_email
from regulars.domain.countries import is_country
from regulars.domain.customers import ADDRESS_TYPES, Address
from regulars.domain.errors import Invalid, NotFound

# What an address must have (FluentCart's rules, less the email its documented example omits): required
# when creating, and never emptied by a change.
REQUIRED_ON_CREATE: tuple[str, ...] = ("first_name", "address_1", "city", "country")


@dataclass
class AddressChange:
    """Fields a request sets on an address; absent keys are left alone. `primary` None: not asked."""

    type: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    primary: bool | None = None
    meta: dict[str, Any] | None = None


def check_values(change: AddressChange, *, creating: bool) -> None:
    if change.type is not None and change.type not in ADDRESS_TYPES:
        raise Invalid("invalid_address_type", "type")
    for name in REQUIRED_ON_CREATE:
        if (creating or name in change.values) and not change.values.get(name):
            raise Invalid("required", name)
    country = change.values.get("country")
    if country and not is_country(country):
        raise Invalid("invalid_country", "country")
    email = change.values.get("email")
    if email and not is_email(email):
        raise Invalid("invalid_email", "email")
    limits.check_all(change.values, limits.ADDRESS)


@dataclass
class AddressBook:
    customer_id: int
    addresses: list[Address]

    def find(self, address_id: int, kind: str | None = None) -> Address:
        """The customer's own address with that id (and type, when given); NotFound otherwise."""
        found = next((a for a in self.addresses if a.id == address_id), None)
        if found is None or (kind is not None and found.type != kind):
            raise NotFound("address", "address_id", address_id=address_id)
        return found

    def primary(self, kind: str) -> Address | None:
        return next((a for a in self.addresses if a.type == kind and a.is_primary), None)

    def new_is_primary(self, kind: str, asked: bool | None) -> bool:
        """The first address of a type is its primary; a later one only when asked."""
        return self.primary(kind) is None or bool(asked)

    def check_change(self, address: Address, change: AddressChange) -> None:
        if address.is_primary and change.type not in (None, address.type):
            raise Invalid("primary_type_change", "type")
        if address.is_primary and change.primary is False:
            raise Invalid("primary_unset", "is_primary")

    def becomes_primary(self, address: Address, change: AddressChange) -> bool:
        """After a change: asked to be primary, or moved to a type that has no primary yet."""
        if address.is_primary:
            return False
        kind = change.type or address.type
        return bool(change.primary) or (kind != address.type and self.primary(kind) is None)

    def check_delete(self, address: Address) -> None:
        if len(self.addresses) <= 1:
            raise Invalid("last_address", "address_id")
        if address.is_primary:
            raise Invalid("primary_address", "address_id")
