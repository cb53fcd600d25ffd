"""Download permissions: what a customer may download, granted by paid orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class Download:
    permission_id: int
    download_id: str
    product_id: int
    product_name: str
    product_slug: str
    order_id: int
    order_key: str
    user_email: str
    downloads_remaining: int | None  # None: unlimited
    access_expires: datetime | None  # None: never
    file_name: str
    file_url: str
