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
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    CompoundSelect,
    Connection,
    Select,
    String,
    Table,
    and_,
    any_,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    true,
    union_all,
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
    parts: tuple[ColumnElement[str], ...] = ()  # the columns a value made of several is made of

    @property
    def starts(self) -> tuple[ColumnElement[str], ...]:
        """The values a short term must begin: the value itself, or each of its parts."""
        return self.parts or (self.value,)


@dataclass(frozen=True)
class Source:
    """A searched table: its fields, by the names its FTS5 table gives their columns."""

    table: Table
    fields: dict[str, Field]

    @property
    def index(self) -> str:
        return f"{self.table.name}_search"


def _plain(*columns: ColumnElement[str]) -> dict[str, Field]:
    return {c.key: Field(c) for c in columns}


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
SOURCES = {source.table: source for source in (ACCOUNTS, CUSTOMERS, ADDRESSES)}


def index_range(connection: Connection, source: Source, first_id: int, last_id: int) -> None:
    """SQLite: add the rows first_id..last_id of the source's table, which a bulk writer wrote and the
    insert triggers left to it (migration 0010_bulk_writes), to its FTS5 table in one statement: several
    times faster than a trigger's insert per row, each of which FTS5 writes out as a segment of its own."""
    names = ", ".join(source.fields)
    connection.execute(
        text(
            f"INSERT INTO {source.index} (rowid, {names}) "  # noqa: S608 - names are this module's
            f"SELECT id, {names} FROM {source.index}_source WHERE id BETWEEN :first AND :last"
        ),
        {"first": first_id, "last": last_id},
    )


# FTS5's merge options (its 'automerge' and 'crisismerge'): FTS5's defaults, and what a large import sets
# while it writes. FTS5 writes each transaction's rows as a segment and, by default, merges segments four
# at a time as they pile up, so every row is merged again at each level the index grows through. Held
# off, a batch's segment stays as it is until one merge at the end: at a million rows that takes each
# FTS5 table's share of an import from 12.5 s to 6.3 s (4.0 s writing, 2.3 s merging). Meanwhile a search
# reads one segment per batch. 1999 is as many segments as FTS5 lets a level hold before it must merge.
_MERGING = {"automerge": 4, "crisismerge": 16}
_MERGES_HELD = {"automerge": 0, "crisismerge": 1999}


def _merge_options(connection: Connection, source: Source, options: dict[str, int]) -> None:
    for option, value in options.items():
        connection.execute(
            text(f"INSERT INTO {source.index} ({source.index}, rank) VALUES (:option, :value)"),  # noqa: S608
            {"option": option, "value": value},
        )


def hold_merges(connection: Connection, source: Source) -> None:
    """SQLite: leave the segments the coming transactions write unmerged (the setting is stored with the
    FTS5 table, in this transaction): see _MERGES_HELD."""
    _merge_options(connection, source, _MERGES_HELD)


def merge_held(connection: Connection, source: Source) -> None:
    """SQLite: merge every segment of the source's FTS5 table into one and merge as FTS5 does again."""
    connection.execute(text(f"INSERT INTO {source.index} ({source.index}) VALUES ('optimize')"))  # noqa: S608
    _merge_options(connection, source, _MERGING)


def merges_held(connection: Connection, source: Source) -> bool:
    """Whether the source's FTS5 table leaves its segments unmerged (hold_merges), as its options say."""
    found = connection.execute(
        text(f"SELECT v FROM {source.index}_config WHERE k = 'automerge'")  # noqa: S608
    ).scalar_one_or_none()
    return found == 0


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


def found(source: Source, names: Sequence[str], needle: Needle, dialect: str) -> Select[Any] | CompoundSelect:
    """The ids of the source's rows where one of the named fields holds the needle, each part of the
    answer read from an index."""
    needle = needle.served()
    fields = [source.fields[n] for n in names]
    table_id = source.table.c.id
    if not fields:
        return select(table_id).where(false())
    if not needle.text:
        everything = true() if needle.anchor != EXACT else or_(*(f.value == "" for f in fields))
        return select(table_id).where(everything)
    if dialect == "sqlite":
        return _sqlite(source, names, fields, needle)
    return _postgresql(source, fields, needle)


def within(
    column: ColumnElement[Any], parts: Sequence[Select[Any] | CompoundSelect], dialect: str
) -> ColumnElement[bool]:
    """The column's value is among the ids the parts select (a search's candidates). PostgreSQL gets
    them as `= ANY(ARRAY(...))`: found once, first, from the GIN indexes, then looked up one by one, however
    many rows the planner guesses a search matches (its guesses are rough, and a wrong one made it walk
    a whole index in the list's sort order instead)."""
    candidates = either(parts)
    if dialect == "postgresql":
        return column == any_(func.array(candidates.scalar_subquery()))
    return column.in_(candidates)


def either(parts: Sequence[Select[Any] | CompoundSelect]) -> Select[Any] | CompoundSelect:
    """One select of every part's ids (SQLite takes no compound select inside another)."""
    flat = [s for p in parts for s in (p.selects if isinstance(p, CompoundSelect) else [p])]
    return flat[0] if len(flat) == 1 else union_all(*flat)


def beside(condition: ColumnElement[bool], dialect: str) -> ColumnElement[bool]:
    """A filter applied beside a search. SQLite is told it holds for most rows, so its planner walks the
    search's candidates (as many as match) rather than this filter's index (as many as it holds)."""
    if dialect != "sqlite":
        return condition
    return func.likelihood(condition, literal_column("0.9"), type_=Boolean)


def _sqlite(
    source: Source, names: Sequence[str], fields: list[Field], needle: Needle
) -> Select[Any] | CompoundSelect:
    table_id = source.table.c.id
    if needle.short:  # a prefix range (or equality) on each lowered column's B-tree index
        low = _lowered(needle.text)
        starts = [c for f in fields for c in f.starts]
        if needle.anchor == EXACT:
            return either([select(table_id).where(func.lower(c) == low) for c in starts])
        high = low.concat(func.char(literal_column(str(_TOP))))
        ranges = (and_(func.lower(c) >= low, func.lower(c) < high) for c in starts)
        return either([select(table_id).where(r) for r in ranges])
    index = table(source.index, column("rowid"))
    phrase = _phrase(names, needle.text)
    matched = select(index.c.rowid).where(literal_column(source.index).op("MATCH")(phrase))
    if needle.anchor == ANYWHERE:
        return matched
    pattern = _pattern(needle)
    return select(table_id).where(table_id.in_(matched), or_(*(_like(f.value, pattern) for f in fields)))


def _postgresql(source: Source, fields: list[Field], needle: Needle) -> Select[Any]:
    """One select whose conditions PostgreSQL ORs together from its GIN indexes (a BitmapOr), so each
    candidate row is read once, however many of its fields hold the term."""
    pattern = _pattern(needle)
    conditions: list[ColumnElement[bool]] = []
    for f in fields:
        condition = _like(f.value, pattern)
        if needle.short and f.parts:
            # A value made of several (the full name): its GIN index finds where a word begins with the
            # term, then each part is checked.
            prefix = f"{like_escape(needle.text)}%"
            words = or_(_like(f.value, prefix), _like(f.value, f"% {prefix}"))
            condition = and_(words, or_(*(_like(c, pattern) for c in f.parts)))
        conditions.append(condition)
    return select(source.table.c.id).where(or_(*conditions))
