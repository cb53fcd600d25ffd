"""Text cleaning rules WordPress applies to free text, so stored values match what WordPress would keep."""

from __future__ import annotations

import re

_TAGS = re.compile(r"<[^>]*?>", re.DOTALL)
_SCRIPTS = re.compile(r"<(script|style)[^>]*?>.*?</\1>", re.DOTALL | re.IGNORECASE)
_OCTETS = re.compile(r"%[a-fA-F0-9]{2}")
_BREAKS = re.compile(r"[\r\n\t ]+")


def sanitize_text_field(value: str) -> str:
    """WordPress's sanitize_text_field: no tags, no line breaks or tabs, no octets, single spaces, trimmed."""
    if "<" in value:
        value = _SCRIPTS.sub("", value)
        value = _TAGS.sub("", value)
        value = value.replace("<", "&lt;")
    value = _BREAKS.sub(" ", value)
    while True:
        cleaned = _OCTETS.sub("", value)
        if cleaned == value:
            break
        value = cleaned
    return value.strip()
