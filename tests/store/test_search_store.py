"""Search, list totals and deep pages against the real store, on SQLite and PostgreSQL: what a search finds
in each field and anchor, that every writer (row by row or in bulk) keeps the search index and the totals
right, and that searches, totals, filters and deep pages are read from indexes (the plans say so)."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import event, func, select, text

from regulars.domain.accounts import Account
from regulars.domain.customer_records import CustomerChange, CustomerQuery
from regulars.domain.customers import ProfileChange, ProfileQuery
from regulars.domain.errors import Conflict
from regulars.domain.search import PROFILE_FIELDS
from regulars.domain.transfer import NewProfile
from regulars.services import customers as records
from regulars.services import profiles
from regulars.services.clock import now
from regulars.store import accounts as account_store
from regulars.store import migrate
from regulars.store import pages as page_store
from regulars.store.tables import LOCATION, accounts, bulk_writes, customers
from regulars.store.unit import Store

WOOCOMMERCE = ("username", "email", "display_name")
PEOPLE = [  # email (its local part becomes the username), first name, last name, billing phone
    ("jk@example.com", "John", "Klein", "+351 912 000 111"),
    ("mary_ann@example.com", "Mary", "O'Hara", "+44 20 7946 0000"),
    ("ana.lima@shop.test", "Ana", "Lima", ""),
    ("zed@example.org", "Zoë", "Öztürk", ""),
]


@pytest.fixture
def shop(store: Store) -> dict[str, int]:
    """Four WooCommerce customers (account ids by username), one with a phone on its customer record only,
    and a FluentCart customer without an account."""
    ids = {}
    with store.write() as unit:
        for email, first, last, phone in PEOPLE:
            change = ProfileChange(email=email, first_name=first, last_name=last, billing={"phone": phone})
            profile = profiles.create(unit, change)
            ids[profile.account.username] = profile.id
        ana = profiles.require(unit, ids["ana.lima"]).customer
        assert ana is not None
        unit.customers.update(ana.id, {"phone": "+55 11 5555 0000"})
        unit.customers.insert(
            email="walkin@example.net", first_name="Walk", last_name="Inn", phone="+1 555 0100", now=now()
        )
    return ids


def wc(store: Store, term: str, columns: tuple[str, ...] = PROFILE_FIELDS) -> set[str]:
    with store.read() as unit:
        found = profiles.page(unit, ProfileQuery(role=None, search=term, search_columns=columns, limit=50))
    assert found.total == len(found.items)
    return {p.account.username for p in found.items}


def fc(store: Store, term: str) -> set[str]:
    with store.read() as unit:
        found = records.page(unit, CustomerQuery(search=term, limit=50))
    assert found.total == len(found.items)
    return {c.email for c in found.items}


def everywhere(term: str) -> str:
    return f"*{term}*"


# --- what a search finds -----------------------------------------------------------------------------
def test_extended_search_finds_any_part_of_every_field(store: Store, shop: dict[str, int]) -> None:
    assert wc(store, everywhere("lein")) == {"jk"}  # last name
    assert wc(store, everywhere("JOHN KL")) == {"jk"}  # full name, any case
    assert wc(store, everywhere("n Kl")) == {"jk"}  # across first and last
    assert wc(store, everywhere("912 000")) == {"jk"}  # billing phone
    assert wc(store, everywhere("5555 0")) == set()  # a record's own phone: FluentCart's, not shown by wc
    assert fc(store, "5555 0") == {"ana.lima@shop.test"}
    assert wc(store, everywhere("ary_a")) == {"mary_ann"}  # "_" is a character, not a wildcard
    assert wc(store, everywhere("'hara")) == {"mary_ann"}
    assert wc(store, everywhere("example.")) == {"jk", "mary_ann", "zed"}
    assert wc(store, everywhere("ÖZTÜ")) == {"zed"}
    assert wc(store, everywhere("ry%a")) == set()
    assert wc(store, everywhere('o"ha')) == set()  # a quote in the term is just a character
    assert wc(store, everywhere(str(shop["zed"])), (*PROFILE_FIELDS, "id")) >= {"zed"}
    assert wc(store, everywhere("walk")) == set()  # a FluentCart customer is no WooCommerce customer


def test_woocommerce_columns_keep_wordpress_rules(store: Store, shop: dict[str, int]) -> None:
    assert wc(store, "*lein*", WOOCOMMERCE) == set()  # names are not among WordPress's columns
    assert wc(store, "*ary_a*", WOOCOMMERCE) == {"mary_ann"}
    assert wc(store, "mary*", WOOCOMMERCE) == {"mary_ann"}  # from the start
    assert wc(store, "*ry_ann", WOOCOMMERCE) == {"mary_ann"}  # at the end
    assert wc(store, "*ann", WOOCOMMERCE) == {"mary_ann"}
    assert wc(store, "jk@example.com", ("email",)) == {"jk"}  # the whole value
    assert wc(store, "example.com", ("email",)) == set()
    assert wc(store, "*xample.co*", ("email",)) == {"jk", "mary_ann"}
    assert wc(store, "JK", WOOCOMMERCE) == {"jk"}


def test_terms_shorter_than_three_characters_match_from_the_start(store: Store, shop: dict[str, int]) -> None:
    assert wc(store, everywhere("kl")) == {"jk"}  # Klein begins with it
    assert wc(store, everywhere("le")) == set()  # inside a value only: not found
    assert wc(store, everywhere("+4")) == {"mary_ann"}
    assert wc(store, everywhere("an")) == {"ana.lima"}  # username, email, first name
    assert wc(store, "*ja", WOOCOMMERCE) == set()  # end-anchored: the whole value
    assert wc(store, "jk", WOOCOMMERCE) == {"jk"}
    assert fc(store, "wa") == {"walkin@example.net"}


def test_fluentcart_search_looks_in_names_email_and_phone(store: Store, shop: dict[str, int]) -> None:
    assert fc(store, "walk inn") == {"walkin@example.net"}  # full name
    assert fc(store, "555 01") == {"walkin@example.net"}  # phone
    assert fc(store, "LIMA@SHOP") == {"ana.lima@shop.test"}  # email
    assert fc(store, "lein") == {"jk@example.com"}
    assert fc(store, "o'hara") == {"mary_ann@example.com"}
    assert fc(store, "ary ann") == set()  # a term with a space is not looked for in emails
    assert fc(store, "100%") == set()


# --- every writer keeps the index right ------------------------------------------------------------------
def _integrity(store: Store) -> None:
    """SQLite: each FTS5 table agrees with the rows it indexes (FTS5 raises otherwise)."""
    if store.dialect != "sqlite":
        return
    with store.write() as unit:
        for name in ("accounts", "customers", "addresses"):
            index = f"{name}_search"
            check = f"INSERT INTO {index} ({index}, rank) VALUES ('integrity-check', 1)"  # noqa: S608
            unit.connection.execute(text(check))


def test_every_writer_keeps_the_search_index(store: Store, shop: dict[str, int]) -> None:
    with store.write() as unit:
        profiles.update(unit, shop["jk"], ProfileChange(first_name="Jonas", billing={"phone": "+351 700"}))
        profiles.delete(unit, shop["zed"])
        unit.bulk.insert_profiles(
            [
                NewProfile(
                    email="bulk.person@import.test",
                    username="bulky",
                    password_hash=None,
                    first_name="Bulk",
                    last_name="Quartermain",
                    addresses={"billing": {"phone": "+49 301"}},
                )
            ],
            role="customer",
            now=now(),
        )
        walkin = unit.customers.by_email("walkin@example.net")
        assert walkin is not None
        unit.customers.update(walkin.id, {"last_name": "Outt"})
    assert wc(store, everywhere("john")) == set() and wc(store, everywhere("jonas kl")) == {"jk"}
    assert wc(store, everywhere("912 000")) == set() and wc(store, everywhere("351 700")) == {"jk"}
    assert wc(store, everywhere("ztürk")) == set()
    assert wc(store, everywhere("quarterm")) == {"bulky"} and wc(store, everywhere("49 30")) == {"bulky"}
    assert fc(store, "walk inn") == set() and fc(store, "walk out") == {"walkin@example.net"}
    _integrity(store)


def _unclaimed(store: Store) -> None:
    """SQLite: no bulk writer's claim on an id range outlives its transaction."""
    if store.dialect != "sqlite":
        return
    with store.read() as unit:
        assert unit.connection.execute(select(func.count()).select_from(bulk_writes)).scalar_one() == 0


