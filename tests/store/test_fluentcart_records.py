"""Customer records managed directly (services/customers.py) against the real store, on SQLite and
PostgreSQL: creation and account linking, changes kept in step with the account, listing, the address
book's rules, attach/detach and bulk changes that leave nothing half-written."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from regulars.domain.accounts import Account
from regulars.domain.address_book import AddressChange
from regulars.domain.customer_records import CustomerChange, CustomerQuery, id_condition
from regulars.domain.customers import ProfileChange
from regulars.domain.errors import Conflict, Forbidden, Invalid, NotFound
from regulars.domain.orders import LineChange, OrderChange
from regulars.domain.transfer import NewProfile
from regulars.services import customers, profiles
from regulars.services import orders as order_service
from regulars.services.clock import now
from regulars.store import migrate
from regulars.store.tables import LOCATION, orders
from regulars.store.tables import customers as customers_table
from regulars.store.unit import Store, Unit


def _account(unit: Unit, username: str, role: str = "customer", email: str | None = None) -> Account:
    account_id = unit.accounts.insert(
        username=username, email=email or f"{username}@example.com", role=role, now=now(), password_hash=None
    )
    found = unit.accounts.get(account_id)
    assert found is not None
    return found


@pytest.fixture
def admin(store: Store) -> Account:
    with store.write() as unit:
        return _account(unit, "boss", "administrator")


def _create(store: Store, actor: Account, email: str, first: str = "Ann", **fields) -> int:
    with store.write() as unit:
        change = CustomerChange(email=email, first_name=first, **fields)
        return customers.create(unit, change, actor).id


def _address(
    first: str = "Ann", kind: str | None = None, primary: bool | None = None, **values
) -> AddressChange:
    base = {"first_name": first, "address_1": "1 Main St", "city": "Porto", "country": "PT"}
    return AddressChange(type=kind, values={**base, **values}, primary=primary)


# --- creating -------------------------------------------------------------------------------------
def test_create_keeps_what_was_sent_and_defaults_the_rest(store: Store, admin: Account) -> None:
    customer_id = _create(
        store, admin, "Jane@Example.com", "Jane", last_name="Smith", phone="+1", additional_info={"vip": True}
    )
    with store.read() as unit:
        found = customers.require(unit, customer_id)
    assert (found.email, found.first_name, found.last_name, found.phone) == (
        "Jane@Example.com",
        "Jane",
        "Smith",
        "+1",
    )
    assert found.status == "active" and found.account_id is None and found.additional_info == {"vip": True}
    assert found.stats.total_spent == 0 and found.stats.first_order_at is None


@pytest.mark.parametrize(
    ("change", "error", "reason"),
    [
        (CustomerChange(first_name="A"), Invalid, "email_required"),
        (CustomerChange(email="nope", first_name="A"), Invalid, "invalid_email"),
        (CustomerChange(email="a@example.com"), Invalid, "name_required"),
        (CustomerChange(email="a@example.com", first_name="A", status="gone"), Invalid, "invalid_status"),
        (CustomerChange(email="a@example.com", first_name="A" * 256), Invalid, "too_long"),
        (CustomerChange(email="TAKEN@example.com", first_name="A"), Conflict, "email_exists"),
    ],
)
def test_refused_creates_write_nothing(
    store: Store, admin: Account, change: CustomerChange, error: type, reason: str
) -> None:
    _create(store, admin, "taken@example.com")
    with pytest.raises(error) as caught, store.write() as unit:
        customers.create(unit, change, admin)
    assert caught.value.reason == reason
    with store.read() as unit:
        assert customers.page(unit, CustomerQuery()).total == 1


def test_create_joins_the_account_of_the_same_email_when_it_has_no_record(
    store: Store, admin: Account
) -> None:
    with store.write() as unit:
        lone = _account(unit, "lone")
        taken = profiles.create(unit, ProfileChange(email="taken@example.com")).account
        record = unit.customers.by_account(taken.id)
        assert record is not None
        unit.customers.update(record.id, {"email": "renamed@example.com"})
    first = _create(store, admin, "LONE@example.com")
    second = _create(store, admin, "taken@example.com")
    with store.read() as unit:
        assert customers.require(unit, first).account_id == lone.id
        assert customers.require(unit, second).account_id is None  # that account has its record already


def test_create_can_register_an_account_and_link_a_chosen_one(store: Store, admin: Account) -> None:
    with store.write() as unit:
        chosen = _account(unit, "chosen")
        registered = customers.create(
            unit,
            CustomerChange(email="new@example.com", first_name="New", last_name="One"),
            admin,
            register_account=True,
        )
        linked = customers.create(
            unit, CustomerChange(email="other@example.com", first_name="O"), admin, account_id=chosen.id
        )
        assert registered.account_id is not None and linked.account_id == chosen.id
        profile = profiles.require(unit, registered.account_id)
        assert profile.customer is not None and profile.customer.id == registered.id
        assert (profile.account.email, profile.account.first_name) == ("new@example.com", "New")
    with pytest.raises(Conflict) as caught, store.write() as unit:
        customers.create(
            unit, CustomerChange(email="third@example.com", first_name="T"), admin, account_id=chosen.id
        )
    assert caught.value.reason == "account_linked"
    with pytest.raises(NotFound) as caught, store.write() as unit:
        customers.create(
            unit, CustomerChange(email="third@example.com", first_name="T"), admin, account_id=999
        )
    assert caught.value.reason == "account"


# --- changing -------------------------------------------------------------------------------------
def test_update_changes_only_what_was_sent_and_merges_additional_info(store: Store, admin: Account) -> None:
    customer_id = _create(
        store,
        admin,
        "a@example.com",
        "Ann",
        last_name="Lee",
        notes="n",
        additional_info={"company": "A", "tier": "gold"},
    )
    with store.write() as unit:
        changed = customers.update(
            unit,
            customer_id,
            CustomerChange(phone="+2", additional_info={"company": "B", "tier": None}),
            admin,
        )
    assert (changed.first_name, changed.last_name, changed.notes, changed.phone) == ("Ann", "Lee", "n", "+2")
    assert changed.additional_info == {"company": "B"}


def test_a_linked_record_keeps_its_account_in_step(store: Store, admin: Account) -> None:
    with store.write() as unit:
        profile = profiles.create(unit, ProfileChange(email="ana@example.com", first_name="Ana"))
        other = _account(unit, "other")
        record = profile.customer
        assert record is not None
    with store.write() as unit:
        customers.update(
            unit, record.id, CustomerChange(email="ANA.NEW@example.com", last_name="Lima"), admin
        )
        account = unit.accounts.get(profile.id)
        assert account is not None
        assert (account.email, account.first_name, account.last_name) == (
            "ANA.NEW@example.com",
            "Ana",
            "Lima",
        )
    with pytest.raises(Conflict) as caught, store.write() as unit:
        customers.update(unit, record.id, CustomerChange(email=other.email, first_name="Changed"), admin)
    assert caught.value.reason == "email_exists"
    with store.read() as unit:
        assert customers.require(unit, record.id).first_name == "Ana"  # nothing half-written


def test_a_shop_manager_cannot_rewrite_an_administrators_account(store: Store, admin: Account) -> None:
    with store.write() as unit:
        manager = _account(unit, "manager", "shop_manager")
        boss_record = customers.create(
            unit, CustomerChange(email="x@example.com", first_name="X"), admin, account_id=admin.id
        )
    with pytest.raises(Forbidden), store.write() as unit:
        customers.update(unit, boss_record.id, CustomerChange(email="evil@example.com"), manager)
    with store.write() as unit:  # what does not touch the account stays allowed, unchanged names included
        same = CustomerChange(email="x@example.com", first_name="X", phone="+3")
        assert customers.update(unit, boss_record.id, same, manager).phone == "+3"
        assert unit.accounts.get(admin.id).email == admin.email
    with pytest.raises(Forbidden), store.write() as unit:
        customers.update(unit, boss_record.id, CustomerChange(first_name="Y"), manager)


# --- listing --------------------------------------------------------------------------------------
def test_page_filters_searches_and_sorts(store: Store, admin: Account) -> None:
    base = datetime(2024, 1, 1)
    with store.write() as unit:
        ids = []
        for n, (name, status, spent) in enumerate(
            [("Zoe Adams", "active", 500), ("Yan Brown", "inactive", 1500), ("Xia Cole", "active", 3000)]
        ):
            first, last = name.split()
            created = customers.create(
                unit,
                CustomerChange(
                    email=f"{first.lower()}@example.com",
                    first_name=first,
                    last_name=last,
                    status=status,
                    phone=("+5599", "+6699", "+7799")[n],
                ),
                admin,
            )
            unit.customers.update(
                created.id,
                {"created_at": base + timedelta(days=30 * n), "total_spent": spent, "paid_orders_count": n},
            )
            ids.append(created.id)

    def found(**asked) -> list[int]:
        with store.read() as unit:
            return [c.id for c in customers.page(unit, CustomerQuery(**asked)).items]

    assert found() == ids[::-1]  # newest id first by default
    assert found(statuses=("active",)) == [ids[2], ids[0]]
    assert found(created_from=base + timedelta(days=1)) == [ids[2], ids[1]]
    assert found(created_before=base + timedelta(days=31)) == [ids[1], ids[0]]
    assert found(total_spent_min=1000, total_spent_max=1500) == [ids[1]]
    assert found(search="yan br") == [ids[1]]
    assert found(search="XIA@EXAMPLE") == [ids[2]]
    assert found(search="+55") == [ids[0]]
    assert found(search=str(ids[1])) == [ids[1]]
    assert found(search="100%") == []
    assert found(id_condition=id_condition(f"id>{ids[0]}")) == [ids[2], ids[1]]
    assert found(id_condition=id_condition(f"id::{ids[0]}-{ids[1]}")) == [ids[1], ids[0]]
    assert found(order_by="first_name", descending=False) == [ids[2], ids[1], ids[0]]
    assert found(order_by="last_name", descending=False) == ids
    assert found(order_by="email", descending=True) == ids
    assert found(order_by="total_spent", descending=False) == ids
    assert found(order_by="order_count", descending=True) == ids[::-1]
    assert found(order_by="created_at", descending=False, limit=1, offset=1) == [ids[1]]
    for key in ("status", "updated_at", "first_paid_order_at", "last_paid_order_at"):
        assert sorted(found(order_by=key)) == sorted(ids)
    with store.read() as unit:
        assert customers.page(unit, CustomerQuery(limit=1)).total == 3


# --- the address book -----------------------------------------------------------------------------
def test_address_book_keeps_one_primary_per_type(store: Store, admin: Account) -> None:
    customer_id = _create(store, admin, "a@example.com")
    with store.write() as unit:
        first = customers.add_address(unit, customer_id, _address("One"))
        second = customers.add_address(unit, customer_id, _address("Two"))
        ship = customers.add_address(unit, customer_id, _address("Ship", "shipping"))
        third = customers.add_address(unit, customer_id, _address("Three", primary=True))
    assert first.is_primary and first.type == "billing" and not second.is_primary and ship.is_primary
    with store.read() as unit:
        book = customers.addresses(unit, customer_id)
        assert [(a.id, a.is_primary) for a in book if a.type == "billing"] == [
            (third.id, True),
            (first.id, False),
            (second.id, False),
        ]
        assert [a.id for a in customers.addresses(unit, customer_id, "shipping")] == [ship.id]


def test_make_primary_is_atomic_and_scoped(store: Store, admin: Account) -> None:
    one = _create(store, admin, "one@example.com")
    two = _create(store, admin, "two@example.com")
    with store.write() as unit:
        a = customers.add_address(unit, one, _address("A"))
        b = customers.add_address(unit, one, _address("B"))
        foreign = customers.add_address(unit, two, _address("F"))
    for bad_id, kind in ((foreign.id, None), (9999, None), (b.id, "shipping")):
        with pytest.raises(NotFound), store.write() as unit:
            customers.make_primary(unit, one, bad_id, kind)
        with store.read() as unit:
            assert [x.id for x in customers.addresses(unit, one) if x.is_primary] == [a.id]
    with store.write() as unit:
        assert customers.make_primary(unit, one, b.id, "billing").is_primary
        assert [x.id for x in customers.addresses(unit, one) if x.is_primary] == [b.id]


def test_changing_an_address_keeps_the_rules(store: Store, admin: Account) -> None:
    customer_id = _create(store, admin, "a@example.com")
    with store.write() as unit:
        primary = customers.add_address(unit, customer_id, _address("P"))
        spare = customers.add_address(unit, customer_id, _address("S"))
    with pytest.raises(Invalid) as caught, store.write() as unit:
        customers.change_address(unit, customer_id, primary.id, AddressChange(type="shipping"))
    assert caught.value.reason == "primary_type_change"
    with store.write() as unit:
        moved = customers.change_address(
            unit,
            customer_id,
            spare.id,
            AddressChange(type="shipping", values={"city": "Lisboa"}, meta={"vat_number": "1"}),
        )
        assert (moved.type, moved.is_primary, moved.city, moved.first_name) == (
            "shipping",
            True,
            "Lisboa",
            "S",
        )
        assert moved.meta == {"vat_number": "1"}
    stranger = _create(store, admin, "b@example.com")
    with pytest.raises(NotFound), store.write() as unit:
        customers.change_address(unit, stranger, spare.id, AddressChange())


def test_removing_addresses_keeps_the_primary_and_the_last(store: Store, admin: Account) -> None:
    customer_id = _create(store, admin, "a@example.com")
    with store.write() as unit:
        primary = customers.add_address(unit, customer_id, _address("P"))
    with pytest.raises(Invalid) as caught, store.write() as unit:
        customers.remove_address(unit, customer_id, primary.id)
    assert caught.value.reason == "last_address"
    with store.write() as unit:
        spare = customers.add_address(unit, customer_id, _address("S"))
    with pytest.raises(Invalid) as caught, store.write() as unit:
        customers.remove_address(unit, customer_id, primary.id)
    assert caught.value.reason == "primary_address"
    with store.write() as unit:
        customers.remove_address(unit, customer_id, spare.id)
        assert [a.id for a in customers.addresses(unit, customer_id)] == [primary.id]


# --- accounts and bulk ----------------------------------------------------------------------------
def test_attach_and_detach(store: Store, admin: Account) -> None:
    customer_id = _create(store, admin, "a@example.com")
    other_id = _create(store, admin, "b@example.com")
    with store.write() as unit:
        account = _account(unit, "acc")
        assert [a.id for a in customers.attachable_accounts(unit, None, 10, 0).items] == [
            admin.id,
            account.id,
        ]
        assert customers.attach(unit, customer_id, account.id).account_id == account.id
        assert customers.attach(unit, customer_id, account.id).account_id == account.id  # again: no change
        assert [a.id for a in customers.attachable_accounts(unit, "ac", 10, 0).items] == []
    with pytest.raises(Conflict) as caught, store.write() as unit:
        customers.attach(unit, other_id, account.id)
    assert caught.value.reason == "account_linked"
    with pytest.raises(Conflict) as caught, store.write() as unit:
        customers.attach(unit, customer_id, admin.id)
    assert caught.value.reason == "customer_linked"
    with store.write() as unit:
        assert customers.detach(unit, customer_id).account_id is None
        assert customers.attach(unit, other_id, account.id).account_id == account.id


def test_bulk_changes_go_item_by_item(store: Store, admin: Account) -> None:
    one = _create(store, admin, "one@example.com")
    two = _create(store, admin, "two@example.com")
    with store.write() as unit:
        customers.add_address(unit, two, _address())
        account = _account(unit, "acc")
        customers.attach(unit, two, account.id)
        change = OrderChange(
            customer=account.id, status="completed", fee_lines=[LineChange(name="Fee", total="10.00")]
        )
        order_id = order_service.create(unit, change, currency="USD", decimals=2).id
        assert customers.require(unit, two).stats.total_spent == 1000
    with store.write() as unit:
        outcomes = customers.each(unit, [one, 999], lambda u, i: customers.set_status(u, i, "inactive"))
    assert [(o.customer_id, o.error.reason if o.error else None) for o in outcomes] == [
        (one, None),
        (999, "customer"),
    ]
    with store.write() as unit:
        outcomes = customers.each(unit, [two], customers.delete)
        assert outcomes[0].error is None
    with store.read() as unit:
        assert customers.require(unit, one).status == "inactive"
        with pytest.raises(NotFound):
            customers.require(unit, two)
        # the orders and the account stay; only the record and its addresses go
        row = unit.connection.execute(select(orders.c.customer_id).where(orders.c.id == order_id)).one()
        assert row.customer_id is None and unit.accounts.get(account.id) is not None
        assert unit.customers.addresses_of(two) == []


# --- the primary billing address's place, copied onto the customer row ----------------------------
def _place(unit: Unit, customer_id: int) -> tuple[str | None, ...]:
    """What the customer row holds to sort by: country, city, state, postcode."""
    columns = [customers_table.c[name] for name in LOCATION]
    return tuple(unit.connection.execute(select(*columns).where(customers_table.c.id == customer_id)).one())


def test_every_address_writer_keeps_the_primary_billing_place_on_the_row(
    store: Store, admin: Account
) -> None:
    customer_id = _create(store, admin, "a@example.com")
    with store.write() as unit:
        assert _place(unit, customer_id) == (None, None, None, None)  # no address yet
        ship = customers.add_address(unit, customer_id, _address(kind="shipping", city="Faro"))
        assert _place(unit, customer_id) == (None, None, None, None)  # shipping is not billing
        home = customers.add_address(unit, customer_id, _address(state="13", postcode="4000-001"))
        assert _place(unit, customer_id) == ("PT", "Porto", "13", "4000-001")
        office = customers.add_address(unit, customer_id, _address(city="Lisboa", country="ES"))
        assert _place(unit, customer_id) == ("PT", "Porto", "13", "4000-001")  # not primary
        customers.make_primary(unit, customer_id, office.id)
        assert _place(unit, customer_id) == ("ES", "Lisboa", "", "")
        customers.change_address(unit, customer_id, office.id, AddressChange(values={"city": "Madrid"}))
        assert _place(unit, customer_id) == ("ES", "Madrid", "", "")
        customers.change_address(unit, customer_id, home.id, AddressChange(values={"city": "Braga"}))
        customers.change_address(unit, customer_id, ship.id, AddressChange(values={"city": "Tavira"}))
        assert _place(unit, customer_id) == ("ES", "Madrid", "", "")  # neither is the primary billing
        customers.change_address(unit, customer_id, home.id, AddressChange(primary=True))
        assert _place(unit, customer_id) == ("PT", "Braga", "13", "4000-001")
        customers.remove_address(unit, customer_id, office.id)
        assert _place(unit, customer_id) == ("PT", "Braga", "13", "4000-001")
        promoted = customers.add_address(unit, customer_id, _address(city="Aveiro", primary=True))
        assert promoted.is_primary and _place(unit, customer_id) == ("PT", "Aveiro", "", "")
    with pytest.raises(NotFound), store.write() as unit:  # a refused change leaves the row as it was
        customers.make_primary(unit, customer_id, 9999)
    with store.read() as unit:
        assert _place(unit, customer_id) == ("PT", "Aveiro", "", "")


def test_woocommerce_writers_keep_the_place_too(store: Store) -> None:
    billing = {"country": "US", "city": "Austin", "state": "TX", "postcode": "73301"}
    with store.write() as unit:
        created = profiles.create(unit, ProfileChange(email="w@example.com", billing=billing))
        bare = profiles.create(unit, ProfileChange(email="bare@example.com"))
        (bulk_id, bulk_bare) = unit.bulk.insert_profiles(
            [
                NewProfile(
                    email="b1@x.test", username="b1", password_hash=None, addresses={"billing": billing}
                ),
                NewProfile(
                    email="b2@x.test", username="b2", password_hash=None, addresses={"shipping": billing}
                ),
            ],
            role="customer",
            now=now(),
        )
        ids = {
            p.id: p.customer.id
            for p in unit.profiles.many([created.id, bare.id, bulk_id, bulk_bare]).values()
        }
        assert _place(unit, ids[created.id]) == ("US", "Austin", "TX", "73301")
        assert _place(unit, ids[bare.id]) == (None, None, None, None)
        assert _place(unit, ids[bulk_id]) == ("US", "Austin", "TX", "73301")
        assert _place(unit, ids[bulk_bare]) == (None, None, None, None)  # shipping only
        profiles.update(unit, created.id, ProfileChange(billing={"city": "Dallas"}))
        profiles.update(unit, bare.id, ProfileChange(billing={"country": "CA", "postcode": "H2X"}))
        assert _place(unit, ids[created.id]) == ("US", "Dallas", "TX", "73301")
        assert _place(unit, ids[bare.id]) == ("CA", "", "", "H2X")


def test_migration_0007_fills_the_place_from_existing_addresses(store: Store, admin: Account) -> None:
    with store.write() as unit:
        billed = customers.create(unit, CustomerChange(email="p@example.com", first_name="P"), admin).id
        customers.add_address(unit, billed, _address(city="Old", country="FR"))
        customers.make_primary(
            unit,
            billed,
            customers.add_address(unit, billed, _address(city="Lyon", country="FR", postcode="69001")).id,
        )
        shipped = customers.create(unit, CustomerChange(email="s@example.com", first_name="S"), admin).id
        customers.add_address(unit, shipped, _address(kind="shipping"))
        bare = customers.create(unit, CustomerChange(email="n@example.com", first_name="N"), admin).id
    config = migrate._config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006_customer_null_sorts")
        assert "city" not in {c["name"] for c in inspect(connection).get_columns("customers")}
        # a billing address written while the schema had no copy of it
        connection.execute(
            text(
                "INSERT INTO addresses (customer_id, type, is_primary, city, country, postcode, created_at,"
                " updated_at) VALUES (:id, 'billing', :yes, 'Nice', 'FR', '06000', :at, :at)"
            ),
            {"id": bare, "yes": True, "at": now()},
        )
    migrate.upgrade(store.engine)
    with store.read() as unit:
        assert _place(unit, billed) == ("FR", "Lyon", "", "69001")
        assert _place(unit, shipped) == (None, None, None, None)
        assert _place(unit, bare) == ("FR", "Nice", "", "06000")
        by_city = customers.page(unit, CustomerQuery(order_by="city", descending=False)).items
        assert [c.id for c in by_city] == [shipped, billed, bare]
