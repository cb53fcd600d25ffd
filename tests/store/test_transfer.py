"""Import and export of customers (services/transfer.py, store/bulk.py, dialects/wc_file.py) on SQLite and
PostgreSQL: WooCommerce's create rules line by line, whole batches or nothing, resuming without
duplicates, and files that survive export -> import -> export."""

from __future__ import annotations

import csv
import gc
import io
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select, text

from regulars.dialects import wc_file
from regulars.dialects.wc_rest import VERSIONS, change_from
from regulars.dialects.wc_rest_schema import endpoint_args
from regulars.dialects.wordpress import checked_args
from regulars.domain.customers import MetaChange, Profile, ProfileChange, ProfileQuery
from regulars.domain.errors import Conflict
from regulars.domain.transfer import NewProfile
from regulars.services import profiles, transfer
from regulars.services.clock import now
from regulars.store import migrate, search
from regulars.store.tables import LOCATION, account_meta, accounts, addresses, customers
from regulars.store.unit import Store
from tests.support.databases import fresh_database

SUFFIXED = re.compile(r"^(?P<base>.+)-\d{4}$")


@dataclass
class Run:
    imported: int = 0
    existing: int = 0
    lines: int = 0
    rejects: list[dict[str, Any]] = field(default_factory=list)

    def reasons(self) -> list[tuple[int, str]]:
        return [(r["line"], r["code"]) for r in self.rejects]


def run_import(store: Store, data: bytes, fmt: str = "jsonl", batch_size: int = 100) -> Run:
    """What `regulars import` does, in process: lines in, batches committed, rejects in REST's words."""
    raws: dict[int, Any] = {}

    def lines() -> Iterator[transfer.Line]:
        for line in wc_file.read(io.BytesIO(data), fmt):
            raws[line.number] = line.raw
            yield line.number, line.item

    run = Run()
    for outcome in transfer.Importer(store, batch_size).run(lines()):
        run.imported += outcome.imported
        run.existing += outcome.existing
        run.lines += outcome.lines
        run.rejects += [wc_file.rejection(n, e, raws[n]) for n, e in outcome.rejected]
    return run


def export(store: Store, fmt: str = "jsonl", role: str | None = "customer", page_size: int = 7) -> bytes:
    out = io.BytesIO()
    writer = wc_file.Writer(out, fmt, None)
    for page in transfer.export_pages(store, role, page_size):
        writer.write(page)
    writer.close()
    return out.getvalue()


def jsonl(*items: Any) -> bytes:
    return b"".join((item if isinstance(item, bytes) else orjson.dumps(item)) + b"\n" for item in items)


def without_ids(data: bytes) -> list[dict[str, Any]]:
    """Exported items, less what differs between two stores: ids and dates."""
    items = []
    for line in data.splitlines():
        item = {k: v for k, v in orjson.loads(line).items() if k != "id" and not k.startswith("date_")}
        item["meta_data"] = [{"key": m["key"], "value": m["value"]} for m in item["meta_data"]]
        items.append(item)
    return items


def counts(store: Store) -> dict[str, int]:
    with store.read() as unit:
        return {
            table.name: unit.connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (accounts, customers, addresses, account_meta)
        }


def stored(store: Store, profile: Profile) -> dict[str, Any]:
    """Everything a create stores for one customer that two stores should agree on (no ids, no times)."""
    with store.read() as unit:
        profile = profiles.require(unit, profile.id)
        account, record = profile.account, profile.customer
        assert record is not None
        place = select(*(customers.c[name] for name in LOCATION)).where(customers.c.id == record.id)
        located = tuple(unit.connection.execute(place).one())  # the billing place the row sorts by
    skip = {"id", "customer_id", "created_at", "updated_at"}
    return {
        "account": {
            "username": account.username,
            "email": account.email,
            "display_name": account.display_name,
            "names": (account.first_name, account.last_name),
            "role": account.role,
            "has_password": account.password_hash is not None,
            "modified": account.modified_at is not None,
        },
        "meta": [(m.key, m.value) for m in account.meta],
        "record": (
            record.email,
            record.first_name,
            record.last_name,
            record.phone,
            record.status,
            record.notes,
        ),
        "additional_info": record.additional_info,
        "place": located,
        "addresses": [{k: v for k, v in vars(a).items() if k not in skip} for a in record.addresses],
        "item": without_ids(orjson.dumps(wc_file._ItemShaper(None).item(profile)))[0],
    }