def _afterwards(store: Store) -> None:
    """A customer created row by row after a bulk write (on SQLite, at the ids a failed one claimed):
    the triggers index and count it."""
    with store.write() as unit:
        change = ProfileChange(email="after@bulk.test", last_name="Afterwards", billing={"phone": "+7 123"})
        profiles.create(unit, change)
    assert wc(store, everywhere("afterwa")) == {"after"} and wc(store, everywhere("+7 12")) == {"after"}
    _counted(store)
    _integrity(store)
    _unclaimed(store)


def test_a_bulk_write_indexes_and_counts_its_own_rows(store: Store, shop: dict[str, int]) -> None:
    crowd(store, 300)
    assert wc(store, everywhere("crowd299@")) == {"crowd299"} and wc(store, everywhere("1 0000299")) == {
        "crowd299"
    }
    assert wc(store, everywhere("me17 family17")) == {"crowd17"} and fc(store, "crowd17@crowd") == {
        "crowd17@crowd.test"
    }
    _afterwards(store)


def test_a_bulk_write_refused_leaves_no_claim(store: Store, shop: dict[str, int]) -> None:
    batch = [NewProfile("fresh@example.com", "fresh", None), NewProfile("JK@example.com", "other", None)]
    with pytest.raises(Conflict), store.write() as unit:
        unit.bulk.insert_profiles(batch, role="customer", now=now())
    _afterwards(store)


