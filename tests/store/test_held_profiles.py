"""Profiles read are held while the store's profiles revision stands, on SQLite and PostgreSQL: a held
profile is not read again, and any change to an account, its customer record, an address or a meta row,
made by any process and any writer (row by row, a REST batch, the bulk import, plain SQL), is seen by the
next read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import delete, event, insert, update

from regulars.domain.customers import Profile, ProfileChange
from regulars.domain.transfer import NewProfile
from regulars.services import profiles
from regulars.services.clock import now
from regulars.store.tables import account_meta, accounts, addresses, customers
from regulars.store.unit import Store


@pytest.fixture
def held(store: Store) -> Iterator[Store]:
    """The store as a server opens it: reads keep the profiles they read."""
    serving = Store(store.url, held_profiles=100)
    yield serving
    serving.dispose()


def _create(store: Store, email: str) -> int:
    with store.write() as unit:
        change = ProfileChange(email=email, first_name="Ann", billing={"city": "Porto"})
        return profiles.create(unit, change).id


def _read(store: Store, account_id: int) -> Profile | None:
    with store.read() as unit:
        return unit.profiles.get(account_id)


def _hold(store: Store, account_id: int) -> Profile | None:
    """Read a profile twice: a store holds what it reads a second time."""
    _read(store, account_id)
    return _read(store, account_id)


def _profile_reads(store: Store) -> list[str]:
    """The statements that read profiles, sent from now on (the revisions' excepted)."""
    sent: list[str] = []

    def grab(_c: Any, _cur: Any, sql: str, *_: Any) -> None:
        if "row_counts" not in sql and "accounts" in sql:
            sent.append(sql)

    event.listen(store.engine, "before_cursor_execute", grab)
    return sent


def test_a_held_profile_is_not_read_again(store: Store, held: Store) -> None:
    ann = _create(store, "ann@x.test")
    first = _hold(held, ann)
    sent = _profile_reads(held)
    again = _read(held, ann)
    assert again is first and again is not None and again.account.email == "ann@x.test"
    with held.read() as unit:
        assert unit.profiles.many([ann]) == {ann: first}
    assert sent == []


def test_a_store_that_holds_none_reads_every_time(store: Store) -> None:
    ann = _create(store, "ann@x.test")
    _read(store, ann)
    sent = _profile_reads(store)
    assert _read(store, ann) is not None
    assert len(sent) == 1


def _set_meta(unit: Any, account_id: int) -> None:
    unit.connection.execute(
        insert(account_meta).values(account_id=account_id, meta_key="colour", meta_value="red")
    )


def _address_id(unit: Any, account_id: int) -> int:
    record = unit.customers.by_account(account_id)
    return next(a.id for a in record.addresses if a.type == "billing")


def _city(profile: Profile | None, kind: str) -> str | None:
    found = profile.address(kind) if profile is not None else None
    return found.city if found is not None else None


def _colour(profile: Profile | None) -> Any:
    return next((m.value for m in profile.account.meta if m.key == "colour"), None) if profile else None


# Each change, made in another process's unit, and what the next read must show.
CHANGES: dict[str, tuple[Callable[[Any, int], None], Callable[[Profile | None], bool]]] = {
    "account updated": (
        lambda u, i: u.connection.execute(update(accounts).where(accounts.c.id == i).values(first_name="Bo")),
        lambda p: p is not None and p.account.first_name == "Bo",
    ),
    "record updated": (
        lambda u, i: u.connection.execute(
            update(customers).where(customers.c.account_id == i).values(phone="+351 1")
        ),
        lambda p: p is not None and p.customer is not None and p.customer.phone == "+351 1",
    ),
    "address updated": (
        lambda u, i: u.connection.execute(
            update(addresses).where(addresses.c.id == _address_id(u, i)).values(city="Faro")
        ),
        lambda p: _city(p, "billing") == "Faro",
    ),
    "address deleted": (
        lambda u, i: u.connection.execute(delete(addresses).where(addresses.c.id == _address_id(u, i))),
        lambda p: p is not None and p.address("billing") is None,
    ),
    "address added": (
        lambda u, i: profiles.update(u, i, ProfileChange(shipping={"city": "Braga"})),
        lambda p: _city(p, "shipping") == "Braga",
    ),
    "meta added": (_set_meta, lambda p: _colour(p) == "red"),
    "meta changed": (
        lambda u, i: (
            _set_meta(u, i),
            u.connection.execute(update(account_meta).values(meta_value="blue")),
        ),
        lambda p: _colour(p) == "blue",
    ),
    "meta deleted": (
        lambda u, i: (_set_meta(u, i), u.connection.execute(delete(account_meta))),
        lambda p: p is not None and p.account.meta == [],
    ),
    "record deleted": (
        lambda u, i: u.connection.execute(delete(customers).where(customers.c.account_id == i)),
        lambda p: p is not None and p.customer is None,
    ),
    "record added": (
        lambda u, i: (
            u.connection.execute(delete(customers).where(customers.c.account_id == i)),
            u.customers.insert(email="ann@x.test", first_name="Ann", last_name="", phone="", now=now()),
            u.connection.execute(update(customers).values(account_id=i)),
        ),
        lambda p: p is not None and p.customer is not None and p.address("billing") is None,
    ),
    "account deleted": (lambda u, i: profiles.delete(u, i), lambda p: p is None),
    "address added inside a REST batch": (
        lambda u, i: _in_batch(u, lambda: _add_shipping(u, i)),
        lambda p: _city(p, "shipping") == "Braga",
    ),
}


def _in_batch(unit: Any, change: Callable[[], object]) -> None:
    """A change made as a REST batch makes it: its new rows are claimed, so no trigger sees them; the
    batch moves the revision itself when it ends."""
    with unit.batch():
        change()


def _add_shipping(unit: Any, account_id: int) -> None:
    """Only a new address row: the account and its record stay as they are."""
    record = unit.customers.by_account(account_id)
    moment = now()
    row = {"customer_id": record.id, "type": "shipping", "is_primary": True, "city": "Braga"}
    unit.connection.execute(insert(addresses).values(**row, created_at=moment, updated_at=moment))


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_by_another_process_is_seen_at_once(store: Store, held: Store, change: str) -> None:
    make, shows = CHANGES[change]
    ann = _create(store, "ann@x.test")
    assert shows(_hold(held, ann)) is False
    with store.write() as unit:
        make(unit, ann)
    assert shows(_read(held, ann)), change
    if store.dialect == "sqlite":
        with store.write() as unit:
            assert unit.connection.exec_driver_sql("SELECT count(*) FROM bulk_writes").scalar_one() == 0


def test_a_bulk_import_moves_the_revision(store: Store, held: Store) -> None:
    ann = _create(store, "ann@x.test")
    before = _read(held, ann)
    with held.read() as unit:
        revision = unit.revisions["profiles"]
    with store.write() as unit:
        new = NewProfile(email="bo@x.test", username="bo", password_hash=None, first_name="Bo")
        unit.bulk.insert_profiles([new], role="customer", now=now())
    with held.read() as unit:
        assert unit.revisions["profiles"] > revision
        assert unit.profiles.get(ann) == before and unit.profiles.get(ann) is not before


def test_a_rolled_back_change_keeps_what_is_held(store: Store, held: Store) -> None:
    ann = _create(store, "ann@x.test")
    first = _hold(held, ann)
    with pytest.raises(RuntimeError), store.write() as unit:
        profiles.update(unit, ann, ProfileChange(first_name="Bo"))
        raise RuntimeError
    assert _read(held, ann) is first


def test_a_list_reads_only_the_profiles_not_held(store: Store, held: Store) -> None:
    ids = [_create(store, f"c{n}@x.test") for n in range(4)]
    with held.read() as unit:
        unit.profiles.many(ids)
        early = unit.profiles.many(ids[:2])
    sent = _profile_reads(held)
    with held.read() as unit:
        found = unit.profiles.many(ids)
        assert [found[i] for i in ids[:2]] == [early[i] for i in ids[:2]]
        assert all(found[i] is early[i] for i in ids[:2])
        assert [p.account.email for p in found.values()] == [f"c{n}@x.test" for n in range(4)]
    assert len(sent) == 1  # the two not held, in one statement (read a second time: held now)
    with held.read() as unit:
        assert unit.profiles.many(ids) == found
    assert len(sent) == 1


def test_a_read_reads_the_revisions_once(store: Store, held: Store) -> None:
    """The credentials' revision and the profiles' come from one statement per snapshot."""
    ann = _create(store, "ann@x.test")
    sent: list[str] = []
    event.listen(held.engine, "before_cursor_execute", lambda _c, _cur, sql, *_: sent.append(sql))
    with held.read() as unit:
        unit.credentials.revision()
        unit.profiles.get(ann)
        unit.profiles.many([ann])
    with held.read() as unit:
        unit.profiles.get(ann)
    assert len([sql for sql in sent if "row_counts" in sql]) == 2


def test_what_is_derived_from_a_held_profile_is_kept_until_it_changes(store: Store, held: Store) -> None:
    ann = _create(store, "ann@x.test")
    made: list[str] = []

    def shaped(profile: Profile | None) -> str:
        assert profile is not None

        def make() -> str:
            made.append(profile.account.first_name)
            return profile.account.first_name.upper()

        return held.held_profiles.derived(profile, ("test", 1), make)

    assert shaped(_hold(held, ann)) == "ANN"
    assert shaped(_read(held, ann)) == "ANN"
    assert made == ["Ann"], "made once while the profile is held"
    with store.write() as unit:
        profiles.update(unit, ann, ProfileChange(first_name="Bo"))
    assert shaped(_hold(held, ann)) == "BO"
    with store.read() as unit:  # a store that holds nothing: derived anew every time
        fresh = unit.profiles.get(ann)
    assert fresh is not None
    assert store.held_profiles.derived(fresh, ("test", 1), lambda: "made") == "made"
    assert store.held_profiles.derived(fresh, ("test", 1), lambda: "again") == "again"
    assert made == ["Ann", "Bo"]


def test_a_profile_is_held_once_read_a_second_time(store: Store, held: Store) -> None:
    """A read of many customers once each (a sync walking every page) holds none of them, so it neither
    churns what is held nor gives the garbage collector more to walk."""
    ids = [_create(store, f"c{n}@x.test") for n in range(5)]
    sent = _profile_reads(held)
    with held.read() as unit:
        unit.profiles.many(ids)
    _read(held, ids[0])
    assert len(sent) == 2, "read once before: read again, and held now"
    _read(held, ids[0])
    with held.read() as unit:
        unit.profiles.many(ids[1:])
        unit.profiles.many(ids[1:])
    assert len(sent) == 3


def test_a_full_store_holds_what_it_holds_until_the_revision_moves(store: Store) -> None:
    ids = [_create(store, f"c{n}@x.test") for n in range(4)]
    small = Store(store.url, held_profiles=2)
    try:
        for _ in range(2):
            with small.read() as unit:
                unit.profiles.many(ids)
        sent = _profile_reads(small)
        with small.read() as unit:
            assert [p.id for p in unit.profiles.many(ids).values()] == ids
        assert len(sent) == 1, "two held, two read"
        with small.read() as unit:
            assert unit.profiles.get(ids[0]) is unit.profiles.get(ids[0])
        assert len(sent) == 1
        with store.write() as unit:
            profiles.update(unit, ids[3], ProfileChange(first_name="Bo"))
        for _ in range(3):
            with small.read() as unit:
                assert unit.profiles.get(ids[3]).account.first_name == "Bo"  # type: ignore[union-attr]
        assert len(sent) == 2, "the revision moved: read anew once (read twice before), then held"
    finally:
        small.dispose()
