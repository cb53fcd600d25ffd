"""Download permissions joined with their products and orders."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import Connection, insert, or_, select, update

from regulars.domain.downloads import Download, Grant
from regulars.store.tables import download_permissions, orders, products


class DownloadRepository:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    def available(self, customer_id: int, statuses: tuple[str, ...], moment: datetime) -> list[Download]:
        """Permissions still usable: orders granting access, downloads left, not expired, file still there."""
        p = download_permissions
        rows = self.c.execute(
            select(
                p,
                products.c.name.label("product_name"),
                products.c.slug.label("product_slug"),
                products.c.downloads,
            )
            .join(orders, orders.c.id == p.c.order_id)
            .join(products, products.c.id == p.c.product_id)
            .where(
                p.c.customer_id == customer_id,
                orders.c.status.in_(statuses),
                or_(p.c.downloads_remaining.is_(None), p.c.downloads_remaining > 0),
                or_(p.c.access_expires.is_(None), p.c.access_expires >= moment),
            )
            .order_by(p.c.order_id, p.c.product_id, p.c.id)
        )
        found: list[Download] = []
        for row in rows:
            files = {f.get("id"): f for f in (row.downloads or [])}
            file = files.get(row.download_id)
            if file is None:
                continue
            found.append(
                Download(
                    permission_id=row.id,
                    download_id=row.download_id,
                    product_id=row.product_id,
                    product_name=row.product_name,
                    product_slug=row.product_slug,
                    order_id=row.order_id,
                    order_key=row.order_key,
                    user_email=row.user_email,
                    downloads_remaining=row.downloads_remaining,
                    access_expires=row.access_expires,
                    file_name=file.get("name", ""),
                    file_url=file.get("file", ""),
                )
            )
        return found

    def granted(self, order_id: int) -> bool:
        found = self.c.execute(
            select(download_permissions.c.id).where(download_permissions.c.order_id == order_id)
        )
        return found.first() is not None

    def grant(self, grants: list[Grant]) -> None:
        if grants:
            self.c.execute(insert(download_permissions), [asdict(g) for g in grants])

    def reassign(self, order_id: int, customer_id: int | None, user_email: str) -> None:
        """An order changed hands or billing email: its permissions follow, as WooCommerce's do."""
        self.c.execute(
            update(download_permissions)
            .where(download_permissions.c.order_id == order_id)
            .values(customer_id=customer_id, user_email=user_email)
        )
