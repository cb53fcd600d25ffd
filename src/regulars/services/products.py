"""Products: create, read, change, trash or delete, list — with WooCommerce's rules for slugs, SKUs and
downloadable files."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation

from regulars.domain import limits
from regulars.domain.errors import Conflict, Invalid, NotFound
from regulars.domain.orders import merge_meta, minor_units
from regulars.domain.products import (
    SUFFIX_ROOM,
    TRASH,
    UNLIMITED,
    Product,
    ProductChange,
    ProductQuery,
    download_setting,
    files_from,
    slugify,
    unique_slug,
    wants_slug,
)
from regulars.services.clock import now
from regulars.store.unit import Unit


def get(unit: Unit, product_id: int) -> Product | None:
    return unit.products.get(product_id)


def require(unit: Unit, product_id: int) -> Product:
    found = unit.products.get(product_id)
    if found is None:
        raise NotFound("product")
    return found


def page(unit: Unit, query: ProductQuery) -> tuple[list[Product], int]:
    return unit.products.page(query)


def create(unit: Unit, change: ProductChange, *, decimals: int) -> Product:
    moment = now()
    draft = Product(id=0, name="", slug="", created_at=moment, modified_at=moment)
    product = _changed(unit, draft, change, decimals)
    product.id = unit.products.insert(product)
    return require(unit, product.id)


def update(unit: Unit, product_id: int, change: ProductChange, *, decimals: int) -> Product:
    current = require(unit, product_id)
    product = _changed(unit, replace(current, modified_at=now()), change, decimals)
    unit.products.update(product)
    return require(unit, product_id)


def delete(unit: Unit, product_id: int, *, force: bool) -> Product:
    """Delete for good (`force`) or move to the trash; returns the product as it was. Orders keep their
    lines; a deleted product's downloads are no longer available."""
    current = require(unit, product_id)
    if force:
        unit.products.delete(product_id)
    elif current.status == TRASH:
        raise Invalid("already_trashed", "id")
    else:
        unit.products.update(replace(current, status=TRASH, modified_at=now()))
    return current


# Fields a change sets as they were sent (prices are cleaned first).
_COLUMNS = (
    "name",
    "type",
    "status",
    "regular_price",
    "sale_price",
    "downloadable",
    "virtual",
    "download_limit",
    "download_expiry",
)


def _changed(unit: Unit, product: Product, change: ProductChange, decimals: int) -> Product:
    """The product with the request's fields applied; a price must be one an order line can hold."""
    sku = product.sku if change.sku is None else change.sku.strip()
    if sku and sku != product.sku:
        owner = unit.products.id_by_sku(sku)
        if owner is not None and owner != product.id:
            raise Conflict("sku_exists", "sku", resource_id=owner)
    data = {**product.data, **change.data}
    if "meta_data" in change.data:
        data["meta_data"] = merge_meta(product.data.get("meta_data") or [], change.data["meta_data"] or [])
    sent = {name: value for name in _COLUMNS if (value := getattr(change, name)) is not None}
    limits.check_all({**sent, "sku": sku}, limits.PRODUCT)
    for name in ("download_limit", "download_expiry"):
        if name in sent:
            sent[name] = download_setting(sent[name])
            limits.check_range(name, sent[name], (UNLIMITED, limits.COUNT[1]))
    for name in ("regular_price", "sale_price"):
        if name in sent:
            sent[name] = _price(sent[name])
            minor_units(sent[name], decimals, name)
    if change.downloads is not None:
        sent["downloads"] = files_from(change.downloads)
        for file in sent["downloads"]:
            limits.check("downloads.id", file.id, limits.DOWNLOAD_ID)
    updated = replace(product, sku=sku, data=data, **sent)
    return replace(updated, slug=_slug(unit, updated, change.slug))


def _price(text: str) -> str:
    """A price as WooCommerce keeps it (wc_format_decimal): a plain decimal, or "" for anything else."""
    cleaned = text.strip()
    try:
        return cleaned if cleaned and Decimal(cleaned).is_finite() else ""
    except InvalidOperation:
        return ""


def _slug(unit: Unit, product: Product, sent: str | None) -> str:
    """A sent slug, else the stored one, else one made from the name once the product is published;
    made unique among products as WordPress does."""
    base = slugify(sent) if sent else product.slug
    if not base and wants_slug(product.status):
        base = slugify(product.name)
    if not base:
        return ""
    stem = base[: limits.SLUG - SUFFIX_ROOM]  # what a long base keeps whatever suffix it is given
    return unique_slug(base, unit.products.slugs_like(base, stem, exclude_id=product.id or None))
