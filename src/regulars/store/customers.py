"""Customer records and their addresses: rows in, domain values out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from regulars.domain.customers import ADDRESS_FIELDS, Address, Customer, Stats
from regulars.domain.errors import Conflict
from regulars.store.tables import addresses, customers


def _address(row: Any) -> Address:
    return Address(
        id=row.id,
        customer_id=row.customer_id,
        type=row.type,
        is_primary=bool(row.is_primary),
        status=row.status,
        label=row.label,
        meta=row.meta or {},
        created_at=row.created_at,
        updated_at=row.updated_at,
        **{name: getattr(row, name) for name in ADDRESS_FIELDS},
    )


def _customer(row: Any, found: list[Address]) -> Customer:
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
        ),
        addresses=found,
    )


class CustomerRepository:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    # --- reading -------------------------------------------------------------------------------
    def _with_addresses(self, rows: Sequence[Any]) -> list[Customer]:
        ids = [row.id for row in rows]
        by_customer: dict[int, list[Address]] = {i: [] for i in ids}
        if ids:
            found = self.c.execute(
                select(addresses).where(addresses.c.customer_id.in_(ids)).order_by(addresses.c.id)
            )
            for row in found:
                by_customer[row.customer_id].append(_address(row))
        return [_customer(row, by_customer[row.id]) for row in rows]

    def get(self, customer_id: int) -> Customer | None:
        rows = self.c.execute(select(customers).where(customers.c.id == customer_id)).all()
        return self._with_addresses(rows)[0] if rows else None

    def by_account(self, account_id: int) -> Customer | None:
        rows = self.c.execute(select(customers).where(customers.c.account_id == account_id)).all()
        return self._with_addresses(rows)[0] if rows else None

    def by_accounts(self, account_ids: Iterable[int]) -> dict[int, Customer]:
        ids = list(account_ids)
        if not ids:
            return {}
        rows = self.c.execute(select(customers).where(customers.c.account_id.in_(ids))).all()
        return {c.account_id: c for c in self._with_addresses(rows) if c.account_id is not None}

    def by_email(self, email: str) -> Customer | None:
        rows = self.c.execute(select(customers).where(func.lower(customers.c.email) == email.lower())).all()
        return self._with_addresses(rows)[0] if rows else None

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
    ) -> int:
        statement = insert(customers).values(
            account_id=account_id,
            email=email,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            status=status,
            notes=notes,
            additional_info=additional_info or {},
            created_at=now,
            updated_at=now,
        )
        try:
            with self.c.begin_nested():
                result = self.c.execute(statement)
        except IntegrityError as exc:  # another customer has this email (case-insensitively)
            raise Conflict("email_exists", "email", email=email) from exc
        return int(result.inserted_primary_key[0])

    def update(self, customer_id: int, values: dict[str, Any]) -> None:
        if values:
            self.c.execute(update(customers).where(customers.c.id == customer_id).values(**values))

    def delete(self, customer_id: int) -> None:
        self.c.execute(delete(customers).where(customers.c.id == customer_id))

    # --- addresses -----------------------------------------------------------------------------
    def insert_address(
        self, customer_id: int, kind: str, values: dict[str, Any], *, primary: bool, now: datetime
    ) -> int:
        result = self.c.execute(
            insert(addresses).values(
                customer_id=customer_id,
                type=kind,
                is_primary=primary,
                created_at=now,
                updated_at=now,
                **values,
            )
        )
        return int(result.inserted_primary_key[0])

    def update_address(self, address_id: int, values: dict[str, Any]) -> None:
        if values:
            self.c.execute(update(addresses).where(addresses.c.id == address_id).values(**values))

    def delete_address(self, address_id: int) -> None:
        self.c.execute(delete(addresses).where(addresses.c.id == address_id))

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
