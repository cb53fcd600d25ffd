"""The pure rules behind FluentCart's customers: names, id searches, averages, the address book."""

from __future__ import annotations

from datetime import datetime

import pytest

from regulars.domain.address_book import AddressBook, AddressChange, check_values
from regulars.domain.customer_records import IdCondition, average, id_condition, split_name
from regulars.domain.customers import Address
from regulars.domain.errors import Invalid, NotFound


@pytest.mark.parametrize(
    ("full", "parts"),
    [
        ("John Doe", ("John", "Doe")),
        ("Mary Ann  Smith", ("Mary Ann", "Smith")),
        ("Cher", ("Cher", "")),
        ("  ", ("", "")),
    ],
)
def test_full_names_split_on_the_last_space(full: str, parts: tuple[str, str]) -> None:
    assert split_name(full) == parts


@pytest.mark.parametrize(
    ("term", "condition"),
    [
        ("id=5", IdCondition("=", 5)),
        ("ID = 5", IdCondition("=", 5)),
        ("id!=5", IdCondition("!=", 5)),
        ("id>10", IdCondition(">", 10)),
        ("id>=10", IdCondition(">=", 10)),  # the plugin reads this as "> =10"; we read what was meant
        ("id<=3", IdCondition("<=", 3)),
        ("id::5-20", IdCondition("between", 5, 20)),
        ("id::20-5", IdCondition("between", 5, 20)),
        ("id::5", None),
        ("id=5-6", None),
        ("ltv>1000", None),
        ("john", None),
    ],
)
def test_id_search_operators(term: str, condition: IdCondition | None) -> None:
    assert id_condition(term) == condition


def test_average_rounds_half_up_in_cents() -> None:
    assert average(5000, 3) == 1667  # the seed's own example
    assert average(1000, 4) == 250
    assert average(5, 2) == 3
    assert average(0, 0) == 0


def _address(address_id: int, kind: str, primary: bool) -> Address:
    moment = datetime(2024, 1, 1)
    return Address(address_id, 1, kind, primary, created_at=moment, updated_at=moment)


def test_the_first_address_of_a_type_is_primary_and_later_ones_only_when_asked() -> None:
    book = AddressBook(1, [_address(1, "billing", True)])
    assert book.new_is_primary("shipping", None)
    assert not book.new_is_primary("billing", None)
    assert book.new_is_primary("billing", True)


def test_the_primary_and_the_last_address_stay() -> None:
    only = AddressBook(1, [_address(1, "billing", True)])
    with pytest.raises(Invalid) as caught:
        only.check_delete(only.addresses[0])
    assert caught.value.reason == "last_address"
    two = AddressBook(1, [_address(1, "billing", True), _address(2, "billing", False)])
    with pytest.raises(Invalid) as caught:
        two.check_delete(two.addresses[0])
    assert caught.value.reason == "primary_address"
    two.check_delete(two.addresses[1])


def test_addresses_are_found_only_in_their_own_book_and_type() -> None:
    book = AddressBook(1, [_address(1, "billing", True), _address(2, "shipping", True)])
    assert book.find(2).type == "shipping"
    with pytest.raises(NotFound):
        book.find(3)
    with pytest.raises(NotFound):
        book.find(2, "billing")


def test_a_primary_keeps_its_type_and_its_primacy() -> None:
    book = AddressBook(1, [_address(1, "billing", True), _address(2, "billing", False)])
    with pytest.raises(Invalid) as caught:
        book.check_change(book.addresses[0], AddressChange(type="shipping"))
    assert caught.value.reason == "primary_type_change"
    with pytest.raises(Invalid) as caught:
        book.check_change(book.addresses[0], AddressChange(primary=False))
    assert caught.value.reason == "primary_unset"
    moved = AddressChange(type="shipping")
    book.check_change(book.addresses[1], moved)
    assert book.becomes_primary(book.addresses[1], moved)  # no shipping primary yet
    assert book.becomes_primary(book.addresses[1], AddressChange(primary=True))
    assert not book.becomes_primary(book.addresses[1], AddressChange(values={"city": "X"}))


@pytest.mark.parametrize(
    ("change", "creating", "reason"),
    [
        (AddressChange(type="home"), False, "invalid_address_type"),
        (AddressChange(values={"first_name": "A", "city": "B", "country": "US"}), True, "required"),
        (AddressChange(values={"city": ""}), False, "required"),
        (AddressChange(values={"country": "USA"}), False, "invalid_country"),
        (AddressChange(values={"country": "XX"}), False, "invalid_country"),  # two letters, no country
        (AddressChange(values={"country": "UK"}), False, "invalid_country"),  # the United Kingdom is GB
        (AddressChange(values={"email": "nope"}), False, "invalid_email"),
        (AddressChange(values={"postcode": "1" * 33}), False, "too_long"),
    ],
)
def test_address_values_are_checked(change: AddressChange, creating: bool, reason: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_values(change, creating=creating)
    assert caught.value.reason == reason
