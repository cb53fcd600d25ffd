"""The order, product and download rules on their own: money, status transitions, grants, meta, slugs."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from regulars.domain.downloads import grants_for
from regulars.domain.errors import Invalid
from regulars.domain.orders import (
    LineItem,
    Order,
    decimal_text,
    merge_meta,
    minor_units,
    new_order_key,
    paid,
    with_status,
)
from regulars.domain.products import DownloadFile, Product, files_from, slugify, unique_slug

NOON = datetime(2026, 11, 23, 12, 30, 5)


def order(status: str = "pending", **extra: object) -> Order:
    return Order(
        id=7,
        order_key="wc_order_abc",
        status=status,
        currency="USD",
        total=1998,
        customer_id=3,
        created_at=NOON,
        modified_at=NOON,
        billing={"email": "a@example.com"},
        line_items=[LineItem(1, 10, "E-book", 2, 1998, 1998)],
        **extra,  # type: ignore[arg-type]
    )


def ebook(**extra: object) -> Product:
    values: dict = {
        "id": 10,
        "name": "E-book",
        "slug": "e-book",
        "created_at": NOON,
        "modified_at": NOON,
        "regular_price": "9.99",
        "downloadable": True,
        "virtual": True,
        "download_limit": 5,
        "download_expiry": 30,
        "downloads": [DownloadFile("f-1", "PDF", "https://example.com/a.pdf")],
    }
    values.update(extra)
    return Product(**values)


@pytest.mark.parametrize(
    ("sent", "minor"),
    [
        ("9.99", 999),
        (9.99, 999),
        ("19.985", 1999),
        ("0.004", 0),
        ("", 0),
        (None, 0),
        ("-1.5", -150),
        (3, 300),
    ],
)
def test_amounts_become_minor_units_rounded_half_up(sent: object, minor: int) -> None:
    assert minor_units(sent, 2) == minor


@pytest.mark.parametrize("sent", ["abc", "1,5", "nan", "inf"])
def test_amounts_that_are_not_numbers_are_refused(sent: str) -> None:
    with pytest.raises(Invalid) as caught:
        minor_units(sent, 2, "line_items.total")
    assert caught.value.reason == "invalid_amount" and caught.value.field == "line_items.total"


@pytest.mark.parametrize(("minor", "text"), [(1998, "19.98"), (0, "0.00"), (5, "0.05"), (-150, "-1.50")])
def test_minor_units_print_as_woocommerce_money(minor: int, text: str) -> None:
    assert decimal_text(minor, 2) == text
    assert decimal_text(1234, 0) == "1234"


def test_order_keys_look_like_woocommerce_keys() -> None:
    key = new_order_key()
    assert key.startswith("wc_order_") and len(key) == 22 and key[9:].isalnum()
    assert new_order_key() != key


def test_processing_is_paid_only_for_orders_that_need_processing() -> None:
    later = NOON + timedelta(hours=1)
    physical = with_status(order(), "processing", later, needs_processing=True)
    assert physical.status == "processing" and physical.paid_at == later and physical.completed_at is None
    download = with_status(order(), "processing", later, needs_processing=False)
    assert download.paid_at is None and download.completed_at is None


def test_completion_sets_both_dates_and_they_are_never_cleared() -> None:
    done = with_status(order(), "completed", NOON, needs_processing=False)
    assert done.paid_at == NOON and done.completed_at == NOON
    refunded = with_status(done, "refunded", NOON + timedelta(days=1), needs_processing=False)
    assert refunded.paid_at == NOON and refunded.completed_at == NOON
    again = with_status(done, "completed", NOON + timedelta(days=2), needs_processing=False)
    assert again.completed_at == NOON  # already completed: no new date


def test_payment_completes_a_payable_order_only() -> None:
    settled = paid(order(), NOON, needs_processing=True, transaction_id="tx-1")
    assert (settled.status, settled.paid_at, settled.transaction_id) == ("processing", NOON, "tx-1")
    virtual = paid(order(), NOON, needs_processing=False, transaction_id=None)
    assert virtual.status == "completed" and virtual.paid_at == NOON and virtual.transaction_id == ""
    finished = order("completed")
    assert paid(finished, NOON, needs_processing=True, transaction_id="x") is finished


def test_order_figures() -> None:
    o = order(
        shipping_lines=[LineItem(2, 0, "Flat", 1, 500, 500, kind="shipping")],
        fee_lines=[LineItem(3, 0, "Wrap", 1, 150, 150, kind="fee")],
    )
    o.line_items = [LineItem(1, 10, "E-book", 2, 1998, 1800)]
    assert o.subtotal == 1998 and o.discount_total == 198 and o.shipping_total == 500
    assert o.item_count == 2 and o.calculated_total() == 1800 + 500 + 150
    assert [line.id for line in o.lines] == [1, 2, 3]
    assert o.needs_payment and o.is_editable and not o.is_paid and o.number == "7"
    assert order("processing").is_paid and not order("processing").needs_payment


def test_grants_multiply_the_limit_by_the_quantity_and_expire_from_now() -> None:
    grants = grants_for(order("processing"), {10: ebook()}, NOON)
    assert len(grants) == 1
    g = grants[0]
    assert (g.download_id, g.product_id, g.order_id, g.order_key) == ("f-1", 10, 7, "wc_order_abc")
    assert (g.customer_id, g.user_email, g.downloads_remaining) == (3, "a@example.com", 10)
    assert g.access_granted == NOON and g.access_expires == NOON + timedelta(days=30)


def test_grants_expire_from_the_completion_day_and_may_be_unlimited() -> None:
    done = order("completed", completed_at=NOON)
    g = grants_for(done, {10: ebook(download_limit=-1, download_expiry=-1)}, NOON)[0]
    assert g.downloads_remaining is None and g.access_expires is None
    g = grants_for(done, {10: ebook()}, NOON + timedelta(hours=3))[0]
    assert g.access_expires == datetime(2026, 12, 23, 0, 0, 0)


def test_an_expiry_past_what_a_date_holds_ends_on_the_last_day_there_is() -> None:
    g = grants_for(order("processing"), {10: ebook(download_expiry=2**31 - 1)}, NOON)[0]
    assert g.access_expires is not None and datetime.max - g.access_expires < timedelta(days=1)


@pytest.mark.parametrize("sent", ["1e30", "92233720368547758.075", "-1e19", "9999999999999999999999"])
def test_amounts_the_store_cannot_hold_are_refused_with_its_bounds(sent: str) -> None:
    with pytest.raises(Invalid) as caught:
        minor_units(sent, 2, "fee_lines.total")
    assert (caught.value.reason, caught.value.field) == ("out_of_range", "fee_lines.total")
    assert caught.value.detail == {"minimum": "-92233720368547758.08", "maximum": "92233720368547758.07"}
    assert minor_units("92233720368547758.07", 2) == 2**63 - 1
    assert minor_units("-92233720368547758.08", 2) == -(2**63)


def test_only_downloadable_products_grant() -> None:
    assert grants_for(order("processing"), {10: ebook(downloadable=False)}, NOON) == []
    assert grants_for(order("processing"), {}, NOON) == []
    two_files = ebook(
        downloads=[DownloadFile("a", "A", "https://x/a"), DownloadFile("b", "B", "https://x/b")]
    )
    assert [g.download_id for g in grants_for(order("processing"), {10: two_files}, NOON)] == ["a", "b"]


def test_meta_merges_as_woocommerce_updates_meta() -> None:
    meta = merge_meta([], [{"key": "gift", "value": "yes"}, {"key": "note", "value": "x"}])
    assert meta == [{"id": 1, "key": "gift", "value": "yes"}, {"id": 2, "key": "note", "value": "x"}]
    meta = merge_meta(meta, [{"id": 2, "key": "note", "value": "y"}, {"key": "gift", "value": "no"}])
    assert meta == [{"id": 1, "key": "gift", "value": "no"}, {"id": 2, "key": "note", "value": "y"}]
    meta = merge_meta(meta, [{"key": "gift", "value": None}, {"key": "", "value": "ignored"}, {"value": 1}])
    assert meta == [{"id": 2, "key": "note", "value": "y"}]
    assert merge_meta(meta, [{"key": "new", "value": 0}])[-1] == {"id": 3, "key": "new", "value": 0}


def test_products_price_and_sale() -> None:
    assert ebook().price == "9.99" and not ebook().on_sale
    sale = ebook(sale_price="5")
    assert sale.on_sale and sale.price == "5"
    assert not ebook(sale_price="12").on_sale and ebook(sale_price="12").price == "9.99"
    assert ebook(regular_price="", sale_price="3").price == "3"
    assert not ebook().needs_processing and ebook(virtual=False).needs_processing


def test_slugs_and_files() -> None:
    assert slugify("E-book") == "e-book" and slugify("Café  Crème – Deluxe!") == "cafe-creme-deluxe"
    assert unique_slug("e-book", set()) == "e-book"
    assert unique_slug("e-book", {"e-book", "e-book-2"}) == "e-book-3"
    files = files_from(
        [{"name": "", "file": "https://example.com/files/book.pdf"}, {"file": ""}, {"id": "k", "file": "x"}]
    )
    assert [f.name for f in files] == ["book.pdf", "x"]
    assert len(files[0].id) == 36 and files[1].id == "k"
