"""WooCommerce's customer read whole in one statement: the account, its customer record, the record's
addresses and the account's meta (those two aggregated as JSON in the same row). Every request for a
customer or a page of them needs all four; read separately they cost a round trip (on PostgreSQL) or a
statement each, which is most of such a request's time."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import fields
from datetime import datetime
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import JSON, ColumnElement, Connection, Text, bindparam, cast, func, select

from regulars.domain.accounts import MetaEntry
from regulars.domain.customers import Address, Profile
from regulars.store import counts
from regulars.store.accounts import account_from_row
from regulars.store.customers import customer_from_row
from regulars.store.engine import read_json
from regulars.store.prepared import Prepared, among
from regulars.store.tables import account_meta, accounts, addresses, customers

# An aggregated address is its row's values in the table's order, which is the order of Address's fields.
_ADDRESS_COLUMNS = tuple(addresses.columns)
assert tuple(c.name for c in _ADDRESS_COLUMNS) == tuple(f.name for f in fields(Address))
_ADDRESS_DATES = tuple(i for i, c in enumerate(_ADDRESS_COLUMNS) if c.name in ("created_at", "updated_at"))
_ADDRESS_META = next(i for i, c in enumerate(_ADDRESS_COLUMNS) if c.name == "meta")
_BY_ID = itemgetter(0)
_T = TypeVar("_T")


def _aggregated(dialect: str, columns: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
    """A JSON array of rows, each a JSON array of `columns`; JSON columns go in as their text, so both
    databases hand them back the same way."""
    values = [cast(c, Text) if isinstance(c.type, JSON) else c for c in columns]
    if dialect == "postgresql":  # NULL over no rows, where SQLite gives []
        return func.json_agg(func.json_build_array(*values), type_=JSON)
    return func.json_group_array(func.json_array(*values), type_=JSON)


def _extra(dialect: str) -> list[ColumnElement[Any]]:
    owned_addresses = (
        select(_aggregated(dialect, _ADDRESS_COLUMNS))
        .where(addresses.c.customer_id == customers.c.id)
        .scalar_subquery()
    )
    meta_columns = (account_meta.c.id, account_meta.c.meta_key, account_meta.c.meta_value)
    owned_meta = (
        select(_aggregated(dialect, meta_columns))
        .where(account_meta.c.account_id == accounts.c.id)
        .scalar_subquery()
    )
    return [owned_addresses.label("addresses"), owned_meta.label("meta")]


_SOURCE = accounts.outerjoin(customers, customers.c.account_id == accounts.c.id)
_ONE = Prepared.joined(
    _SOURCE, (accounts, customers), lambda _d: accounts.c.id == bindparam("account_id"), _extra
)
_MANY = Prepared.joined(_SOURCE, (accounts, customers), lambda d: among(accounts.c.id, "ids", d), _extra)


def _address(values: list[Any]) -> Address:
    for i in _ADDRESS_DATES:
        values[i] = datetime.fromisoformat(values[i])
    meta = values[_ADDRESS_META]
    values[_ADDRESS_META] = read_json(meta) if meta is not None else {}
    address = Address(*values)
    address.is_primary = bool(address.is_primary)
    return address


def _profile(account_row: Any, record_row: Any, owned_addresses: Any, owned_meta: Any) -> Profile:
    account = account_from_row(account_row)
    account.meta = [
        MetaEntry(meta_id, key, None if value is None else read_json(value))
        for meta_id, key, value in sorted(owned_meta or (), key=_BY_ID)
    ]
    if record_row is None:
        return Profile(account)
    found = [_address(values) for values in sorted(owned_addresses or (), key=_BY_ID)]
    return Profile(account, customer_from_row(record_row, found))


class HeldProfiles:
    """The profiles a server process has read twice, kept while the store's profiles revision (migration
    0013_profile_revision) stays where it was when they were read: a customer read again, as clients that
    poll do, costs no statement but the revision's, which the request reads anyway for its credentials.
    Nothing held outlives a change to an account, a customer record, an address or a meta row made by any
    process. What is held is shared: a profile read from a reading unit is never to be changed in place.
    What is derived from a held profile (a dialect's item) may be kept beside it (`derived`)."""

    SEEN_PER_HELD = 8  # ids remembered as read once, per profile that may be held

    def __init__(self, limit: int) -> None:
        self.limit = limit  # profiles held at most
        # Replaced whole, never emptied in place: a thread that read an older revision fills its own
        # dicts. The revision, the profiles by id, and what was derived from them by (id, key).
        self._held: tuple[int, dict[int, Profile], dict[tuple[int, Hashable], Any]] = (-1, {}, {})
        # The ids read once and not held: a profile is held when it is read a second time. A read of
        # many customers once each (a sync walking every page, an export) then holds nothing: holding
        # them would only churn, and every object held is one more for each of the garbage collector's
        # full passes to walk (10,000 held made a list of 100 customers never read before take 60 ms
        # at p99 in process, against 7.5 ms holding none).
        self._seen: set[int] = set()

    def admit(self, entries: dict[int, Profile], profiles: Iterable[Profile]) -> None:
        """Hold those of these profiles read before, while there is room: once the limit is reached, what
        is held stays as it is until the revision moves (letting go of some to hold others would only
        churn, and freeing them costs time too)."""
        seen = self._seen
        for profile in profiles:
            if len(entries) >= self.limit:
                return
            if profile.id in seen:
                entries[profile.id] = profile
            else:
                seen.add(profile.id)
        if len(seen) > self.SEEN_PER_HELD * self.limit:
            self._seen = set()

    def at(self, revision: int) -> dict[int, Profile] | None:
        """The profiles held for this revision; None for a snapshot older than what is held (revisions
        only grow), whose reads are then not kept."""
        held_revision, entries, _ = self._held
        if revision == held_revision:
            return entries
        if revision < held_revision:
            return None
        entries = {}
        self._held = (revision, entries, {})
        return entries

    def derived(self, profile: Profile, key: Hashable, make: Callable[[], _T]) -> _T:
        """What `make` derives from this profile alone (with `key` naming what, and how): made once while
        the profile is held and kept with it, made anew every time for a profile that is not held."""
        _, entries, derived = self._held
        if entries.get(profile.id) is not profile:
            return make()
        slot = (profile.id, key)
        if slot not in derived:
            derived[slot] = make()
        return derived[slot]  # type: ignore[no-any-return]


class ProfileRepository:
    def __init__(
        self, connection: Connection, revisions: counts.Revisions, held: HeldProfiles | None = None
    ) -> None:
        """`held`: profiles kept across requests (a reading unit's; a writing unit reads its own)."""
        self.c = connection
        self.revisions = revisions
        self.held = held

    def _held(self) -> tuple[HeldProfiles, dict[int, Profile]] | None:
        """Where this unit keeps what it reads, and what is held for the snapshot's revision; None when
        it keeps nothing."""
        if self.held is None or not self.held.limit:
            return None
        entries = self.held.at(self.revisions[counts.PROFILES])
        return None if entries is None else (self.held, entries)

    def get(self, account_id: int) -> Profile | None:
        held = self._held()
        if held is not None and (found := held[1].get(account_id)) is not None:
            return found
        row = _ONE.first_joined(self.c, account_id=account_id)
        if row is None:
            return None
        profile = _profile(*row)
        if held is not None:
            held[0].admit(held[1], [profile])
        return profile

    def many(self, account_ids: Sequence[int]) -> dict[int, Profile]:
        """The profiles of these accounts (those that exist), by account id."""
        if not account_ids:
            return {}
        held = self._held()
        if held is None:
            return self._read(account_ids)
        keeper, entries = held
        found = {i: p for i in account_ids if (p := entries.get(i)) is not None}
        missing = [i for i in account_ids if i not in found]
        if missing:
            read = self._read(missing)
            keeper.admit(entries, read.values())
            found.update(read)
        return found

    def _read(self, account_ids: Sequence[int]) -> dict[int, Profile]:
        rows = _MANY.all_joined(self.c, ids=list(account_ids))
        return {p.id: p for p in (_profile(*row) for row in rows)}
