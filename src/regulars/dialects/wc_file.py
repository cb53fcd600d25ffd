"""WooCommerce customers as lines of a file, for `regulars import` and `regulars export`.

JSON Lines: one customer per line, the wc/v3 customer as GET shows it to an administrator (without
`_links`) and as POST takes it. CSV: the same fields flattened (`billing_city`, `shipping_phone`, ...),
`meta_data` as a JSON string. A line is read as a REST create reads its body, with the same argument
checks and the same words in errors, except that:
- read-only fields (`id`, dates, `role`, `avatar_url`, `is_paying_customer`) are ignored, not refused,
  so an exported line imports as it is;
- an empty address field counts as not sent: GET shows every address field ("" when empty) while
  WooCommerce refuses an empty billing email, and a CSV cell is never absent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import orjson

from regulars.dialects import wc_rest_schema as schema
from regulars.dialects.wc_rest import (
    _FIELDS,
    BILLING_ORDER,
    SHIPPING_ORDER,
    VERSIONS,
    Shaper,
    change_from,
    rest_error,
)
from regulars.dialects.wordpress import RestError, checked_args, invalid_params
from regulars.dialects.wp_schema import ArgError
from regulars.domain.accounts import is_email
from regulars.domain.customers import Profile, ProfileChange
from regulars.domain.errors import DomainError

FORMATS = ("jsonl", "csv")
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
_V3 = VERSIONS["v3"]
_CREATE_ARGS = schema.endpoint_args("v3", creating=True)
_TOP = ("email", "first_name", "last_name", "username", "password")
_ADDRESSES = (("billing", BILLING_ORDER), ("shipping", SHIPPING_ORDER))
CSV_COLUMNS: tuple[str, ...] = (
    *_TOP,
    *(f"{kind}_{name}" for kind, order in _ADDRESSES for name in order),
    "meta_data",
)
_EXACT_FLOAT = 2**53  # a meta id WordPress's integer sanitising (via float) keeps as it is


class FileError(ValueError):
    """The file as a whole cannot be read (an unknown format, a CSV without an email column)."""


def format_of(path: Path, given: str | None) -> str:
    """The format named by --format, else by the file's extension."""
    found = given.lower() if given else _EXTENSIONS.get(path.suffix.lower())
    if found not in FORMATS:
        raise FileError(f"cannot tell the format of {path.name}: use --format {' or '.join(FORMATS)}")
    return found


# --- reading ------------------------------------------------------------------------------------------
@dataclass
class Line:
    number: int  # the line in the file (for CSV, the last physical line of the record; the header is 1)
    item: ProfileChange | RestError
    raw: Any  # what the line held, for the rejects file


def expected_lines(path: Path, fmt: str) -> int:
    """About how many customers the file holds, counted from its line breaks at disk speed (a CSV's
    header aside; a quoted field spanning lines counts more): enough to judge how large an import is."""
    breaks = 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            breaks += chunk.count(b"\n")
    return max(0, breaks - (1 if fmt == "csv" else 0))


def read(stream: IO[bytes], fmt: str) -> Iterator[Line]:
    return _read_jsonl(stream) if fmt == "jsonl" else _read_csv(stream)


def _read_jsonl(stream: IO[bytes]) -> Iterator[Line]:
    for number, data in enumerate(stream, 1):
        if not data.strip():
            continue
        try:
            raw = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            text = data.decode("utf-8", "replace").rstrip("\r\n")
            yield Line(number, _invalid_json(str(exc)), text)
            continue
        yield Line(number, change_for(raw), raw)


def _read_csv(stream: IO[bytes]) -> Iterator[Line]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        reader = csv.DictReader(text)
        if "email" not in (reader.fieldnames or ()):
            raise FileError("the CSV file has no email column (its first row names the columns)")
        for row in _rows(reader):
            try:
                item = _unflatten(row)
            except orjson.JSONDecodeError:
                yield Line(reader.line_num, _INVALID_META, row)
                continue
            yield Line(reader.line_num, change_for(item), row)
    finally:
        text.detach()  # the caller's stream stays open (it reads the position from it)


def _rows(reader: csv.DictReader) -> Iterator[dict[str, Any]]:
    """The records, until one cannot be read at all: the import stops there (what came before stays)."""
    rows = iter(reader)
    while True:
        try:
            yield next(rows)
        except StopIteration:
            return
        except (UnicodeDecodeError, csv.Error) as exc:
            raise FileError(f"cannot read the CSV file after line {reader.line_num}: {exc}") from exc


