"""A page of a list, its ids chosen before any row is read.

The ids come from an index that holds the list's filter and sort, so a deep offset skips index entries,
not rows; only the page's rows are read afterwards. A search counts its matches in that same pass (a
window count over its candidates), so its candidates are looked up once per page, not twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select


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
