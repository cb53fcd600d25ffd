"""The domain's text limits are the store's column widths, so a value the domain accepts always fits."""

from __future__ import annotations

import pytest
from sqlalchemy import Table

from regulars.domain import limits
from regulars.domain.errors import Invalid
from regulars.domain.products import slugify, unique_slug
from regulars.store import tables


@pytest.mark.parametrize(
    ("table", "widths"),
    [
        (tables.accounts, limits.ACCOUNT),
        (tables.customers, limits.CUSTOMER),
        (tables.addresses, limits.ADDRESS),
        (tables.orders, limits.ORDER),
        (tables.products, limits.PRODUCT),
        (tables.account_meta, {"meta_key": limits.META_KEY}),
        (tables.order_items, {"name": limits.ORDER_LINE_NAME}),
        (tables.products, {"slug": limits.SLUG}),
    ],
)
def test_limits_are_the_column_widths(table: Table, widths: dict[str, int]) -> None:
    assert {name: table.c[name].type.length for name in widths} == widths


def test_a_longer_text_is_refused_naming_its_field_and_limit() -> None:
    limits.check_all({"city": "x" * 192, "state": None}, limits.ADDRESS, "billing.")
    with pytest.raises(Invalid) as refused:
        limits.check_all({"city": "x" * 193}, limits.ADDRESS, "billing.")
    assert (refused.value.reason, refused.value.field, refused.value.detail) == (
        "too_long",
        "billing.city",
        {"limit": 192},
    )


def test_slugs_are_cut_to_their_width_suffix_included() -> None:
    base = slugify("word " * 100)
    assert len(base) == limits.SLUG - 1 and not base.endswith("-")  # "word-" cut at 200, dash dropped
    assert unique_slug(base, set()) == base
    suffixed = unique_slug(base, {base})
    assert suffixed.endswith("-2") and len(suffixed) <= limits.SLUG
    assert unique_slug(base, {base, suffixed}).endswith("-3")