def the_profile(store: Store, email: str) -> Profile:
    with store.read() as unit:
        found = profiles.by_email(unit, email)
    assert found is not None
    return found


# --- the create rules, line by line ---------------------------------------------------------------------
TWINS = [
    {
        "email": "John.Doe@Example.com",
        "first_name": "  John ",
        "last_name": "<b>Doe</b>",
        "username": "john.doe",
        "billing": {"first_name": "John", "city": "San Francisco", "email": "john@example.com", "phone": "5"},
        "shipping": {"city": "SF", "email": "kept@example.com", "phone": ""},
        "meta_data": [
            {"key": "tier", "value": "gold"},
            {"key": "tier", "value": "silver"},
            {"key": "_hidden", "value": "x"},
            {"key": "gone", "value": "1"},
            {"key": "gone", "value": None},
            {"id": 99, "key": "replaced", "value": {"nested": [1, 2.5, True]}},
            {"key": "default_password_nag", "value": "0"},
            {"key": "n", "value": 5},
            {"key": "blank", "value": ""},
        ],
    },
    {"email": "info@shop.example.com", "password": "pa55word!", "meta_data": [{"key": "k", "value": "v"}]},
    {"email": "plain@example.com", "billing": {}, "shipping": {"country": "PT"}, "role": "administrator"},
    {
        "email": "idle@example.com",
        "id": 4242,
        "date_created": "2020-01-01T00:00:00",
        "is_paying_customer": True,
    },
]


def rest_change(line: dict[str, Any]) -> ProfileChange:
    """What POST /wc/v3/customers makes of a body: its argument checks, then the handler's reading."""
    body = {k: v for k, v in line.items() if k != "id"}  # a create refuses an id; an import ignores it
    return change_from(checked_args(body, endpoint_args("v3", creating=True)), VERSIONS["v3"])


@pytest.mark.parametrize("line", TWINS, ids=["full", "password", "partial", "read-only-fields"])
def test_an_imported_line_stores_what_a_rest_create_stores(store: Store, line: dict[str, Any]) -> None:
    """Created as the REST handler creates, then removed; the same line imported leaves the same rows."""
    with store.write() as unit:
        created = profiles.create(unit, rest_change(line))
    twin = stored(store, created)
    with store.write() as unit:
        profiles.delete(unit, created.id)
    assert run_import(store, jsonl(line)).imported == 1
    assert stored(store, the_profile(store, line["email"])) == twin
    assert twin["account"]["role"] == "customer"
    billing = line.get("billing") or None
    assert twin["place"] == tuple(None if billing is None else billing.get(n, "") for n in LOCATION)


def test_a_customer_record_without_account_is_joined_as_a_rest_create_joins_it(store: Store) -> None:
    """A FluentCart customer (no account) with the line's email: the import attaches it, keeping its
    addresses and merging the line's fields into its primary ones."""

    def fluentcart_record() -> None:
        with store.write() as unit:
            record = unit.customers.insert(email="fc@example.com", now=now(), first_name="Flu", phone="9")
            unit.customers.insert_address(record, "billing", {"city": "Porto"}, primary=True, now=now())

    line = {"email": "fc@example.com", "last_name": "Ent", "billing": {"postcode": "4000"}}
    fluentcart_record()
    with store.write() as unit:
        created = profiles.create(unit, rest_change(line))
    twin = stored(store, created)
    with store.write() as unit:
        profiles.delete(unit, created.id)
    fluentcart_record()
    assert run_import(store, jsonl(line)).imported == 1
    mine = stored(store, the_profile(store, "fc@example.com"))
    assert mine == twin
    assert mine["record"][1:4] == ("Flu", "Ent", "9")
    assert mine["item"]["billing"]["city"] == "Porto" and mine["item"]["billing"]["postcode"] == "4000"
    assert mine["place"] == ("", "Porto", "", "4000")


