"""Hot-path queries: Core statements compiled once per database and run on the driver's cursor.

SQLAlchemy stays the query builder; what this saves is its per-execution machinery, which costs more
than the indexed lookup itself on every authenticated request. Results go through the same type
processors SQLAlchemy would apply (dates and JSON on SQLite), so rows read the same either way.
A joined lookup (`Prepared.joined`) reads several tables' rows in one round trip and hands back one
row per table, as separate lookups would, followed by any extra columns it selects.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import BigInteger, ColumnElement, Connection, FromClause, Select, Table, func, select
from sqlalchemy import bindparam as _bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.expression import ReturnsRows


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: tuple[str, ...] | None  # parameter order for qmark drivers; None for named
    converters: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column index, processor)
    rows: tuple[tuple[type, int, int], ...]  # per table: its row type and its slice of the columns
    # (parameter, processor): each value as SQLAlchemy would bind it
    binders: tuple[tuple[str, Callable[[Any], Any]], ...]
    fixed: dict[str, Any]  # the values the statement itself holds (literals in its SQL expressions)


Params = Any  # ints, strings, lists of ids (see `among`), or any value its column's type binds


def among(column: ColumnElement[Any], name: str, dialect: str) -> ColumnElement[bool]:
    """`column` is one of the ids of list parameter `name`, as one SQL text whatever the list's length
    (so the statement is compiled once): SQLite reads the ids from a JSON array, PostgreSQL from an array.
    Build it with Prepared.per_dialect."""
    if dialect == "postgresql":
        return column == func.any(_bindparam(name, type_=ARRAY(BigInteger)))
    ids = func.json_each(_bindparam(name)).table_valued("value")
    return column.in_(select(ids.c.value))


class Prepared:
    """A SELECT, or a write (`run`, or with RETURNING read like a SELECT), compiled once per dialect; its
    parameters (bindparam names) are bound through their columns' types, lists of ids as `among` says."""

    def __init__(self, statement: Select[Any] | ReturnsRows, tables: Sequence[Table] = ()) -> None:
        self._build: Callable[[str], Select[Any] | ReturnsRows] = lambda _dialect: statement
        self.tables = tuple(tables)
        self._compiled: dict[str, _Compiled] = {}

    @classmethod
    def per_dialect(cls, build: Callable[[str], Select[Any]], tables: Sequence[Table] = ()) -> Prepared:
        """A statement that differs by database (given the dialect's name), compiled once for each."""
        prepared = cls(select(), tables)
        prepared._build = build
        return prepared

    @classmethod
    def joined(
        cls,
        source: FromClause,
        tables: Sequence[Table],
        where: Callable[[str], ColumnElement[bool]],
        extra: Callable[[str], Sequence[ColumnElement[Any]]] = lambda _dialect: (),
    ) -> Prepared:
        """Every column of each of `tables` (in order) from `source` where `where`, then the `extra`
        columns (both built for the dialect named); rows come back as a tuple with one row per table (None
        for an outer-joined table that had no row) followed by the extra values."""
        columns = [c.label(f"{t.name}__{c.name}") for t in tables for c in t.columns]
        return cls.per_dialect(
            lambda d: select(*columns, *extra(d)).select_from(source).where(where(d)), tables
        )

    def _compile(self, connection: Connection) -> _Compiled:
        dialect = connection.dialect
        statement = self._build(dialect.name)
        compiled = statement.compile(dialect=dialect)
        selected = list(statement.exported_columns)
        converters = tuple(
            (i, p)
            for i, c in enumerate(selected)
            if (p := c.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
        )
        if self.tables:
            rows, start = [], 0
            for table in self.tables:
                names = [c.name for c in table.columns]
                rows.append((namedtuple(f"{table.name}_row", names, rename=True), start, start + len(names)))
                start += len(names)
        else:
            names = [c.key for c in selected]
            rows = [(namedtuple("Row", names, rename=True), 0, len(names))]
        positional = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None
        binders = tuple(
            (name, p)
            for name, bind in compiled.binds.items()
            if (p := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        )
        fixed = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
        prepared = _Compiled(compiled.string, positional, converters, tuple(rows), binders, fixed)
        self._compiled[dialect.name] = prepared
        return prepared

    def _execute(self, connection: Connection, params: dict[str, Params]) -> tuple[_Compiled, Any]:
        name = connection.dialect.name
        compiled = self._compiled.get(name) or self._compile(connection)
        if compiled.fixed:
            params = {**compiled.fixed, **params}
        if name == "sqlite":
            params = {k: orjson.dumps(v).decode() if isinstance(v, list) else v for k, v in params.items()}
        for param, process in compiled.binders:
            if param in params:
                params[param] = process(params[param])
        order = compiled.positional
        args: Any = params if order is None else tuple([params[n] for n in order])
        driver = connection.connection.driver_connection
        if connection.dispatch.before_cursor_execute:  # SQL logging, tracing, the store's plan tests
            connection.dispatch.before_cursor_execute(connection, None, compiled.sql, args, None, False)
        return compiled, driver.execute(compiled.sql, args)  # type: ignore[union-attr]

    def run(self, connection: Connection, **params: Params) -> None:
        """A write that returns no rows. A constraint it breaks raises the driver's IntegrityError
        (engine.INTEGRITY_ERRORS), not SQLAlchemy's."""
        self._execute(connection, params)[1].close()

    def _fetch(self, connection: Connection, params: dict[str, Params]) -> tuple[_Compiled, list[Any]]:
        compiled, cursor = self._execute(connection, params)
        raw = cursor.fetchall()
        converters = compiled.converters
        if not converters:
            return compiled, raw
        converted = []
        for r in raw:
            values = list(r)
            for i, process in converters:
                values[i] = process(values[i])
            converted.append(values)
        return compiled, converted

    def all(self, connection: Connection, **params: Params) -> list[Any]:
        compiled, raw = self._fetch(connection, params)
        make = compiled.rows[0][0]._make
        return [make(r) for r in raw]

    def first(self, connection: Connection, **params: Params) -> Any | None:
        found = self.all(connection, **params)
        return found[0] if found else None

    def all_joined(self, connection: Connection, **params: Params) -> list[tuple[Any, ...]]:
        """The rows of a joined lookup, each split per table (None for a table without a row) and followed
        by its extra values."""
        compiled, raw = self._fetch(connection, params)
        tables = compiled.rows
        rest = tables[-1][2]
        return [
            (
                *(None if r[start] is None else row._make(r[start:end]) for row, start, end in tables),
                *r[rest:],
            )
            for r in raw
        ]

    def first_joined(self, connection: Connection, **params: Params) -> tuple[Any, ...] | None:
        """The first row of a joined lookup, as all_joined splits it."""
        found = self.all_joined(connection, **params)
        return found[0] if found else None