def test_a_batch_indexing_at_end_indexes_its_rows_as_they_finally_stand(
    store: Store, shop: dict[str, int]
) -> None:
    """A batch of REST creates (Unit.batch) updates and deletes rows it created, and
    rows that were there before, and has one create refused: what it leaves is indexed and counted
    exactly as row-by-row writes would leave it, and no claim outlives it."""

    def person(name: str, phone: str) -> ProfileChange:
        return ProfileChange(email=f"{name}@batch.test", last_name=name.title(), billing={"phone": phone})

    with store.write() as unit, unit.batch():
        kept = profiles.create(unit, person("keptbatch", "+30 111"))
        renamed = profiles.create(unit, person("renamedbatch", "+30 222"))
        dropped = profiles.create(unit, person("droppedbatch", "+30 333"))
        with pytest.raises(Conflict), unit.savepoint():
            profiles.create(unit, person("keptbatch", "+30 444"))  # the email is taken: refused in place
        profiles.update(unit, renamed.id, ProfileChange(last_name="Moved", billing={"phone": "+30 555"}))
        record = profiles.require(unit, renamed.id).customer
        assert record is not None
        unit.customers.update(record.id, {"phone": "+30 666"})
        profiles.delete(unit, dropped.id)
        profiles.update(unit, shop["jk"], ProfileChange(first_name="Jonas"))  # there before the batch
        profiles.delete(unit, shop["zed"])
        assert wc(store, everywhere("keptbatc")) == set()  # other readers see nothing until it commits
    assert wc(store, everywhere("keptbatc")) == {kept.account.username}
    assert wc(store, everywhere("30 111")) == {kept.account.username}
    assert wc(store, everywhere("renamedbatch@")) == {renamed.account.username}
    assert wc(store, everywhere("30 222")) == set() and wc(store, everywhere("30 555")) == {"renamedbatch"}
    assert fc(store, "30 666") == {"renamedbatch@batch.test"} == fc(store, "moved")
    assert wc(store, everywhere("droppedb")) == set() and wc(store, everywhere("30 333")) == set()
    assert wc(store, everywhere("30 444")) == set()
    assert wc(store, everywhere("jonas kl")) == {"jk"} and wc(store, everywhere("ztürk")) == set()
    _counted(store)
    _integrity(store)
    _unclaimed(store)
    _afterwards(store)


KILLED_MID_BATCH = """
import os, sys
from regulars.domain.transfer import NewProfile
from regulars.services.clock import now
from regulars.store.unit import Store
with Store(sys.argv[1]).write() as unit:
    unit.bulk.insert_profiles([NewProfile("killed@bulk.test", "killed", None)], role="customer", now=now())
    os._exit(9)  # the process dies with the batch written and not committed
"""