def test_username_rules_within_the_file_and_against_the_store(store: Store) -> None:
    with store.write() as unit:
        profiles.create(unit, ProfileChange(email="kim@old.example", username="kim"))
    run = run_import(
        store,
        jsonl(
            {"email": "sam@one.example"},  # 1: sam
            {"email": "sam@two.example"},  # 2: sam-NNNN
            {"email": "sam@three.example"},  # 3: another sam-NNNN
            {"email": "kim@new.example"},  # 4: kim is taken in the store
            {"email": "info@shop.example.com"},  # 5: a role mailbox is named after its domain
            {"email": "late@example.com", "username": "SAM"},  # 6: taken by line 1, case-insensitively
            {"email": "bad@example.com", "username": "bad/name"},  # 7
            {"email": "long@example.com", "username": "x" * 61},  # 8
            {"email": "own@example.com", "username": " own.name "},  # 9: trimmed, as WordPress does
            {"email": "own2@example.com", "username": "own.name"},  # 10: taken by line 9
        ),
        batch_size=4,
    )
    assert run.reasons() == [
        (6, "registration-error-username-exists"),
        (7, "registration-error-invalid-username"),
        (8, "user_login_too_long"),
        (10, "registration-error-username-exists"),
    ]
    names = {
        email: the_profile(store, email).account.username
        for email in ("sam@one.example", "sam@two.example", "sam@three.example", "kim@new.example")
    }
    assert names["sam@one.example"] == "sam"
    for email in ("sam@two.example", "sam@three.example"):
        assert (m := SUFFIXED.match(names[email])) and m["base"] == "sam"
    assert names["sam@two.example"] != names["sam@three.example"]
    assert (m := SUFFIXED.match(names["kim@new.example"])) and m["base"] == "kim"
    assert the_profile(store, "info@shop.example.com").account.username == "shop.example.com"
    assert the_profile(store, "own@example.com").account.username == "own.name"
    with store.read() as unit:  # rows written in bulk are searched and counted like any others
        found = profiles.page(unit, ProfileQuery(search="*three.exam*", search_columns=("email",)))
        assert [p.account.email for p in found.items] == ["sam@three.example"]
    assert transfer.export_count(store, "customer") == 7  # kim and the six lines imported


def test_bad_lines_are_reported_with_their_numbers_and_write_nothing(store: Store) -> None:
    good = {
        "email": "good@example.com",
        "billing": {"city": "Porto"},
        "meta_data": [{"key": "a", "value": "b"}],
    }
    run = run_import(
        store,
        jsonl(
            good,  # 1
            b"{not json",  # 2
            {"email": "nope"},  # 3
            {"first_name": "No Email"},  # 4
            {"email": 12345},  # 5
            {"email": "ok@example.com", "billing": {"email": "nope"}},  # 6
            {"email": ""},  # 7
            {"email": "GOOD@example.com"},  # 8: the same email as line 1
            b"",  # 9: blank lines are skipped
            [1, 2],  # 10: not an object: read as an empty body, as WordPress reads it
            {"email": "fine@example.com", "password": "secret!"},  # 11
            {"email": "meta@example.com", "meta_data": "a,b"},  # 12
        ),
        batch_size=3,
    )
    assert run.reasons() == [
        (2, "rest_invalid_json"),
        (3, "customer_invalid_email"),
        (4, "rest_missing_callback_param"),
        (5, "rest_invalid_param"),
        (6, "rest_invalid_param"),
        (7, "registration-error-invalid-email"),
        (8, "registration-error-email-exists"),
        (10, "rest_missing_callback_param"),
        (12, "rest_invalid_param"),
    ]
    by_line = {r["line"]: r for r in run.rejects}
    assert by_line[2]["input"] == "{not json"
    assert by_line[6]["data"]["params"] == {"billing": "Invalid email address."}
    assert by_line[8]["duplicate_of_line"] == 1
    assert by_line[8]["message"].startswith("An account is already registered with GOOD@example.com.")
    assert (run.imported, run.existing, run.lines) == (2, 0, 11)
    # Two customers: two accounts and records, one billing address, the nag of one and a meta row.
    assert counts(store) == {"accounts": 2, "customers": 2, "addresses": 1, "account_meta": 2}
    assert the_profile(store, "fine@example.com").account.password_hash.startswith("$wp$2y$")  # type: ignore[union-attr]


