"""Hot-path queries: Core statements compiled once per database and run on the driver's cursor.

SQLAlchemy stays the query builder; what this saves is its per-execution machinery, which costs more
than the indexed lookup itself on every authenticated request. Results go through the same type
processors SQLAlchemy would apply (dates and JSON on SQLite), so rows read the same either way.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: tuple[str, ...] | None  # parameter order for qmark drivers; None for named
    processors: tuple[Callable[[Any], Any] | None, ...]
    row: type


class Prepared:
    """A SELECT whose parameters are plain ints and strings (bindparam names), compiled per dialect."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, connection: Connection) -> _Compiled:
        dialect = connection.dialect
        compiled = self.statement.compile(dialect=dialect)
        names = tuple(c.key for c in self.statement.selected_columns)
        processors = tuple(
            c.type.dialect_impl(dialect).result_processor(dialect, None)
            for c in self.statement.selected_columns
        )
        positional = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None
        prepared = _Compiled(compiled.string, positional, processors, namedtuple("Row", names, rename=True))
        self._compiled[dialect.name] = prepared
        return prepared

    def all(self, connection: Connection, **params: int | str) -> list[Any]:
        compiled = self._compiled.get(connection.dialect.name) or self._compile(connection)
        args: Any = (
            tuple(params[n] for n in compiled.positional) if compiled.positional is not None else params
        )
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(compiled.sql, args)
            raw = cursor.fetchall()
        finally:
            cursor.close()
        processors = compiled.processors
        if not any(processors):
            return [compiled.row(*r) for r in raw]
        return [compiled.row(*(p(v) if p else v for p, v in zip(processors, r, strict=True))) for r in raw]

    def first(self, connection: Connection, **params: int | str) -> Any | None:
        found = self.all(connection, **params)
        return found[0] if found else None