def test_a_bulk_writer_killed_mid_batch_leaves_nothing_of_it(store: Store, shop: dict[str, int]) -> None:
    died = subprocess.run([sys.executable, "-c", KILLED_MID_BATCH, store.url], check=False, timeout=60)
    assert died.returncode == 9
    assert wc(store, everywhere("killed")) == set()
    _afterwards(store)


# --- plans: what is read from an index -----------------------------------------------------------------
@contextmanager
def statements(store: Store) -> Iterator[list[tuple[str, Any]]]:
    """The reads the store runs inside the block (statements for the row counts excepted), with the
    statement that reads a search's candidates into the connection's own table (SQLite)."""
    seen: list[tuple[str, Any]] = []
    reads = ("SELECT", "WITH", "INSERT OR IGNORE INTO SEARCH_CANDIDATES")

    def grab(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith(reads) and "row_counts" not in statement:
            seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", grab)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", grab)


def plan(store: Store, statement: str, parameters: Any) -> str:
    """SQLite's EXPLAIN QUERY PLAN, or PostgreSQL's EXPLAIN with sequential scans priced out."""
    with store.engine.connect() as connection:
        if store.dialect == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            return "\n".join(row[-1] for row in rows)
        connection.exec_driver_sql("SET enable_seqscan = off")
        rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
        connection.rollback()
        return "\n".join(row[0] for row in rows)


FULL_SCAN = re.compile(r"(^|\n)\s*SCAN (accounts|customers|addresses)\b(?! USING COVERING)|Seq Scan on")


def plans_of(store: Store, read: Callable[[Any], Any]) -> list[str]:
    with statements(store) as seen, store.read() as unit:
        read(unit)
    return [plan(store, statement, parameters) for statement, parameters in seen]


def crowd(store: Store, count: int) -> None:
    """Enough customers for PostgreSQL's planner to prefer indexes for what indexes serve."""
    with store.write() as unit:
        unit.bulk.insert_profiles(
            [
                NewProfile(
                    email=f"crowd{n}@crowd.test",
                    username=f"crowd{n}",
                    password_hash=None,
                    first_name=f"Name{n}",
                    last_name=f"Family{n % 97}",
                    addresses={"billing": {"phone": f"+1 {n:07d}"}},
                )
                for n in range(count)
            ],
            role="customer",
            now=now(),
        )
    if store.dialect == "postgresql":
        with store.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


def test_searches_are_read_from_the_search_indexes(store: Store, shop: dict[str, int]) -> None:
    crowd(store, 3000)
    # What each search runs, and the index its plan must name: FTS5 or a lowered column's B-tree on
    # SQLite; a trigram GIN index on PostgreSQL, or (C collation) the lowered column's B-tree for a prefix.
    fts, btree, trigram, prefix = "VIRTUAL TABLE INDEX", "USING INDEX ", "_trgm_", r"_trgm_|ux_accounts_"
    searches: dict[str, tuple[Callable[[Any], Any], str, str]] = {
        "substring": (
            lambda u: profiles.page(u, ProfileQuery(search="*lein*", search_columns=PROFILE_FIELDS)),
            fts,
            trigram,
        ),
        "short": (
            lambda u: profiles.page(u, ProfileQuery(search="*kl*", search_columns=PROFILE_FIELDS)),
            btree,
            trigram,
        ),
        "anchored": (
            lambda u: profiles.page(u, ProfileQuery(search="mary*", search_columns=WOOCOMMERCE)),
            fts,
            prefix,
        ),
        "exact": (
            lambda u: profiles.page(u, ProfileQuery(search="jk@example.com", search_columns=("email",))),
            fts,
            prefix,
        ),
        "records": (
            lambda u: records.page(u, CustomerQuery(search="walk inn", statuses=("active",))),
            fts,
            trigram,
        ),
        "records short": (lambda u: records.page(u, CustomerQuery(search="wa")), btree, trigram),
    }
    for name, (read, on_sqlite, on_postgresql) in searches.items():
        found = plans_of(store, read)
        assert found, name
        for shown in found:
            assert not FULL_SCAN.search(shown), f"{name}:\n{shown}"
        joined = "\n".join(found)
        assert re.search(on_sqlite if store.dialect == "sqlite" else on_postgresql, joined), (
            f"{name}:\n{joined}"
        )


