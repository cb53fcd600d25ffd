"""WordPress's argument validation and sanitising (rest_validate_value_from_schema and friends).

Arguments are declared as the JSON-schema-like dicts WordPress shows in OPTIONS; the same dicts drive
validation here, so what a route documents is what it enforces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from regulars.domain.accounts import is_email

Schema = Mapping[str, Any]

INT64 = (-(2**63), 2**63 - 1)
# PHP 8's is_numeric: its whitespace (only these six) before and after, a sign, ASCII digits with an optional
# point and exponent; no hex, "inf", "nan", underscores or other control characters.
_NUMERIC = re.compile(
    r"[ \t\n\r\v\f]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\r\v\f]*"
)
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}(:?\d{2})?)?$")


class ArgError(Exception):
    """One argument failed: WordPress's inner code, message and data."""

    def __init__(self, code: str, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data


def human_list(items: list[str]) -> str:
    """WordPress's wp_sprintf_l: "a", "a and b", "a, b, and c"."""
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + f", and {items[-1]}"


def is_numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and _NUMERIC.fullmatch(value) is not None


def is_integer(value: Any) -> bool:
    if not is_numeric(value):
        return False
    number = float(value)
    return number == int(number) if number == number and abs(number) != float("inf") else False


def is_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, str):
        return value.lower() in ("false", "true", "0", "1")
    if isinstance(value, int):
        return value in (0, 1)
    return False


def parse_list(value: Any) -> Any:
    """wp_parse_list: a scalar becomes the comma/space separated list it spells."""
    if isinstance(value, str):
        return [part for part in re.split(r"[\s,]+", value) if part != ""]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [str(value)]
    return value


def is_array(value: Any) -> bool:
    value = parse_list(value)
    if isinstance(value, list):
        return True
    return isinstance(value, dict) and all(str(k).isdigit() for k in value)


def is_object(value: Any) -> bool:
    return value == "" or isinstance(value, dict | list)


def _as_list(value: Any) -> list[Any]:
    value = parse_list(value)
    if isinstance(value, dict):
        return [value[k] for k in sorted(value, key=lambda k: int(k))]
    return list(value)


def _type_ok(kind: str, value: Any) -> bool:
    return {
        "integer": is_integer,
        "number": is_numeric,
        "string": lambda v: isinstance(v, str),
        "boolean": is_boolean,
        "array": is_array,
        "object": is_object,
        "null": lambda v: v is None,
    }.get(kind, lambda v: True)(value)


def validate(value: Any, schema: Schema, name: str) -> None:
    """Raise ArgError where WordPress would refuse `value` for an argument declared by `schema`."""
    kind = schema.get("type")
    if isinstance(kind, list):
        matching = [k for k in kind if _type_ok(k, value)]
        if not matching:
            raise ArgError("rest_invalid_type", f"{name} is not of type {','.join(kind)}.", {"param": name})
        kind = matching[0]
    elif kind is not None and not _type_ok(kind, value):
        raise ArgError("rest_invalid_type", f"{name} is not of type {kind}.", {"param": name})
    if kind == "array":
        items = schema.get("items")
        if items:
            for index, item in enumerate(_as_list(value)):
                validate(item, items, f"{name}[{index}]")
    if kind == "object" and isinstance(value, dict):
        for prop, prop_schema in schema.get("properties", {}).items():
            if prop in value:
                validate(value[prop], prop_schema, f"{name}[{prop}]")
    enum = schema.get("enum")
    if enum is not None and sanitize(value, schema) not in enum:
        shown = [str(v) for v in enum]
        if len(shown) == 1:
            raise ArgError("rest_not_in_enum", f"{name} is not {shown[0]}.")
        raise ArgError("rest_not_in_enum", f"{name} is not one of {human_list(shown)}.")
    if kind in ("integer", "number"):
        _bounds(float(value), schema, name)
    if kind == "integer" and not INT64[0] <= int(Decimal(str(value))) <= INT64[1]:
        # PHP's integers are 64-bit, and so are stored ids and counts: a larger one names nothing.
        raise out_of_bounds(name, *INT64)
    fmt = schema.get("format")
    if fmt and isinstance(value, str) and kind in (None, "string"):
        if fmt == "email" and not is_email(value):
            raise ArgError("rest_invalid_email", "Invalid email address.")
        if fmt == "date-time" and not _DATE_TIME.match(value):
            raise ArgError("rest_invalid_date", "Invalid date.")


def out_of_bounds(name: str, low: Any, high: Any) -> ArgError:
    """WordPress's refusal of a number outside a schema's minimum and maximum."""
    return ArgError("rest_out_of_bounds", f"{name} must be between {low} (inclusive) and {high} (inclusive)")


def _bounds(number: float, schema: Schema, name: str) -> None:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None and not low <= number <= high:
        raise out_of_bounds(name, low, high)
    if low is not None and high is None and number < low:
        raise ArgError("rest_out_of_bounds", f"{name} must be greater than or equal to {low}")
    if high is not None and low is None and number > high:
        raise ArgError("rest_out_of_bounds", f"{name} must be less than or equal to {high}")


def sanitize(value: Any, schema: Schema) -> Any:
    """rest_sanitize_value_from_schema: the value in the type the schema names."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if _type_ok(k, value)), None)
    if kind == "integer":
        return int(Decimal(str(value)))
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return value.lower() in ("true", "1") if isinstance(value, str) else bool(value)
    if kind == "string":
        return value if isinstance(value, str) else str(value)
    if kind == "array":
        items = schema.get("items")
        found = _as_list(value)
        return [sanitize(v, items) for v in found] if items else found
    if kind == "object":
        if isinstance(value, list):
            return value  # a PHP list passes as an object and stays a list
        if not isinstance(value, dict):
            return {}
        props = schema.get("properties", {})
        return {k: sanitize(v, props[k]) if k in props else v for k, v in value.items()}
    return value
