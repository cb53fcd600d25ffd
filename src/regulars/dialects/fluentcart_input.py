"""Reading FluentCart requests into domain values: lax as FluentCart is about how values arrive (ids as
strings or numbers, PHP-style arrays, JSON strings for objects, the plugin's own parameter names), strict
about what they mean (anything unreadable is a validation_error naming the field)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from regulars.dialects.fluentcart_wire import invalid
from regulars.dialects.wordpress import MAX_ID
from regulars.domain.address_book import AddressChange
from regulars.domain.customer_records import (
    PLACE,
    SORTS,
    CustomerChange,
    CustomerQuery,
    id_condition,
    split_name,
)
from regulars.domain.customers import STATUSES
from regulars.domain.text import sanitize_text_field

MAX_PER_PAGE = 100
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})

# The seed's sort names and the plugin's column names, to our sort keys.
SORT_NAMES: dict[str, str] = {
    **{name: name for name in SORTS},
    "ltv": "total_spent",
    "purchase_count": "order_count",
    "first_purchase_date": "first_paid_order_at",
    "last_purchase_date": "last_paid_order_at",
    "first_order_date": "first_paid_order_at",
    "last_order_date": "last_paid_order_at",
    "user_id": "account_id",
    "aov": "average_order_value",
}
# The plugin's list scopes, as status filters.
SCOPES: dict[str, str] = {"ofActive": "active", "ofArchived": "archived"}
# Address fields as FluentCart names them, to ours.
ADDRESS_NAMES: dict[str, str] = {
    **{name: name for name in ("first_name", "last_name", "address_1", "address_2", "city", "state")},
    **{name: name for name in ("postcode", "country", "email", "phone", "label", "status", "company")},
    "company_name": "company",
}
ADDRESS_META: tuple[str, ...] = ("vat_number", "legal_registration_id")


def text(value: Any, name: str) -> str:
    """Free text, cleaned as WordPress's sanitize_text_field cleans it."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise invalid(name, "sanitizeText", f"The {name} must be a valid text")
    return sanitize_text_field(str(value))


def optional_text(params: dict[str, Any], name: str) -> str | None:
    return text(params[name], name) if params.get(name) is not None else None


def integer(value: Any, name: str, minimum: int = 1) -> int:
    """An integer sent as a number or as digits; a bool, a fraction or words are refused."""
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    else:
        number = None
    if number is None or number < minimum:
        message = f"The {name} must be an integer of at least {minimum}."
        raise invalid(name, "integer", message)
    if number > MAX_ID:
        raise invalid(name, "max", f"The {name} may not be greater than {MAX_ID}.")
    return number