def test_filters_and_deep_pages_are_index_walks(store: Store, shop: dict[str, int]) -> None:
    crowd(store, 3000)
    day = now() - timedelta(days=1)
    reads: dict[str, Callable[[Any], Any]] = {
        "deep by name": lambda u: profiles.page(u, ProfileQuery(limit=100, offset=2500)),
        "deep by date": lambda u: profiles.page(
            u, ProfileQuery(orderby="registered_at", limit=100, offset=2500)
        ),
        "deep by id": lambda u: profiles.page(u, ProfileQuery(orderby="id", descending=True, offset=2500)),
        "registered": lambda u: profiles.page(u, ProfileQuery(registered_after=day, registered_before=now())),
        "modified": lambda u: profiles.page(u, ProfileQuery(modified_after=day)),
        "records deep": lambda u: records.page(u, CustomerQuery(limit=100, offset=2500)),
        "records dated": lambda u: records.page(u, CustomerQuery(created_from=day)),
        "records spent": lambda u: records.page(u, CustomerQuery(total_spent_min=100, statuses=("active",))),
        "records by name": lambda u: records.page(u, CustomerQuery(order_by="last_name", offset=2500)),
    }
    for name, read in reads.items():
        for shown in plans_of(store, read):
            if name in ("records deep", "records dated", "records spent"):
                # In id order: a SQLite table is itself the B-tree of its ids, walked newest first.
                shown = shown.replace("SCAN customers\n", "").removesuffix("SCAN customers")
            assert not FULL_SCAN.search(shown), f"{name}:\n{shown}"
    with statements(store) as seen, store.read() as unit:
        profiles.page(unit, ProfileQuery(limit=100, offset=2500))
    deep = plan(store, *seen[0])
    if store.dialect == "sqlite":
        assert "COVERING INDEX ix_accounts_role_display_name (role=?)" in deep, deep
    else:
        assert "Index Only Scan using ix_accounts_role_display_name" in deep, deep


# --- what pages and filters return ------------------------------------------------------------------------
def test_pages_walk_the_whole_list_in_order(store: Store, shop: dict[str, int]) -> None:
    crowd(store, 250)
    for orderby in ("display_name", "registered_at", "id", "username", "email"):
        for descending in (False, True):
            with store.read() as unit:
                whole = profiles.page(unit, ProfileQuery(orderby=orderby, descending=descending, limit=None))
                walked = []
                for offset in range(0, whole.total, 37):
                    page = profiles.page(
                        unit, ProfileQuery(orderby=orderby, descending=descending, limit=37, offset=offset)
                    )
                    assert page.total == whole.total == 254
                    walked += [p.id for p in page.items]
            assert walked == [p.id for p in whole.items], (orderby, descending)
    with store.read() as unit:
        everyone = records.page(unit, CustomerQuery(limit=1000)).items
        walked = [
            c.id
            for o in range(0, 255, 50)
            for c in records.page(unit, CustomerQuery(limit=50, offset=o)).items
        ]
    assert walked == [c.id for c in everyone] and len(walked) == 255


def test_date_filters_bound_registration_and_modification(store: Store, shop: dict[str, int]) -> None:
    start = datetime(2024, 1, 1)
    with store.write() as unit:
        for n, username in enumerate(("jk", "mary_ann", "ana.lima", "zed")):
            moment = start + timedelta(days=10 * n)
            unit.accounts.update(
                shop[username], {"registered_at": moment, "modified_at": moment + timedelta(days=5)}
            )

    def found(**bounds: datetime) -> list[str]:
        with store.read() as unit:
            page = profiles.page(unit, ProfileQuery(orderby="registered_at", **bounds))
        return [p.account.username for p in page.items]

    assert found(registered_after=start + timedelta(days=5)) == ["mary_ann", "ana.lima", "zed"]
    assert found(registered_before=start + timedelta(days=10)) == ["jk"]  # strictly before
    assert found(registered_after=start, registered_before=start + timedelta(days=25)) == [
        "mary_ann",
        "ana.lima",
    ]
    assert found(modified_after=start + timedelta(days=25)) == ["zed"]
    assert found(modified_before=start + timedelta(days=15)) == ["jk"]


