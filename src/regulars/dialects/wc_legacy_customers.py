"""The legacy API's customers (/wc-api/v2/customers, /wc-api/v3/customers): list, count, one by id or
email, create, edit, delete, a customer's orders and downloads, and bulk create/edit.

Each handler follows WC_API_Customers: the order of its checks, its statuses (edit answers 400 where
read answers 404/401) and its words. The rules themselves are the services'.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from regulars.dialects import wc_legacy_schema as doc
from regulars.dialects import wc_legacy_shape as shape
from regulars.dialects.wc_legacy import (
    CREATABLE,
    DELETABLE,
    EDITABLE,
    READABLE,
    Call,
    Endpoint,
    LegacyError,
    Reply,
    Route,
    filter_fields,
    pagination_headers,
    php_number,
    user_query_pages,
)
from regulars.dialects.wc_rest import rest_error
from regulars.dialects.wordpress import MAX_ID, bracketed
from regulars.domain import accounts as roles
from regulars.domain.accounts import Account, is_email
from regulars.domain.customers import Profile, ProfileChange, ProfileQuery
from regulars.domain.errors import Conflict, DomainError
from regulars.domain.orders import Order
from regulars.domain.search import extended as extended_search
from regulars.domain.text import sanitize_text_field
from regulars.ratelimit import Counts
from regulars.services import downloads as download_service
from regulars.services import orders as order_service
from regulars.services import profiles
from regulars.store.unit import Unit

DEFAULT_LIMIT = 10  # WordPress's posts_per_page, the legacy page size
_LEADING_INT = re.compile(r"^\s*([+-]?\d+)")


def intval(value: Any) -> int:
    """PHP's intval for what a request carries: the leading integer of a string, else 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    found = _LEADING_INT.match(value) if isinstance(value, str) else None
    return int(found.group(1)) if found else 0


# The legacy API's names for the fields a domain error may name.
_LEGACY_NAMES = {"billing": "billing_address", "shipping": "shipping_address"}


def legacy_error(error: DomainError, email: str | None = None) -> LegacyError:
    """A domain refusal in the legacy API's words, which are WooCommerce's registration words.

    Editing a customer onto another's email is refused with the words a create would get (WooCommerce
    answers 200 and silently keeps the old email; Regulars says why instead).
    """
    if error.reason == "email_taken":
        error = Conflict("email_exists", "email", email=email or "")
    if error.reason == "account":
        return LegacyError("woocommerce_api_invalid_customer", "Invalid customer", 404)
    if error.reason == "too_long":
        _top, name = bracketed(error.field or "", _LEGACY_NAMES)
        message = f"{name} may not be longer than {error.detail['limit']} characters."
        return LegacyError("woocommerce_api_field_too_long", message, 400)
    rest = rest_error(error)
    return LegacyError(rest.code, rest.message, rest.status)


# --- who may do what to which customer (WC_API_Customers::validate_request) ----------------------------
@dataclass(frozen=True)
class Access:
    missing_status: int  # an unknown or zero id
    refused_status: int
    allowed: Callable[[Account, Account], bool]
    code: str
    message: str


READ = Access(
    404,
    401,
    lambda actor, _target: actor.can(roles.LIST),
    "woocommerce_api_user_cannot_read_customer",
    "You do not have permission to read this customer",
)
EDIT = Access(
    400,
    400,
    lambda actor, target: actor.may_edit(target),
    "woocommerce_api_user_cannot_edit_customer",
    "You do not have permission to edit this customer",
)
DELETE = Access(
    404,
    401,
    lambda actor, target: actor.may_delete(target),
    "woocommerce_api_user_cannot_delete_customer",
    "You do not have permission to delete this customer",
)


def _actor(call: Call) -> Account:
    assert call.principal is not None  # every route but the index is authenticated first
    return call.principal.account


def _target(unit: Unit, actor: Account, raw_id: Any, access: Access) -> Profile:
    account_id = abs(intval(raw_id))
    if not account_id:
        raise LegacyError("woocommerce_api_invalid_customer_id", "Invalid customer ID", access.missing_status)
    profile = profiles.get(unit, account_id) if account_id <= MAX_ID else None  # no id is past 64 bits
    if profile is None:
        raise LegacyError("woocommerce_api_invalid_customer", "Invalid customer", access.missing_status)
    if not access.allowed(actor, profile.account):
        raise LegacyError(access.code, access.message, access.refused_status)
    return profile