def test_emails_registered_between_batches_count_as_there(store: Store) -> None:
    importer = transfer.Importer(store, batch_size=4)
    source: list[transfer.Line] = [(n + 1, ProfileChange(email=f"c{n}@example.com")) for n in range(10)]
    outcomes = importer.run(source)
    assert next(outcomes).imported == 4
    with store.write() as unit:  # another writer, between two batches
        profiles.create(unit, ProfileChange(email="C5@example.com"))
    second = next(outcomes)
    assert (second.imported, second.existing) == (3, 1)
    assert sum(o.imported for o in outcomes) == 2
    assert counts(store)["accounts"] == 10


def test_the_unique_indexes_still_refuse_duplicates_written_in_bulk(store: Store) -> None:
    """The store's unique indexes stay the judge: a bulk write that would duplicate an email (another
    writer got there first) is refused as a whole, and the unit leaves nothing of it."""
    with store.write() as unit:
        profiles.create(unit, ProfileChange(email="taken@example.com"))
    batch = [NewProfile("fresh@example.com", "fresh", None), NewProfile("TAKEN@example.com", "other", None)]
    with pytest.raises(Conflict) as caught, store.write() as unit:
        unit.bulk.insert_profiles(batch, role="customer", now=now())
    assert caught.value.reason == "concurrent_insert"
    assert counts(store) == {"accounts": 1, "customers": 1, "addresses": 0, "account_meta": 1}


# --- resuming -----------------------------------------------------------------------------------------
def customer_lines(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "email": f"person{n}@example{n % 3}.com",
            "first_name": f"Pérson {n}",
            "last_name": "Lïma" if n % 2 else "",
            "username": f"chosen{n}" if n % 10 == 0 else "",
            "billing": {"city": "Porto", "postcode": f"4{n:03d}", "email": f"bill{n}@example.com"}
            if n % 4
            else {},
            "shipping": {"country": "PT", "phone": str(n)} if n % 5 else {},
            "meta_data": [{"key": "tier", "value": ("bronze", "silver", "gold")[n % 3]}] if n % 2 else [],
        }
        for n in range(start, start + count)
    ]


