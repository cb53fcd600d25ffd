"""FluentCart's customers API: /wp-json/fluent-cart/v2/customers.

The seed document is the contract (paths, bodies, envelopes, fields, error codes, rate limits); what the
real plugin also accepts is accepted too (`sort_by`, `full_name`, `with[]`, `addressId`, the bulk actions
`delete_customers`/`change_customer_status`, `id>10` searches); the plugin's defects are not copied.
Each route is one row of ROUTES; the handlers below only translate between the wire and the services.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from starlette.responses import Response

from regulars.context import Context
from regulars.dialects import fluentcart_input as read
from regulars.dialects import fluentcart_schema as doc
from regulars.dialects import fluentcart_shapes as shape
from regulars.dialects.fluentcart_wire import (
    DELETE,
    MANAGE,
    NAMESPACE,
    VIEW,
    FcCall,
    FcError,
    FcReply,
    FluentCartApi,
    Op,
    invalid,
)
from regulars.domain.customer_records import CustomerChange
from regulars.domain.customers import ADDRESS_TYPES, Customer
from regulars.domain.errors import DomainError
from regulars.ratelimit import Counts
from regulars.services import customers as service
from regulars.services.clock import now
from regulars.store.unit import Unit

# --- errors: domain reasons in FluentCart's words -------------------------------------------------------
_REQUIRED = {
    "first_name": "First Name is required.",
    "address_1": "Street Address field is required.",
    "city": "City field is required.",
    "country": "Country field is required.",
}


def _words(error: DomainError) -> tuple[int, str, str, str | None]:
    """(status, code, message, rule) for a domain error; a rule makes it a field problem."""
    detail, name = error.detail, error.field or ""
    match error.reason:
        case "customer":
            return 404, "customer_not_found", f"Customer with ID {detail.get('customer_id')} not found", None
        case "address":
            return 404, "address_not_found", f"Address with ID {detail.get('address_id')} not found", None
        case "account":
            return 422, "invalid_user", f"User with ID {detail.get('account_id')} not found.", "exists"
        case "account_linked":
            return 409, "invalid_user", "User already linked to a customer.", "unique"
        case "customer_linked":
            return 409, "invalid_user", "The customer is already linked to a user; detach it first.", "unique"
        case "email_required":
            return 422, "validation_error", "Email is required.", "required"
        case "invalid_email":
            return 422, "invalid_email", "Email must be a valid email address.", "email"
        case "email_exists":
            return 409, "invalid_email", "Email already exists.", "exist"
        case "name_required" | "required":
            return 422, "validation_error", _REQUIRED.get(name, f"The {name} field is required."), "required"
        case "too_long":
            message = f"The {name} must not be greater than {detail.get('limit')} characters."
            return 422, "validation_error", message, "maxLength"
        case "invalid_status":
            return 422, "validation_error", "The status must be one of active, inactive, archived.", "in"
        case "invalid_country":
            return 422, "validation_error", "Invalid country code.", "country"
        case "invalid_address_type":
            return 422, "validation_error", "The address type must be billing or shipping.", "in"
        case "primary_type_change":
            message = "A primary address keeps its type; make another address primary first."
            return 422, "validation_error", message, "primary"
        case "primary_unset":
            message = "A primary address stays primary until another address of its type is made primary."
            return 422, "validation_error", message, "primary"
        case "last_address":
            return 422, "validation_error", "At least one address must remain. Address deletion failed!", None
        case "primary_address":
            return 422, "validation_error", "Primary address cannot be deleted!", None
        case "account_not_editable" | "cannot_register_account":
            return 403, "insufficient_permissions", "Sorry, you are not allowed to change that account.", None
    return 422, "validation_error", str(error), None


def translate(error: DomainError) -> FcError:
    status, code, message, rule = _words(error)
    errors = {error.field: {rule: message}} if rule and error.field else None
    return FcError(status, code, message, errors=errors)


def _error_body(error: DomainError) -> dict[str, str]:
    found = translate(error)
    return {"code": found.code, "message": found.message}


# --- customers -----------------------------------------------------------------------------------------
def _relations(call: FcCall) -> list[str]:
    names = [read.text(n, "with") for n in read.items(call.params.get("with"))]
    unknown = [n for n in names if n not in shape.RELATIONS]
    if unknown:
        raise invalid("with", "in", f"Unknown relation {unknown[0]}; known: {', '.join(shape.RELATIONS)}.")
    return names


def _customer(c: Customer, relations: list[str] | None = None) -> dict[str, Any]:
    return {**shape.customer(c), **shape.relations(c, relations or [])}


def list_customers(call: FcCall) -> FcReply:
    query = read.customer_query(call.params)
    relations = _relations(call)
    with call.ctx.store.read() as unit:
        found = service.page(unit, query)
    page = query.offset // query.limit + 1
    return FcReply(
        {
            "customers": [_customer(c, relations) for c in found.items],
            "pagination": shape.pagination(page, query.limit, found.total),
        }
    )


def create_customer(call: FcCall) -> FcReply:
    params = call.params
    account_id = params.get("user_id")
    with call.ctx.store.write() as unit:
        created = service.create(
            unit,
            read.customer_change(params),
            call.actor,
            account_id=None if account_id in (None, "", 0, "0") else read.integer(account_id, "user_id"),
            register_account=read.flag(params.get("wp_user", False), "wp_user"),
        )
    return FcReply({"customer": shape.customer(created)}, 201)


def get_customer(call: FcCall) -> FcReply:
    relations = _relations(call)
    with call.ctx.store.read() as unit:
        found = service.require(unit, call.customer_id)
    data = _customer(found, relations)
    data["addresses"] = [shape.address(a) for a in shape.ordered_addresses(found.addresses)]
    return FcReply({"customer": data})


def update_customer(call: FcCall) -> FcReply:
    customer_id = call.customer_id
    sent_id = call.body.get("id")
    if sent_id not in (None, "") and read.integer(sent_id, "id") != customer_id:
        raise invalid("id", "same", "The id in the body is not the customer in the URL.")
    with call.ctx.store.write() as unit:
        changed = service.update(unit, customer_id, read.customer_change(call.params), call.actor)
    return FcReply({"customer": shape.customer(changed)})


def update_additional_info(call: FcCall) -> FcReply:
    """The body is the free key/value object itself (the seed); a null value removes its key."""
    change = CustomerChange(additional_info=read.info(call.body))
    with call.ctx.store.write() as unit:
        changed = service.update(unit, call.customer_id, change, call.actor)
    return FcReply({"customer": shape.customer(changed)})


def customer_stats(call: FcCall) -> FcReply:
    with call.ctx.store.read() as unit:
        found = service.require(unit, call.customer_id)
    return FcReply({"stats": {**shape.stats(found), "currency": call.ctx.settings.currency}})


def customer_orders(call: FcCall) -> FcReply:
    with call.ctx.store.read() as unit:
        found = service.orders(unit, call.customer_id)
    return FcReply({"orders": [shape.order(o) for o in found]})


# --- addresses -----------------------------------------------------------------------------------------
def list_addresses(call: FcCall) -> FcReply:
    kind = read.address_type(call.params) or None
    if kind is not None and kind not in ADDRESS_TYPES:
        raise invalid("type", "in", "The address type must be billing or shipping.")
    with call.ctx.store.read() as unit:
        found = service.addresses(unit, call.customer_id, kind)
    return FcReply({"addresses": [shape.address(a) for a in found]})


def create_address(call: FcCall) -> FcReply:
    with call.ctx.store.write() as unit:
        created = service.add_address(unit, call.customer_id, read.address_change(call.params))
    return FcReply({"address": shape.address(created)}, 201)


def update_address(call: FcCall) -> FcReply:
    address_id = read.address_id(call.params)
    with call.ctx.store.write() as unit:
        changed = service.change_address(unit, call.customer_id, address_id, read.address_change(call.params))
    return FcReply({"address": shape.address(changed)})


def delete_address(call: FcCall) -> FcReply:
    address_id = read.address_id(call.params)
    with call.ctx.store.write() as unit:
        service.remove_address(unit, call.customer_id, address_id)
    return FcReply(message="Address deleted successfully")


def make_primary(call: FcCall) -> FcReply:
    address_id = read.address_id(call.params)
    kind = read.address_type(call.params) or None
    with call.ctx.store.write() as unit:
        promoted = service.make_primary(unit, call.customer_id, address_id, kind)
    return FcReply({"address": shape.address(promoted)})


# --- accounts ------------------------------------------------------------------------------------------
def attachable_users(call: FcCall) -> FcReply:
    page, per_page = read.page_numbers(call.params)
    search = read.optional_text(call.params, "search") or None
    with call.ctx.store.read() as unit:
        found = service.attachable_accounts(unit, search, per_page, (page - 1) * per_page)
    return FcReply(
        {
            "users": [shape.user(a) for a in found.items],
            "pagination": shape.pagination(page, per_page, found.total),
        }
    )


def attach_user(call: FcCall) -> FcReply:
    raw = call.params.get("user_id")
    if raw in (None, ""):
        raise invalid("user_id", "required", "User is required.")
    account_id = read.integer(raw, "user_id")
    with call.ctx.store.write() as unit:
        attached = service.attach(unit, call.customer_id, account_id)
    return FcReply({"customer": shape.customer(attached)})


def detach_user(call: FcCall) -> FcReply:
    with call.ctx.store.write() as unit:
        detached = service.detach(unit, call.customer_id)
    return FcReply({"customer": shape.customer(detached)})


# --- bulk actions --------------------------------------------------------------------------------------
# action -> (permission, rate-limit kind); the plugin's names do what the seed's do.
BULK: dict[str, tuple[str, str]] = {
    "update_status": (MANAGE, "update"),
    "change_customer_status": (MANAGE, "update"),
    "delete": (DELETE, "delete"),
    "delete_customers": (DELETE, "delete"),
    "export": (VIEW, "list"),
}
STATUS_ACTIONS = ("update_status", "change_customer_status")
DELETE_ACTIONS = ("delete", "delete_customers")


def _bulk_action(call: FcCall) -> str:
    action = call.params.get("action")
    if action in (None, ""):
        raise invalid("action", "required", "The action field is required.")
    name = read.text(action, "action")
    if name not in BULK:
        raise invalid("action", "in", f"Selected action is invalid; use one of {', '.join(BULK)}.")
    return name


def bulk_permission(call: FcCall) -> str:
    return BULK[_bulk_action(call)][0]


def bulk_counts(call: FcCall) -> Counts:
    """Against the rate limits a bulk update or delete costs one of its kind per customer; an export
    is one read, as a list is."""
    kind = BULK[_bulk_action(call)][1]
    return {kind: 1 if kind == "list" else len(_bulk_ids(call))}


def _bulk_ids(call: FcCall) -> list[int]:
    ids = read.id_list(call.params.get("customer_ids"), "customer_ids")
    if not ids:
        raise invalid("customer_ids", "required", "Customers selection is required")
    limit = call.ctx.settings.batch_limit
    if len(ids) > limit:
        raise invalid("customer_ids", "max", f"At most {limit} customers can be changed at once.")
    return ids


def _bulk_status(call: FcCall) -> str:
    data = call.params.get("data")
    sent = data.get("status") if isinstance(data, dict) else None
    sent = sent if sent not in (None, "") else call.params.get("new_status", call.params.get("status"))
    if sent in (None, ""):
        raise invalid("status", "required", "Please select status")
    return service.check_status(read.text(sent, "status"))


def _export_format(call: FcCall) -> str:
    data = call.params.get("data")
    sent = data.get("format") if isinstance(data, dict) else None
    chosen = read.text(sent, "format").lower() if sent not in (None, "") else "csv"
    if chosen not in ("csv", "json"):
        raise invalid("format", "in", "The export format must be csv or json.")
    return chosen


def bulk_action(call: FcCall) -> FcReply:
    action = _bulk_action(call)
    ids = _bulk_ids(call)
    step: Callable[[Unit, int], Customer]
    if action in STATUS_ACTIONS:
        step = partial(service.set_status, status=_bulk_status(call))
    elif action in DELETE_ACTIONS:
        step = service.delete
    else:
        return _export(call, ids)
    with call.ctx.store.write() as unit:
        outcomes = service.each(unit, ids, step)
    return FcReply(_bulk_summary(outcomes))


def _bulk_summary(outcomes: list[service.Outcome]) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    for outcome in outcomes:
        entry: dict[str, Any] = {"customer_id": outcome.customer_id, "success": outcome.error is None}
        if outcome.error is not None:
            entry["error"] = _error_body(outcome.error)
        results.append(entry)
    failed = sum(1 for o in outcomes if o.error is not None)
    return {"processed": len(outcomes) - failed, "failed": failed, "results": results}


def _export(call: FcCall, ids: list[int]) -> FcReply:
    """The selected customers as CSV (or JSON) inside the summary; or the CSV file itself when the client
    accepts text/csv, ready to open."""
    chosen = _export_format(call)
    with call.ctx.store.read() as unit:
        outcomes = service.each(unit, ids, service.require)
    found = [o.customer for o in outcomes if o.customer is not None]
    stamp = f"{now():%Y%m%d-%H%M%S}"
    if "text/csv" in call.headers.get("accept", ""):
        filename = f"customers-{stamp}.csv"
        return FcReply(file=_csv_file(shape.export_csv(found), filename))
    summary = _bulk_summary(outcomes)
    content: Any = shape.export_csv(found) if chosen == "csv" else [shape.customer(c) for c in found]
    summary["export"] = {
        "format": chosen,
        "filename": f"customers-{stamp}.{chosen}",
        "mime_type": "text/csv" if chosen == "csv" else "application/json",
        "content": content,
    }
    return FcReply(summary)


def _csv_file(content: str, filename: str) -> Response:
    return Response(
        content.encode("utf-8"),
        200,
        {"Content-Disposition": f'attachment; filename="{filename}"'},
        media_type="text/csv; charset=utf-8",
    )


# --- the routing table ---------------------------------------------------------------------------------
CUSTOMER = "/customers/{customer_id}"
ROUTES: list[Op] = [
    Op("GET", "/customers", list_customers, VIEW, "list", doc.LIST),
    Op("POST", "/customers", create_customer, MANAGE, "create", doc.CREATE),
    Op("GET", "/customers/get-stats/{customer_id}", customer_stats, VIEW, "list", doc.STATS_DOC),
    Op("GET", "/customers/attachable-user", attachable_users, MANAGE, "list", doc.ATTACHABLE),
    Op("POST", "/customers/do-bulk-action", bulk_action, bulk_permission, bulk_counts, doc.BULK),
    Op("GET", CUSTOMER, get_customer, VIEW, "list", doc.GET),
    Op("PUT", CUSTOMER, update_customer, MANAGE, "update", doc.UPDATE),
    Op("PUT", f"{CUSTOMER}/additional-info", update_additional_info, MANAGE, "update", doc.ADDITIONAL_INFO),
    Op("GET", f"{CUSTOMER}/orders", customer_orders, VIEW, "list", doc.ORDERS),
    Op("GET", f"{CUSTOMER}/address", list_addresses, VIEW, "list", doc.ADDRESSES),
    Op("POST", f"{CUSTOMER}/address", create_address, MANAGE, "create", doc.ADD_ADDRESS),
    Op("PUT", f"{CUSTOMER}/address", update_address, MANAGE, "update", doc.CHANGE_ADDRESS),
    Op("DELETE", f"{CUSTOMER}/address", delete_address, DELETE, "delete", doc.REMOVE_ADDRESS),
    Op("POST", f"{CUSTOMER}/address/make-primary", make_primary, MANAGE, "update", doc.MAKE_PRIMARY),
    Op("POST", f"{CUSTOMER}/attachable-user", attach_user, MANAGE, "update", doc.ATTACH),
    Op("POST", f"{CUSTOMER}/detach-user", detach_user, MANAGE, "update", doc.DETACH),
]


def api(ctx: Context) -> FluentCartApi:
    return FluentCartApi(ctx, ROUTES, translate)


__all__ = ["BULK", "NAMESPACE", "ROUTES", "api", "translate"]