# --- reading requests ------------------------------------------------------------------------------------
def _invalid(name: str, kind: str) -> LegacyError:
    return LegacyError("woocommerce_api_invalid_customer_data", f"{name} must be {kind}.", 400)


def _scalar(value: Any, name: str) -> str | None:
    """A text field: null is "not sent" (PHP's isset), a number its digits as PHP prints them. A list, an
    object or true/false is refused: WooCommerce would store PHP's rendering of it, never what was meant."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return php_number(value)
    raise _invalid(name, "a string")


def _address(value: Any, kind: str, names: tuple[str, ...]) -> dict[str, str] | None:
    """`billing_address`/`shipping_address`: its known fields, each text; `[]` is PHP's empty array."""
    if value is None or value == []:
        return None
    if not isinstance(value, dict):
        raise _invalid(kind, "an object")
    fields = {name: _scalar(value.get(name), f"{kind}.{name}") for name in names}
    return {name: text for name, text in fields.items() if text is not None}


def change_from(body: dict[str, Any], creating: bool) -> ProfileChange:
    """The customer object of a request; `username` counts only when creating (edit ignores it)."""
    text = {n: _scalar(body.get(n), n) for n in ("email", "first_name", "last_name", "password")}
    first, last = text["first_name"], text["last_name"]
    return ProfileChange(
        email=text["email"],
        first_name=None if first is None else sanitize_text_field(first),
        last_name=None if last is None else sanitize_text_field(last),
        username=(_scalar(body.get("username"), "username") or None) if creating else None,
        password=text["password"] or None,
        billing=_address(body.get("billing_address"), "billing_address", shape.BILLING),
        shipping=_address(body.get("shipping_address"), "shipping_address", shape.SHIPPING),
    )


def _customer_body(data: Any, action: str) -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("customer") is None:
        raise LegacyError(
            "woocommerce_api_missing_customer_data", f"No customer data specified to {action} customer", 400
        )
    body = data["customer"]
    return body if isinstance(body, dict) else {}


def _search_columns(term: str) -> tuple[str, ...]:
    """WP_User_Query picks the columns by the term: an email, a number, a URL (accounts keep none) or text."""
    bare = term.strip("*")
    if "@" in bare:
        return ("email",)
    if bare.isdigit():
        return ("username", "id")
    if bare.startswith(("http://", "https://")):
        return ()
    return ("username", "email", "display_name")


def _search(term: str, extended: bool) -> tuple[str, tuple[str, ...]]:
    return extended_search(term) if extended else (term, _search_columns(term))


# WP_User_Query's orderby names; an unknown one sorts by login, as WordPress does. Accounts keep no URL
# and no posts, so those sorts are ties, in id order.
_ORDERBY = {
    "ID": "id",
    "id": "id",
    "login": "username",
    "user_login": "username",
    "nicename": "username",
    "user_nicename": "username",
    "email": "email",
    "user_email": "email",
    "registered": "registered_at",
    "user_registered": "registered_at",
    "name": "display_name",
    "display_name": "display_name",
    "url": "id",
    "user_url": "id",
    "post_count": "id",
}
_FRACTION = re.compile(r"\.\d+")
_OFFSET = re.compile(r"[+-]\d+:+\d+$")


def parse_datetime(value: str) -> datetime:
    """WC_API_Server::parse_datetime: fractions dropped, any offset read as UTC, nonsense is the epoch."""
    cleaned = _OFFSET.sub("", _FRACTION.sub("", value.strip())).removesuffix("Z").removesuffix("z")
    try:
        return datetime.fromisoformat(cleaned).replace(tzinfo=None)
    except ValueError:
        return datetime(1970, 1, 1)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


# filter[...] bounds on dates, inclusive to the second, and the profile fields they bound: WooCommerce's
# created_at_*, and updated_at_* (which WooCommerce's legacy lists of orders and products take).
_DATE_BOUNDS = {
    "created_at_min": "registered_after",
    "created_at_max": "registered_before",
    "updated_at_min": "modified_after",
    "updated_at_max": "modified_before",
}


