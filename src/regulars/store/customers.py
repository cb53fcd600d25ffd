"""Customer records and their addresses: rows in, domain values out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Select,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from regulars.domain.customer_records import CustomerQuery, IdCondition
from regulars.domain.customers import ADDRESS_FIELDS, Address, Customer, Stats
from regulars.domain.errors import Conflict
from regulars.domain.search import Needle
from regulars.store import pages
from regulars.store.counts import CUSTOMER_STATUS, tally
from regulars.store.engine import INTEGRITY_ERRORS, constraint_guard
from regulars.store.prepared import Prepared, among
from regulars.store.search import ACCOUNTS, CUSTOMERS, beside, either, found, within
from regulars.store.tables import AVERAGE_ORDER_VALUE, LOCATION, accounts, addresses, customers

# Sort keys of CustomerQuery and the columns that serve them (each has an index ending in id).
_SORT_COLUMNS: dict[str, Any] = {
    "id": customers.c.id,
    "email": func.lower(customers.c.email),
    "first_name": customers.c.first_name,
    "last_name": customers.c.last_name,
    "status": customers.c.status,
    "created_at": customers.c.created_at,
    "updated_at": customers.c.updated_at,
    "total_spent": customers.c.total_spent,
    "order_count": customers.c.paid_orders_count,
    "first_paid_order_at": customers.c.first_paid_order_at,
    "last_paid_order_at": customers.c.last_paid_order_at,
    "account_id": customers.c.account_id,
    "average_order_value": AVERAGE_ORDER_VALUE,
    **{name: customers.c[name] for name in LOCATION},
}
# Sorts whose values may be NULL: placed as MySQL (FluentCart's database) places them, first ascending and
# last descending, on SQLite and PostgreSQL alike; their indexes hold them so.
_NULLABLE_SORTS = frozenset(
    ("first_paid_order_at", "last_paid_order_at", "account_id", "average_order_value", *LOCATION)
)


def _id_clause(condition: IdCondition) -> ColumnElement[bool]:
    column, value = customers.c.id, condition.value
    match condition.operator:
        case "=":
            return column == value
        case "!=":
            return column != value
        case ">":
            return column > value
        case "<":
            return column < value
        case ">=":
            return column >= value
        case "<=":
            return column <= value
    return column.between(value, condition.upper)


def _candidates(term: str, dialect: str) -> Select[Any] | CompoundSelect:
    """The ids of the customers with the term anywhere in the full name, the phone or (a term without
    spaces) the email, read from the search indexes (store/search.py); or the id. An id may come twice."""
    fields = ["name", "phone"] if " " in term else ["name", "phone", "email"]
    parts: list[Any] = [found(CUSTOMERS, fields, Needle(term), dialect)]
    if term.isdigit() and int(term) < 2**63:  # ids are 64-bit
        parts.append(select(customers.c.id).where(customers.c.id == int(term)))
    return either(parts)


def _by_status_only(query: CustomerQuery) -> bool:
    narrowing = (query.created_from, query.created_before, query.total_spent_min, query.total_spent_max)
    return query.id_condition is None and not query.search and all(v is None for v in narrowing)


def _address(row: Any) -> Address:
    address = Address(**row._asdict())  # the table's columns are the Address fields
    address.is_primary = bool(address.is_primary)
    if address.meta is None:
        address.meta = {}
    return address


def customer_from_row(row: Any, found: list[Address]) -> Customer:
    return Customer(
        id=row.id,
        account_id=row.account_id,
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        created_at=row.created_at,
        updated_at=row.updated_at,
        phone=row.phone,
        status=row.status,
        notes=row.notes,
        additional_info=row.additional_info or {},
        stats=Stats(
            orders_count=row.orders_count,
            paid_orders_count=row.paid_orders_count,
            total_spent=row.total_spent,
            first_order_at=row.first_order_at,
            last_order_at=row.last_order_at,
            last_order_id=row.last_order_id,
            is_paying=bool(row.is_paying),
            first_paid_order_at=row.first_paid_order_at,
            last_paid_order_at=row.last_paid_order_at,
        ),
        addresses=found,
        country=row.country,
        city=row.city,
        state=row.state,
        postcode=row.postcode,
    )


_BY_ACCOUNT = Prepared(select(customers).where(customers.c.account_id == bindparam("account_id")))
_BY_ID = Prepared(select(customers).where(customers.c.id == bindparam("id")))
_BY_EMAIL = Prepared(select(customers).where(func.lower(customers.c.email) == bindparam("email")))
# The columns a new customer row is given; the rest (figures, place) start as the table's defaults.
_INSERTED = ("account_id", "email", "first_name", "last_name", "phone", "status", "notes")
_INSERTED += ("additional_info", "created_at", "updated_at")
# What an address row holds for a value its writer left out, as the table's server defaults say (meta
# starts empty rather than JSON null).
_ADDRESS_DEFAULTS: dict[str, Any] = {
    "is_primary": False,
    "status": "active",
    **{name: "" for name in ADDRESS_FIELDS},
    "label": "",
    "meta": {},
}
_INSERT = Prepared(
    insert(customers).values({name: bindparam(name) for name in _INSERTED}).returning(customers.c.id)
)
_INSERT_ADDRESS = Prepared(
    insert(addresses)
    .values({c.name: bindparam(c.name) for c in addresses.columns if c.name != "id"})
    .returning(addresses.c.id)
)
_ADDRESSES_OF_MANY = Prepared.per_dialect(
    lambda d: select(addresses).where(among(addresses.c.customer_id, "ids", d)).order_by(addresses.c.id)
)
_PRIMARY_BILLING = (
    addresses.c.customer_id == customers.c.id,
    addresses.c.type == "billing",
    addresses.c.is_primary,
)
# The customer row's copy of its primary billing address's place (NULLs without one), read afresh.
_LOCATE = Prepared(
    update(customers)
    .where(customers.c.id == bindparam("located_id"))
    .values({name: select(addresses.c[name]).where(*_PRIMARY_BILLING).scalar_subquery() for name in LOCATION})
)
_ADDRESSES_OF = Prepared(
    select(addresses).where(addresses.c.customer_id == bindparam("customer_id")).order_by(addresses.c.id)
)


class CustomerRepository:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    # --- reading -------------------------------------------------------------------------------
    def _with_addresses(self, rows: Sequence[Any]) -> list[Customer]:
        ids = [row.id for row in rows]
        by_customer: dict[int, list[Address]] = {i: [] for i in ids}
        if ids:
            found = (
                _ADDRESSES_OF.all(self.c, customer_id=ids[0])
                if len(ids) == 1
                else _ADDRESSES_OF_MANY.all(self.c, ids=ids)
            )
            for row in found:
                by_customer[row.customer_id].append(_address(row))
        return [customer_from_row(row, by_customer[row.id]) for row in rows]

    def get(self, customer_id: int) -> Customer | None:
        rows = _BY_ID.all(self.c, id=customer_id)
        return self._with_addresses(rows)[0] if rows else None

    def by_account(self, account_id: int) -> Customer | None:
        rows = _BY_ACCOUNT.all(self.c, account_id=account_id)
        return self._with_addresses(rows)[0] if rows else None

    def by_email(self, email: str) -> Customer | None:
        rows = _BY_EMAIL.all(self.c, email=email.lower())
        return self._with_addresses(rows)[0] if rows else None

    def lock(self, customer_id: int) -> None:
        """Hold the customer row until the unit ends, so two changes to one customer run one after the
        other (SQLite's write lock already serialises writers; PostgreSQL needs the row lock)."""
        self.c.execute(select(customers.c.id).where(customers.c.id == customer_id).with_for_update())

    def get_many(self, ids: Sequence[int]) -> dict[int, Customer]:
        if not ids:
            return {}
        rows = self.c.execute(select(customers).where(customers.c.id.in_(list(ids)))).all()
        return {c.id: c for c in self._with_addresses(rows)}

    def _where(self, query: CustomerQuery) -> list[ColumnElement[bool]]:
        dialect = self.c.dialect.name
        searching = query.id_condition is None and bool(query.search)
        where: list[ColumnElement[bool]] = []
        if query.id_condition is not None:
            where.append(_id_clause(query.id_condition))
        elif query.search:
            where.append(within(customers.c.id, [_candidates(query.search, dialect)], dialect))
        others = self._others(query)
        return where + [beside(c, dialect) if searching else c for c in others]

    def _searched_only(self, query: CustomerQuery) -> bool:
        """A search and nothing else (every status, no date or spend filter): its total is counted from
        its candidates alone (pages.searched)."""
        return query.id_condition is None and bool(query.search) and not self._others(query)

    def _others(self, query: CustomerQuery) -> list[ColumnElement[bool]]:
        """The query's filters other than its ids or its search."""
        others: list[ColumnElement[bool]] = []
        if query.statuses:
            others.append(customers.c.status.in_(query.statuses))
        if query.created_from is not None:
            others.append(customers.c.created_at >= query.created_from)
        if query.created_before is not None:
            others.append(customers.c.created_at < query.created_before)
        if query.total_spent_min is not None:
            others.append(customers.c.total_spent >= query.total_spent_min)
        if query.total_spent_max is not None:
            others.append(customers.c.total_spent <= query.total_spent_max)
        return others

    def count_matching(self, query: CustomerQuery) -> int:
        """From the kept totals when only statuses narrow the query; else counted through its indexes."""
        if _by_status_only(query):
            return tally(self.c, CUSTOMER_STATUS, query.statuses or None)
        if self._searched_only(query):
            return pages.counted(self.c, _candidates(query.search or "", self.c.dialect.name))
        where = self._where(query)
        return int(self.c.execute(select(func.count()).select_from(customers).where(*where)).scalar_one())

    def page(self, query: CustomerQuery) -> tuple[list[Customer], int]:
        """One page of customer records (with their addresses) and how many match in all: the page's ids
        chosen first (store/pages.py), then only their rows."""
        column = _SORT_COLUMNS[query.order_by]
        nullable = query.order_by in _NULLABLE_SORTS
        if query.descending:
            order = [column.desc().nulls_last() if nullable else column.desc(), customers.c.id.desc()]
        else:
            order = [column.asc().nulls_first() if nullable else column.asc(), customers.c.id.asc()]
        if self._searched_only(query):  # the candidates counted without reading their rows
            candidates = _candidates(query.search or "", self.c.dialect.name)
            scope = tally(self.c, CUSTOMER_STATUS)
            wanted = pages.Search(candidates, scope, order, query.limit, query.offset)
            ids, total = pages.searched(self.c, customers.c.id, wanted)
        else:
            searching = query.id_condition is None and bool(query.search)
            where = self._where(query)
            ids, total = pages.choose(
                self.c, customers.c.id, where, order, query.limit, query.offset, counting=searching
            )
        found = self.get_many(ids)
        return [found[i] for i in ids], self.count_matching(query) if total is None else total

    def addresses_of(self, customer_id: int, kind: str | None = None) -> list[Address]:
        """A customer's addresses, primary ones first, then in the order they were added."""
        stmt = select(addresses).where(addresses.c.customer_id == customer_id)
        if kind is not None:
            stmt = stmt.where(addresses.c.type == kind)
        stmt = stmt.order_by(addresses.c.is_primary.desc(), addresses.c.id)
        return [_address(row) for row in self.c.execute(stmt)]

    def unattached_accounts(self, search: str | None, limit: int, offset: int) -> tuple[list[int], int]:
        """Ids of accounts no customer record is linked to (oldest first), and how many there are."""
        where: list[ColumnElement[bool]] = [~exists().where(customers.c.account_id == accounts.c.id)]
        if search:
            fields, dialect = ["username", "email", "display_name"], self.c.dialect.name
            where.append(within(accounts.c.id, [found(ACCOUNTS, fields, Needle(search), dialect)], dialect))
        total = int(self.c.execute(select(func.count()).select_from(accounts).where(*where)).scalar_one())
        stmt = select(accounts.c.id).where(*where).order_by(accounts.c.id).limit(limit).offset(offset)
        return [row.id for row in self.c.execute(stmt)], total

    # --- writing -------------------------------------------------------------------------------
    def insert(
        self,
        *,
        email: str,
        now: datetime,
        account_id: int | None = None,
        first_name: str = "",
        last_name: str = "",
        phone: str = "",
        status: str = "active",
        notes: str = "",
        additional_info: dict[str, Any] | None = None,
        place: dict[str, str] | None = None,
    ) -> int:
        """`place`: of LOCATION, those the record is given (the others stay NULL)."""
        values = {
            "account_id": account_id,
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "phone": phone,
            "status": status,
            "notes": notes,
            "additional_info": additional_info or {},
            "created_at": now,
            "updated_at": now,
        }
        try:
            with constraint_guard(self.c):
                inserted = _INSERT.first(self.c, **values)
        except INTEGRITY_ERRORS as exc:  # another customer has this email (case-insensitively)
            raise Conflict("email_exists", "email", email=email) from exc
        if place:  # seldom sent: the common insert stays one statement
            self.update(int(inserted.id), dict(place))
        return int(inserted.id)

    def update(self, customer_id: int, values: dict[str, Any]) -> None:
        if values:
            self.c.execute(update(customers).where(customers.c.id == customer_id).values(**values))

    def delete(self, customer_id: int) -> None:
        self.c.execute(delete(customers).where(customers.c.id == customer_id))

    # --- addresses -----------------------------------------------------------------------------
    # Every address write ends by copying the primary billing address's place onto the customer row
    # (its sort columns), in the same transaction, whichever dialect wrote it. Writers hold the customer
    # row already (services.customers.hold, or their own update of it), so the copy reads what they see.
    def _locate(self, customer_id: int) -> None:
        _LOCATE.run(self.c, located_id=customer_id)

    def insert_address(
        self, customer_id: int, kind: str, values: dict[str, Any], *, primary: bool, now: datetime
    ) -> int:
        row = {
            "customer_id": customer_id,
            "type": kind,
            "is_primary": primary,
            "created_at": now,
            "updated_at": now,
            **values,
        }
        address_id = int(_INSERT_ADDRESS.first(self.c, **{**_ADDRESS_DEFAULTS, **row}).id)
        if kind == "billing":  # no other address can be the primary billing one
            self._locate(customer_id)
        return address_id

    def update_address(self, customer_id: int, address_id: int, values: dict[str, Any]) -> None:
        if values:
            mine = (addresses.c.id == address_id, addresses.c.customer_id == customer_id)
            self.c.execute(update(addresses).where(*mine).values(**values))
            self._locate(customer_id)

    def delete_address(self, customer_id: int, address_id: int) -> None:
        mine = (addresses.c.id == address_id, addresses.c.customer_id == customer_id)
        self.c.execute(delete(addresses).where(*mine))
        self._locate(customer_id)

    def make_primary(self, customer_id: int, kind: str, address_id: int, now: datetime) -> None:
        """Demote the current primary of that type, then promote the chosen one (one statement each)."""
        self.c.execute(
            update(addresses)
            .where(
                addresses.c.customer_id == customer_id,
                addresses.c.type == kind,
                addresses.c.is_primary,
                addresses.c.id != address_id,
            )
            .values(is_primary=False, updated_at=now)
        )
        self.c.execute(
            update(addresses).where(addresses.c.id == address_id).values(is_primary=True, updated_at=now)
        )
        self._locate(customer_id)
