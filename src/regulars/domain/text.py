"""Text cleaning rules WordPress applies to free text, so stored values match what WordPress would keep."""

from __future__ import annotations

import re

_SCRIPTS = re.compile(r"<(script|style)[^>]*?>.*?</\1>", re.DOTALL | re.IGNORECASE)
_LESS_THAN = re.compile(r"<[^>]*?((?=<)|>|$)")  # wp_pre_kses_less_than's "<" and what follows it
_ENTITY = re.compile(r"&(?!#\d+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
_BREAKS = re.compile(r"[\r\n\t ]+")
_SPACES = re.compile(r" +")
_OCTET = re.compile(r"%[a-fA-F0-9]{2}")
_PHP_TRIM = " \t\n\r\0\x0b"  # PHP's trim(): ASCII whitespace and NUL only, not Unicode spaces
_HTML = str.maketrans({"<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#039;"})


def is_utf8(value: str) -> bool:
    """Bytes that were not UTF-8 arrive as lone surrogates (decoded with surrogateescape)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _escape_html(value: str) -> str:
    """esc_html: the five special characters as entities, entities already there left alone."""
    return _ENTITY.sub("&amp;", value).translate(_HTML)


def _strip_tags(value: str) -> str:
    """PHP's strip_tags: a "<" followed by a non-space opens a tag (or an HTML comment) that ends at its
    ">" outside quotes; everything inside is dropped, an unterminated one to the end."""
    out: list[str] = []
    i, size = 0, len(value)
    while i < size:
        char = value[i]
        if char != "<" or i + 1 >= size or value[i + 1].isspace():
            out.append(char)
            i += 1
        elif value.startswith("<!--", i):
            end = value.find("-->", i + 4)
            i = size if end < 0 else end + 3
        else:
            quote = ""
            i += 1
            while i < size and (quote or value[i] != ">"):
                if value[i] in "\"'" and (not quote or quote == value[i]):
                    quote = "" if quote else value[i]
                i += 1
            i += 1
    return "".join(out)


def sanitize_text_field(value: str) -> str:
    """WordPress's sanitize_text_field: invalid UTF-8 gives ""; tags go (a stray "<" is escaped); line
    breaks, tabs and runs of spaces become one space; percent-encoded octets go; trimmed."""
    if not is_utf8(value):
        return ""
    if "<" in value:
        value = _LESS_THAN.sub(lambda m: m[0] if ">" in m[0] else _escape_html(m[0]), value)
        value = _strip_tags(_SCRIPTS.sub("", value)).strip(_PHP_TRIM)
        value = value.replace("<\n", "&lt;\n")
    value = _BREAKS.sub(" ", value).strip(_PHP_TRIM)
    found = False
    while octet := _OCTET.search(value):
        value = value.replace(octet[0], "")
        found = True
    if found:
        value = _SPACES.sub(" ", value).strip(_PHP_TRIM)
    return value
