"""Orders, their lines and the customer statistics they drive: rows in, domain values out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, case, delete, exists, func, insert, or_, select, true, update
from sqlalchemy.sql.elements import ColumnElement

from regulars.domain.orders import PAID_STATUSES, STATUSES, TRASH, LineItem, Order, OrderQuery
from regulars.store.tables import customers, order_items, orders

_ORDER_COLUMNS = {"date": orders.c.created_at, "modified": orders.c.modified_at, "id": orders.c.id}
_LINE_LISTS = {
    "line_item": "line_items",
    "shipping": "shipping_lines",
    "fee": "fee_lines",
    "coupon": "coupon_lines",
}


def within(column: Any, after: datetime | None, before: datetime | None) -> list[ColumnElement[bool]]:
    """WordPress's date_query after/before: strictly between the bounds that are given."""
    bounds: list[ColumnElement[bool]] = []
    if after is not None:
        bounds.append(column > after)
    if before is not None:
        bounds.append(column < before)
    return bounds


def _order(row: Any, lines: list[LineItem]) -> Order:
    by_kind: dict[str, list[LineItem]] = {name: [] for name in _LINE_LISTS.values()}
    for line in lines:
        by_kind[_LINE_LISTS[line.kind]].append(line)
    return Order(
        id=row.id,
        order_key=row.order_key,
        status=row.status,
        currency=row.currency,
        total=row.total,
        customer_id=row.customer_id,
        created_at=row.created_at,
        modified_at=row.modified_at,
        parent_id=row.parent_id,
        billing=row.billing or {},
        shipping=row.shipping or {},
        payment_method=row.payment_method,
        payment_method_title=row.payment_method_title,
        transaction_id=row.transaction_id,
        customer_note=row.customer_note,
        paid_at=row.paid_at,
        completed_at=row.completed_at,
        data=row.data or {},
        account_id=row.account_id,
        **by_kind,
    )


def _row(order: Order) -> dict[str, Any]:
    return {
        "parent_id": order.parent_id,
        "order_key": order.order_key,
        "status": order.status,
        "currency": order.currency,
        "total": order.total,
        "customer_id": order.customer_id,
        "billing": order.billing,
        "shipping": order.shipping,
        "payment_method": order.payment_method,
        "payment_method_title": order.payment_method_title,
        "transaction_id": order.transaction_id,
        "customer_note": order.customer_note,
        "data": order.data,
        "created_at": order.created_at,
        "modified_at": order.modified_at,
        "paid_at": order.paid_at,
        "completed_at": order.completed_at,
    }


def _line_row(line: LineItem) -> dict[str, Any]:
    return {
        "kind": line.kind,
        "product_id": line.product_id,
        "name": line.name,
        "quantity": line.quantity,
        "subtotal": line.subtotal,
        "total": line.total,
        "data": line.data,
    }


