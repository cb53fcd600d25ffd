"""WooCommerce's customer rules against the real store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from regulars.domain.customers import MetaChange, ProfileChange, ProfileQuery
from regulars.domain.errors import Conflict, Invalid, NotFound
from regulars.services import profiles
from regulars.store.tables import account_meta, accounts, addresses
from regulars.store.unit import Store


def _create(store: Store, **fields) -> int:
    with store.write() as unit:
        return profiles.create(unit, ProfileChange(**fields)).id


def test_create_derives_username_and_keeps_both_records(store: Store) -> None:
    customer_id = _create(store, email="Ana.Lima@Example.com", first_name=" Ana ", billing={"city": "Porto"})
    with store.read() as unit:
        profile = profiles.require(unit, customer_id)
    assert profile.account.username == "ana.lima" and profile.account.role == "customer"
    assert profile.account.first_name == "Ana" and profile.account.password_hash is None
    assert profile.customer is not None and profile.customer.email == "Ana.Lima@Example.com"
    assert profile.address("billing").city == "Porto" and profile.address("shipping") is None
    assert [m.key for m in profile.account.meta] == ["default_password_nag"]


def test_username_clash_gets_a_suffix_and_emails_are_unique_case_insensitively(store: Store) -> None:
    _create(store, email="ana@example.com")
    second = _create(store, email="ana@other.test")
    with store.read() as unit:
        assert profiles.require(unit, second).account.username.startswith("ana-")
    with pytest.raises(Conflict) as caught, store.write() as unit:
        profiles.create(unit, ProfileChange(email="ANA@example.com"))
    assert caught.value.reason == "email_exists"
    with pytest.raises(Conflict) as caught, store.write() as unit:
        profiles.create(unit, ProfileChange(email="new@example.com", username="ana"))
    assert caught.value.reason == "username_exists"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"email": ""}, "email_required"),
        ({"email": "nope"}, "invalid_email"),
        ({"email": "ok@example.com", "username": "bad/name"}, "invalid_username"),
        ({"email": "ok@example.com", "billing": {"email": "nope"}}, "invalid_billing_email"),
    ],
)
def test_invalid_creates_write_nothing(store: Store, fields: dict, reason: str) -> None:
    with pytest.raises(Invalid) as caught, store.write() as unit:
        profiles.create(unit, ProfileChange(**fields))
    assert caught.value.reason == reason
    with store.read() as unit:
        assert unit.accounts.count() == 0


def test_update_merges_addresses_and_refuses_taken_emails(store: Store) -> None:
    first = _create(store, email="one@example.com", billing={"city": "Porto", "phone": "1"})
    _create(store, email="two@example.com")
    with store.write() as unit:
        profiles.update(unit, first, ProfileChange(billing={"phone": "2"}, last_name="Lima"))
    with store.read() as unit:
        profile = profiles.require(unit, first)
    assert (profile.address("billing").city, profile.address("billing").phone) == ("Porto", "2")
    assert profile.customer.last_name == "Lima" and profile.account.modified_at is not None
    with pytest.raises(Conflict), store.write() as unit:
        profiles.update(unit, first, ProfileChange(email="two@example.com", first_name="Lost"))
    with store.read() as unit:
        assert profiles.require(unit, first).account.first_name == ""


def test_meta_upserts_by_id_and_key(store: Store) -> None:
    customer_id = _create(
        store, email="m@example.com", meta=[MetaChange("tier", "silver"), MetaChange("note", "a")]
    )
    with store.read() as unit:
        tier = next(m for m in profiles.require(unit, customer_id).account.meta if m.key == "tier")
    changes = [
        MetaChange("tier", "gold", tier.id),
        MetaChange("note", "b"),
        MetaChange("_private", "x"),
        MetaChange("list", [1, 2]),
        MetaChange("list", [3]),
        MetaChange("note", None),
    ]
    with store.write() as unit:
        profiles.update(unit, customer_id, ProfileChange(meta=changes))
    with store.read() as unit:
        meta = [(m.id == tier.id, m.key, m.value) for m in profiles.require(unit, customer_id).account.meta]
    assert meta == [(False, "default_password_nag", "1"), (True, "tier", "gold"), (False, "list", [3])]


def test_delete_checks_reassign_and_removes_everything(store: Store) -> None:
    customer_id = _create(store, email="gone@example.com", billing={"city": "X"})
    with pytest.raises(Invalid), store.write() as unit:
        profiles.delete(unit, customer_id, reassign=customer_id)
    with store.write() as unit:
        before = profiles.delete(unit, customer_id)
    assert before.account.email == "gone@example.com"
    with store.read() as unit:
        assert profiles.get(unit, customer_id) is None and unit.customers.by_email("gone@example.com") is None
    with pytest.raises(NotFound), store.write() as unit:
        profiles.delete(unit, customer_id)


def test_pages_filter_sort_and_count(store: Store) -> None:
    ids = [_create(store, email=f"{name}@example.com") for name in ("carol", "alice", "bob")]
    with store.read() as unit:
        page = profiles.page(unit, ProfileQuery(orderby="display_name", limit=2))
        assert [p.account.username for p in page.items] == ["alice", "bob"] and page.total == 3
        found = profiles.page(unit, ProfileQuery(search="*lic*", search_columns=("username",)))
        assert [p.id for p in found.items] == [ids[1]]
        included = profiles.page(unit, ProfileQuery(include=(ids[2], ids[0]), orderby="include"))
        assert [p.id for p in included.items] == [ids[2], ids[0]]
        assert profiles.page(unit, ProfileQuery(email="BOB@example.com")).total == 1
        assert profiles.page(unit, ProfileQuery(search="*100%*", search_columns=("username",))).total == 0


def test_rows_written_by_prepared_statements_are_stored_as_sqlalchemy_stores_them(store: Store) -> None:
    """The hot-path inserts bypass SQLAlchemy's execution but bind through its types: a whole-second
    timestamp, a JSON value and a defaulted address read back, by SQLAlchemy, exactly as written."""
    moment = datetime(2026, 12, 3, 10, 0, 0)
    with store.write() as unit:
        account_id = unit.accounts.insert(
            username="u", email="u@x.test", role="customer", now=moment, password_hash=None
        )
        unit.accounts.add_meta(account_id, "prefs", {"a": [1, None, "é"]})
        customer_id = unit.customers.insert(account_id=account_id, email="u@x.test", now=moment)
        unit.customers.insert_address(customer_id, "shipping", {"city": "Porto"}, primary=True, now=moment)
    with store.read() as unit:
        c = unit.connection
        assert (
            c.execute(select(accounts.c.registered_at).where(accounts.c.id == account_id)).scalar_one()
            == moment
        )
        assert c.execute(select(account_meta.c.meta_value)).scalar_one() == {"a": [1, None, "é"]}
        row = c.execute(select(addresses)).one()
        assert (row.city, row.status, row.company, row.is_primary, row.created_at) == (
            "Porto",
            "active",
            "",
            True,
            moment,
        )
        assert profiles.require(unit, account_id).address("shipping").meta == {}
    # A duplicate email is the domain's Conflict, not a driver error.
    with pytest.raises(Conflict), store.write() as unit:
        unit.customers.insert(account_id=None, email="U@x.test", now=moment)