def _unflatten(row: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {name: row[name] for name in _TOP if row.get(name) is not None}
    for kind, order in _ADDRESSES:
        item[kind] = {name: row.get(f"{kind}_{name}") for name in order}
    if row.get("meta_data"):
        item["meta_data"] = orjson.loads(row["meta_data"])
    return item


_INVALID_META = invalid_params({"meta_data": ArgError("rest_invalid_json", "meta_data is not valid JSON.")})


def _invalid_json(detail: str) -> RestError:
    return RestError(
        "rest_invalid_json",
        "Invalid JSON body passed.",
        400,
        json_error_code=4,
        json_error_message=detail.split(":")[0] or "Syntax error",
    )


def change_for(raw: Any) -> ProfileChange | RestError:
    """What a line asks for, read as the body of POST /wc/v3/customers; or the error that POST answers."""
    item = dict(raw) if isinstance(raw, dict) else {}  # a body that is no object reads as empty
    for kind, _ in _ADDRESSES:
        if isinstance(item.get(kind), dict):
            item[kind] = {k: v for k, v in item[kind].items() if v is not None and v != ""}
    if not plain(item):
        if item.get("email") is None:
            return RestError(
                "rest_missing_callback_param", "Missing parameter(s): email", 400, params=["email"]
            )
        try:
            checked_args(item, _CREATE_ARGS)
        except RestError as exc:
            return exc
    return change_from(item, _V3)


def plain(item: dict[str, Any]) -> bool:
    """True when WordPress's argument checks would pass the item and change nothing in it: strings where
    strings go, address objects of strings with a well-formed billing email, meta items with a string
    key, a non-empty string value and an integer id if any. Most lines are like that, and this costs a
    few microseconds where the full checks cost a hundred; any other line takes the full checks."""
    if not isinstance(item.get("email"), str):
        return False
    if any(name in item and not isinstance(item[name], str) for name in _TOP):
        return False
    for kind, _ in _ADDRESSES:
        sent = item.get(kind, {})
        if not isinstance(sent, dict) or not all(isinstance(v, str) for v in sent.values()):
            return False
    billing_email = item.get("billing", {}).get("email")
    if billing_email is not None and not is_email(billing_email):
        return False
    meta = item.get("meta_data", [])
    return isinstance(meta, list) and all(_plain_meta(entry) for entry in meta)


def _plain_meta(entry: Any) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
        return False
    value, meta_id = entry.get("value"), entry.get("id", 0)
    return isinstance(value, str) and value != "" and type(meta_id) is int and abs(meta_id) <= _EXACT_FLOAT


def rejection(number: int, error: Exception, raw: Any) -> dict[str, Any]:
    """A line of the rejects file: the line number, the error a REST create would answer, and the input
    (without its password: the rejects file is not a second copy of secrets)."""
    rest = rest_error(error) if isinstance(error, DomainError) else error
    record: dict[str, Any] = {"line": number}
    if isinstance(rest, RestError):
        record.update(rest.body())
    else:
        record.update({"code": "regulars_import_error", "message": str(error)})
    if isinstance(error, DomainError) and "line" in error.detail:
        record["duplicate_of_line"] = error.detail["line"]
    record["input"] = {k: v for k, v in raw.items() if k != "password"} if isinstance(raw, dict) else raw
    return record


# --- writing ------------------------------------------------------------------------------------------
class _ItemShaper:
    """wc/v3's customer as GET shows it to an administrator, without `_links` (a file has no URLs)."""

    address = Shaper.address

    def __init__(self, zone: ZoneInfo | None) -> None:
        self.zone = zone

    def item(self, profile: Profile) -> dict[str, Any]:
        return {name: _FIELDS[name](self, profile) for name in _V3.fields}  # type: ignore[arg-type]


def csv_row(item: dict[str, Any]) -> list[str]:
    """A GET item flattened to CSV_COLUMNS; meta_data without ids (meaningless in another store)."""
    meta = [{"key": m["key"], "value": m["value"]} for m in item["meta_data"]]
    return [
        *(item.get(name, "") for name in _TOP),
        *(item[kind][name] for kind, order in _ADDRESSES for name in order),
        orjson.dumps(meta).decode() if meta else "",
    ]


class Writer:
    """Writes profiles to a binary stream in one format; every password column stays empty."""

    def __init__(self, stream: IO[bytes], fmt: str, zone: ZoneInfo | None) -> None:
        self.stream = stream
        self.shaper = _ItemShaper(zone)
        self.csv: Any = None
        if fmt == "csv":
            self.text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
            self.csv = csv.writer(self.text)
            self.csv.writerow(CSV_COLUMNS)

    def write(self, profiles: Iterable[Profile]) -> None:
        items = [self.shaper.item(p) for p in profiles]
        if self.csv is None:
            self.stream.write(b"".join(orjson.dumps(item) + b"\n" for item in items))
        else:
            self.csv.writerows(csv_row(item) for item in items)

    def close(self) -> None:
        if self.csv is not None:
            self.text.flush()
            self.text.detach()
        self.stream.flush()
