"""WooCommerce's REST API for customers: /wp-json/wc/v1, v2 and v3.

One implementation for all three: a version is a row of the VERSIONS table (wc_rest_versions: which
fields its items have, in which order, and which figures it caches), never a subclass.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from regulars.dialects import wc_rest_schema as schema
from regulars.dialects.wc_rest_versions import VERSIONS, Version
from regulars.dialects.wordpress import (
    Call,
    Endpoint,
    Reply,
    RestError,
    Route,
    as_id,
    batch_counts,
    batch_lists,
    checked_args,
    invalid_params,
    item_error,
    pagination,
    path_id,
    rows_to_skip,
    too_long,
)
from regulars.dialects.wp_schema import ArgError
from regulars.domain import accounts as roles
from regulars.domain.accounts import Account
from regulars.domain.customers import MetaChange, Profile, ProfileChange, ProfileQuery
from regulars.domain.downloads import Download
from regulars.domain.errors import DomainError
from regulars.domain.orders import decimal_text
from regulars.domain.search import extended as extended_search
from regulars.domain.text import sanitize_text_field
from regulars.services import downloads as download_service
from regulars.services import profiles
from regulars.store.unit import Unit

BILLING_ORDER = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "postcode",
    "country",
    "state",
    "email",
    "phone",
)
SHIPPING_ORDER = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "postcode",
    "country",
    "state",
    "phone",
)
ITEM_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


# --- shaping ----------------------------------------------------------------------------------------
def wp_date(moment: datetime | None, zone: ZoneInfo | None = None) -> str | None:
    """WordPress's mysql_to_rfc3339: no zone suffix; local time when a zone is given."""
    if moment is None:
        return None
    if zone is not None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
    elif moment.tzinfo is not None:
        moment = moment.replace(tzinfo=None)
    return moment.isoformat(timespec="seconds")


def date_param(call: Call, name: str) -> datetime | None:
    """A date argument (ISO 8601, its format checked by the schema) as stored, naive UTC: in the site's
    time zone unless it carries an offset or `dates_are_gmt` is set, as WooCommerce reads after/before."""
    raw = call.params.get(name)
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(str(raw))
    except ValueError as exc:
        raise invalid_params({name: ArgError("rest_invalid_date", "Invalid date.")}) from exc
    if parsed.tzinfo is None:
        zone = UTC if call.params.get("dates_are_gmt") else ZoneInfo(call.context.settings.timezone)
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC).replace(tzinfo=None)


