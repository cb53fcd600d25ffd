"""Site options kept in the database, shared by every worker (the site's secret, for one)."""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from regulars.store.tables import site_options


class OptionRepository:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    def get(self, name: str) -> str | None:
        row = self.c.execute(select(site_options.c.value).where(site_options.c.name == name)).first()
        return row[0] if row else None

    def get_or_create(self, name: str, value: str) -> str:
        """Store `value` unless another worker stored one first; return whichever is stored."""
        builder = pg_insert if self.c.dialect.name == "postgresql" else sqlite_insert
        self.c.execute(builder(site_options).values(name=name, value=value).on_conflict_do_nothing())
        stored = self.get(name)
        assert stored is not None
        return stored