def query_from(call: Call, paged: bool, extended: bool = False) -> ProfileQuery:
    """filter[role|q|limit|offset|created_at_min|created_at_max|order|orderby] and page, as
    WC_API_Customers::query_customers reads them, and filter[updated_at_min|updated_at_max]. `q` looks
    where WordPress looks unless the search is extended (then anywhere in every profile field)."""
    f = call.filter
    role = _text(f.get("role")) or "customer"
    term = _text(f.get("q"))
    term, columns = _search(term, extended) if term else ("", ())
    query = ProfileQuery(
        role=None if role == "all" and call.version.every_role else role,
        search=term or None,
        search_columns=columns,
        orderby=_ORDERBY.get(_text(f.get("orderby")), "username") if f.get("orderby") else "registered_at",
        descending=bool(f.get("order")) and _text(f.get("order")).upper() != "ASC",
        limit=None,
    )
    # The stored times have whole seconds, so ">= min" is "> min - 1s" (and likewise for max).
    for name, bound in _DATE_BOUNDS.items():
        if _text(f.get(name)):
            step = timedelta(seconds=-1 if name.endswith("_min") else 1)
            setattr(query, bound, parse_datetime(f[name]) + step)
    if not paged:
        return query
    limit = intval(f.get("limit"))
    if limit == -1:
        return query
    query.limit = min(abs(limit) or DEFAULT_LIMIT, MAX_ID)  # a store counts rows in 64 bits
    page = abs(intval(call.query.get("page", 1)))
    offset = abs(intval(f.get("offset")))
    query.offset = min(offset or query.limit * max(page - 1, 0), MAX_ID)
    return query


# --- handlers ----------------------------------------------------------------------------------------------
def _decimals(call: Call) -> int:
    return int(call.context.settings.currency_decimals)


def _shown(call: Call, profile: Profile) -> dict[str, Any]:
    """The customer as this version shows it, `fields` applied. Kept beside a held profile (store/profiles.py
    HeldProfiles: the shape depends on the profile and the version alone, the site's settings holding for
    the process), so a customer read again is not shaped again; shared, so never changed in place."""
    held = call.context.store.held_profiles
    key = ("wc_legacy", call.version.name)
    shown = held.derived(profile, key, lambda: shape.customer(profile, call.version, _decimals(call)))
    return filter_fields(shown, call.query.get("fields"))


def _remember_figures(call: Call, shown: list[Profile]) -> None:
    """WooCommerce caches the figures a legacy customer reports (last order, order count, money spent)
    in user meta, where REST's meta_data then lists them; Regulars keeps them the same way."""
    stale = [p for p in shown if profiles.stale_stat_cache(p, profiles.STAT_CACHE_KEYS)]
    if stale:
        with call.context.store.write() as unit:
            for profile in stale:
                profiles.refresh_stat_cache(unit, profile, profiles.STAT_CACHE_KEYS)


def _reported(unit: Unit, profile: Profile) -> Profile:
    """A profile a write just produced, its figures cached in the same unit (see _remember_figures)."""
    profiles.refresh_stat_cache(unit, profile, profiles.STAT_CACHE_KEYS)
    return profile


def list_customers(call: Call) -> Reply:
    """Callers without list_users get an empty list; the headers still count every match (as WooCommerce)."""
    query = query_from(call, paged=True, extended=call.context.settings.extended_search)
    with call.context.store.read() as unit:
        found = profiles.page(unit, query)
    readable = found.items if _actor(call).can(roles.LIST) else []
    items = [_shown(call, p) for p in readable]
    _remember_figures(call, readable)
    page, total_pages = user_query_pages(found.total, query.limit, query.offset)
    headers = pagination_headers(call, found.total, page, total_pages, single=len(found.items) == 1)
    return Reply({"customers": items}, headers=headers)


def count_customers(call: Call) -> Reply:
    if not _actor(call).can(roles.LIST):
        raise LegacyError(
            "woocommerce_api_user_cannot_read_customers_count",
            "You do not have permission to read the customers count",
            401,
        )
    with call.context.store.read() as unit:
        return Reply(
            {"count": profiles.count(unit, query_from(call, False, call.context.settings.extended_search))}
        )


