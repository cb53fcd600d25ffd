"""Accounts (logins, as WordPress has users): roles, capabilities and the rules for emails and usernames."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Stock roles, in the order WordPress registers them (WooCommerce's `role` enum follows it).
ROLES: tuple[str, ...] = (
    "administrator",
    "editor",
    "author",
    "contributor",
    "subscriber",
    "customer",
    "shop_manager",
)

LIST = "list_users"
CREATE = "create_customers"
CREATE_USERS = "create_users"
EDIT = "edit_users"
DELETE = "delete_users"
PROMOTE = "promote_users"
# The shop's records: both shop roles hold every capability WordPress registers for them.
SHOP_ORDERS = "edit_shop_orders"
PRODUCTS = "edit_products"

CAPABILITIES: dict[str, frozenset[str]] = {
    "administrator": frozenset({LIST, CREATE, CREATE_USERS, EDIT, DELETE, PROMOTE, SHOP_ORDERS, PRODUCTS}),
    "shop_manager": frozenset({LIST, CREATE, EDIT, SHOP_ORDERS, PRODUCTS}),
}

# Roles whose email and password the customers endpoints may change, and which they may delete.
CUSTOMER_ROLES: tuple[str, ...] = ("customer", "subscriber")
# Roles a shop manager may edit (besides themself).
SHOP_MANAGER_EDITABLE: tuple[str, ...] = ("customer",)


@dataclass
class MetaEntry:
    id: int
    key: str
    value: Any


@dataclass
class Account:
    id: int
    username: str
    email: str
    role: str
    registered_at: datetime
    modified_at: datetime | None = None
    first_name: str = ""
    last_name: str = ""
    display_name: str = ""
    password_hash: str | None = None
    meta: list[MetaEntry] = field(default_factory=list)

    def can(self, capability: str) -> bool:
        return capability in CAPABILITIES.get(self.role, frozenset())

    def may_edit(self, target: Account) -> bool:
        """WordPress's edit_user meta-capability, with WooCommerce's shop-manager narrowing."""
        if not self.can(EDIT):
            return False
        if target.role == "administrator" and self.role != "administrator":
            return False
        if self.role == "shop_manager":
            return target.id == self.id or target.role in SHOP_MANAGER_EDITABLE
        return True

    def may_delete(self, target: Account) -> bool:
        if not self.can(DELETE):
            return False
        return not (target.role == "administrator" and self.role != "administrator")


_LOCAL_CHARS = re.compile(r"^[a-zA-Z0-9!#$%&'*+/=?^_`{|}~.-]+$")
# WordPress's domain checks in one pattern: two or more dot-separated labels of letters, digits and
# hyphens, none empty and none starting or ending with a hyphen (so no "..", no edge dot, no space).
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+", re.IGNORECASE)


def is_email(value: str) -> bool:
    """WordPress's is_email(): the same (deliberately simple) rules, so the same answers."""
    if len(value) < 6 or "@" not in value[1:]:
        return False
    local, _, domain = value.partition("@")
    return _LOCAL_CHARS.match(local) is not None and _DOMAIN.fullmatch(domain) is not None


_TAGS = re.compile(r"<[^>]*>")
_OCTETS = re.compile(r"%[a-fA-F0-9]{2}")
_ENTITIES = re.compile(r"&.+?;")
_NOT_LOGIN = re.compile(r"[^a-zA-Z0-9 _.\-@]")
_SPACES = re.compile(r"\s+")


def sanitize_username(raw: str) -> str:
    """WordPress's sanitize_user(…, strict): what a login may be made of."""
    value = _TAGS.sub("", raw)
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = _OCTETS.sub("", value)
    value = _ENTITIES.sub("", value)
    value = _NOT_LOGIN.sub("", value)
    return _SPACES.sub(" ", value.strip())


def is_valid_username(value: str) -> bool:
    return value != "" and sanitize_username(value) == value


_GENERIC_LOCAL_PARTS = frozenset({"sales", "hello", "mail", "contact", "info"})


def username_candidate(email: str) -> str:
    """The first login WooCommerce tries for an email: its local part, or the domain for role mailboxes."""
    local, _, domain = email.partition("@")
    base = domain if local in _GENERIC_LOCAL_PARTS else local
    name = sanitize_username(base).lower()
    return name or f"woo_user_{secrets.randbelow(10000):04d}"


def username_with_suffix(base: str) -> str:
    """WooCommerce's clash rule: the same login with a random four-digit suffix."""
    return f"{base}-{secrets.randbelow(10000):04d}"


_PASSWORD_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*()"


def generate_password(length: int = 12) -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