# --- totals ---------------------------------------------------------------------------------------------
def _counted(store: Store) -> None:
    """Every total the lists give from the kept counts equals a count of the rows."""
    with store.read() as unit:
        roles = set(unit.connection.execute(select(accounts.c.role)).scalars()) | {"customer", "editor"}
        for role in (*roles, None):
            query = ProfileQuery(role=role)
            rows = select(func.count()).select_from(accounts)
            rows = rows if role is None else rows.where(accounts.c.role == role)
            assert unit.accounts.count_matching(query) == unit.connection.execute(rows).scalar_one(), role
        for statuses in ((), ("active",), ("inactive", "archived")):
            rows = select(func.count()).select_from(customers)
            rows = rows.where(customers.c.status.in_(statuses)) if statuses else rows
            expected = unit.connection.execute(rows).scalar_one()
            assert records.page(unit, CustomerQuery(statuses=statuses)).total == expected, statuses


def test_totals_are_kept_by_every_writer(store: Store, shop: dict[str, int]) -> None:
    _counted(store)
    crowd(store, 30)
    with store.write() as unit:
        boss_id = unit.accounts.insert(
            username="boss", email="boss@x.test", role="administrator", now=now(), password_hash=None
        )
        boss = unit.accounts.get(boss_id)
        assert isinstance(boss, Account)
        unit.accounts.update(shop["jk"], {"role": "subscriber"})
        profiles.delete(unit, shop["zed"])  # the account, and its customer record with it
        walkin = unit.customers.by_email("walkin@example.net")
        assert walkin is not None
        records.set_status(unit, walkin.id, "archived")
        records.create(
            unit, CustomerChange(email="fresh@x.test", first_name="Fresh", status="inactive"), boss
        )
        records.delete(unit, profiles.require(unit, shop["ana.lima"]).customer.id)  # type: ignore[union-attr]
    _counted(store)
    with pytest.raises(RuntimeError), store.write() as unit:  # a rolled-back write leaves the totals
        unit.accounts.update(shop["mary_ann"], {"role": "editor"})
        raise RuntimeError
    _counted(store)


