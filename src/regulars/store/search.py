"""Substring search served by an index, never by reading every row of a table.

SQLite: each searched table has an FTS5 table with the trigram tokenizer, `<table>_search`, whose
content is read through the view `<table>_search_source` and which triggers keep current on every
insert, update and delete (so every writer, bulk import included, keeps it right). A term is matched as
a phrase of trigrams, which is a substring match, case folded. PostgreSQL: pg_trgm GIN indexes on the
lowered values, queried with LIKE on the same lowered expressions. Migration 0004 creates both.

A term shorter than three characters has no trigram (domain/search.py): it finds the values beginning
with it, through the B-tree indexes on the lowered columns (SQLite) or the word-start trigrams the
GIN indexes hold (PostgreSQL). For a name that means the first or the last name beginning with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    String,
    Table,
    and_,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    true,
)

from regulars.domain.search import ANYWHERE, END, EXACT, START, Needle
from regulars.store.tables import accounts, addresses, customers

_TOP = 0x10FFFF  # the last code point: a prefix followed by it bounds every value with that prefix


def like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def full_name(source: Table) -> ColumnElement[str]:
    """First and last name as one value; spelled exactly as the indexes on it are."""
    return source.c.first_name + literal_column("' '") + source.c.last_name


@dataclass(frozen=True)
class Field:
    value: ColumnElement[str]  # what a term is looked for in
    starts: tuple[ColumnElement[str], ...]  # the values a short term must begin


@dataclass(frozen=True)
class Source:
    """A searched table: its fields, by the names its FTS5 table gives their columns."""

    table: Table
    fields: dict[str, Field]

    @property
    def index(self) -> str:
        return f"{self.table.name}_search"


def _plain(*columns: ColumnElement[str]) -> dict[str, Field]:
    return {c.key: Field(c, (c,)) for c in columns}


ACCOUNTS = Source(
    accounts,
    {
        **_plain(accounts.c.username, accounts.c.email, accounts.c.display_name),
        "name": Field(full_name(accounts), (accounts.c.first_name, accounts.c.last_name)),
    },
)
CUSTOMERS = Source(
    customers,
    {
        **_plain(customers.c.email, customers.c.phone),
        "name": Field(full_name(customers), (customers.c.first_name, customers.c.last_name)),
    },
)
ADDRESSES = Source(addresses, _plain(addresses.c.phone))


def _lowered(text: str) -> ColumnElement[str]:
    return func.lower(cast(literal(text), String))


def _pattern(needle: Needle) -> str:
    core = like_escape(needle.text)
    return {ANYWHERE: f"%{core}%", START: f"{core}%", END: f"%{core}", EXACT: core}[needle.anchor]


def _like(value: ColumnElement[str], pattern: str) -> ColumnElement[bool]:
    return func.lower(value).like(_lowered(pattern), escape="\\")


def _phrase(names: Sequence[str], text: str) -> str:
    """An FTS5 query: the text as one phrase (a substring, for trigrams) in the named columns."""
    quoted = text.replace('"', '""')
    return f'{{{" ".join(names)}}} : "{quoted}"'


def matching(source: Source, names: Sequence[str], needle: Needle, dialect: str) -> ColumnElement[bool]:
    """A condition on the source's table: one of the named fields holds the needle, found by an index."""
    needle = needle.served()
    fields = [source.fields[n] for n in names]
    if not fields:
        return false()
    if not needle.text:
        return true() if needle.anchor != EXACT else or_(*(f.value == "" for f in fields))
    if dialect == "sqlite":
        return _sqlite(source, names, fields, needle)
    return _postgresql(fields, needle)


def _sqlite(source: Source, names: Sequence[str], fields: list[Field], needle: Needle) -> ColumnElement[bool]:
    if needle.short:  # a prefix range (or equality) on each lowered column's B-tree index
        low = _lowered(needle.text)
        if needle.anchor == EXACT:
            return or_(*(func.lower(c) == low for f in fields for c in f.starts))
        return or_(
            *(
                and_(func.lower(c) >= low, func.lower(c) < low + func.char(_TOP))
                for f in fields
                for c in f.starts
            )
        )
    index = table(source.index, column("rowid"))
    found = select(index.c.rowid).where(literal_column(source.index).op("MATCH")(_phrase(names, needle.text)))
    candidates = source.table.c.id.in_(found)
    if needle.anchor == ANYWHERE:
        return candidates
    pattern = _pattern(needle)
    return and_(candidates, or_(*(_like(f.value, pattern) for f in fields)))


def _postgresql(fields: list[Field], needle: Needle) -> ColumnElement[bool]:
    pattern = _pattern(needle)
    if not needle.short:
        return or_(*(_like(f.value, pattern) for f in fields))
    clauses: list[ColumnElement[bool]] = []
    for f in fields:
        if f.starts == (f.value,):
            clauses.append(_like(f.value, pattern))
            continue
        # A value made of several (the full name): its GIN index finds where a word begins with the term,
        # then each part is checked.
        words = or_(_like(f.value, pattern), _like(f.value, f"% {pattern}"))
        clauses.append(and_(words, or_(*(_like(c, pattern) for c in f.starts))))
    return or_(*clauses)
