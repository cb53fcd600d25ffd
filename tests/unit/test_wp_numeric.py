"""WordPress's numeric checks are PHP 8's is_numeric: what it accepts float() reads, what it refuses stays
refused (a stray control character once passed the check and then broke the conversion)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regulars.dialects.wp_schema import is_integer, is_numeric

# The reference, spelled as PHP's scanner spells its numbers (LNUM, DNUM, EXPONENT_DNUM) around the
# whitespace _is_numeric_string_ex skips before and, since PHP 8, after.
LNUM = "[0-9]+"
DNUM = rf"(?:[0-9]*\.{LNUM}|{LNUM}\.[0-9]*)"
EXPONENT_DNUM = rf"(?:(?:{LNUM}|{DNUM})[eE][+-]?{LNUM})"
WHITESPACE = "[ \t\n\r\v\f]*"
PHP_NUMERIC = re.compile(rf"{WHITESPACE}[+-]?(?:{EXPONENT_DNUM}|{DNUM}|{LNUM}){WHITESPACE}")


@pytest.mark.parametrize(
    "text",
    ["0", "-1", "+1", "1.", ".5", "1.5e3", "1E-3", "-.5e+2", " \t\n\r\v\f1", "1 \t\n\r\v\f", "007", "1e999"],
)
def test_what_php_calls_numeric(text: str) -> None:
    assert is_numeric(text)
    float(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        ".",
        "-",
        "+-1",
        "1e",
        "1e+",
        "e5",
        "0x1A",
        "0b1",
        "1_000",
        "inf",
        "-INF",
        "nan",
        "NAN",
        "0\x1f",
        "\x1c1",
        "1\x00",
        "1\x85",
        "\xa01",
        "1\u2003",
        "١٢",
        "1,5",
        "1 2",
        "1.2.3",
        "--1",
    ],
)
def test_what_php_does_not(text: str) -> None:
    assert not is_numeric(text)
    assert not is_integer(text)


def test_numbers_and_not_booleans() -> None:
    assert is_numeric(3) and is_numeric(2.5) and not is_numeric(True) and not is_numeric(None)
    assert is_integer("2.0") and is_integer(" 7 ") and not is_integer("2.5") and not is_integer("1e999")


pieces = st.sampled_from(
    [
        "0",
        "1",
        "9",
        "12",
        ".",
        "e",
        "E",
        "+",
        "-",
        " ",
        "\t",
        "\n",
        "\r",
        "\v",
        "\f",
        "\x1f",
        "\x00",
        "\xa0",
        "\x85",
        "x",
        "_",
        "inf",
        "nan",
        "١",
    ]
)


@given(st.lists(pieces, max_size=8).map("".join) | st.text(max_size=8))
def test_is_numeric_agrees_with_php_and_float_reads_what_it_accepts(text: str) -> None:
    assert is_numeric(text) == (PHP_NUMERIC.fullmatch(text) is not None)
    if is_numeric(text):
        assert float(text) == float(text.strip(" \t\n\r\v\f"))
        is_integer(text)  # never raises
