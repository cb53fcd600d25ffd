"""Products, as much as orders and downloads need: a name, a price, and the files a purchase unlocks.

WooCommerce's other product fields travel in `data` and are echoed back as they were sent.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from regulars.domain import limits

TYPES: tuple[str, ...] = ("simple", "grouped", "external", "variable")
STATUSES: tuple[str, ...] = ("draft", "pending", "private", "publish", "future")
TRASH = "trash"
UNLIMITED = -1  # download_limit and download_expiry: no limit, never expires
# Statuses WordPress gives a slug to on save; drafts keep an empty one until published.
_SLUGLESS = ("draft", "pending")


@dataclass
class DownloadFile:
    id: str
    name: str
    file: str


@dataclass
class Product:
    id: int
    name: str
    slug: str
    created_at: datetime
    modified_at: datetime
    sku: str = ""
    type: str = "simple"
    status: str = "publish"
    regular_price: str = ""
    sale_price: str = ""
    downloadable: bool = False
    virtual: bool = False
    download_limit: int = UNLIMITED
    download_expiry: int = UNLIMITED
    downloads: list[DownloadFile] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def on_sale(self) -> bool:
        """A sale price below the regular one (WooCommerce's is_on_sale, without scheduled dates)."""
        sale, regular = _number(self.sale_price), _number(self.regular_price)
        return sale is not None and (regular is None or sale < regular)

    @property
    def price(self) -> str:
        return self.sale_price if self.on_sale else self.regular_price

    @property
    def needs_processing(self) -> bool:
        """Only a product both virtual and downloadable can be fulfilled without anyone handling it."""
        return not (self.virtual and self.downloadable)

    def file(self, download_id: str) -> DownloadFile | None:
        return next((f for f in self.downloads if f.id == download_id), None)


@dataclass
class ProductChange:
    """What a request asks to set on a product; None means "not sent". `data` holds every other field."""

    name: str | None = None
    slug: str | None = None
    sku: str | None = None
    type: str | None = None
    status: str | None = None
    regular_price: str | None = None
    sale_price: str | None = None
    downloadable: bool | None = None
    virtual: bool | None = None
    download_limit: int | None = None
    download_expiry: int | None = None
    downloads: list[dict[str, Any]] | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class ProductQuery:
    statuses: tuple[str, ...] | None = None  # None: every status but trash
    type: str | None = None
    sku: str | None = None
    search: str | None = None
    include: tuple[int, ...] = ()
    exclude: tuple[int, ...] = ()
    created_after: datetime | None = None
    created_before: datetime | None = None
    modified_after: datetime | None = None
    modified_before: datetime | None = None
    orderby: str = "date"  # date | id | title | slug | include | modified
    descending: bool = True
    limit: int = 10
    offset: int = 0


def download_setting(value: int) -> int:
    """WooCommerce's set_download_limit and set_download_expiry: -1 stays (unlimited, never), anything
    else is kept as its absint (-5 is 5)."""
    return UNLIMITED if value == UNLIMITED else abs(value)


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text.strip() else None
    except InvalidOperation:
        return None


_NON_SLUG = re.compile(r"[^a-z0-9_-]+")
_DASHES = re.compile(r"-+")


def slugify(text: str) -> str:
    """WordPress's sanitize_title: accents folded, lowercase, anything else a single dash, cut to the
    slug's width."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = _DASHES.sub("-", _NON_SLUG.sub("-", folded.replace(" ", "-"))).strip("-")
    return slug[: limits.SLUG].rstrip("-")


def wants_slug(status: str) -> bool:
    return status not in _SLUGLESS


SUFFIX_ROOM = 21  # "-" and the digits of any 64-bit suffix


def unique_slug(base: str, taken: set[str]) -> str:
    """WordPress's wp_unique_post_slug: the base, else the base with -2, -3, … (the base cut short so the
    suffix fits the slug's width, as _truncate_post_slug does)."""
    if base not in taken:
        return base
    suffix = 2
    while (candidate := f"{base[: limits.SLUG - len(str(suffix)) - 1].rstrip('-')}-{suffix}") in taken:
        suffix += 1
    return candidate


def files_from(sent: list[dict[str, Any]]) -> list[DownloadFile]:
    """WooCommerce's prepare_downloads: entries without a file are skipped, a missing name is taken from
    the file's URL, and a file keeps the id it was sent with (a new one gets a fresh UUID)."""
    files: list[DownloadFile] = []
    for entry in sent:
        url = str(entry.get("file") or "")
        if not url:
            continue
        given = str(entry.get("id") or "")
        name = str(entry.get("name") or "") or urlsplit(url).path.rsplit("/", 1)[-1]
        files.append(DownloadFile(given or str(uuid.uuid4()), name, url))
    return files
