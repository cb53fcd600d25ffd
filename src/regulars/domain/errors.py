"""What can go wrong in the domain, said once; each dialect chooses its own words for it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    INVALID = "invalid"
    FORBIDDEN = "forbidden"


class DomainError(Exception):
    """A rule refused a request. `reason` names the rule; `field` the value it was about."""

    kind: Kind = Kind.INVALID

    def __init__(self, reason: str, field: str | None = None, **detail: Any) -> None:
        super().__init__(reason if field is None else f"{reason}: {field}")
        self.reason = reason
        self.field = field
        self.detail = detail


class NotFound(DomainError):
    kind = Kind.NOT_FOUND


class Conflict(DomainError):
    kind = Kind.CONFLICT


class Invalid(DomainError):
    kind = Kind.INVALID


class Forbidden(DomainError):
    kind = Kind.FORBIDDEN
