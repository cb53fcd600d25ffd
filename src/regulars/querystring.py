"""Query strings read the way PHP reads them, because WordPress and its clients' signatures depend on it.

`filter[role]=x` becomes {"filter": {"role": "x"}}, `a[]=1&a[]=2` becomes {"a": {"0": "1", "1": "2"}},
a repeated key keeps its last value, and `+` is a space.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

PhpValue = str | dict[str, Any]

_BRACKETS = re.compile(r"\[([^\]]*)\]")


def pairs(query: str, errors: str = "replace") -> list[tuple[str, str]]:
    """Decoded (key, value) pairs in the order sent, repeats kept; octets that are not UTF-8 decoded as
    `errors` says ("surrogateescape" keeps them recognisable, as WordPress's sanitisers need)."""
    found: list[tuple[str, str]] = []
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        found.append((unquote_plus(key, errors=errors), unquote_plus(value, errors=errors)))
    return found


def _path(key: str) -> list[str] | None:
    head, bracket, rest = key.partition("[")
    if not head:
        return None
    if not bracket:
        return [key]
    inner = _BRACKETS.findall("[" + rest)
    return [head, *inner] if inner else [key]


def parse(query: str, errors: str = "replace") -> dict[str, PhpValue]:
    """PHP's parse_str: nested arrays from brackets, the last of repeated keys wins."""
    return nested(pairs(query, errors))


def nested(decoded: list[tuple[str, str]]) -> dict[str, PhpValue]:
    """parse() of pairs already decoded, for a caller that needs both (each decoding costs as much)."""
    result: dict[str, PhpValue] = {}
    for key, value in decoded:
        path = _path(key)
        if path is None:
            continue
        path[0] = path[0].replace(".", "_").replace(" ", "_")
        node: dict[str, Any] = result
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if part == "":
                part = str(sum(1 for k in node if k.isdigit()))
            if last:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = {}
                    node[part] = child
                node = child
    return result