def as_csv(lines: list[dict[str, Any]]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(wc_file.CSV_COLUMNS)
    for line in lines:
        item = {
            **line,
            "billing": {n: line["billing"].get(n, "") for n in wc_file.BILLING_ORDER},
            "shipping": {n: line["shipping"].get(n, "") for n in wc_file.SHIPPING_ORDER},
        }
        writer.writerow(wc_file.csv_row(item))
    return text.getvalue().encode()


def test_a_broken_line_stops_the_import_and_a_rerun_finishes_it(store: Store) -> None:
    """A CSV record that cannot be decoded stops the run where it is; whole batches before it stay. The
    same file, repaired, run again: those are counted as there, the rest imported, nothing twice."""
    lines = customer_lines(500)
    data = as_csv(lines)
    broken = data.replace(b"person450@", b"person450\xff@")
    with pytest.raises(wc_file.FileError, match="cannot read the CSV file"):
        run_import(store, broken, "csv", batch_size=100)
    done = counts(store)["accounts"]
    assert 0 < done < 500 and done % 100 == 0
    rerun = run_import(store, data, "csv", batch_size=100)
    assert (rerun.existing, rerun.imported, rerun.rejects) == (done, 500 - done, [])
    assert counts(store)["accounts"] == counts(store)["customers"] == 500
    again = run_import(store, data, "csv", batch_size=100)
    assert (again.existing, again.imported) == (500, 0)


def test_the_collector_is_paused_for_an_import_and_left_as_it_was_found(store: Store) -> None:
    """Full collections are held off while batches are written (they cost a ninth of a large import),
    and however the run ends, the collector is left as the caller had it."""

    def numbered(lines: list[dict[str, Any]]) -> Iterator[transfer.Line]:
        return ((n, change_for_line(line)) for n, line in enumerate(lines, 1))

    lines = customer_lines(150)
    assert gc.isenabled()
    states = [gc.isenabled() for _ in transfer.Importer(store, 50).run(numbered(lines[:100]))]
    assert states == [False, False] and gc.isenabled()

    def broken() -> Iterator[transfer.Line]:
        yield from numbered(lines[100:])
        raise wc_file.FileError("the file stops making sense")

    with pytest.raises(wc_file.FileError):
        for _ in transfer.Importer(store, 25).run(broken()):
            assert not gc.isenabled()
    assert gc.isenabled() and counts(store)["accounts"] == 150
    gc.disable()
    try:
        for _ in transfer.Importer(store, 50).run(numbered(customer_lines(10))):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_import_stopped_early_stops_reading_its_lines(store: Store) -> None:
    """The lines are read in a thread of their own, a batch ahead at most; a caller that stops taking
    batches (an interruption) leaves no reader behind, and no more of the file is read."""
    read: list[int] = []

    def lines() -> Iterator[transfer.Line]:
        for n, line in enumerate(customer_lines(1000), 1):
            read.append(n)
            yield n, change_for_line(line)

    run = transfer.Importer(store, 50).run(lines())
    first = next(run)
    run.close()
    assert (first.lines, first.last_line) == (50, 50)
    assert not [t for t in threading.enumerate() if t.name == "import-reader"]
    assert 50 <= len(read) <= 150 and counts(store)["accounts"] == 50
    stopped = len(read)
    time.sleep(0.05)
    assert len(read) == stopped


def test_a_rerun_after_rejects_reports_the_same_lines(store: Store) -> None:
    lines = [orjson.dumps(line) for line in customer_lines(250)]
    lines[180] = b'{"email": "broken'
    lines[200] = orjson.dumps({"email": "person3@example0.com"})  # a duplicate of line 4
    first = run_import(store, jsonl(*lines), batch_size=60)
    second = run_import(store, jsonl(*lines), batch_size=60)
    assert (
        first.reasons()
        == second.reasons()
        == [
            (181, "rest_invalid_json"),
            (201, "registration-error-email-exists"),
        ]
    )
    assert second.rejects[1]["duplicate_of_line"] == 4
    assert (first.imported, second.existing, second.imported) == (248, 248, 0)


# --- round trips ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_import_export_gives_the_same_file(
    store: Store, backend: str, tmp_path: Path, fmt: str
) -> None:
    source = customer_lines(5000)
    assert run_import(store, jsonl(*source), batch_size=1000).imported == 5000
    with store.write() as unit:  # some customers changed after their import, and one member of staff
        profile = the_profile(store, "person7@example1.com")
        profiles.update(unit, profile.id, ProfileChange(meta=[MetaChange("note", {"a": [1, "two"]})]))
        unit.accounts.insert(
            username="boss", email="boss@example.com", role="administrator", now=now(), password_hash=None
        )
    first = export(store, fmt)
    with fresh_database(backend, tmp_path) as url:
        other = Store(url)
        migrate.upgrade(other.engine)
        try:
            run = run_import(other, first, fmt, batch_size=700)
            assert (run.imported, run.rejects) == (5000, [])
            second = export(other, fmt)
        finally:
            other.dispose()
    if fmt == "csv":
        assert second == first
        assert first.splitlines()[0].decode() == ",".join(wc_file.CSV_COLUMNS)
    else:
        assert without_ids(second) == without_ids(first)
    assert len(first.splitlines()) == 5000 + (fmt == "csv")
    everyone = export(store, "jsonl", role=None)
    assert len(everyone.splitlines()) == 5001 and b'"boss@example.com"' in everyone
    assert b"boss@example.com" not in first


