"""Products: rows in, domain values out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Select, case, delete, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from regulars.domain.orders import PAID_STATUSES
from regulars.domain.products import TRASH, DownloadFile, Product, ProductQuery
from regulars.store.orders import within
from regulars.store.search import like_escape
from regulars.store.tables import order_items, orders, products

_ORDER_COLUMNS = {
    "date": products.c.created_at,
    "modified": products.c.modified_at,
    "id": products.c.id,
    "title": products.c.name,
    "slug": products.c.slug,
}


def _product(row: Any) -> Product:
    return Product(
        id=row.id,
        name=row.name,
        slug=row.slug,
        created_at=row.created_at,
        modified_at=row.modified_at,
        sku=row.sku,
        type=row.type,
        status=row.status,
        regular_price=row.regular_price,
        sale_price=row.sale_price,
        downloadable=bool(row.downloadable),
        virtual=bool(row.virtual),
        download_limit=row.download_limit,
        download_expiry=row.download_expiry,
        downloads=[DownloadFile(f["id"], f["name"], f["file"]) for f in row.downloads or []],
        data=row.data or {},
    )


def _row(product: Product) -> dict[str, Any]:
    return {
        "name": product.name,
        "slug": product.slug,
        "sku": product.sku,
        "type": product.type,
        "status": product.status,
        "regular_price": product.regular_price,
        "sale_price": product.sale_price,
        "downloadable": product.downloadable,
        "virtual": product.virtual,
        "download_limit": product.download_limit,
        "download_expiry": product.download_expiry,
        "downloads": [{"id": f.id, "name": f.name, "file": f.file} for f in product.downloads],
        "data": product.data,
        "created_at": product.created_at,
        "modified_at": product.modified_at,
    }


class ProductRepository:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    # --- reading -------------------------------------------------------------------------------
    def get(self, product_id: int) -> Product | None:
        row = self.c.execute(select(products).where(products.c.id == product_id)).first()
        return _product(row) if row else None

    def get_many(self, ids: Iterable[int]) -> dict[int, Product]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = self.c.execute(select(products).where(products.c.id.in_(wanted)))
        return {row.id: _product(row) for row in rows}

    def sales(self, ids: Iterable[int]) -> dict[int, int]:
        """Quantities sold per product: its lines in paid orders (WooCommerce's total_sales)."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        sold = (
            select(order_items.c.product_id, func.sum(order_items.c.quantity).label("quantity"))
            .join(orders, orders.c.id == order_items.c.order_id)
            .where(
                order_items.c.kind == "line_item",
                order_items.c.product_id.in_(wanted),
                orders.c.status.in_(PAID_STATUSES),
            )
            .group_by(order_items.c.product_id)
        )
        return {row.product_id: int(row.quantity) for row in self.c.execute(sold)}

    def id_by_sku(self, sku: str) -> int | None:
        row = self.c.execute(
            select(products.c.id).where(products.c.sku == sku).order_by(products.c.id)
        ).first()
        return row.id if row else None

    def slugs_like(self, base: str, stem: str, exclude_id: int | None = None) -> set[str]:
        """Slugs equal to `base` or `base-N`, to pick a free one; when `stem` (what a suffixed slug keeps
        of a long base) is shorter, every slug beginning with it."""
        tail = "-%" if stem == base else "%"
        query = select(products.c.slug).where(
            or_(products.c.slug == base, products.c.slug.like(like_escape(stem) + tail, escape="\\"))
        )
        if exclude_id is not None:
            query = query.where(products.c.id != exclude_id)
        return {row.slug for row in self.c.execute(query)}

    def _filters(self, query: ProductQuery) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if query.statuses is None:
            where.append(products.c.status != TRASH)
        else:
            where.append(products.c.status.in_(query.statuses))
        if query.type is not None:
            where.append(products.c.type == query.type)
        if query.sku is not None:
            where.append(products.c.sku.in_([s.strip() for s in query.sku.split(",")]))
        if query.search:
            pattern = "%" + like_escape(query.search.lower()) + "%"
            where.append(func.lower(products.c.name).like(pattern, escape="\\"))
        if query.include:
            where.append(products.c.id.in_(query.include))
        if query.exclude:
            where.append(products.c.id.not_in(query.exclude))
        where += within(products.c.created_at, query.created_after, query.created_before)
        where += within(products.c.modified_at, query.modified_after, query.modified_before)
        return where

    def _ordered(self, statement: Select, query: ProductQuery) -> Select:
        if query.orderby == "include" and query.include:
            position = case({pid: n for n, pid in enumerate(query.include)}, value=products.c.id)
            return statement.order_by(position)
        column = _ORDER_COLUMNS.get(query.orderby, products.c.created_at)
        if query.descending:
            return statement.order_by(column.desc(), products.c.id.desc())
        return statement.order_by(column.asc(), products.c.id.asc())

    def page(self, query: ProductQuery) -> tuple[list[Product], int]:
        where = self._filters(query)
        total = int(self.c.execute(select(func.count()).select_from(products).where(*where)).scalar_one())
        statement = (
            self._ordered(select(products).where(*where), query).limit(query.limit).offset(query.offset)
        )
        return [_product(row) for row in self.c.execute(statement)], total

    # --- writing -------------------------------------------------------------------------------
    def insert(self, product: Product) -> int:
        result = self.c.execute(insert(products).values(**_row(product)))
        return int(result.inserted_primary_key[0])

    def update(self, product: Product) -> None:
        values = _row(product)
        values.pop("created_at")
        self.c.execute(update(products).where(products.c.id == product.id).values(**values))

    def delete(self, product_id: int) -> None:
        self.c.execute(delete(products).where(products.c.id == product_id))
