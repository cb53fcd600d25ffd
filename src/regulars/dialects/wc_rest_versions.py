"""What tells wc/v1, v2 and v3 apart, as one table: each version's item keys, schema properties,
download keys and the figures it caches. Shaping (wc_rest) and the schema (wc_rest_schema) read only this,
so a field added to one version is one entry here."""

from __future__ import annotations

from dataclasses import dataclass

from regulars.domain import customers as domain
from regulars.services.profiles import STAT_CACHE_KEYS

ADDRESS_FIELDS = domain.ADDRESS_FIELDS[:9]  # what both kinds of address have
_DOWNLOAD_FIELDS = (
    "download_id",
    "download_url",
    "product_id",
    "product_name",
    "download_name",
    "order_id",
    "order_key",
    "downloads_remaining",
    "access_expires",
    "access_expires_gmt",
    "file",
)


@dataclass(frozen=True)
class Version:
    name: str
    fields: tuple[str, ...]  # item keys, in WooCommerce's output order
    download_fields: tuple[str, ...] = _DOWNLOAD_FIELDS
    # OPTIONS schema properties in WooCommerce's order: by default the item keys with the write-only
    # password after the username.
    schema_order: tuple[str, ...] | None = None
    download_schema_omits: tuple[str, ...] = ()  # download keys the schema leaves out all the same
    shipping_fields: tuple[str, ...] = ADDRESS_FIELDS  # the shipping address properties the schema lists
    address_line_period: bool = False  # v1 words "Address line 1." with a period
    stat_cache: tuple[str, ...] = ()  # the figures this version reports, which WooCommerce then caches

    @property
    def namespace(self) -> str:
        return f"wc/{self.name}"

    @property
    def schema_fields(self) -> tuple[str, ...]:
        if self.schema_order is not None:
            return self.schema_order
        at = self.fields.index("username") + 1
        return (*self.fields[:at], "password", *self.fields[at:])

    @property
    def download_schema(self) -> tuple[str, ...]:
        return tuple(f for f in self.download_fields if f not in self.download_schema_omits)

    @property
    def accepts_meta(self) -> bool:
        return "meta_data" in self.fields


_V3_FIELDS = (
    "id",
    "date_created",
    "date_created_gmt",
    "date_modified",
    "date_modified_gmt",
    "email",
    "first_name",
    "last_name",
    "role",
    "username",
    "billing",
    "shipping",
    "is_paying_customer",
    "avatar_url",
    "meta_data",
)

VERSIONS: dict[str, Version] = {
    "v1": Version(
        "v1",
        (
            "id",
            "date_created",
            "date_modified",
            "email",
            "first_name",
            "last_name",
            "username",
            "last_order",
            "orders_count",
            "total_spent",
            "avatar_url",
            "billing",
            "shipping",
        ),
        download_fields=(
            "download_url",
            "download_id",
            "product_id",
            "product_url",
            "download_name",
            "order_id",
            "order_key",
            "downloads_remaining",
            "access_expires",
            "file",
        ),
        download_schema_omits=("product_url",),
        address_line_period=True,
        stat_cache=STAT_CACHE_KEYS,
    ),
    "v2": Version(
        "v2",
        (*_V3_FIELDS, "orders_count", "total_spent"),
        schema_order=(
            *_V3_FIELDS[: _V3_FIELDS.index("username") + 1],
            "password",
            "orders_count",
            "total_spent",
            "avatar_url",
            "billing",
            "shipping",
            "is_paying_customer",
            "meta_data",
        ),
        stat_cache=("wc_order_count_wp", "wc_money_spent_wp"),
    ),
    "v3": Version("v3", _V3_FIELDS, shipping_fields=(*ADDRESS_FIELDS, "phone")),
}