@pytest.mark.parametrize("walk_margin", [10**9, 0], ids=["sorting", "walking"])
@pytest.mark.parametrize("few_outside", [10_000, 0], ids=["subtracting", "looking-up"])
def test_search_totals_and_pages_agree_however_they_are_counted(
    store: Store, shop: dict[str, int], few_outside: int, walk_margin: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search's total counts each match once (a customer found by name and by phone too), leaves out the
    roles not asked for, and is the same whether the accounts of other roles are subtracted from the
    candidates or each candidate's role is looked up (store/accounts.py FEW_OUTSIDE); its pages come in
    order whether the candidates are sorted or the sort index is walked (store/pages.py _WALK_MARGIN)."""
    monkeypatch.setattr(account_store, "FEW_OUTSIDE", few_outside)
    monkeypatch.setattr(page_store, "_WALK_MARGIN", walk_margin)
    with store.write() as unit:
        for n, role in enumerate(["administrator", "shop_manager", "customer", "customer"]):
            change = ProfileChange(
                email=f"klein{n}@staff.test",
                first_name="Hans",
                last_name=f"Kleinert{n}",
                billing={"phone": f"lein-{n}"},  # found by name and by phone: one match
            )
            profile = profiles.create(unit, change, role=role)
            shop[profile.account.username] = profile.id
        unit.accounts.update(shop["klein3"], {"display_name": "Aaron"})  # first by name, last by id
        unit.customers.insert(
            email="kleinod@walkin.test", first_name="Kleinod", last_name="", phone="", now=now()
        )
    customers_found = {"jk", "klein2", "klein3"}
    expected = {
        "customer": customers_found,
        None: customers_found | {"klein0", "klein1"},
        "shop_manager": {"klein1"},
        "subscriber": set(),
    }
    for (role, usernames), orderby, descending in itertools.product(
        expected.items(), ("id", "display_name"), (False, True)
    ):
        query = ProfileQuery(
            role=role, search="*lein*", search_columns=PROFILE_FIELDS, orderby=orderby, descending=descending
        )
        walked: list[int] = []
        with store.read() as unit:
            for offset in range(0, 6, 2):
                found = profiles.page(unit, replace(query, limit=2, offset=offset))
                assert found.total == len(usernames), (role, offset)
                walked += [p.id for p in found.items]
            assert profiles.count(unit, query) == len(usernames)
            rows = [unit.accounts.get(shop[u]) for u in usernames]
        in_order = sorted(rows, key=lambda a: (getattr(a, orderby), a.id), reverse=descending)  # type: ignore[union-attr]
        assert walked == [a.id for a in in_order], (role, orderby, descending)  # type: ignore[union-attr]
    with store.read() as unit:
        found = records.page(unit, CustomerQuery(search="klein", limit=2))
        again = records.page(unit, CustomerQuery(search="klein", limit=2, offset=2))
        assert found.total == again.total == unit.customers.count_matching(CustomerQuery(search="klein")) == 6
        assert len(found.items) == len(again.items) == 2
        by_name = records.page(
            unit, CustomerQuery(search="klein", order_by="first_name", descending=False, limit=10)
        ).items
        assert [c.first_name for c in by_name] == sorted(c.first_name for c in by_name)
        assert records.page(unit, CustomerQuery(search="klein", offset=50)).total == 6  # past the end


def test_a_role_only_list_counts_no_rows(store: Store, shop: dict[str, int]) -> None:
    with statements(store) as seen, store.read() as unit:
        assert profiles.page(unit, ProfileQuery(limit=2)).total == 4
        assert records.page(unit, CustomerQuery(statuses=("active",))).total == 5
    assert not [s for s, _ in seen if "count(" in s.lower()], seen


def test_concurrent_writers_never_wait_for_the_totals(store: Store) -> None:
    """PostgreSQL: each backend adds to its own row, so two open transactions both counting go ahead."""
    if store.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    with store.engine.connect() as first, store.engine.connect() as second:
        first.begin()
        first.execute(
            accounts.insert().values(username="a1", email="a1@x.test", role="customer", registered_at=now())
        )
        second.begin()
        second.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
        second.execute(
            accounts.insert().values(username="a2", email="a2@x.test", role="customer", registered_at=now())
        )
        second.execute(accounts.delete().where(accounts.c.username == "a2"))
        second.commit()
        first.commit()
    with store.read() as unit:
        assert unit.accounts.count_matching(ProfileQuery()) == 1
    shards = text("SELECT count(*) FROM row_counts WHERE kind = 'account_role' AND name = 'customer'")
    with store.engine.connect() as connection:
        assert connection.execute(shards).scalar_one() >= 2
    store.dispose()  # the backends go (pooled and reading); their rows fold into the next writer's
    deadline = time.monotonic() + 10
    while True:
        with store.engine.connect() as connection:
            connection.execute(text("SELECT regulars_fold_counts()"))
            connection.commit()
            if connection.execute(shards).scalar_one() == 1 or time.monotonic() > deadline:
                break
        time.sleep(0.1)
    with store.engine.connect() as connection:
        assert connection.execute(shards).scalar_one() == 1
    with store.read() as unit:
        assert unit.accounts.count_matching(ProfileQuery()) == 1


# --- the migration -------------------------------------------------------------------------------------
def test_the_migration_goes_down_and_up_and_indexes_what_is_there(store: Store, shop: dict[str, int]) -> None:
    with store.engine.begin() as connection:
        config = migrate._config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0003_order_lines")
    with store.write() as unit:  # written row by row: today's reads need columns 0003 lacks
        names = {"email": "between@x.test", "first_name": "Between", "last_name": "Versions"}
        account_id = unit.accounts.insert(
            username="between", role="customer", now=now(), password_hash=None, **names
        )
        unit.customers.insert(account_id=account_id, now=now(), **names)
    migrate.upgrade(store.engine)
    assert wc(store, everywhere("etween ver")) == {"between"} and wc(store, everywhere("lein")) == {"jk"}
    _counted(store)
    _integrity(store)


def test_migration_0010_goes_down_and_up_with_the_triggers_indexing_every_row(
    store: Store, shop: dict[str, int]
) -> None:
    """Down, the insert triggers index every row again (a bulk writer before 0010 relied on them); up, they
    leave a claimed range to its bulk writer, and both kinds of writer are indexed and counted."""
    with store.engine.begin() as connection:
        config = migrate._config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0009_credential_revision")
    with store.write() as unit:
        unit.accounts.insert(
            username="down", email="down@x.test", role="customer", now=now(), password_hash=None
        )
    assert wc(store, everywhere("down@")) == {"down"}
    if store.dialect == "sqlite":
        with store.read() as unit:
            leftovers = (
                "SELECT count(*) FROM sqlite_master WHERE name = 'bulk_writes' OR sql LIKE '%bulk_writes%'"
            )
            assert unit.connection.execute(text(leftovers)).scalar_one() == 0
    migrate.upgrade(store.engine)
    crowd(store, 30)
    assert wc(store, everywhere("crowd29@")) == {"crowd29"}
    _afterwards(store)


def test_nullable_sorts_place_nulls_as_mysql_from_their_indexes(store: Store, shop: dict[str, int]) -> None:
    """NULLs first ascending and last descending on both backends (FluentCart's MySQL order), each
    direction one walk of the sort's index: no sort step after reading."""
    crowd(store, 3000)
    with store.write() as unit:
        walkin = unit.customers.by_email("walkin@example.net")
        jk = unit.customers.by_email("jk@example.com")
        assert walkin is not None and jk is not None
        unit.customers.update(
            jk.id, {"first_paid_order_at": datetime(2024, 5, 1), "last_paid_order_at": datetime(2024, 5, 1)}
        )
        unit.customers.update(jk.id, {"paid_orders_count": 2, "total_spent": 1001})
        unit.customers.update(
            walkin.id,
            {"first_paid_order_at": datetime(2024, 1, 1), "last_paid_order_at": datetime(2024, 6, 1)},
        )
        unit.customers.update(walkin.id, {"paid_orders_count": 1, "total_spent": 300})
        place = {"country": "HR", "city": "Zagreb", "state": "HR-21", "postcode": "10000"}
        profiles.update(unit, shop["jk"], ProfileChange(billing=place))
    dated = {"first_paid_order_at": [walkin.id, jk.id], "last_paid_order_at": [jk.id, walkin.id]}
    dated["average_order_value"] = [walkin.id, jk.id]  # 300, then 1001 over 2 = 501 (rounded half up)
    for key, ascending in dated.items():
        with store.read() as unit:
            up = records.page(unit, CustomerQuery(order_by=key, descending=False, limit=5000)).items
            down = records.page(unit, CustomerQuery(order_by=key, descending=True, limit=5000)).items
        assert [c.id for c in up][-2:] == ascending, key  # the NULLs (everyone else) come first
        assert [c.id for c in down][:2] == ascending[::-1], key
        assert [c.id for c in down] == [c.id for c in up][::-1], key
    with store.read() as unit:
        up = records.page(unit, CustomerQuery(order_by="account_id", descending=False, limit=5000)).items
    assert up[0].id == walkin.id and up[0].account_id is None  # the one record without an account first
    assert [c.account_id for c in up[1:]] == sorted(c.account_id for c in up[1:])
    for key in LOCATION:  # the walk-in record has no billing address (NULL); the crowd's are blank
        with store.read() as unit:
            up = records.page(unit, CustomerQuery(order_by=key, descending=False, limit=5000)).items
            down = records.page(unit, CustomerQuery(order_by=key, descending=True, limit=5000)).items
        assert (up[0].id, up[-1].id) == (walkin.id, jk.id), key
        assert [c.id for c in down] == [c.id for c in up][::-1], key
    for key in (*dated, "account_id", *LOCATION):
        for descending in (False, True):
            with statements(store) as seen, store.read() as unit:
                records.page(unit, CustomerQuery(order_by=key, descending=descending, offset=2500))
            walk = plan(store, *seen[0])  # the page's ids; its rows are read by id afterwards
            assert not FULL_SCAN.search(walk), f"{key} {descending}:\n{walk}"
            assert "TEMP B-TREE" not in walk and "Sort" not in walk, f"{key} {descending}:\n{walk}"
