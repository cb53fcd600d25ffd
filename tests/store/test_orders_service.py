"""Orders, products and what follows from them — customer figures and download permissions — against
the real store, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from alembic import command
from sqlalchemy import update

from regulars.domain.customers import ProfileChange, Stats
from regulars.domain.errors import Conflict, Invalid, NotFound
from regulars.domain.orders import LineChange, OrderChange, OrderQuery
from regulars.domain.products import ProductChange, ProductQuery
from regulars.services import downloads, profiles
from regulars.services import orders as service
from regulars.services import products as product_service
from regulars.services.clock import now
from regulars.store import migrate
from regulars.store.tables import download_permissions
from regulars.store.unit import Store

MONEY = {"currency": "USD", "decimals": 2}
EBOOK = ProductChange(
    name="E-book",
    regular_price="9.99",
    virtual=True,
    downloadable=True,
    downloads=[{"name": "E-book PDF", "file": "https://example.com/files/ebook.pdf"}],
    download_limit=5,
    download_expiry=30,
)


def _product(store: Store, change: ProductChange = EBOOK) -> int:
    with store.write() as unit:
        return product_service.create(unit, change, decimals=2).id


def _account(store: Store, email: str = "john.doe@example.com") -> int:
    with store.write() as unit:
        return profiles.create(unit, ProfileChange(email=email, billing={"email": email})).id


def _order(store: Store, account_id: int | None, product_id: int, quantity: int = 2, **fields) -> int:
    change = OrderChange(
        customer=account_id,
        billing={"email": "john.doe@example.com"},
        line_items=[LineChange(product_id=product_id, quantity=quantity)],
        **fields,
    )
    with store.write() as unit:
        return service.create(unit, change, **MONEY).id


def _status(store: Store, order_id: int, status: str) -> None:
    with store.write() as unit:
        service.update(unit, order_id, OrderChange(status=status), decimals=2)


def _stats(store: Store, account_id: int) -> Stats:
    with store.read() as unit:
        profile = profiles.require(unit, account_id)
    assert profile.customer is not None
    return profile.stats


def _downloads(store: Store, account_id: int) -> list:
    with store.read() as unit:
        return downloads.available(unit, profiles.require(unit, account_id).customer)


def test_a_pending_order_counts_but_spends_nothing(store: Store) -> None:
    product, account = _product(store), _account(store)
    order_id = _order(store, account, product)
    with store.read() as unit:
        order = service.require(unit, order_id)
    assert (order.status, order.total, order.currency, order.account_id) == ("pending", 1998, "USD", account)
    assert [(i.product_id, i.name, i.quantity, i.subtotal, i.total) for i in order.line_items] == [
        (product, "E-book", 2, 1998, 1998)
    ]
    assert order.order_key.startswith("wc_order_") and order.data["created_via"] == "rest-api"
    stats = _stats(store, account)
    assert (stats.orders_count, stats.paid_orders_count, stats.total_spent, stats.is_paying) == (
        1,
        0,
        0,
        False,
    )
    assert stats.last_order_id == order_id and stats.last_order_at == order.created_at == stats.first_order_at
    assert _downloads(store, account) == []


def test_processing_spends_and_grants_the_downloads(store: Store) -> None:
    product, account = _product(store), _account(store)
    order_id = _order(store, account, product)
    _status(store, order_id, "processing")
    stats = _stats(store, account)
    assert (stats.orders_count, stats.paid_orders_count, stats.total_spent) == (1, 1, 1998)
    assert stats.average_order_value == 1998 and stats.is_paying is False  # only completion makes one paying
    found = _downloads(store, account)
    assert len(found) == 1
    d = found[0]
    assert (d.product_id, d.order_id, d.downloads_remaining, d.file_name) == (
        product,
        order_id,
        10,
        "E-book PDF",
    )
    assert d.user_email == "john.doe@example.com" and d.product_slug == "e-book"
    assert d.access_expires is not None and abs(d.access_expires - (now() + timedelta(days=30))) < timedelta(
        minutes=1
    )
    with store.read() as unit:
        order = service.require(unit, order_id)
    assert order.paid_at is None and order.completed_at is None  # a virtual download is paid on completion


def test_completion_pays_and_makes_a_paying_customer_who_stays_one(store: Store) -> None:
    product, account = _product(store), _account(store)
    order_id = _order(store, account, product)
    _status(store, order_id, "completed")
    with store.read() as unit:
        order = service.require(unit, order_id)
    assert order.paid_at is not None and order.completed_at is not None
    assert _stats(store, account).is_paying is True
    expires = _downloads(store, account)[0].access_expires
    assert expires is not None and expires.time().isoformat() == "00:00:00"  # from the completion day
    _status(store, order_id, "refunded")
    stats = _stats(store, account)
    assert (stats.orders_count, stats.total_spent, stats.is_paying) == (1, 0, True)
    assert _downloads(store, account) == []  # a refunded order no longer permits downloads


@pytest.mark.parametrize("ending", ["cancelled", "refunded", "failed", "on-hold", "pending"])
def test_leaving_the_paid_statuses_backs_the_spend_out(store: Store, ending: str) -> None:
    product, account = _product(store), _account(store)
    kept = _order(store, account, product, quantity=1)
    _status(store, kept, "completed")
    moved = _order(store, account, product, quantity=3)
    _status(store, moved, "processing")
    assert _stats(store, account).total_spent == 999 + 2997
    _status(store, moved, ending)
    stats = _stats(store, account)
    assert (stats.orders_count, stats.paid_orders_count, stats.total_spent) == (2, 1, 999)
    assert stats.last_order_id == moved
    assert [d.order_id for d in _downloads(store, account)] == [kept]


def test_trash_and_delete_take_the_order_out_of_the_figures(store: Store) -> None:
    product, account = _product(store), _account(store)
    first = _order(store, account, product, quantity=1)
    second = _order(store, account, product, quantity=1)
    _status(store, second, "completed")
    with store.write() as unit:
        service.delete(unit, second, force=False)
    stats = _stats(store, account)
    assert (stats.orders_count, stats.total_spent, stats.last_order_id, stats.is_paying) == (
        1,
        0,
        first,
        True,
    )
    with store.read() as unit:
        assert service.require(unit, second).status == "trash"
        assert [o.id for o in service.page(unit, OrderQuery())[0]] == [first]
        assert [o.id for o in service.page(unit, OrderQuery(statuses=("trash",)))[0]] == [second]
    with pytest.raises(Invalid) as caught, store.write() as unit:
        service.delete(unit, second, force=False)
    assert caught.value.reason == "already_trashed"
    with store.write() as unit:
        service.delete(unit, first, force=True)
    stats = _stats(store, account)
    assert (stats.orders_count, stats.last_order_id, stats.first_order_at) == (0, None, None)
    with pytest.raises(NotFound), store.write() as unit:
        service.delete(unit, first, force=True)


def test_an_order_changing_hands_moves_its_figures_and_downloads(store: Store) -> None:
    product = _product(store)
    john, jane = _account(store), _account(store, "jane@example.com")
    order_id = _order(store, john, product)
    _status(store, order_id, "processing")
    with store.write() as unit:
        service.update(
            unit, order_id, OrderChange(customer=jane, billing={"email": "jane@example.com"}), decimals=2
        )
    assert (_stats(store, john).orders_count, _stats(store, john).total_spent) == (0, 0)
    assert (_stats(store, jane).orders_count, _stats(store, jane).total_spent) == (1, 1998)
    assert _downloads(store, john) == []
    assert [d.user_email for d in _downloads(store, jane)] == ["jane@example.com"]
    with store.write() as unit:
        service.update(unit, order_id, OrderChange(customer=0), decimals=2)
        assert service.require(unit, order_id).customer_id is None
    assert _stats(store, jane).orders_count == 0


def test_an_account_without_a_customer_record_gets_one_on_its_first_order(store: Store) -> None:
    product = _product(store)
    with store.write() as unit:
        staff = unit.accounts.insert(
            username="boss", email="boss@example.com", role="shop_manager", now=now(), password_hash=None
        )
    order_id = _order(store, staff, product)
    with store.read() as unit:
        record = unit.customers.by_account(staff)
        assert record is not None and record.email == "boss@example.com"
        assert service.require(unit, order_id).customer_id == record.id
    assert _stats(store, staff).orders_count == 1


def test_guest_orders_belong_to_no_one(store: Store) -> None:
    product = _product(store)
    order_id = _order(store, None, product)
    _status(store, order_id, "completed")
    with store.read() as unit:
        order = service.require(unit, order_id)
        assert order.customer_id is None and order.account_id is None
        assert [o.id for o in service.page(unit, OrderQuery(account_id=0))[0]] == [order_id]


def test_set_paid_completes_payment_and_makes_a_paying_customer(store: Store) -> None:
    product, account = _product(store), _account(store)
    order_id = _order(store, account, product, set_paid=True, transaction_id="tx-9")
    with store.read() as unit:
        order = service.require(unit, order_id)
    assert (order.status, order.transaction_id) == ("completed", "tx-9") and order.paid_at is not None
    stats = _stats(store, account)
    assert stats.is_paying and stats.total_spent == 1998
    assert len(_downloads(store, account)) == 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (OrderChange(customer=987654), "invalid_customer"),
        (OrderChange(line_items=[LineChange(quantity=1)]), "product_required"),
        (OrderChange(line_items=[LineChange(product_id=987654)]), "invalid_product"),
        (OrderChange(billing={"email": "nope"}), "invalid_billing_email"),
        (OrderChange(parent_id=987654), "invalid_parent"),
        (OrderChange(line_items=[LineChange(id=987654, quantity=1)]), "invalid_item_id"),
        (OrderChange(shipping_lines=[LineChange(name="Flat")]), "shipping_method_required"),
        (OrderChange(fee_lines=[LineChange(total="1.00")]), "fee_name_required"),
        (OrderChange(coupon_lines=[LineChange(name="")]), "coupon_required"),
        (OrderChange(line_items=[LineChange(product_id=1, total="lots")]), "invalid_amount"),
    ],
)
def test_bad_orders_are_refused_and_nothing_is_stored(store: Store, change: OrderChange, reason: str) -> None:
    assert _product(store) == 1
    account = _account(store)
    with pytest.raises(Invalid) as caught, store.write() as unit:
        service.create(unit, change, **MONEY)
    assert caught.value.reason == reason
    with store.read() as unit:
        assert service.page(unit, OrderQuery())[1] == 0
    assert _stats(store, account).orders_count == 0


def test_lines_are_priced_changed_and_removed(store: Store) -> None:
    product = _product(store)
    change = OrderChange(
        line_items=[LineChange(product_id=product, quantity=2), LineChange(product_id=product, total="1.00")],
        shipping_lines=[LineChange(name="Flat rate", total="5.00", data={"method_id": "flat_rate"})],
        fee_lines=[LineChange(name="Wrapping", total="1.50")],
        coupon_lines=[LineChange(name="welcome")],
    )
    with store.write() as unit:
        order = service.create(unit, change, **MONEY)
    first, second = order.line_items
    assert (first.total, second.total, second.quantity) == (1998, 100, 1)
    assert order.total == 1998 + 100 + 500 + 150 and order.shipping_total == 500
    assert [(c.name, c.total) for c in order.coupon_lines] == [("welcome", 0)]
    assert order.shipping_lines[0].data["method_id"] == "flat_rate"
    update = OrderChange(
        line_items=[LineChange(id=first.id, quantity=3), LineChange(id=second.id, remove=True)],
        shipping_lines=[LineChange(id=order.shipping_lines[0].id, total="7.00")],
        coupon_lines=[],
    )
    with store.write() as unit:
        order = service.update(unit, order.id, update, decimals=2)
    assert [(i.id, i.quantity, i.total) for i in order.line_items] == [(first.id, 3, 2997)]
    assert order.coupon_lines == [] and order.total == 2997 + 700 + 150


def test_orders_are_listed_by_customer_status_date_product_and_page(store: Store) -> None:
    product, other = _product(store), _product(store, ProductChange(name="Mug", regular_price="4"))
    john, jane = _account(store), _account(store, "jane@example.com")
    ids = [_order(store, john, product), _order(store, jane, product), _order(store, john, other)]
    _status(store, ids[2], "completed")
    with store.read() as unit:

        def found(**query) -> list[int]:
            return [o.id for o in service.page(unit, OrderQuery(**query))[0]]

        assert found() == ids[::-1]
        assert found(account_id=john) == [ids[2], ids[0]]
        assert found(statuses=("completed",)) == [ids[2]]
        assert found(product_id=other) == [ids[2]]
        assert found(descending=False, limit=2) == ids[:2]
        assert found(descending=False, limit=2, offset=2) == ids[2:]
        assert found(orderby="include", include=(ids[1], ids[0])) == [ids[1], ids[0]]
        assert found(created_after=now() + timedelta(minutes=5)) == []
        assert service.page(unit, OrderQuery(limit=1))[1] == 3
        assert [o.id for o in service.for_customer(unit, unit.customers.by_account(john).id)] == [
            ids[2],
            ids[0],
        ]


def test_products_slugs_skus_sales_and_trash(store: Store) -> None:
    with store.write() as unit:
        first = product_service.create(unit, ProductChange(name="E-book", sku="EB-1"), decimals=2)
        second = product_service.create(unit, ProductChange(name="E-book"), decimals=2)
        draft = product_service.create(unit, ProductChange(name="Soon", status="draft"), decimals=2)
        assert (first.slug, second.slug, draft.slug) == ("e-book", "e-book-2", "")
        published = product_service.update(
            unit, draft.id, ProductChange(status="publish", regular_price=" 4.50 "), decimals=2
        )
        assert published.slug == "soon" and published.regular_price == "4.50"
        assert (
            product_service.update(
                unit, first.id, ProductChange(regular_price="free"), decimals=2
            ).regular_price
            == ""
        )
    with pytest.raises(Conflict) as caught, store.write() as unit:
        product_service.create(unit, ProductChange(name="Copy", sku="EB-1"), decimals=2)
    assert caught.value.detail == {"resource_id": first.id}
    order_id = _order(store, None, published.id, quantity=3)
    _status(store, order_id, "processing")
    with store.write() as unit:
        assert unit.products.sales([published.id, first.id]) == {published.id: 3}
        product_service.delete(unit, first.id, force=False)
        assert [
            p.id for p in product_service.page(unit, ProductQuery(orderby="id", descending=False))[0]
        ] == [
            second.id,
            draft.id,
        ]
        with pytest.raises(Invalid):
            product_service.delete(unit, first.id, force=False)
        product_service.delete(unit, first.id, force=True)
        assert product_service.get(unit, first.id) is None
        assert [p.id for p in product_service.page(unit, ProductQuery(search="SOO"))[0]] == [draft.id]


def test_concurrent_orders_for_one_customer_are_all_counted(store: Store) -> None:
    """Figures are recomputed under a lock on the customer: no order is lost between two writers."""
    product, account = _product(store), _account(store)
    errors: list[BaseException] = []

    def buy() -> None:
        try:
            for _ in range(3):
                order_id = _order(store, account, product, quantity=1)
                _status(store, order_id, "processing")
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=buy) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    stats = _stats(store, account)
    assert (stats.orders_count, stats.paid_orders_count, stats.total_spent) == (12, 12, 12 * 999)
    with store.read() as unit:
        newest = service.page(unit, OrderQuery(orderby="id"))[0][0]
    assert stats.last_order_id == newest.id


def test_orders_outlive_their_customer_and_stamp_the_last_active_day(store: Store) -> None:
    product, account = _product(store), _account(store)
    first = _order(store, account, product)
    _order(store, account, product)
    with store.read() as unit:
        stamps = [m for m in profiles.require(unit, account).account.meta if m.key == "wc_last_active"]
    midnight = datetime.combine(now().date(), time(), tzinfo=UTC)
    assert len(stamps) == 1 and stamps[0].value == str(int(midnight.timestamp()))
    _status(store, first, "processing")
    with store.write() as unit:
        profiles.delete(unit, account)
    with store.read() as unit:
        order = service.require(unit, first)
        assert (order.customer_id, order.account_id, order.total) == (None, None, 1998)
        assert service.page(unit, OrderQuery(account_id=0))[1] == 2


def test_migration_0007_backfills_paid_order_dates_and_widens_downloads_remaining(store: Store) -> None:
    """Upgraded stores get FluentCart's purchase dates from the paid orders they already hold, and room for
    a limit times a quantity in each permission."""
    product, account = _product(store), _account(store)
    pending, paid, refunded = (_order(store, account, product) for _ in range(3))
    for order_id, status in ((paid, "processing"), (refunded, "completed"), (refunded, "refunded")):
        _status(store, order_id, status)
    with store.read() as unit:
        created = {
            o.id: o.created_at
            for o in service.for_customer(unit, profiles.require(unit, account).customer.id)
        }
    config = migrate._config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007_customer_location_sorts")
        command.upgrade(config, "0008_paid_order_dates")
    stats = _stats(store, account)
    assert (stats.first_paid_order_at, stats.last_paid_order_at) == (created[paid], created[paid])
    assert (stats.first_order_at, stats.last_order_id) == (created[pending], refunded)
    with store.write() as unit:
        unit.connection.execute(update(download_permissions).values(downloads_remaining=2**31 * 5))
    assert {d.downloads_remaining for d in _downloads(store, account)} == {2**31 * 5}
