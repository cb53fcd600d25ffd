"""The file dialect's reading rules without a database: its shortcut past WordPress's argument checks
must never let through, or change, anything those checks would refuse or rewrite."""

from __future__ import annotations

import copy
import csv
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regulars.dialects import wc_file
from regulars.dialects.wc_rest_schema import endpoint_args
from regulars.dialects.wordpress import RestError, checked_args
from regulars.domain.customers import ProfileChange

ARGS = endpoint_args("v3", creating=True)
texts = st.one_of(
    st.text(max_size=6), st.sampled_from(["", "a@b.co", "john@example.com", "bad", "1", "true"])
)
emails = st.sampled_from(["a@b.co", "john@example.com", "", "bad", "x@y"])
scalars = st.one_of(
    texts,
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=4,
)


def mostly(common: st.SearchStrategy, rare: st.SearchStrategy) -> st.SearchStrategy:
    """Lines are mostly well formed (nine in ten values); the odd value of any type keeps it honest."""
    return st.integers(0, 9).flatmap(lambda n: rare if n == 0 else common)


addresses = mostly(
    st.fixed_dictionaries(
        {},
        optional={
            "city": mostly(texts, scalars),
            "zip": mostly(texts, values),
            "email": mostly(emails, scalars),
        },
    ),
    values,
)
meta_items = mostly(
    st.fixed_dictionaries(
        {"key": mostly(st.text(max_size=4), values)},
        optional={
            "value": mostly(texts, values),
            "id": mostly(st.integers(-(2**60), 2**60) | st.integers(2**53 - 3, 2**53 + 3), values),
        },
    ),
    values,
)
items = st.fixed_dictionaries(
    {"email": mostly(texts, scalars)},
    optional={
        "first_name": mostly(texts, scalars),
        "username": mostly(texts, scalars),
        "password": mostly(texts, scalars),
        "billing": addresses,
        "shipping": addresses,
        "meta_data": mostly(st.lists(meta_items, max_size=3), values),
        "role": scalars,
    },
)


def assert_shortcut_is_safe(item: dict[str, Any]) -> None:
    if not wc_file.plain(item):
        return
    checked = copy.deepcopy(item)
    assert item.get("email") is not None
    try:
        checked_args(checked, ARGS)
    except RestError as exc:  # pragma: no cover - the property is that this never happens
        raise AssertionError(f"plain() let through what WordPress refuses: {exc.body()}") from exc
    assert checked == item


@settings(max_examples=1500, deadline=None)
@given(items)
def test_plain_items_pass_the_full_checks_unchanged(item: dict[str, Any]) -> None:
    assert_shortcut_is_safe(item)


@settings(max_examples=1500, deadline=None)
@given(meta_items, addresses)
def test_plain_meta_items_and_addresses_pass_the_full_checks_unchanged(entry: Any, billing: Any) -> None:
    assert_shortcut_is_safe({"email": "a@b.co", "billing": billing, "meta_data": [entry]})


def test_common_lines_take_the_shortcut() -> None:
    line = {
        "email": "ana@example.com",
        "first_name": "Ana",
        "billing": {"city": "Porto", "email": "ana@example.com"},
        "shipping": {"city": "Porto"},
        "meta_data": [{"id": 12, "key": "tier", "value": "gold"}],
        "role": "customer",
        "is_paying_customer": False,
    }
    assert wc_file.plain(line)
    assert not wc_file.plain({**line, "meta_data": [{"key": "n", "value": 5}]})  # WordPress makes it 5.0
    assert not wc_file.plain({**line, "billing": {"email": "nope"}})


def test_empty_address_fields_count_as_not_sent() -> None:
    change = wc_file.change_for(
        {"email": "ana@example.com", "billing": {"email": "", "city": "Porto", "phone": None}}
    )
    assert isinstance(change, ProfileChange) and change.billing == {"city": "Porto"}


def test_csv_cells_unflatten_to_the_rest_body() -> None:
    row = dict.fromkeys(wc_file.CSV_COLUMNS, "")
    row.update(
        email="ana@example.com",
        billing_city="Porto",
        shipping_phone="123",
        password="pw",
        meta_data='[{"key":"k","value":"v"}]',
    )
    text = io.StringIO(newline="")
    csv.writer(text).writerows([wc_file.CSV_COLUMNS, [row[name] for name in wc_file.CSV_COLUMNS]])
    (line,) = wc_file.read(io.BytesIO(text.getvalue().encode()), "csv")
    assert line.number == 2
    change = line.item
    assert isinstance(change, ProfileChange)
    assert (change.email, change.password, change.username) == ("ana@example.com", "pw", "")
    assert change.billing == {"city": "Porto"} and change.shipping == {"phone": "123"}
    assert change.meta is not None and [(m.key, m.value) for m in change.meta] == [("k", "v")]
    assert "password" not in wc_file.rejection(2, RestError("x", "y", 400), line.raw)["input"]


def test_a_csv_without_an_email_column_is_refused_as_a_whole() -> None:
    with pytest.raises(wc_file.FileError, match="no email column"):
        list(wc_file.read(io.BytesIO(b"mail,first_name\nana@example.com,Ana\n"), "csv"))


def test_formats_come_from_the_extension_unless_named() -> None:
    assert wc_file.format_of(Path("a.NDJSON"), None) == "jsonl"
    assert wc_file.format_of(Path("a.csv"), None) == "csv"
    assert wc_file.format_of(Path("a.txt"), "CSV") == "csv"
    for path, named in ((Path("a.txt"), None), (Path("a.csv"), "xml")):
        with pytest.raises(wc_file.FileError, match="--format"):
            wc_file.format_of(path, named)
