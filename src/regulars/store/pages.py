"""A page of a list, its ids chosen before any row is read.

The ids come from an index that holds the list's filter and sort, so a deep offset skips index entries,
not rows; only the page's rows are read afterwards.

A search finds its candidates once (`searched`): they are read from the search indexes once per request
(into the connection's own TEMP table on SQLite, a common table on PostgreSQL), then counted and the
page picked from them. Counting them needs no row of the table
when nothing else narrows the search, or when what does leaves out few rows (the rows `excluded` names,
read from an index and subtracted). Otherwise (`choose` with `counting`) a window count over the page's
query counts the candidates as they are checked, which looks up every candidate's row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Select,
    delete,
    distinct,
    func,
    insert,
    select,
)

from regulars.store import search
from regulars.store.tables import search_candidates


def choose(
    connection: Connection,
    key: ColumnElement[Any],
    where: Sequence[ColumnElement[bool]],
    order: Sequence[Any],
    limit: int,
    offset: int,
    *,
    counting: bool,
) -> tuple[list[int], int | None]:
    """The ids of one page in order, and (when counting) how many match in all; None when not counted
    or when the page lies past the end, where no row carries the count."""
    chosen = select(key, func.count().over()) if counting else select(key)
    chosen = chosen.where(*where).order_by(*order).limit(limit)
    if offset:
        chosen = chosen.offset(offset)
    rows = connection.execute(chosen).all()
    total = int(rows[0][1]) if counting and rows else None
    return [row[0] for row in rows], total


# How many times the entries an even spread would need a walk of the sort index may read and still beat
# sorting the candidates. Matches cluster: in the benchmark's million customers (bench/scale.py), where
# all who share a last name share a first name too, a walk by name for a fragment matching 5,000 of them
# read 10-20 times the entries an even spread needs (18-24 ms, against 5 ms to sort them); for 10,000
# and more, a walk took 0-2 ms, and sorting them 10-24 ms.
_WALK_MARGIN = 10


def _by_key(order: Sequence[Any], key: ColumnElement[Any]) -> bool:
    """Whether the order is the key's alone (ascending or descending)."""
    columns = []
    for term in order:
        while hasattr(term, "element"):  # asc(), desc(), nulls_first() ... around the column
            term = term.element
        columns.append(term)
    return all(column is key for column in columns)


def _distinct_ids(candidates: Select[Any] | CompoundSelect) -> Select[Any]:
    """The candidates' ids as one column, `id`, without NULLs (a customer record with no account)."""
    matched = candidates.subquery("matched").c[0]
    return select(matched.label("id")).where(matched.is_not(None))


def _total(found: Any, excluded: Select[Any] | None) -> Any:
    """How many distinct candidates `found` (a table or common table with an `id` column) holds, less
    those among the `excluded` rows."""
    total: Any = select(func.count(distinct(found.c.id))).scalar_subquery()
    if excluded is not None:
        left_out = select(func.count(distinct(found.c.id))).where(found.c.id.in_(excluded))
        total = total - left_out.scalar_subquery()
    return total


@dataclass(frozen=True)
class Search:
    """A page of a search: the ids the search finds (`candidates`, where an id may come twice), how many
    rows the other filters beside it keep (`scope`), the page's order, size and offset, those filters, and
    a select that reads from an index every row they leave out (required when there are any)."""

    candidates: Select[Any] | CompoundSelect
    scope: int
    order: Sequence[Any]
    limit: int
    offset: int
    beside: Sequence[ColumnElement[bool]] = ()
    excluded: Select[Any] | None = None

    def __post_init__(self) -> None:
        if self.beside and self.excluded is None:
            raise ValueError("a search narrowed by other filters needs the rows they exclude")

    def page(self, chosen: Select[Any]) -> Select[Any]:
        return chosen.order_by(*self.order).limit(self.limit).offset(self.offset or None)


def searched(connection: Connection, key: ColumnElement[Any], wanted: Search) -> tuple[list[int], int]:
    """The ids of a page of a search, in order, and its total."""
    if connection.dialect.name == "sqlite":
        return _searched_sqlite(connection, key, wanted)
    found = _distinct_ids(wanted.candidates).cte("candidates")
    chosen = select(key, _total(found, wanted.excluded)).where(
        search.within(key, [select(found.c.id)], "postgresql"), *wanted.beside
    )
    rows = connection.execute(wanted.page(chosen)).all()
    if not rows:  # past the end: no row carries the total
        return [], counted(connection, wanted.candidates, wanted.excluded)
    return [row[0] for row in rows], int(rows[0][1])


def _searched_sqlite(
    connection: Connection, key: ColumnElement[Any], wanted: Search
) -> tuple[list[int], int]:
    """The candidates are read from the search indexes once, into the connection's own table; counting
    them there costs no row of the store. How many there are chooses the page's plan: enough (about one
    in every `scope / total` rows), and the page comes sooner from walking the list's sort index and
    checking each entry against them; fewer, and they are looked up and sorted (about 1 us each). In id
    order they never need sorting: that table holds them in id order, and the page is read off it."""
    filling = insert(search_candidates).prefix_with("OR IGNORE")
    connection.execute(filling.from_select(["id"], _distinct_ids(wanted.candidates)))
    try:
        total = int(connection.execute(select(_total(search_candidates, wanted.excluded))).scalar_one())
        among = key.in_(select(search_candidates.c.id))
        # The index entries a walk reads if the candidates are spread evenly, times their count; allowed
        # a margin, since matches cluster in the sort order.
        walked = (wanted.offset + wanted.limit) * wanted.scope * _WALK_MARGIN
        if total and walked <= total * total and not _by_key(wanted.order, key):
            where = [search.beside(among, "sqlite"), *wanted.beside]
        else:
            where = [among, *(search.beside(c, "sqlite") for c in wanted.beside)]
        ids = list(connection.execute(wanted.page(select(key).where(*where))).scalars())
    finally:
        connection.execute(delete(search_candidates))
    return ids, total


def counted(
    connection: Connection, candidates: Select[Any] | CompoundSelect, excluded: Select[Any] | None = None
) -> int:
    """How many rows a search matches, counted as `searched` counts them."""
    found = _distinct_ids(candidates).cte("candidates")
    return int(connection.execute(select(_total(found, excluded))).scalar_one())
