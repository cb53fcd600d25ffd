"""WooCommerce's customer (an account with its customer record): create, read, change, delete, list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from regulars.auth.passwords import hash_password
from regulars.domain import limits
from regulars.domain.accounts import (
    is_email,
    is_valid_username,
    sanitize_username,
    username_candidate,
    username_with_suffix,
)
from regulars.domain.customers import (
    MetaChange,
    Page,
    Profile,
    ProfileChange,
    ProfileQuery,
)
from regulars.domain.errors import Conflict, Invalid, NotFound
from regulars.services.clock import now
from regulars.store.unit import Unit

PASSWORD_NAG = "default_password_nag"


def is_protected_meta(key: str) -> bool:
    """WordPress hides meta whose key starts with "_"; so do we, for reading and writing."""
    return key.startswith("_")


def get(unit: Unit, account_id: int) -> Profile | None:
    return unit.profiles.get(account_id)


def require(unit: Unit, account_id: int) -> Profile:
    profile = get(unit, account_id)
    if profile is None:
        raise NotFound("account")
    return profile


def by_email(unit: Unit, email: str) -> Profile | None:
    account = unit.accounts.by_email(email) if is_email(email) else None
    return get(unit, account.id) if account else None


def assemble(unit: Unit, ids: Sequence[int]) -> list[Profile]:
    """The profiles of these accounts, in this order, read in one statement whatever their number."""
    found = unit.profiles.many(ids)
    return [found[i] for i in ids if i in found]


def page(unit: Unit, query: ProfileQuery) -> Page:
    ids, total = unit.accounts.page(query)
    return Page(assemble(unit, ids), total)


def count(unit: Unit, query: ProfileQuery) -> int:
    return unit.accounts.count_matching(query)


def checked_email(email: str | None) -> str:
    """A new customer's email, checked as WooCommerce checks it before looking it up."""
    if email and not is_email(email):
        raise Invalid("invalid_email", "email")
    if not email:
        raise Invalid("email_required", "email")
    return email


def check_change(change: ProfileChange) -> dict[str, dict[str, str]]:
    """What a change must be whatever the store holds: a well-formed billing email, no text too long.
    Returns the change's addresses (`ProfileChange.check_lengths`)."""
    billing = change.billing or {}
    if billing.get("email") and not is_email(billing["email"]):
        raise Invalid("invalid_billing_email", "billing.email")
    return change.check_lengths()


def given_username(username: str) -> str:
    """A username the request chose, as WordPress cleans it; refused when cleaning would change it."""
    clean = sanitize_username(username)
    if not is_valid_username(clean) or clean != username.strip():
        raise Invalid("invalid_username", "username")
    if len(clean) > limits.ACCOUNT["username"]:
        raise Invalid("username_too_long", "username")
    return clean


def username_base(email: str) -> str:
    """The login WooCommerce derives from an email, before any suffix a clash adds."""
    return username_candidate(email)[:55]


def _choose_username(unit: Unit, username: str | None, email: str) -> str:
    if username:
        clean = given_username(username)
        if unit.accounts.username_taken(clean):
            raise Conflict("username_exists", "username")
        return clean
    base = username_base(email)
    candidate = base
    while unit.accounts.username_taken(candidate):
        candidate = username_with_suffix(base)
    return candidate


def _clean_name(value: str | None) -> str | None:
    return None if value is None else value.strip()


def create(unit: Unit, change: ProfileChange, *, role: str = "customer") -> Profile:
    """Register a customer as WooCommerce does: validate, derive the username, store both records."""
    email = checked_email(change.email)
    check_change(change)
    if unit.accounts.by_email(email) is not None:
        raise Conflict("email_exists", "email", email=email)
    username = _choose_username(unit, change.username, email)
    generated = not change.password
    password_hash = None if generated else hash_password(change.password or "")
    moment = now()
    first, last = _clean_name(change.first_name) or "", _clean_name(change.last_name) or ""
    account_id = unit.accounts.insert(
        username=username,
        email=email,
        role=role,
        now=moment,
        password_hash=password_hash,
        first_name=first,
        last_name=last,
    )
    existing = unit.customers.by_email(email)
    joined = existing if existing is not None and existing.account_id is None else None
    if joined is not None:
        # A customer the shop already knew (say, from FluentCart) now has an account: join them.
        values: dict[str, Any] = {"account_id": account_id, "updated_at": moment}
        values.update({k: v for k, v in (("first_name", first), ("last_name", last)) if v})
        unit.customers.update(joined.id, values)
        customer_id = joined.id
    else:
        customer_id = unit.customers.insert(
            account_id=account_id, email=email, first_name=first, last_name=last, now=moment
        )
    if generated:
        unit.accounts.add_meta(account_id, PASSWORD_NAG, "1")
    _apply_addresses(unit, customer_id, change, moment, fresh=joined is None)
    if change.meta:
        _apply_meta(unit, account_id, change.meta)
    return require(unit, account_id)