def test_export_is_in_id_order_and_never_shows_passwords_or_hidden_meta(store: Store) -> None:
    run_import(
        store,
        jsonl(
            {
                "email": "b@example.com",
                "password": "secret!",
                "meta_data": [{"key": "_private", "value": "x"}],
            },
            {"email": "a@example.com"},
        ),
    )
    for fmt in ("jsonl", "csv"):
        data = export(store, fmt, page_size=1)
        assert b"secret" not in data and b"$wp$" not in data and b"_private" not in data
    items = [orjson.loads(line) for line in export(store, "jsonl", page_size=1).splitlines()]
    assert [i["email"] for i in items] == ["b@example.com", "a@example.com"]
    assert items[0]["id"] < items[1]["id"]
    assert list(items[0]) == list(wc_file._V3.fields)


def test_an_import_leaves_sqlites_wal_empty(store: Store) -> None:
    """The bulk writer checkpoints seldom; when the import ends, what its WAL holds is in the database and
    the WAL is emptied, so the server's next commits do not each try to checkpoint it."""
    if store.dialect != "sqlite":
        pytest.skip("the WAL is SQLite's")
    run_import(store, as_csv(customer_lines(300)), "csv", batch_size=100)
    wal = Path(store.engine.url.database + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert counts(store)["accounts"] == 300


# --- deferred indexes (SQLite) -------------------------------------------------------------------------
def index_definitions(store: Store) -> dict[str, str]:
    """The written tables' indexes as the database holds them: name -> CREATE statement."""
    sqlite = (
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('accounts', 'customers', 'addresses', 'account_meta')"
    )
    postgresql = (
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename IN ('accounts', 'customers', 'addresses', 'account_meta')"
    )
    query = text(sqlite if store.dialect == "sqlite" else postgresql)
    with store.read() as unit:
        return dict(unit.connection.execute(query).all())


def searched(store: Store, term: str) -> list[str]:
    with store.read() as unit:
        page = profiles.page(unit, ProfileQuery(search=term, search_columns=("email", "name"), limit=50))
    return sorted(p.account.email for p in page.items)


def test_a_large_import_defers_non_unique_indexes_and_builds_them_again(store: Store) -> None:
    """An import expected to at least double the store writes without the tables' non-unique indexes and
    builds them when it ends: the same definitions as before, every row in them, searches finding it."""
    before = index_definitions(store)
    unique = {name for name, sql in before.items() if sql.startswith("CREATE UNIQUE")}
    seen_during: list[set[str]] = []
    merges_during: list[list[bool]] = []
    importer = transfer.Importer(store, 100, expected=transfer.DEFER_INDEXES_AT)
    announced: list[int] = []
    importer.on_indexing = announced.append
    for _ in importer.run((n, change_for_line(line)) for n, line in enumerate(customer_lines(250), 1)):
        seen_during.append(set(index_definitions(store)))
        if store.dialect == "sqlite":
            merges_during.append(merges_held(store))
    assert index_definitions(store) == before
    with store.read() as unit:
        assert unit.bulk.deferred_count() == 0
        if store.dialect == "sqlite":
            check = unit.connection.exec_driver_sql("PRAGMA integrity_check").scalar_one()
            assert check == "ok"  # every index holds exactly its table's rows
    if store.dialect == "sqlite":
        assert seen_during and all(names == unique for names in seen_during)  # only the unique ones stayed
        # The search indexes left each batch's segment unmerged, then merged them into one at the end.
        assert merges_during == [[True] * len(search.SOURCES)] * 3
        assert merges_held(store) == [False] * len(search.SOURCES)
        assert fts_segments(store) == [1] * len(search.SOURCES)
        with store.read() as unit:
            for source in search.SOURCES.values():  # raises if the index and its rows disagree
                unit.connection.exec_driver_sql(
                    f"INSERT INTO {source.index} ({source.index}, rank) VALUES ('integrity-check', 1)"  # noqa: S608
                )
        assert announced == [len(before) - len(unique)]
    else:
        assert seen_during == [set(before)] * 3 and announced == []  # PostgreSQL keeps its indexes
    assert counts(store)["accounts"] == 250
    assert searched(store, "*person249@*") == ["person249@example0.com"]


def test_a_small_import_into_a_larger_store_keeps_its_indexes(store: Store) -> None:
    run_import(store, jsonl(*customer_lines(30)))
    before = index_definitions(store)
    lines = customer_lines(10, start=30)
    importer = transfer.Importer(store, 5, expected=20)  # fewer than the store holds
    for _ in importer.run((n, change_for_line(line)) for n, line in enumerate(lines, 1)):
        assert index_definitions(store) == before
    assert counts(store)["accounts"] == 40


def test_an_interrupted_large_import_still_builds_its_indexes(store: Store) -> None:
    """However the lines stop (a broken file, Ctrl-C), the deferred indexes are built before the error
    reaches the caller."""
    before = index_definitions(store)

    def lines() -> Iterator[transfer.Line]:
        for n, line in enumerate(customer_lines(120), 1):
            if n == 101:
                raise wc_file.FileError("the file stops making sense")
            yield n, change_for_line(line)

    importer = transfer.Importer(store, 50, expected=transfer.DEFER_INDEXES_AT)
    with pytest.raises(wc_file.FileError):
        for _ in importer.run(lines()):
            pass
    assert index_definitions(store) == before
    assert counts(store)["accounts"] == 100


def test_indexes_left_deferred_by_a_killed_import_are_built_by_the_next(store: Store) -> None:
    """A kill -9 leaves the deferral committed (the DDL and its record are one transaction): the next
    import keeps them deferred while it runs, then builds them; build_deferred_indexes (what `regulars
    migrate` runs) does the same alone."""
    if store.dialect != "sqlite":
        pytest.skip("only SQLite defers indexes")
    before = index_definitions(store)
    with store.write() as unit:
        deferred = unit.bulk.defer_indexes()
    assert deferred == len([s for s in before.values() if not s.startswith("CREATE UNIQUE")]) > 20
    assert merges_held(store) == [True] * len(search.SOURCES)
    run_import(store, jsonl(*customer_lines(20)))  # expected unknown: builds what it found deferred
    assert index_definitions(store) == before
    assert merges_held(store) == [False] * len(search.SOURCES)
    with store.write() as unit:
        unit.bulk.defer_indexes()
    assert transfer.build_deferred_indexes(store) == deferred
    assert transfer.build_deferred_indexes(store) == 0
    assert index_definitions(store) == before
    assert merges_held(store) == [False] * len(search.SOURCES)
    assert searched(store, "*person19@*") == ["person19@example1.com"]


def merges_held(store: Store) -> list[bool]:
    """Whether each search index (SQLite FTS5) leaves its segments unmerged."""
    with store.read() as unit:
        return [search.merges_held(unit.connection, s) for s in search.SOURCES.values()]


def fts_segments(store: Store) -> list[int]:
    """How many segments each search index (SQLite FTS5) is made of: in its structure record (the %_data
    row of id 10), after a 4-byte cookie, the varints of how many levels and how many segments it has,
    each a single byte while below 128."""
    with store.read() as unit:
        found = []
        for source in search.SOURCES.values():
            structure = unit.connection.exec_driver_sql(
                f"SELECT block FROM {source.index}_data WHERE id = 10"  # noqa: S608
            ).scalar_one()
            found.append(structure[5])
        return found


def change_for_line(line: dict[str, Any]) -> ProfileChange:
    item = wc_file.change_for(line)
    assert isinstance(item, ProfileChange)
    return item