class OrderRepository:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    # --- reading -------------------------------------------------------------------------------
    def _select(self) -> Select:
        """Orders with the account of their customer record (WooCommerce's customer_id)."""
        return select(orders, customers.c.account_id).outerjoin(
            customers, customers.c.id == orders.c.customer_id
        )

    def _with_lines(self, rows: Sequence[Any]) -> list[Order]:
        ids = [row.id for row in rows]
        by_order: dict[int, list[LineItem]] = {i: [] for i in ids}
        if ids:
            found = self.c.execute(
                select(order_items).where(order_items.c.order_id.in_(ids)).order_by(order_items.c.id)
            )
            for item in found:
                by_order[item.order_id].append(
                    LineItem(
                        item.id,
                        item.product_id,
                        item.name,
                        item.quantity,
                        item.subtotal,
                        item.total,
                        item.data or {},
                        item.kind,
                    )
                )
        return [_order(row, by_order[row.id]) for row in rows]

    def get(self, order_id: int, *, lock: bool = False) -> Order | None:
        """One order; `lock` holds its row until the unit ends, so concurrent changes queue up."""
        statement = self._select().where(orders.c.id == order_id)
        if lock:
            statement = statement.with_for_update(of=orders)
        rows = self.c.execute(statement).all()
        return self._with_lines(rows)[0] if rows else None

    def for_customer(self, customer_id: int, *, newest_first: bool = True) -> list[Order]:
        """A customer record's orders in every status but trash."""
        order = orders.c.id.desc() if newest_first else orders.c.id.asc()
        statement = self._select().where(orders.c.customer_id == customer_id, orders.c.status != TRASH)
        return self._with_lines(self.c.execute(statement.order_by(order)).all())

    def _filters(self, query: OrderQuery) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if query.statuses is None:
            where.append(orders.c.status != TRASH)
        else:
            where.append(orders.c.status.in_(query.statuses))
        if query.account_id == 0:
            where.append(customers.c.account_id.is_(None))
        elif query.account_id is not None:
            where.append(customers.c.account_id == query.account_id)
        if query.product_id is not None:
            bought = select(order_items.c.order_id).where(
                order_items.c.kind == "line_item", order_items.c.product_id == query.product_id
            )
            where.append(orders.c.id.in_(bought))
        if query.include:
            where.append(orders.c.id.in_(query.include))
        if query.exclude:
            where.append(orders.c.id.not_in(query.exclude))
        if query.parents:
            where.append(orders.c.parent_id.in_(query.parents))
        if query.parents_excluded:
            where.append(orders.c.parent_id.not_in(query.parents_excluded))
        where += within(orders.c.created_at, query.created_after, query.created_before)
        where += within(orders.c.modified_at, query.modified_after, query.modified_before)
        return where

    def _ordered(self, statement: Select, query: OrderQuery) -> Select:
        if query.orderby == "include" and query.include:
            position = case({oid: n for n, oid in enumerate(query.include)}, value=orders.c.id)
            return statement.order_by(position)
        column = _ORDER_COLUMNS.get(query.orderby, orders.c.created_at)
        if query.descending:
            return statement.order_by(column.desc(), orders.c.id.desc())
        return statement.order_by(column.asc(), orders.c.id.asc())

    def page(self, query: OrderQuery) -> tuple[list[Order], int]:
        where = self._filters(query)
        joined = orders.outerjoin(customers, customers.c.id == orders.c.customer_id)
        total = int(self.c.execute(select(func.count()).select_from(joined).where(*where)).scalar_one())
        statement = self._ordered(self._select().where(*where), query).limit(query.limit).offset(query.offset)
        return self._with_lines(self.c.execute(statement).all()), total

    # --- writing -------------------------------------------------------------------------------
    def insert(self, order: Order) -> int:
        result = self.c.execute(insert(orders).values(**_row(order)))
        return int(result.inserted_primary_key[0])

    def update(self, order: Order) -> None:
        values = _row(order)
        values.pop("created_at")
        self.c.execute(update(orders).where(orders.c.id == order.id).values(**values))

    def save_lines(self, order_id: int, lines: Iterable[LineItem]) -> None:
        """Make the order's stored lines exactly `lines`: new ones (id 0) inserted, others updated,
        stored ones not listed deleted."""
        keep = [line for line in lines if line.id]
        stale = delete(order_items).where(order_items.c.order_id == order_id)
        if keep:
            stale = stale.where(order_items.c.id.not_in([line.id for line in keep]))
        self.c.execute(stale)
        for line in keep:
            self.c.execute(update(order_items).where(order_items.c.id == line.id).values(**_line_row(line)))
        for line in lines:
            if not line.id:
                self.c.execute(insert(order_items).values(order_id=order_id, **_line_row(line)))

    def delete(self, order_id: int) -> None:
        self.c.execute(delete(orders).where(orders.c.id == order_id))

    # --- statistics ----------------------------------------------------------------------------
    def lock_customers(self, customer_ids: Iterable[int]) -> None:
        """Hold the customer rows (in id order, so two units never wait on each other) before reading
        their orders: the figures computed next then include every order committed before us."""
        ids = sorted(set(customer_ids))
        if ids:
            self.c.execute(
                select(customers.c.id)
                .where(customers.c.id.in_(ids))
                .order_by(customers.c.id)
                .with_for_update()
            )

    def paid_total(self, customer_id: int, *, excluding: int) -> int:
        """The money a customer's paid orders but one add up to (exact: PostgreSQL sums into numeric)."""
        paid = and_(
            orders.c.customer_id == customer_id, orders.c.status.in_(PAID_STATUSES), orders.c.id != excluding
        )
        return int(
            self.c.execute(select(func.coalesce(func.sum(orders.c.total), 0)).where(paid)).scalar_one()
        )

    def refresh_stats(self, customer_id: int, *, paying: bool = False) -> None:
        """Recompute a customer's figures from its orders, in one statement: orders count, first and
        last order (every status but trash: WooCommerce's), paid count, money spent and the first and
        last paid order's dates (paid statuses: FluentCart's purchases). Paying stays true once true (as
        WooCommerce's flag does) and becomes true with a completed order or `paying`."""
        counted = and_(orders.c.customer_id == customer_id, orders.c.status.in_(STATUSES))
        paid = and_(counted, orders.c.status.in_(PAID_STATUSES))
        newest = select(orders.c.id, orders.c.created_at).where(counted).order_by(orders.c.id.desc()).limit(1)
        completed = exists(select(orders.c.id).where(counted, orders.c.completed_at.is_not(None)))
        values: dict[str, Any] = {
            "orders_count": select(func.count()).where(counted).scalar_subquery(),
            "paid_orders_count": select(func.count()).where(paid).scalar_subquery(),
            "total_spent": select(func.coalesce(func.sum(orders.c.total), 0)).where(paid).scalar_subquery(),
            "first_order_at": select(func.min(orders.c.created_at)).where(counted).scalar_subquery(),
            "last_order_id": newest.with_only_columns(orders.c.id).scalar_subquery(),
            "last_order_at": newest.with_only_columns(orders.c.created_at).scalar_subquery(),
            "first_paid_order_at": select(func.min(orders.c.created_at)).where(paid).scalar_subquery(),
            "last_paid_order_at": select(func.max(orders.c.created_at)).where(paid).scalar_subquery(),
            "is_paying": true() if paying else or_(customers.c.is_paying, completed),
        }
        self.c.execute(update(customers).where(customers.c.id == customer_id).values(**values))