def update(unit: Unit, account_id: int, change: ProfileChange) -> Profile:
    unit.accounts.lock(account_id)
    profile = require(unit, account_id)
    account = profile.account
    if change.email and change.email != account.email and unit.accounts.by_email(change.email):
        raise Conflict("email_taken", "email")
    if change.username and change.username != account.username:
        raise Invalid("username_immutable", "username")
    if change.email is not None and not is_email(change.email):  # an account's email cannot be blanked
        raise Invalid("invalid_email", "email")
    check_change(change)
    moment = now()
    values: dict[str, Any] = {"modified_at": moment}
    record: dict[str, Any] = {"updated_at": moment}
    if change.email:
        values["email"] = record["email"] = change.email
    if change.password:
        values["password_hash"] = hash_password(change.password)
    for name in ("first_name", "last_name"):
        cleaned = _clean_name(getattr(change, name))
        if cleaned is not None:
            values[name] = record[name] = cleaned
    unit.accounts.update(account_id, values)
    customer_id = profile.customer.id if profile.customer else None
    if customer_id is None:
        customer_id = unit.customers.insert(
            account_id=account_id,
            email=values.get("email", account.email),
            first_name=values.get("first_name", account.first_name),
            last_name=values.get("last_name", account.last_name),
            now=moment,
        )
    else:
        unit.customers.update(customer_id, record)
    _apply_addresses(unit, customer_id, change, moment)
    if change.meta:
        _apply_meta(unit, account_id, change.meta)
    return require(unit, account_id)


def delete(unit: Unit, account_id: int, reassign: int = 0) -> Profile:
    """Remove the account and its customer record; returns what they were just before."""
    profile = require(unit, account_id)
    if reassign and (reassign == account_id or unit.accounts.get(reassign) is None):
        raise Invalid("invalid_reassign", "reassign")
    unit.accounts.delete(account_id)
    return profile


def _apply_addresses(
    unit: Unit, customer_id: int, change: ProfileChange, moment: datetime, *, fresh: bool = False
) -> None:
    """Merge sent address fields into the primary address of each type, field by field. A `fresh`
    customer row, inserted just now, has no addresses to read."""
    record = None if fresh else unit.customers.get(customer_id)
    for kind, fields in change.addresses().items():
        current = record.primary(kind) if record else None
        if current is None:
            unit.customers.insert_address(customer_id, kind, fields, primary=True, now=moment)
        else:
            unit.customers.update_address(customer_id, current.id, {**fields, "updated_at": moment})


def _apply_meta(unit: Unit, account_id: int, changes: list[MetaChange]) -> None:
    """WooCommerce's meta rules: an id of this account updates that row; an unknown id replaces every
    row of the key; no id updates the first row of the key or adds one; a null value removes the key.
    Protected rows are out of reach: neither their key nor their id names them."""
    for change in changes:
        if is_protected_meta(change.key):
            continue
        rows = [m for m in unit.accounts.meta(account_id) if not is_protected_meta(m.key)]
        if change.value is None:
            unit.accounts.delete_meta(account_id, change.key)
            continue
        if change.id is not None:
            mine = next((m for m in rows if m.id == change.id), None)
            if mine is not None:
                unit.accounts.set_meta_value(mine.id, change.key, change.value)
            else:
                unit.accounts.delete_meta(account_id, change.key)
                unit.accounts.add_meta(account_id, change.key, change.value)
            continue
        same_key = next((m for m in rows if m.key == change.key), None)
        if same_key is not None:
            unit.accounts.set_meta_value(same_key.id, change.key, change.value)
        else:
            unit.accounts.add_meta(account_id, change.key, change.value)


# WooCommerce caches a customer's figures in user meta the first time a view reports them, and those
# rows then show in meta_data; clients see them, so Regulars keeps them the same way.
STAT_CACHE_KEYS: tuple[str, ...] = ("wc_last_order_wp", "wc_order_count_wp", "wc_money_spent_wp")


def _cached_value(profile: Profile, key: str) -> str | None:
    stats = profile.stats
    if key == "wc_last_order_wp":
        return str(stats.last_order_id) if stats.last_order_id else None
    if key == "wc_order_count_wp":
        return str(stats.orders_count)
    spent = f"{stats.total_spent / 100:.2f}".rstrip("0").rstrip(".")
    return spent or "0"


def stale_stat_cache(profile: Profile, keys: Sequence[str]) -> bool:
    current = {m.key: m.value for m in profile.account.meta}
    return any(
        (value := _cached_value(profile, key)) is not None and current.get(key) != value for key in keys
    )


def refresh_stat_cache(unit: Unit, profile: Profile, keys: Sequence[str]) -> None:
    """Write the figures a view just reported into their cache rows (a stale row is replaced)."""
    current = {m.key: m for m in profile.account.meta}
    for key in keys:
        value = _cached_value(profile, key)
        if value is None or (key in current and current[key].value == value):
            continue
        unit.accounts.delete_meta(profile.id, key)
        unit.accounts.add_meta(profile.id, key, value)


def forget_stat_cache(unit: Unit, account_id: int) -> None:
    """Orders changed: the cached figures are dropped, to be written again by the next view."""
    for key in STAT_CACHE_KEYS:
        unit.accounts.delete_meta(account_id, key)


LAST_ACTIVE = "wc_last_active"


def mark_active(unit: Unit, account_id: int, moment: datetime) -> None:
    """WooCommerce stamps the day a customer last ordered into meta (the UTC midnight, in epoch seconds),
    updating the one row it keeps for it."""
    day = str(int(moment.replace(hour=0, minute=0, second=0, tzinfo=UTC).timestamp()))
    current = next((m for m in unit.accounts.meta(account_id) if m.key == LAST_ACTIVE), None)
    if current is None:
        unit.accounts.add_meta(account_id, LAST_ACTIVE, day)
    elif current.value != day:
        unit.accounts.set_meta_value(current.id, LAST_ACTIVE, day)
