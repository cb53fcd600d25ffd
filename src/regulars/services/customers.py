"""Customer records managed directly (FluentCart's customers): create, change and list them, keep their
address book, link and unlink accounts, and change many at once.

WooCommerce's view of the same records (an account joined with its record) is services/profiles.py; a
record linked to an account keeps that account's email and names in step with its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from regulars.domain import limits
from regulars.domain.accounts import CREATE, Account, is_email
from regulars.domain.address_book import AddressBook, AddressChange, check_values
from regulars.domain.customer_records import CustomerChange, CustomerQuery, RecordPage
from regulars.domain.customers import STATUSES, Address, Customer, ProfileChange
from regulars.domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from regulars.domain.orders import Order
from regulars.services import orders as order_service
from regulars.services import profiles
from regulars.services.clock import now
from regulars.store.unit import Unit

# What a linked account shares with its customer record.
SYNCED: tuple[str, ...] = ("email", "first_name", "last_name")


@dataclass
class Outcome:
    """One customer of a bulk change: what it became, or why it was left as it was."""

    customer_id: int
    customer: Customer | None = None
    error: DomainError | None = None


# --- reading ---------------------------------------------------------------------------------------------
def require(unit: Unit, customer_id: int) -> Customer:
    found = unit.customers.get(customer_id)
    if found is None:
        raise NotFound("customer", "customer_id", customer_id=customer_id)
    return found


def hold(unit: Unit, customer_id: int) -> Customer:
    """The customer, read again once changes to it run one after the other, whichever dialect makes them:
    its account's row is held first (as WooCommerce's changes hold it), then its own."""
    seen = require(unit, customer_id)
    if seen.account_id is not None:
        unit.accounts.lock(seen.account_id)
    unit.customers.lock(customer_id)
    return require(unit, customer_id)


def page(unit: Unit, query: CustomerQuery) -> RecordPage:
    found, total = unit.customers.page(query)
    return RecordPage(found, total)


def orders(unit: Unit, customer_id: int) -> list[Order]:
    require(unit, customer_id)
    return order_service.for_customer(unit, customer_id)


def attachable_accounts(unit: Unit, search: str | None, limit: int, offset: int) -> RecordPage:
    """Accounts no customer record is linked to yet: the ones `attach` accepts."""
    ids, total = unit.customers.unattached_accounts(search, limit, offset)
    found = unit.accounts.get_many(ids)
    return RecordPage([found[i] for i in ids if i in found], total)


# --- rules -----------------------------------------------------------------------------------------------
def check_status(status: str) -> str:
    if status not in STATUSES:
        raise Invalid("invalid_status", "status")
    return status


def _email(value: str | None) -> str:
    email = (value or "").strip()
    if not email:
        raise Invalid("email_required", "email")
    if not is_email(email):
        raise Invalid("invalid_email", "email")
    limits.check("email", email, limits.CUSTOMER["email"])
    return email


def _check_texts(change: CustomerChange) -> None:
    for name in ("first_name", "last_name", "phone"):
        limits.check(name, getattr(change, name), limits.CUSTOMER[name])
    for name, value in change.place.items():
        limits.check(name, value, limits.CUSTOMER[name])
    if change.status is not None:
        check_status(change.status)


def _check_attachable(unit: Unit, account_id: int) -> Account:
    account = unit.accounts.get(account_id)
    if account is None:
        raise NotFound("account", "user_id", account_id=account_id)
    if unit.customers.by_account(account_id) is not None:
        raise Conflict("account_linked", "user_id", account_id=account_id)
    return account


def _merged_info(current: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    """Sent keys replace stored ones; a null value removes its key."""
    merged = {**current, **sent}
    return {k: v for k, v in merged.items() if v is not None}


# --- customers -------------------------------------------------------------------------------------------
def create(
    unit: Unit,
    change: CustomerChange,
    actor: Account,
    *,
    account_id: int | None = None,
    register_account: bool = False,
) -> Customer:
    """A new record. It joins the account of the same email if that account has no record yet, or the
    account asked for; `register_account` makes an account when neither exists (as WooCommerce would)."""
    email = _email(change.email)
    if not change.first_name:
        raise Invalid("name_required", "first_name")
    _check_texts(change)
    if unit.customers.by_email(email) is not None:
        raise Conflict("email_exists", "email", email=email)
    if account_id is not None:
        unit.accounts.lock(account_id)
        _check_attachable(unit, account_id)
    else:
        same_email = unit.accounts.by_email(email)
        if same_email is not None and unit.customers.by_account(same_email.id) is None:
            account_id = same_email.id
    register = register_account and account_id is None
    if register and not actor.can(CREATE):
        raise Forbidden("cannot_register_account")
    customer_id = unit.customers.insert(
        email=email,
        now=now(),
        account_id=account_id,
        first_name=change.first_name,
        last_name=change.last_name or "",
        phone=change.phone or "",
        status=change.status or "active",
        notes=change.notes or "",
        additional_info=_merged_info({}, change.additional_info or {}),
        place=change.place,
    )
    if register:
        profiles.create(
            unit, ProfileChange(email=email, first_name=change.first_name, last_name=change.last_name)
        )
    return require(unit, customer_id)


def _sync_account(unit: Unit, customer: Customer, values: dict[str, Any], actor: Account) -> None:
    """A linked account shows the record's email and names (WooCommerce reads them there): what changes
    on the record changes on the account. Values sent again unchanged leave the account alone."""
    if customer.account_id is None:
        return
    moved = {k: v for k, v in values.items() if k in SYNCED and getattr(customer, k) != v}
    account = unit.accounts.get(customer.account_id) if moved else None
    if account is None:
        return
    changed = {k: v for k, v in moved.items() if getattr(account, k) != v}
    if not changed:
        return
    if not actor.may_edit(account):
        raise Forbidden("account_not_editable", "email" if "email" in changed else "first_name")
    if "email" in changed:
        limits.check("email", changed["email"], limits.ACCOUNT["email"])
        other = unit.accounts.by_email(changed["email"])
        if other is not None and other.id != account.id:
            raise Conflict("email_exists", "email", email=changed["email"])
    unit.accounts.update(account.id, {**changed, "modified_at": values["updated_at"]})


def update(unit: Unit, customer_id: int, change: CustomerChange, actor: Account) -> Customer:
    """Change what was sent and nothing else; additional info is merged key by key."""
    current = hold(unit, customer_id)
    _check_texts(change)
    values: dict[str, Any] = {"updated_at": now()}
    if change.email is not None:
        email = _email(change.email)
        other = unit.customers.by_email(email)
        if other is not None and other.id != customer_id:
            raise Conflict("email_exists", "email", email=email)
        values["email"] = email
    if change.first_name is not None and not change.first_name:
        raise Invalid("name_required", "first_name")
    values.update(change.names())
    for name in ("phone", "status", "notes"):
        if getattr(change, name) is not None:
            values[name] = getattr(change, name)
    values.update(change.place)
    if change.additional_info is not None:
        values["additional_info"] = _merged_info(current.additional_info, change.additional_info)
    _sync_account(unit, current, values, actor)
    unit.customers.update(customer_id, values)
    return require(unit, customer_id)


def set_status(unit: Unit, customer_id: int, status: str) -> Customer:
    hold(unit, customer_id)
    unit.customers.update(customer_id, {"status": check_status(status), "updated_at": now()})
    return require(unit, customer_id)


def delete(unit: Unit, customer_id: int) -> Customer:
    """Remove the record and its addresses; its orders stay (unlinked) and so does its account."""
    found = hold(unit, customer_id)
    unit.customers.delete(customer_id)
    return found


def each(unit: Unit, ids: Sequence[int], action: Callable[[Unit, int], Customer]) -> list[Outcome]:
    """Apply `action` to every id on its own: a refused one is reported and leaves nothing behind."""
    outcomes: list[Outcome] = []
    for customer_id in ids:
        try:
            with unit.savepoint():
                outcomes.append(Outcome(customer_id, action(unit, customer_id)))
        except DomainError as exc:
            outcomes.append(Outcome(customer_id, error=exc))
    return outcomes


# --- accounts --------------------------------------------------------------------------------------------
def attach(unit: Unit, customer_id: int, account_id: int) -> Customer:
    unit.accounts.lock(account_id)  # one customer wins an account attached to several at once
    customer = hold(unit, customer_id)
    if customer.account_id == account_id:
        return customer
    _check_attachable(unit, account_id)
    if customer.account_id is not None:
        raise Conflict("customer_linked", "user_id", account_id=customer.account_id)
    unit.customers.update(customer_id, {"account_id": account_id, "updated_at": now()})
    return require(unit, customer_id)


def detach(unit: Unit, customer_id: int) -> Customer:
    hold(unit, customer_id)
    unit.customers.update(customer_id, {"account_id": None, "updated_at": now()})
    return require(unit, customer_id)


# --- the address book ------------------------------------------------------------------------------------
def book(unit: Unit, customer_id: int) -> AddressBook:
    require(unit, customer_id)
    return AddressBook(customer_id, unit.customers.addresses_of(customer_id))


def addresses(unit: Unit, customer_id: int, kind: str | None = None) -> list[Address]:
    require(unit, customer_id)
    return unit.customers.addresses_of(customer_id, kind)


def _reread(unit: Unit, customer_id: int, address_id: int) -> Address:
    return book(unit, customer_id).find(address_id)


def _held_book(unit: Unit, customer_id: int) -> AddressBook:
    """The address book, with the customer held: its rules are checked against what no one else changes."""
    return AddressBook(customer_id, hold(unit, customer_id).addresses)


def add_address(unit: Unit, customer_id: int, change: AddressChange) -> Address:
    """The first address of a type becomes its primary; a later one only when asked, replacing the old."""
    check_values(change, creating=True)
    current = _held_book(unit, customer_id)
    kind = change.type or "billing"
    moment = now()
    first_of_type = current.primary(kind) is None
    values: dict[str, Any] = {**change.values, "meta": change.meta or {}}
    address_id = unit.customers.insert_address(customer_id, kind, values, primary=first_of_type, now=moment)
    if not first_of_type and change.primary:
        unit.customers.make_primary(customer_id, kind, address_id, moment)
    return _reread(unit, customer_id, address_id)


def change_address(unit: Unit, customer_id: int, address_id: int, change: AddressChange) -> Address:
    check_values(change, creating=False)
    current = _held_book(unit, customer_id)
    address = current.find(address_id)
    current.check_change(address, change)
    promote = current.becomes_primary(address, change)
    moment = now()
    values: dict[str, Any] = {**change.values, "updated_at": moment}
    if change.type is not None:
        values["type"] = change.type
    if change.meta is not None:
        values["meta"] = _merged_info(address.meta, change.meta)
    unit.customers.update_address(customer_id, address_id, values)
    if promote:
        unit.customers.make_primary(customer_id, change.type or address.type, address_id, moment)
    return _reread(unit, customer_id, address_id)


def remove_address(unit: Unit, customer_id: int, address_id: int) -> Address:
    current = _held_book(unit, customer_id)
    address = current.find(address_id)
    current.check_delete(address)
    unit.customers.delete_address(customer_id, address_id)
    return address


def make_primary(unit: Unit, customer_id: int, address_id: int, kind: str | None = None) -> Address:
    """Promote one of the customer's addresses; an id that is not theirs changes nothing."""
    address = _held_book(unit, customer_id).find(address_id, kind)
    if not address.is_primary:
        unit.customers.make_primary(customer_id, address.type, address_id, now())
    return _reread(unit, customer_id, address_id)
