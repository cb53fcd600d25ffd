"""Accounts and their meta: rows in, domain values out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Select,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from regulars.domain.accounts import Account, MetaEntry
from regulars.domain.customers import ProfileQuery
from regulars.domain.errors import Conflict
from regulars.domain.search import Needle
from regulars.store import pages, search
from regulars.store.counts import ACCOUNT_ROLE, tally
from regulars.store.engine import INTEGRITY_ERRORS, constraint_guard
from regulars.store.prepared import Prepared, among
from regulars.store.tables import account_meta, accounts, addresses, customers

_ORDER_COLUMNS = {
    "id": accounts.c.id,
    "display_name": accounts.c.display_name,
    "username": accounts.c.username,
    "registered_at": accounts.c.registered_at,
    "email": accounts.c.email,
}


def account_from_row(row: Any) -> Account:
    return Account(
        id=row.id,
        username=row.username,
        email=row.email,
        role=row.role,
        registered_at=row.registered_at,
        modified_at=row.modified_at,
        first_name=row.first_name,
        last_name=row.last_name,
        display_name=row.display_name,
        password_hash=row.password_hash,
    )


_BY_ID = Prepared(select(accounts).where(accounts.c.id == bindparam("id")))
_BY_EMAIL = Prepared(select(accounts).where(func.lower(accounts.c.email) == bindparam("email")))
_BY_USERNAME = Prepared(select(accounts).where(func.lower(accounts.c.username) == bindparam("username")))
_INSERT = Prepared(
    insert(accounts)
    .values({c.name: bindparam(c.name) for c in accounts.columns if c.name != "id"})
    .returning(accounts.c.id)
)
_INSERT_META = Prepared(
    insert(account_meta)
    .values({c.name: bindparam(c.name) for c in account_meta.columns if c.name != "id"})
    .returning(account_meta.c.id)
)
_ROLE_PAGES: dict[tuple[str, bool, bool], Prepared] = {}  # AccountRepository._role_page's statements
_BY_IDS = Prepared.per_dialect(lambda d: select(accounts).where(among(accounts.c.id, "ids", d)))
_META_OF = Prepared(
    select(account_meta)
    .where(account_meta.c.account_id == bindparam("account_id"))
    .order_by(account_meta.c.id)
)


# A search narrowed by a role counts its candidates less the accounts of other roles when there are at
# most this many (pages.searched); past it, looking up the role of each candidate costs less.
FEW_OUTSIDE = 10_000


def _searching(query: ProfileQuery) -> bool:
    """Whether the query searches (an email filter stands in for the search, as in WooCommerce)."""
    return query.email is None and bool(query.search)


def _by_role_only(query: ProfileQuery) -> bool:
    return not (
        query.search
        or query.email is not None
        or query.include
        or query.exclude
        or query.registered_after
        or query.registered_before
        or query.modified_after
        or query.modified_before
    )


class AccountRepository:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    # --- reading -------------------------------------------------------------------------------
    def get(self, account_id: int) -> Account | None:
        row = _BY_ID.first(self.c, id=account_id)
        return account_from_row(row) if row else None

    def get_many(self, ids: Sequence[int]) -> dict[int, Account]:
        if not ids:
            return {}
        return {row.id: account_from_row(row) for row in _BY_IDS.all(self.c, ids=list(ids))}

    def lock(self, account_id: int) -> None:
        """Hold the account row until the unit ends, so two changes to one customer run one after the other
        (SQLite's write lock already serialises writers; PostgreSQL needs the row lock)."""
        self.c.execute(select(accounts.c.id).where(accounts.c.id == account_id).with_for_update())

    def by_email(self, email: str) -> Account | None:
        row = _BY_EMAIL.first(self.c, email=email.lower())
        return account_from_row(row) if row else None

    def by_username(self, username: str) -> Account | None:
        row = _BY_USERNAME.first(self.c, username=username.lower())
        return account_from_row(row) if row else None

    def username_taken(self, username: str) -> bool:
        return _BY_USERNAME.first(self.c, username=username.lower()) is not None

    def count(self) -> int:
        return tally(self.c, ACCOUNT_ROLE)

    def _others(self, query: ProfileQuery) -> list[ColumnElement[bool]]:
        """The query's filters other than its search."""
        others: list[ColumnElement[bool]] = []
        if query.role is not None:
            others.append(accounts.c.role == query.role)
        if query.email is not None:
            others.append(func.lower(accounts.c.email) == query.email.lower())
        if query.include:
            others.append(accounts.c.id.in_(query.include))
        elif query.exclude:
            others.append(accounts.c.id.not_in(query.exclude))
        if query.registered_after is not None:
            others.append(accounts.c.registered_at > query.registered_after)
        if query.registered_before is not None:
            others.append(accounts.c.registered_at < query.registered_before)
        if query.modified_after is not None:
            others.append(accounts.c.modified_at > query.modified_after)
        if query.modified_before is not None:
            others.append(accounts.c.modified_at < query.modified_before)
        return others

    def _filters(self, query: ProfileQuery) -> list[ColumnElement[bool]]:
        dialect = self.c.dialect.name
        if not _searching(query):
            return self._others(query)
        candidates = search.within(accounts.c.id, [self._candidates(query)], dialect)
        return [candidates, *(search.beside(c, dialect) for c in self._others(query))]

    def _candidates(self, query: ProfileQuery) -> Select[Any] | CompoundSelect:
        """The ids of the accounts the search finds in the columns the dialect names, read from the search
        indexes (store/search.py); `*` at either end is a wildcard, as in WordPress. `phone` is the
        billing phone WooCommerce shows; `id` matches a number exactly. An id may come more than once."""
        needle = Needle.wildcards(query.search or "")
        columns = query.search_columns
        dialect = self.c.dialect.name
        named = [name for name in columns if name in search.ACCOUNTS.fields]
        parts: list[Any] = [search.found(search.ACCOUNTS, named, needle, dialect)]
        if "phone" in columns:
            on_billing = search.found(search.ADDRESSES, ["phone"], needle, dialect)
            parts.append(
                select(customers.c.account_id)
                .join(addresses, addresses.c.customer_id == customers.c.id)
                .where(addresses.c.id.in_(on_billing), addresses.c.type == "billing", addresses.c.is_primary)
            )
        if "id" in columns and needle.text.isdigit() and int(needle.text) < 2**63:  # ids are 64-bit
            parts.append(select(accounts.c.id).where(accounts.c.id == int(needle.text)))
        return search.either(parts)

    def _narrowed(self, query: ProfileQuery) -> tuple[Select[Any] | None, int] | None:
        """How a search's total can be counted from its candidates alone (pages.searched): the rows the
        other filters leave out (None when there are no other filters) and how many rows they keep. That
        is so for a search narrowed by nothing, or by nothing but a role held by all but a few accounts
        (customers, as WooCommerce lists by default), whose other accounts the role index reads. None
        when it is not so."""
        others = self._others(query)
        everyone = tally(self.c, ACCOUNT_ROLE)
        if not others:
            return None, everyone
        if query.role is None or len(others) > 1:
            return None
        kept = tally(self.c, ACCOUNT_ROLE, [query.role])
        if everyone - kept > FEW_OUTSIDE:
            return None
        role = accounts.c.role
        return select(accounts.c.id).where(or_(role < query.role, role > query.role)), kept

    def count_matching(self, query: ProfileQuery) -> int:
        """How many accounts a query matches, whatever its limit and offset: from the kept totals when
        only a role narrows it, else counted through the indexes its filters use."""
        if _by_role_only(query):
            return tally(self.c, ACCOUNT_ROLE, None if query.role is None else [query.role])
        if _searching(query) and (narrowed := self._narrowed(query)) is not None:
            return pages.counted(self.c, self._candidates(query), narrowed[0])
        where = self._filters(query)
        return int(self.c.execute(select(func.count()).select_from(accounts).where(*where)).scalar_one())

    def page(self, query: ProfileQuery) -> tuple[list[int], int]:
        """The ids of one page, in order, and the total: chosen from indexes (store/pages.py, or a prepared
        walk for the plain list) before any row is read."""
        if query.limit is not None and _by_role_only(query) and query.orderby != "include":
            return self._role_page(query), self.count_matching(query)
        order = self._order(query)
        if query.limit is None:  # the whole list (the legacy API's filter[limit]=-1)
            stmt = select(accounts.c.id).where(*self._filters(query)).order_by(*order)
            ids = list(self.c.execute(stmt.offset(query.offset or None)).scalars())
            whole = bool(ids) or not query.offset  # the ids run to the end, so they tell the total
            return ids, query.offset + len(ids) if whole else self.count_matching(query)
        searching = _searching(query)
        if searching and (narrowed := self._narrowed(query)) is not None:
            excluded, scope = narrowed
            candidates, others = self._candidates(query), self._others(query)
            wanted = pages.Search(candidates, scope, order, query.limit, query.offset, others, excluded)
            return pages.searched(self.c, accounts.c.id, wanted)
        where = self._filters(query)
        ids, total = pages.choose(
            self.c, accounts.c.id, where, order, query.limit, query.offset, counting=searching
        )
        return ids, self.count_matching(query) if total is None else total

    def _role_page(self, query: ProfileQuery) -> list[int]:
        """The ids of a page of the plain list (one role or all, a column's order): WooCommerce clients ask
        for it most, so its statement is prepared once per order instead of built on every request."""
        shape = (query.orderby, query.descending, query.role is not None)
        prepared = _ROLE_PAGES.get(shape)
        if prepared is None:
            where = [accounts.c.role == bindparam("role")] if query.role is not None else []
            statement = (
                select(accounts.c.id)
                .where(*where)
                .order_by(*self._order(query))
                .limit(bindparam("limit"))
                .offset(bindparam("offset"))
            )
            prepared = _ROLE_PAGES[shape] = Prepared(statement)
        params: dict[str, int | str] = {"limit": query.limit or 0, "offset": query.offset}
        if query.role is not None:
            params["role"] = query.role
        return [row.id for row in prepared.all(self.c, **params)]

    def _order(self, query: ProfileQuery) -> list[Any]:
        if query.orderby == "include" and query.include:
            ranking = case({v: i for i, v in enumerate(query.include)}, value=accounts.c.id)
            column: Any = ranking
        else:
            name = "username" if query.orderby == "include" else query.orderby
            column = _ORDER_COLUMNS[name]
        if query.descending:
            return [column.desc(), accounts.c.id.desc()]
        return [column.asc(), accounts.c.id.asc()]

    # --- writing -------------------------------------------------------------------------------
    def insert(
        self,
        *,
        username: str,
        email: str,
        role: str,
        now: datetime,
        password_hash: str | None,
        first_name: str = "",
        last_name: str = "",
        modified: bool = True,
    ) -> int:
        values = {
            "username": username,
            "email": email,
            "role": role,
            "password_hash": password_hash,
            "display_name": username,
            "first_name": first_name,
            "last_name": last_name,
            "registered_at": now,
            "modified_at": now if modified else None,
        }
        try:
            with constraint_guard(self.c):
                inserted = _INSERT.first(self.c, **values)
        except INTEGRITY_ERRORS as exc:  # a concurrent writer won the race for this email or login
            reason = "email_exists" if self.by_email(email) else "username_exists"
            raise Conflict(reason, reason.split("_")[0], email=email) from exc
        return int(inserted.id)

    def update(self, account_id: int, values: dict[str, Any]) -> None:
        if values:
            self.c.execute(update(accounts).where(accounts.c.id == account_id).values(**values))

    def delete(self, account_id: int) -> None:
        self.c.execute(delete(accounts).where(accounts.c.id == account_id))

    # --- meta ----------------------------------------------------------------------------------
    def meta(self, account_id: int) -> list[MetaEntry]:
        return [
            MetaEntry(r.id, r.meta_key, r.meta_value) for r in _META_OF.all(self.c, account_id=account_id)
        ]

    def add_meta(self, account_id: int, key: str, value: Any) -> int:
        return int(_INSERT_META.first(self.c, account_id=account_id, meta_key=key, meta_value=value).id)

    def set_meta_value(self, meta_id: int, key: str, value: Any) -> None:
        self.c.execute(
            update(account_meta).where(account_meta.c.id == meta_id).values(meta_key=key, meta_value=value)
        )

    def delete_meta(self, account_id: int, key: str) -> None:
        self.c.execute(
            delete(account_meta).where(
                account_meta.c.account_id == account_id, account_meta.c.meta_key == key
            )
        )