@lru_cache(maxsize=4096)
def avatar_url(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"https://secure.gravatar.com/avatar/{digest}?s=96&d=mm&r=g"


_FIELDS: dict[str, Callable[[Shaper, Profile], Any]] = {}


@dataclass
class Shaper:
    """Turns profiles into a version's items for one caller."""

    version: Version
    call: Call

    def __post_init__(self) -> None:
        settings = self.call.context.settings
        # Local times equal GMT on a UTC site (the default), so no conversion is needed there.
        self.zone: ZoneInfo | None = None if settings.timezone == "UTC" else ZoneInfo(settings.timezone)
        self.decimals: int = settings.currency_decimals
        principal = self.call.principal
        self.shows_meta = principal is not None and principal.account.can(roles.EDIT)
        # The version's fields this caller sees, each with its getter: looked up once, not per item.
        self.getters = [
            (name, _FIELDS[name]) for name in self.version.fields if name != "meta_data" or self.shows_meta
        ]
        # The methods this caller may use on an item depend on the item's role and whether it is the
        # caller's own account, nothing else: found once per kind of item, not per item.
        self._hints: dict[tuple[str, bool], list[str]] = {}

    def address(self, profile: Profile, kind: str, order: tuple[str, ...]) -> dict[str, str]:
        found = profile.address(kind)
        if found is None:
            return dict.fromkeys(order, "")
        return {name: getattr(found, name) for name in order}

    def links(self, p: Profile, exists: bool = True) -> dict[str, Any]:
        """An item's links; a deleted item's self link has no methods left to hint at."""
        href = self.call.rest_url(f"/{self.version.namespace}/customers/{p.id}")
        hints = self.hints(p.account) if exists else []
        self_link: dict[str, Any] = {"href": href}
        if hints:
            self_link["targetHints"] = {"allow": hints}
        return {
            "self": [self_link],
            "collection": [{"href": self.call.rest_url(f"/{self.version.namespace}/customers")}],
        }

    def hints(self, target: Account) -> list[str]:
        principal = self.call.principal
        kind = (target.role, principal is not None and principal.account.id == target.id)
        found = self._hints.get(kind)
        if found is None:
            found = self._hints[kind] = item_methods_allowed(self.call, target)
        return found

    def item(self, p: Profile, with_links: bool = True, exists: bool = True) -> dict[str, Any]:
        """The profile as this version shows it to this caller. Kept beside a held profile (the fields
        depend on nothing else: the site's settings hold for the process), so a customer read again is
        not shaped again; shared, so never changed in place. Links depend on the request: made each time."""
        held = self.call.context.store.held_profiles
        data = held.derived(p, (self.version.name, self.shows_meta), lambda: self.fields(p))
        return {**data, "_links": self.links(p, exists)} if with_links else data

    def fields(self, p: Profile) -> dict[str, Any]:
        return {name: get(self, p) for name, get in self.getters}

    def download(self, d: Download, customer_id: int) -> dict[str, Any]:
        home = self.call.home
        email = quote(d.user_email, safe="@")
        url = f"{home}/?download_file={d.product_id}&order={d.order_key}&email={email}&key={d.download_id}"
        values = {
            "download_url": url,
            "download_id": d.download_id,
            "product_id": d.product_id,
            "product_url": f"{home}/product/{d.product_slug}/" if d.product_slug else "",
            "product_name": d.product_name,
            "download_name": d.file_name,
            "order_id": d.order_id,
            "order_key": d.order_key,
            "downloads_remaining": "unlimited"
            if d.downloads_remaining is None
            else str(d.downloads_remaining),
            "access_expires": wp_date(d.access_expires, self.zone) or "never",
            "access_expires_gmt": wp_date(d.access_expires) or "never",
            "file": {"name": d.file_name, "file": d.file_url},
        }
        ns = self.version.namespace
        item = {name: values[name] for name in self.version.download_fields}
        item["_links"] = {
            "collection": [{"href": self.call.rest_url(f"/{ns}/customers/{customer_id}/downloads")}],
            "product": [{"href": self.call.rest_url(f"/{ns}/products/{d.product_id}")}],
            "order": [{"href": self.call.rest_url(f"/{ns}/orders/{d.order_id}")}],
        }
        return item


_FIELDS.update(
    {
        "id": lambda s, p: p.account.id,
        "date_created": lambda s, p: wp_date(p.account.registered_at, s.zone),
        "date_created_gmt": lambda s, p: wp_date(p.account.registered_at),
        "date_modified": lambda s, p: wp_date(p.account.modified_at, s.zone),
        "date_modified_gmt": lambda s, p: wp_date(p.account.modified_at),
        "email": lambda s, p: p.account.email,
        "first_name": lambda s, p: p.account.first_name,
        "last_name": lambda s, p: p.account.last_name,
        "username": lambda s, p: p.account.username,
        "role": lambda s, p: p.account.role,
        "last_order": lambda s, p: {"id": p.stats.last_order_id, "date": wp_date(p.stats.last_order_at)},
        "orders_count": lambda s, p: p.stats.orders_count,
        "total_spent": lambda s, p: decimal_text(p.stats.total_spent, s.decimals),
        "avatar_url": lambda s, p: avatar_url(p.account.email),
        "billing": lambda s, p: s.address(p, "billing", BILLING_ORDER),
        "shipping": lambda s, p: s.address(p, "shipping", SHIPPING_ORDER),
        "is_paying_customer": lambda s, p: p.stats.is_paying,
        "meta_data": lambda s, p: [
            {"id": m.id, "key": m.key, "value": m.value}
            for m in p.account.meta
            if not profiles.is_protected_meta(m.key)
        ],
    }
)


# --- errors: domain reasons in WooCommerce's words -----------------------------------------------------
def _esc_html(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#039;")
    )


_WORDS: dict[str, tuple[str, str | Callable[[DomainError], str], int]] = {
    "email_required": ("registration-error-invalid-email", "Please provide a valid email address.", 400),
    "invalid_email": ("customer_invalid_email", "Invalid email address", 400),
    "invalid_billing_email": ("customer_invalid_billing_email", "Invalid billing email address", 400),
    "email_exists": (
        "registration-error-email-exists",
        lambda e: (
            f"An account is already registered with {_esc_html(str(e.detail.get('email', '')))}. "
            "Please log in or use a different email address."
        ),
        400,
    ),
    "invalid_username": (
        "registration-error-invalid-username",
        "Please provide a valid account username.",
        400,
    ),
    "username_too_long": ("user_login_too_long", "Username may not be longer than 60 characters.", 400),
    "username_exists": (
        "registration-error-username-exists",
        "An account is already registered with that username. Please choose another.",
        400,
    ),
    "email_taken": ("woocommerce_rest_customer_invalid_email", "Email address is invalid.", 400),
    "username_immutable": ("woocommerce_rest_customer_invalid_argument", "Username isn't editable.", 400),
    "invalid_reassign": (
        "woocommerce_rest_customer_invalid_reassign",
        "Invalid resource id for reassignment.",
        400,
    ),
    "account": ("wc_user_invalid_id", "Invalid user ID.", 404),
}


def rest_error(error: DomainError) -> RestError:
    if error.reason == "too_long":
        return too_long(error.field or "", error.detail["limit"])
    code, message, status = _WORDS.get(error.reason, ("woocommerce_rest_invalid_request", str(error), 400))
    text = message(error) if callable(message) else message
    return RestError(code, text, status)


# --- permissions ---------------------------------------------------------------------------------------
def _status(call: Call) -> int:
    return 401 if call.principal is None else 403


def _require_cap(call: Call, capability: str, code: str, message: str) -> Account:
    principal = call.principal
    if principal is None or not principal.account.can(capability):
        raise RestError(code, message, _status(call))
    return principal.account


def _target(call: Call, code: str, message: str, key: str = "id") -> Account:
    """The account in the URL. Anonymous callers hear 401 before learning whether it exists."""
    if call.principal is None:
        raise RestError(code, message, 401)
    cached = call.loaded.get("target")
    if cached is not None:
        return cached
    raw = call.url_params.get(key) or "0"
    with call.context.store.read() as unit:
        profile = profiles.get(unit, as_id(raw))
    if profile is None:
        raise RestError("wc_user_invalid_id", "Invalid user ID.", 404)
    call.loaded["target"] = profile.account
    call.loaded["profile"] = profile
    return profile.account


def can_list(call: Call) -> None:
    _require_cap(call, roles.LIST, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")


def can_create(call: Call) -> None:
    _require_cap(
        call,
        roles.CREATE,
        "woocommerce_rest_cannot_create",
        "Sorry, you are not allowed to create resources.",
    )


def can_batch(call: Call) -> None:
    _require_cap(
        call,
        roles.PROMOTE,
        "woocommerce_rest_cannot_batch",
        "Sorry, you are not allowed to batch manipulate this resource.",
    )


def can_view(call: Call) -> None:
    message = "Sorry, you cannot view this resource."
    _target(call, "woocommerce_rest_cannot_view", message)
    _require_cap(call, roles.LIST, "woocommerce_rest_cannot_view", message)


def can_view_downloads(call: Call) -> None:
    message = "Sorry, you cannot list resources."
    _target(call, "woocommerce_rest_cannot_view", message, key="customer_id")
    _require_cap(call, roles.LIST, "woocommerce_rest_cannot_view", message)


def edit_refusal(
    actor: Account | None, target: Account, params: dict[str, Any], sent: frozenset[str]
) -> str | None:
    """Why `actor` may not update `target` with these parameters (WooCommerce's message), or None."""
    if actor is None or not actor.may_edit(target):
        return "Sorry, you are not allowed to edit this resource."
    if target.role not in roles.CUSTOMER_ROLES:
        if "email" in sent and params.get("email") not in (None, target.email):
            return f"Sorry, email cannot be updated via this endpoint for a user with role {target.role}."
        if "password" in sent:
            return f"Sorry, password cannot be updated via this endpoint for a user with role {target.role}."
    return None


def delete_refusal(actor: Account | None, target: Account) -> str | None:
    if actor is None or not actor.may_delete(target):
        return "Sorry, you are not allowed to delete this resource."
    if target.role not in roles.CUSTOMER_ROLES:
        allowed = ", ".join(roles.CUSTOMER_ROLES)
        return (
            f"Sorry, users with {target.role} role cannot be deleted via this endpoint. "
            f"Allowed roles: {allowed}"
        )
    return None


def can_edit(call: Call) -> None:
    target = _target(
        call, "woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."
    )
    actor = call.principal.account if call.principal else None
    refusal = edit_refusal(actor, target, call.params, call.sent)
    if refusal:
        raise RestError("woocommerce_rest_cannot_edit", refusal, _status(call))


def can_delete(call: Call) -> None:
    target = _target(
        call, "woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource."
    )
    refusal = delete_refusal(call.principal.account if call.principal else None, target)
    if refusal:
        raise RestError("woocommerce_rest_cannot_delete", refusal, _status(call))


def item_methods_allowed(call: Call, target: Account) -> list[str]:
    """targetHints of an item's self link: the item route's methods this caller may use on it."""
    actor = call.principal.account if call.principal else None
    if actor is None:
        return []
    allowed = ["GET"] if actor.can(roles.LIST) else []
    if edit_refusal(actor, target, {}, frozenset()) is None:
        allowed += ["POST", "PUT", "PATCH"]
    if delete_refusal(actor, target) is None:
        allowed.append("DELETE")
    return allowed


# --- reading requests ------------------------------------------------------------------------------------
def _text(value: Any) -> str | None:
    return None if value is None else sanitize_text_field(str(value))


def change_from(params: dict[str, Any], version: Version) -> ProfileChange:
    meta = None
    if version.accepts_meta and isinstance(params.get("meta_data"), list):
        meta = []
        for item in params["meta_data"]:
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                raw_id = item.get("id")
                meta_id = (
                    int(raw_id) if raw_id not in (None, "") and str(raw_id).lstrip("-").isdigit() else None
                )
                meta.append(MetaChange(item["key"], item.get("value"), meta_id))
    billing, shipping = params.get("billing"), params.get("shipping")
    return ProfileChange(
        email=params.get("email"),
        first_name=_text(params.get("first_name")),
        last_name=_text(params.get("last_name")),
        username=params.get("username"),
        password=params.get("password"),
        billing={k: str(v) for k, v in billing.items() if v is not None}
        if isinstance(billing, dict)
        else None,
        shipping={k: str(v) for k, v in shipping.items() if v is not None}
        if isinstance(shipping, dict)
        else None,
        meta=meta,
    )


def _search(term: str) -> tuple[str, tuple[str, ...]]:
    """WordPress picks the columns by the term: an email, a number, a URL or anything else."""
    if "@" in term:
        return f"*{term}*", ("email",)
    if term.isdigit():
        return f"*{term}*", ("username", "id")
    if term.startswith(("http://", "https://")):
        return f"*{term}*", ()
    return f"*{term}*", ("username", "email", "display_name")


_ORDERBY = {"id": "id", "include": "include", "name": "display_name", "registered_date": "registered_at"}


def query_from(call: Call) -> ProfileQuery:
    """The list's parameters; `search` looks where WooCommerce looks unless the extended search is on."""
    params = call.params
    per_page, page = params["per_page"], params["page"]
    offset = rows_to_skip(params.get("offset") or None, page, per_page)
    search = params.get("search")
    how = extended_search if call.context.settings.extended_search else _search
    term, columns = how(sanitize_text_field(search)) if search else (None, ())
    return ProfileQuery(
        role=None if params["role"] == "all" else params["role"],
        search=term,
        search_columns=columns,
        email=params.get("email") or None,
        include=tuple(params["include"]),
        exclude=tuple(params["exclude"]),
        orderby=_ORDERBY[params["orderby"]],
        descending=params["order"] == "desc",
        limit=per_page,
        offset=offset,
        registered_after=date_param(call, "registered_after"),
        registered_before=date_param(call, "registered_before"),
        modified_after=date_param(call, "modified_after"),
        modified_before=date_param(call, "modified_before"),
    )


# --- handlers --------------------------------------------------------------------------------------------
class Customers:
    """The handlers of one version's customer routes."""

    def __init__(self, version: Version) -> None:
        self.version = version
        self.base = f"/{version.namespace}/customers"
        self.item_args = schema.endpoint_args(version.name, creating=False)  # what each batch item gets

    def shaper(self, call: Call) -> Shaper:
        return Shaper(self.version, call)

    def _cache_stats(self, call: Call, shown: list[Profile], unit: Unit | None = None) -> None:
        """After rendering (as WooCommerce does): cache the figures this version reported, in `unit`
        when the request already writes."""
        keys = self.version.stat_cache
        stale = [p for p in shown if keys and profiles.stale_stat_cache(p, keys)]
        if not stale:
            return
        if unit is not None:
            for profile in stale:
                profiles.refresh_stat_cache(unit, profile, keys)
            return
        with call.context.store.write() as writing:
            self._cache_stats(call, stale, writing)

    def list(self, call: Call) -> Reply:
        query = query_from(call)
        with call.context.store.read() as unit:
            found = profiles.page(unit, query)
        shaper = self.shaper(call)
        page = math.ceil(query.offset / query.limit + 1) if query.limit else 1
        reply = pagination(call, found.total, call.params["per_page"], page, self.base)
        reply.body = [shaper.item(p) for p in found.items]
        self._cache_stats(call, found.items)
        return reply

    def _single(self, call: Call, profile: Profile, status: int = 200) -> Reply:
        shaper = self.shaper(call)
        reply = Reply(
            shaper.item(profile, with_links=False), status, links_after_fields=shaper.links(profile)
        )
        self._cache_stats(call, [profile])
        return reply

    def create(self, call: Call) -> Reply:
        if call.params.get("id"):
            raise RestError("woocommerce_rest_customer_exists", "Cannot create existing resource.", 400)
        try:
            with call.context.store.write() as unit:
                profile = profiles.create(unit, change_from(call.params, self.version))
        except DomainError as exc:
            raise rest_error(exc) from exc
        reply = self._single(call, profile, 201)
        reply.headers["Location"] = call.rest_url(f"{self.base}/{profile.id}")
        return reply

    def get(self, call: Call) -> Reply:
        return self._single(call, call.loaded["profile"])

    def update(self, call: Call) -> Reply:
        target_id = path_id(call)
        try:
            with call.context.store.write() as unit:
                profile = profiles.update(unit, target_id, change_from(call.params, self.version))
        except DomainError as exc:
            raise rest_error(exc) from exc
        return self._single(call, profile)

    def delete(self, call: Call) -> Reply:
        if not call.params.get("force"):
            raise RestError("woocommerce_rest_trash_not_supported", "Customers do not support trashing.", 501)
        before = call.loaded["profile"]
        shaper = self.shaper(call)
        item = shaper.item(before, with_links=False)
        links = shaper.links(before, exists=False)
        try:
            with call.context.store.write() as unit:
                profiles.delete(unit, before.id, int(call.params.get("reassign") or 0))
        except DomainError as exc:
            raise rest_error(exc) from exc
        call.loaded.clear()  # the Allow header is worked out again, for a customer that is gone
        return Reply(item, links_after_fields=links)

    def downloads(self, call: Call) -> Reply:
        profile: Profile = call.loaded["profile"]
        with call.context.store.read() as unit:
            found = download_service.available(unit, profile.customer)
        shaper = self.shaper(call)
        return Reply([shaper.download(d, profile.id) for d in found])

    # --- batch ---------------------------------------------------------------------------------------
    def batch(self, call: Call) -> Reply:
        lists = batch_lists(call)
        creates, updates, deletes = lists["create"], lists["update"], lists["delete"]
        shaper = self.shaper(call)
        actor = call.principal.account if call.principal else None
        body: dict[str, list[Any]] = {}
        shown: list[Profile] = []  # the created and updated customers, whose figures the items report
        with call.context.store.write() as unit, unit.batch():
            if creates:
                body["create"] = [self._batch_create(unit, actor, item, shaper, shown) for item in creates]
            if updates:
                body["update"] = [self._batch_update(unit, actor, item, shaper, shown) for item in updates]
            if deletes:
                entries = [self._batch_delete(unit, actor, item, shaper) for item in deletes]
                body["delete"] = [e for e in entries if e is not None]
            deleted = {e["id"] for e in body.get("delete", ()) if "error" not in e}
            last = {p.id: p for p in shown if p.id not in deleted}
            self._cache_stats(call, list(last.values()), unit)
        return Reply(body if body else [])

    def _batch_create(
        self, unit: Unit, actor: Account | None, item: Any, shaper: Shaper, shown: list[Profile]
    ) -> dict[str, Any]:
        if not isinstance(item, dict):
            item = {}
        if actor is None or not actor.can(roles.CREATE):
            return item_error(
                0,
                RestError(
                    "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.", 403
                ),
            )
        if item.get("id"):
            return item_error(
                0, RestError("woocommerce_rest_customer_exists", "Cannot create existing resource.", 400)
            )
        try:
            checked_args(item, self.item_args)
            with unit.savepoint():
                profile = profiles.create(unit, change_from(item, self.version))
        except RestError as exc:
            return item_error(0, exc)
        except DomainError as exc:
            return item_error(0, rest_error(exc))
        shown.append(profile)
        return shaper.item(profile)

    def _batch_update(
        self, unit: Unit, actor: Account | None, item: Any, shaper: Shaper, shown: list[Profile]
    ) -> dict[str, Any]:
        raw_id = item.get("id") if isinstance(item, dict) else None
        target_id = as_id(raw_id)
        current = profiles.get(unit, target_id) if target_id else None
        if current is None:
            return item_error(raw_id, RestError("wc_user_invalid_id", "Invalid user ID.", 404))
        sent = frozenset(item)
        refusal = edit_refusal(actor, current.account, item, sent)
        if refusal:
            return item_error(raw_id, RestError("woocommerce_rest_cannot_edit", refusal, 403))
        try:
            checked_args(item, self.item_args)
            with unit.savepoint():
                profile = profiles.update(unit, target_id, change_from(item, self.version))
        except RestError as exc:
            return item_error(raw_id, exc)
        except DomainError as exc:
            return item_error(raw_id, rest_error(exc))
        shown.append(profile)
        return shaper.item(profile)

    def _batch_delete(
        self, unit: Unit, actor: Account | None, item: Any, shaper: Shaper
    ) -> dict[str, Any] | None:
        raw = item.get("id") if isinstance(item, dict) else item
        target_id = as_id(raw)
        if target_id == 0:
            return None
        current = profiles.get(unit, target_id)
        if current is None:
            return item_error(target_id, RestError("wc_user_invalid_id", "Invalid user ID.", 404))
        refusal = delete_refusal(actor, current.account)
        if refusal:
            return item_error(target_id, RestError("woocommerce_rest_cannot_delete", refusal, 403))
        entry = shaper.item(current, exists=False)
        with unit.savepoint():
            profiles.delete(unit, target_id)
        return entry


# --- routes ----------------------------------------------------------------------------------------------
def routes(version_name: str) -> list[Route]:
    version = VERSIONS[version_name]
    handlers = Customers(version)
    ns = version.namespace
    update_args = {"id": schema.ID_ARG, **schema.endpoint_args(version_name, creating=False)}
    item_schema = lambda: schema.item_schema(version_name)  # noqa: E731
    return [
        Route(
            ns,
            "/customers",
            [
                Endpoint(
                    ("GET",), handlers.list, can_list, schema.collection_args(version_name), returns="list"
                ),
                Endpoint(
                    ("POST",),
                    handlers.create,
                    can_create,
                    schema.endpoint_args(version_name, creating=True),
                    status=201,
                ),
            ],
            item_schema,
            schema.CUSTOMER_WIDTHS,
        ),
        Route(
            ns,
            "/customers/batch",
            [
                Endpoint(
                    ("POST", "PUT", "PATCH"),
                    handlers.batch,
                    can_batch,
                    schema.endpoint_args(version_name, False),
                    returns="batch",
                    counts=batch_counts,
                ),
            ],
            schema.batch_schema,
            schema.CUSTOMER_WIDTHS,
        ),
        Route(
            ns,
            r"/customers/(?P<id>[\d]+)",
            [
                Endpoint(
                    ("GET",),
                    handlers.get,
                    can_view,
                    {"id": schema.ID_ARG, "context": schema.CONTEXT_ARG},
                    held=True,
                ),
                Endpoint(("POST", "PUT", "PATCH"), handlers.update, can_edit, update_args, kind="update"),
                Endpoint(
                    ("DELETE",), handlers.delete, can_delete, {"id": schema.ID_ARG, **schema.DELETE_ARGS}
                ),
            ],
            item_schema,
            schema.CUSTOMER_WIDTHS,
        ),
        Route(
            ns,
            r"/customers/(?P<customer_id>[\d]+)/downloads",
            [
                Endpoint(
                    ("GET",),
                    handlers.downloads,
                    can_view_downloads,
                    {"customer_id": schema.ID_ARG, "context": schema.DOWNLOAD_CONTEXT_ARG},
                    returns="list",
                ),
            ],
            lambda: schema.downloads_schema(version_name),
        ),
    ]


def all_routes() -> list[Route]:
    return [route for name in VERSIONS for route in routes(name)]
