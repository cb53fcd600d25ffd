"""The rules a search term follows on every store engine: WordPress's wildcards, what a term too short for
trigrams still finds, and the extended search's fields."""

from __future__ import annotations

import pytest

from regulars.domain.search import ANYWHERE, END, EXACT, PROFILE_FIELDS, START, Needle, extended


@pytest.mark.parametrize(
    ("term", "needle"),
    [
        ("*lein*", Needle("lein", ANYWHERE)),
        ("mary*", Needle("mary", START)),
        ("*@example.com", Needle("@example.com", END)),
        ("jk", Needle("jk", EXACT)),
        ("*", Needle("", ANYWHERE)),
    ],
)
def test_wordpress_wildcards_say_where_the_term_sits(term: str, needle: Needle) -> None:
    assert Needle.wildcards(term) == needle


@pytest.mark.parametrize(
    ("needle", "served"),
    [
        (Needle("lein", ANYWHERE), Needle("lein", ANYWHERE)),  # long enough: as asked
        (Needle("kle", END), Needle("kle", END)),
        (Needle("kl", ANYWHERE), Needle("kl", START)),  # too short: from the start of a value
        (Needle("kl", START), Needle("kl", START)),
        (Needle("kl", END), Needle("kl", EXACT)),  # an end-anchored short term: the whole value
        (Needle("k", EXACT), Needle("k", EXACT)),
    ],
)
def test_a_term_too_short_for_trigrams_is_served_from_the_start(needle: Needle, served: Needle) -> None:
    assert needle.served() == served


def test_extended_search_looks_everywhere_and_at_ids_for_numbers() -> None:
    assert extended("klein") == ("*klein*", PROFILE_FIELDS)
    assert extended("*kle*") == ("*kle*", PROFILE_FIELDS)  # wildcards mean nothing more there
    assert extended("912") == ("*912*", (*PROFILE_FIELDS, "id"))
    assert set(PROFILE_FIELDS) == {"username", "email", "display_name", "name", "phone"}