def get_customer(call: Call) -> Reply:
    with call.context.store.read() as unit:
        profile = _target(unit, _actor(call), call.url_params["id"], READ)
    _remember_figures(call, [profile])
    return Reply({"customer": _shown(call, profile)})


def get_customer_by_email(call: Call) -> Reply:
    email = call.url_params["email"]
    with call.context.store.read() as unit:
        found = profiles.by_email(unit, email) if is_email(email) else None
        if found is None:
            raise LegacyError("woocommerce_api_invalid_customer_email", "Invalid customer email", 404)
        profile = _target(unit, _actor(call), found.id, READ)
    _remember_figures(call, [profile])
    return Reply({"customer": _shown(call, profile)})


def _create(unit: Unit, actor: Account, data: Any) -> Profile:
    body = _customer_body(data, "create")
    if not actor.can(roles.CREATE_USERS):
        raise LegacyError(
            "woocommerce_api_user_cannot_create_customer",
            "You do not have permission to create this customer",
            401,
        )
    if body.get("email") is None:
        raise LegacyError("woocommerce_api_missing_customer_email", "Missing parameter email", 400)
    try:
        return _reported(unit, profiles.create(unit, change_from(body, creating=True)))
    except DomainError as exc:
        raise legacy_error(exc) from exc


def _edit(unit: Unit, actor: Account, raw_id: Any, data: Any) -> Profile:
    body = _customer_body(data, "edit")
    target = _target(unit, actor, raw_id, EDIT)
    change = change_from(body, creating=False)
    try:
        return _reported(unit, profiles.update(unit, target.id, change))
    except DomainError as exc:
        raise legacy_error(exc, change.email) from exc


def create_customer(call: Call) -> Reply:
    with call.context.store.write() as unit:
        profile = _create(unit, _actor(call), call.data)
    return Reply({"customer": shape.customer(profile, call.version, _decimals(call))}, 201)


def edit_customer(call: Call) -> Reply:
    with call.context.store.write() as unit:
        profile = _edit(unit, _actor(call), call.url_params["id"], call.data)
    return Reply({"customer": shape.customer(profile, call.version, _decimals(call))})


def delete_customer(call: Call) -> Reply:
    with call.context.store.write() as unit:
        target = _target(unit, _actor(call), call.url_params["id"], DELETE)
        profiles.delete(unit, target.id)
    return Reply({"message": "Permanently deleted customer"})


def _orders_query(call: Call, found: list[Order]) -> tuple[list[Order], list[tuple[str, str]]]:
    """v3's orders query for one customer: filter[status] (a comma list), filter[limit] (10; -1 for all),
    always page 1, with its pagination headers."""
    f = call.filter
    statuses = [s.strip() for s in _text(f.get("status")).split(",") if s.strip()]
    found = [o for o in found if o.status in statuses] if statuses else found
    limit = intval(f.get("limit")) or DEFAULT_LIMIT
    total = len(found)
    pages = math.ceil(total / limit) if limit > 0 else min(total, 1)
    headers = pagination_headers(call, total, 1, pages, single=False)
    return (found[:limit] if limit > 0 else found), headers


def customer_orders(call: Call) -> Reply:
    """v3: the orders query (newest first, see _orders_query; filter[dp] decimals); v2: every order,
    oldest first, without pagination headers."""
    version = call.version
    with call.context.store.read() as unit:
        profile = _target(unit, _actor(call), call.url_params["id"], READ)
        record = profile.customer
        newest_first = version.orders_as_query
        found = order_service.for_customer(unit, record.id, newest_first=newest_first) if record else []
    headers: list[tuple[str, str]] = []
    places = 2
    if version.orders_as_query:
        found, headers = _orders_query(call, found)
        places = max(intval(call.filter.get("dp", places)), 0)
    decimals = _decimals(call)
    owner = shape.customer(profile, version, decimals)
    fields = call.query.get("fields")
    orders = [
        filter_fields(shape.order(o, version, owner, profile.id, call.base, decimals, places), fields)
        for o in found
    ]
    if orders:
        _remember_figures(call, [profile])  # each order reports its customer
    return Reply({"orders": orders}, headers=headers)


