"""The wc/v1, v2 and v3 differences as the table declares them: item keys, schema, dates and meta."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from regulars.dialects.wc_rest import Shaper, change_from
from regulars.dialects.wc_rest_schema import downloads_schema, item_schema
from regulars.dialects.wc_rest_versions import VERSIONS
from regulars.dialects.wordpress import Call
from regulars.domain.accounts import Account
from regulars.domain.customers import Profile
from regulars.settings import Settings
from regulars.store.profiles import HeldProfiles


def call(timezone: str = "UTC") -> Call:
    # A context with the settings and a store's held profiles (none held: every item is shaped).
    store = SimpleNamespace(held_profiles=HeldProfiles(0))
    context = SimpleNamespace(settings=Settings(timezone=timezone), store=store)
    return Call("GET", "/", {}, frozenset(), {}, [], "http://shop.test", None, context)


# Lisbon is an hour ahead of UTC in summer.
ACCOUNT = Account(
    7,
    "ana",
    "ana@example.com",
    "customer",
    datetime(2024, 7, 1, 12),
    modified_at=datetime(2024, 7, 2, 23, 30),
)


@pytest.mark.parametrize("name", ["v1", "v2", "v3"])
def test_dates_are_in_the_site_time_zone_in_every_version(name: str) -> None:
    """The seeds document date_created and date_modified "in the site's timezone" for every version."""
    item = Shaper(VERSIONS[name], call("Europe/Lisbon")).item(Profile(ACCOUNT), with_links=False)
    assert (item["date_created"], item["date_modified"]) == ("2024-07-01T13:00:00", "2024-07-03T00:30:00")
    if name != "v1":
        assert (item["date_created_gmt"], item["date_modified_gmt"]) == (
            "2024-07-01T12:00:00",
            "2024-07-02T23:30:00",
        )


def test_item_keys_follow_each_version() -> None:
    items = {n: Shaper(v, call()).item(Profile(ACCOUNT), with_links=False) for n, v in VERSIONS.items()}
    assert list(items["v1"])[6:10] == ["username", "last_order", "orders_count", "total_spent"]
    assert "role" not in items["v1"] and "date_created_gmt" not in items["v1"]
    assert list(items["v2"])[-2:] == ["orders_count", "total_spent"]
    assert "orders_count" not in items["v3"] and "last_order" not in items["v3"]
    assert items["v1"]["last_order"] == {"id": None, "date": None} and items["v2"]["total_spent"] == "0.00"


def test_schemas_as_woocommerce_declares_them() -> None:
    schemas = {name: item_schema(name)["properties"] for name in VERSIONS}
    assert {name: len(props) for name, props in schemas.items()} == {"v1": 14, "v2": 18, "v3": 16}
    assert list(schemas["v2"])[10:14] == ["password", "orders_count", "total_spent", "avatar_url"]
    assert list(schemas["v3"])[9:11] == ["username", "password"]
    assert schemas["v1"]["billing"]["properties"]["address_1"]["description"] == "Address line 1."
    assert schemas["v3"]["billing"]["properties"]["address_1"]["description"] == "Address line 1"
    assert "phone" in schemas["v3"]["shipping"]["properties"]
    assert "phone" not in schemas["v2"]["shipping"]["properties"]
    assert schemas["v1"]["date_created"]["description"].endswith("in the site's timezone.")


def test_download_schemas_list_what_each_version_shows() -> None:
    v1 = list(downloads_schema("v1")["properties"])
    assert v1 == [f for f in VERSIONS["v1"].download_fields if f != "product_url"]
    assert v1[:2] == ["download_url", "download_id"]
    assert list(downloads_schema("v3")["properties"]) == list(VERSIONS["v3"].download_fields)


def test_v1_has_no_meta_data_to_write() -> None:
    params = {"email": "a@example.com", "meta_data": [{"key": "tier", "value": "gold"}]}
    assert change_from(params, VERSIONS["v1"]).meta is None
    assert [m.key for m in change_from(params, VERSIONS["v2"]).meta or []] == ["tier"]
