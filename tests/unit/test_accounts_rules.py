"""Account rules that decide answers on the wire: emails, usernames, capabilities."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regulars.domain.accounts import (
    Account,
    is_email,
    is_valid_username,
    sanitize_username,
    username_candidate,
)
from regulars.domain.text import sanitize_text_field


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("john.doe@example.com", True),
        ("a@b.co", True),
        ("a@b", False),
        ("not-an-email", False),
        ("spaces in@example.com", False),
        ("x@-bad.com", False),
        ("x@bad..com", False),
        ("josé@example.com", False),
        ("o'brien+tag@example.org", True),
    ],
)
def test_is_email_follows_wordpress(value: str, valid: bool) -> None:
    assert is_email(value) is valid


def _wordpress_is_email(value: str) -> bool:
    """is_email() step by step as WordPress writes it (formatting.php), the oracle for the one-pattern
    rule above."""
    if len(value) < 6 or "@" not in value[1:]:
        return False
    local, _, domain = value.partition("@")
    if not re.match(r"^[a-zA-Z0-9!#$%&'*+/=?^_`{|}~.-]+$", local):
        return False
    if ".." in domain or domain.strip(" \t\n\r\0\x0b.") != domain:
        return False
    parts = domain.split(".")
    if len(parts) < 2:
        return False
    return all(
        p.strip(" \t\n\r\0\x0b-") == p and p != "" and re.match(r"^[a-z0-9-]+$", p, re.IGNORECASE)
        for p in parts
    )


_PIECE = st.text(alphabet=st.sampled_from("ab9-.@ \n+K\u212ae"), max_size=5)
# Mostly addresses of the shape local@label.label..., whose every piece may break a rule.
_EMAILISH = st.one_of(
    _PIECE,
    st.builds(
        lambda local, labels: f"{local}@{'.'.join(labels)}",
        _PIECE,
        st.lists(st.text(alphabet=st.sampled_from("ab9- \nK\u212a"), max_size=4), max_size=4),
    ),
)


@given(_EMAILISH)
def test_is_email_agrees_with_wordpress_step_by_step(value: str) -> None:
    assert is_email(value) is _wordpress_is_email(value)


@pytest.mark.parametrize(
    ("email", "username"),
    [
        ("minimal@example.com", "minimal"),
        ("info@shop.example.com", "shop.example.com"),
        ("sales@acme.test", "acme.test"),
        ("Mixed.Case@Example.COM", "mixed.case"),
        ("jose+promo@example.com", "josepromo"),
    ],
)
def test_username_candidates(email: str, username: str) -> None:
    assert username_candidate(email) == username


def test_usernames_are_sanitised_like_wordpress() -> None:
    assert sanitize_username("  José <b>Núñez</b> ") == "Jose Nunez"
    assert is_valid_username("john.doe") and not is_valid_username("john/doe") and not is_valid_username("")


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("  <b>Ana</b>\n  Lima\t%41 ", "Ana Lima"),
        ("<script>alert(1)</script>Bob", "Bob"),
        ("Jo<!-- hidden -->hn", "John"),
        ('<a title=">">Rua</a> Nova', "Rua Nova"),  # a ">" in quotes does not end the tag
        ("1 < 2 & 3", "1 &lt; 2 &amp; 3"),  # a stray "<" and what follows it are escaped
        ("a < b > c", "a < b > c"),  # "<" before a space opens no tag
        ("x <b", "x &lt;b"),
        ("Tom's &amp; Jerry's", "Tom's &amp; Jerry's"),  # no "<": nothing escaped
        ("x %20 y%2", "x y%2"),  # octets go, and the spaces they leave are collapsed
        ("%2%4141", "1"),  # removed until none is left: "%41" goes, then the "%24" it leaves
        ("Porto\r\n\r\nNorte", "Porto Norte"),
        ("\u00a0Ana\u00a0", "\u00a0Ana\u00a0"),  # PHP's trim leaves Unicode spaces
        ("Ana\udcff", ""),  # not UTF-8 (an undecodable octet): nothing is kept
    ],
)
def test_sanitize_text_field_as_wordpress(sent: str, kept: str) -> None:
    assert sanitize_text_field(sent) == kept


def _account(id_: int, role: str) -> Account:
    return Account(id_, f"u{id_}", f"u{id_}@example.com", role, datetime(2026, 1, 1))


def test_capabilities_and_edit_rules() -> None:
    admin, manager, customer, other_admin = (
        _account(1, "administrator"),
        _account(2, "shop_manager"),
        _account(3, "customer"),
        _account(4, "administrator"),
    )
    assert admin.may_edit(customer) and admin.may_edit(other_admin) and admin.may_delete(customer)
    assert manager.may_edit(customer) and manager.may_edit(manager)
    assert not manager.may_edit(other_admin) and not manager.may_delete(customer)
    assert not customer.may_edit(customer) and not customer.can("list_users")