def customer_downloads(call: Call) -> Reply:
    with call.context.store.read() as unit:
        profile = _target(unit, _actor(call), call.url_params["id"], READ)
        found = download_service.available(unit, profile.customer)
    return Reply({"downloads": [shape.download(d, call.base) for d in found]})


def _bulk_items(items: Any) -> list[Any]:
    """`customers` as a list; an object keyed 0, 1, … is a PHP array that json_encode wrote as an object.
    Anything else (one customer object, a string, a number) is refused rather than read as no items."""
    if isinstance(items, dict) and all(key.isdigit() for key in items):
        return list(items.values())
    if not isinstance(items, list):
        raise LegacyError(
            "woocommerce_api_invalid_customers_data", "customers must be a list of customer objects.", 400
        )
    return items


def _bulk_list(call: Call) -> list[Any]:
    """The bulk's `customers`, refused whole when missing, not a list or past the batch limit."""
    data = call.data
    if not isinstance(data, dict) or data.get("customers") is None:
        raise LegacyError(
            "woocommerce_api_missing_customers_data",
            "No customers data specified to create/edit customers",
            400,
        )
    items = _bulk_items(data["customers"])
    limit = call.context.settings.batch_limit
    if len(items) > limit:
        raise LegacyError(
            "woocommerce_api_customers_request_entity_too_large",
            f"Unable to accept more than {limit} items for this request.",
            413,
        )
    return items


def _bulk_item_id(item: Any) -> int:
    """The id an item edits; 0 (none) creates."""
    return intval(item.get("id")) if isinstance(item, dict) and item.get("id") is not None else 0


def bulk_counts(call: Call) -> Counts:
    """A bulk costs its items against the rate limits: edits as updates, the rest as creates."""
    items = _bulk_list(call)
    edits = sum(1 for item in items if _bulk_item_id(item))
    counts = {"create": len(items) - edits, "update": edits}
    return {kind: n for kind, n in counts.items() if n}


def bulk(call: Call) -> Reply:
    """Create (no id) or edit (an id) each item in turn, errors in place; 201 once anything was created."""
    items = _bulk_list(call)
    actor, decimals = _actor(call), _decimals(call)
    results: list[dict[str, Any]] = []
    created = False
    with call.context.store.write() as unit, unit.batch():
        for item in items:
            item_id = _bulk_item_id(item)
            try:
                with unit.savepoint():
                    if item_id:
                        profile = _edit(unit, actor, item_id, {"customer": item})
                    else:
                        profile = _create(unit, actor, {"customer": item})
                        created = True
            except LegacyError as exc:
                results.append({"id": item_id, "error": exc.entry()})
                continue
            results.append(shape.customer(profile, call.version, decimals))
    return Reply({"customers": results}, 201 if created else 200)


def routes() -> list[Route]:
    """The customer routes, in the order WooCommerce registers them (the first match wins)."""
    return [
        Route(
            "/customers",
            (
                Endpoint(READABLE, list_customers, doc=doc.LIST),
                Endpoint(CREATABLE, create_customer, True, "create", doc.CREATE),
            ),
        ),
        Route("/customers/count", (Endpoint(READABLE, count_customers, doc=doc.COUNT),)),
        Route(
            r"/customers/(?P<id>\d+)",
            (
                Endpoint(READABLE, get_customer, doc=doc.GET),
                Endpoint(EDITABLE, edit_customer, True, "update", doc.EDIT),
                Endpoint(DELETABLE, delete_customer, kind="delete", doc=doc.DELETE),
            ),
        ),
        Route(r"/customers/email/(?P<email>.+)", (Endpoint(READABLE, get_customer_by_email, doc=doc.GET),)),
        Route(r"/customers/(?P<id>\d+)/orders", (Endpoint(READABLE, customer_orders, doc=doc.ORDERS),)),
        Route(
            r"/customers/(?P<id>\d+)/downloads", (Endpoint(READABLE, customer_downloads, doc=doc.DOWNLOADS),)
        ),
        Route("/customers/bulk", (Endpoint(EDITABLE, bulk, True, "update", doc.BULK, bulk_counts),)),
    ]
