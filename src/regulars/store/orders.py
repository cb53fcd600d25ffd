"""Orders and their line items: rows in, domain values out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from regulars.domain.orders import LineItem, Order
from regulars.store.tables import order_items, orders


def _order(row: Any, items: list[LineItem]) -> Order:
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
        line_items=items,
        data=row.data or {},
    )


class OrderRepository:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    def _with_items(self, rows: Sequence[Any]) -> list[Order]:
        ids = [row.id for row in rows]
        by_order: dict[int, list[LineItem]] = {i: [] for i in ids}
        if ids:
            for item in self.c.execute(
                select(order_items).where(order_items.c.order_id.in_(ids)).order_by(order_items.c.id)
            ):
                by_order[item.order_id].append(
                    LineItem(item.id, item.product_id, item.name, item.quantity, item.subtotal, item.total,
                             item.data or {})
                )
        return [_order(row, by_order[row.id]) for row in rows]

    def for_customer(self, customer_id: int, *, newest_first: bool = True) -> list[Order]:
        order = orders.c.id.desc() if newest_first else orders.c.id.asc()
        rows = self.c.execute(select(orders).where(orders.c.customer_id == customer_id).order_by(order)).all()
        return self._with_items(rows)