def flag(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower() if isinstance(value, str | int) else None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise invalid(name, "boolean", f"The {name} must be true or false.")


def items(value: Any) -> list[Any]:
    """A list as it may arrive: a JSON array, PHP's a[]=… (a dict), or a comma-separated string."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [] if value is None else [value]


def id_list(value: Any, name: str) -> list[int]:
    """Distinct ids in the order sent."""
    return list(dict.fromkeys(integer(item, name) for item in items(value)))


def obj(value: Any, name: str) -> dict[str, Any]:
    """An object sent as JSON, as PHP's brackets, or as a JSON string (as FluentCart's admin does)."""
    if isinstance(value, str) and value.strip():
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            value = None
    if not isinstance(value, dict):
        raise invalid(name, "object", f"The {name} must be an object.")
    return value


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return sanitize_text_field(value)
    if isinstance(value, dict):
        return {sanitize_text_field(str(k)): _cleaned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value  # numbers, booleans and null as sent


def info(value: Any) -> dict[str, Any]:
    """Additional info: free keys and values, every text in it cleaned as the other texts are."""
    cleaned: dict[str, Any] = _cleaned(obj(value, "additional_info"))
    return cleaned


# --- customers ---------------------------------------------------------------------------------------------
def customer_change(params: dict[str, Any]) -> CustomerChange:
    """`full_name` (split on its last space) stands in for first and last name when they are not sent."""
    first, last = optional_text(params, "first_name"), optional_text(params, "last_name")
    full = optional_text(params, "full_name")
    if full is not None and first is None and last is None:
        first, last = split_name(full)
    email = params.get("email")
    sent_info = params.get("additional_info")
    return CustomerChange(
        email=None if email is None else text(email, "email"),
        first_name=first,
        last_name=last,
        phone=optional_text(params, "phone"),
        status=optional_text(params, "status"),
        notes=optional_text(params, "notes"),
        additional_info=None if sent_info is None else info(sent_info),
        place={name: value for name in PLACE if (value := optional_text(params, name)) is not None},
    )


def _day_or_moment(value: Any, name: str) -> tuple[datetime, bool]:
    """A date (YYYY-MM-DD) or an ISO 8601 moment, as naive UTC; True when only a day was given."""
    raw = text(value, name)
    try:
        if len(raw) == 10:
            return datetime.strptime(raw, "%Y-%m-%d"), True  # a calendar day, in UTC
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise invalid(name, "date", f"The {name} must be a date (YYYY-MM-DD) or an ISO 8601 time.") from exc
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment, False


def _statuses(value: Any) -> tuple[str, ...]:
    found = tuple(text(item, "status") for item in items(value))
    for status in found:
        if status not in STATUSES:
            raise invalid("status", "in", f"The status must be one of {', '.join(STATUSES)}.")
    return found


def _filters(params: dict[str, Any], query: CustomerQuery) -> None:
    raw = params.get("filters")
    filters = obj(raw, "filters") if raw not in (None, "") else {}
    statuses = _statuses(filters.get("status"))
    scopes = items(params.get("scopes"))
    for scope in scopes:
        if scope not in SCOPES:
            raise invalid("scopes", "in", f"The scopes may be {', '.join(SCOPES)}.")
    query.statuses = statuses + tuple(SCOPES[s] for s in scopes if SCOPES[s] not in statuses)
    if filters.get("date_from") not in (None, ""):
        query.created_from, _ = _day_or_moment(filters["date_from"], "date_from")
    if filters.get("date_to") not in (None, ""):
        moment, whole_day = _day_or_moment(filters["date_to"], "date_to")
        query.created_before = moment + (timedelta(days=1) if whole_day else timedelta(seconds=1))
    for name in ("total_spent_min", "total_spent_max"):
        if filters.get(name) not in (None, ""):
            setattr(query, name, integer(filters[name], name, minimum=0))


def page_numbers(params: dict[str, Any], default_per_page: int = 10) -> tuple[int, int]:
    """(page, per_page); per_page above the maximum is served as the maximum."""
    page = integer(params["page"], "page") if params.get("page") not in (None, "") else 1
    per_page = default_per_page
    if params.get("per_page") not in (None, ""):
        per_page = min(integer(params["per_page"], "per_page"), MAX_PER_PAGE)
    return min(page, MAX_ID // per_page), per_page  # a page further than 64 bits of rows is as empty


def customer_query(params: dict[str, Any]) -> CustomerQuery:
    page, per_page = page_numbers(params)
    query = CustomerQuery(limit=per_page, offset=(page - 1) * per_page)
    search = optional_text(params, "search")
    if search:
        query.id_condition = id_condition(search)
        query.search = search
    _filters(params, query)
    order_by = params.get("order_by", params.get("sort_by"))
    if order_by not in (None, ""):
        name = text(order_by, "order_by")
        if name not in SORT_NAMES:
            raise invalid("order_by", "in", f"The order_by must be one of {', '.join(SORT_NAMES)}.")
        query.order_by = SORT_NAMES[name]
    order_type = params.get("order_type", params.get("sort_type"))
    if order_type not in (None, ""):
        direction = text(order_type, "order_type").lower()
        if direction not in ("asc", "desc"):
            raise invalid("order_type", "in", "The order_type must be ASC or DESC.")
        query.descending = direction == "desc"
    return query


# --- addresses ---------------------------------------------------------------------------------------------
def address_id(params: dict[str, Any]) -> int:
    """The address named by `address_id` (the seed), or `addressId`, `id`, `address[id]` (the plugin)."""
    nested = params.get("address")
    candidates = (
        params.get("address_id"),
        params.get("addressId"),
        params.get("id"),
        nested.get("id") if isinstance(nested, dict) else None,
    )
    raw = next((c for c in candidates if c not in (None, "")), None)
    if raw is None:
        raise invalid("address_id", "required", "The address_id field is required.")
    return integer(raw, "address_id")


def address_type(params: dict[str, Any]) -> str | None:
    return optional_text(params, "type")


def address_change(params: dict[str, Any]) -> AddressChange:
    """FluentCart's one-field `name` (split on its last space) unless first/last names are sent."""
    values: dict[str, str] = {}
    for sent, ours in ADDRESS_NAMES.items():
        if params.get(sent) is not None:
            values[ours] = text(params[sent], sent)
    if params.get("name") is not None and "first_name" not in values and "last_name" not in values:
        values["first_name"], values["last_name"] = split_name(text(params["name"], "name"))
    if "country" in values:
        values["country"] = values["country"].upper()
    meta = {name: text(params[name], name) for name in ADDRESS_META if params.get(name) is not None}
    primary = params.get("is_primary")
    return AddressChange(
        type=address_type(params),
        values=values,
        primary=None if primary is None else flag(primary, "is_primary"),
        meta=meta or None,
    )
