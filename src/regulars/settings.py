"""One typed settings object, read from flags, the environment (REGULARS_*) and defaults.

WooCommerce keeps these as site options; Regulars keeps them here, with WooCommerce's defaults.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, replace
from typing import Any

DEFAULT_DATABASE_URL = "sqlite:///regulars.db"


def _env(name: str, default: str) -> str:
    return os.environ.get(f"REGULARS_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(f"REGULARS_{name}")
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(f"REGULARS_{name}")
    return default if raw is None or raw.strip() == "" else int(raw)


def _env_currency(default: str) -> str:
    """The shop's ISO 4217 currency code (WooCommerce's woocommerce_currency option)."""
    code = _env("CURRENCY", default).strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValueError(f"REGULARS_CURRENCY must be a three-letter ISO 4217 code, not {code!r}")
    return code


@dataclass(frozen=True)
class RateLimits:
    """Requests allowed per credential and hour, by kind of operation (FluentCart's documented limits)."""

    list: int = 100
    create: int = 50
    update: int = 200
    delete: int = 20
    enabled: bool = True

    def for_kind(self, kind: str) -> int:
        return int(getattr(self, kind))


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    # Networks whose X-Forwarded-Proto / X-Forwarded-Host we believe (a TLS-terminating proxy).
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    generate_username: bool = True
    generate_password: bool = True
    timezone: str = "UTC"
    currency: str = "USD"
    currency_decimals: int = 2
    batch_limit: int = 100
    max_body_bytes: int = 1024 * 1024
    # Rate limits apply to FluentCart by default and to other dialects when listed here.
    rate_limits: RateLimits = field(default_factory=RateLimits)
    rate_limited_dialects: frozenset[str] = frozenset({"fluentcart"})
    # How often (seconds) an API key's last_access is written; WooCommerce writes on every call.
    last_access_resolution: int = 60
    # WooCommerce's customer searches look in login, email and display name only (as WooCommerce does);
    # extended, they find any part of those, the first, last or full name, and the phone.
    extended_search: bool = False
    # How many customers' profiles each worker keeps in memory, once read twice, while nothing changes
    # them (about 4 kB each; each one held lengthens the garbage collector's full passes); 0 keeps none.
    held_profiles: int = 2_000
    # How many bytes of answers each worker keeps to give again while nothing they were made of changes
    # (replies.py: a customer read again); 0 keeps none.
    held_reply_bytes: int = 32 * 1024 * 1024

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        proxies = tuple(
            ipaddress.ip_network(part.strip(), strict=False)
            for part in _env("TRUSTED_PROXIES", "").split(",")
            if part.strip()
        )
        limits = RateLimits(
            list=_env_int("RATE_LIMIT_LIST", 100),
            create=_env_int("RATE_LIMIT_CREATE", 50),
            update=_env_int("RATE_LIMIT_UPDATE", 200),
            delete=_env_int("RATE_LIMIT_DELETE", 20),
            enabled=_env_bool("RATE_LIMITS", True),
        )
        dialects = frozenset(
            d.strip() for d in _env("RATE_LIMITED_DIALECTS", "fluentcart").split(",") if d.strip()
        )
        settings = cls(
            database_url=_env("DATABASE_URL", DEFAULT_DATABASE_URL),
            redis_url=os.environ.get("REGULARS_REDIS_URL") or None,
            trusted_proxies=proxies,
            generate_username=_env_bool("GENERATE_USERNAME", True),
            generate_password=_env_bool("GENERATE_PASSWORD", True),
            timezone=_env("TIMEZONE", "UTC"),
            currency=_env_currency("USD"),
            currency_decimals=_env_int("CURRENCY_DECIMALS", 2),
            batch_limit=_env_int("BATCH_LIMIT", 100),
            max_body_bytes=_env_int("MAX_BODY_BYTES", 1024 * 1024),
            extended_search=_env_bool("EXTENDED_SEARCH", False),
            held_profiles=_env_int("HELD_PROFILES", 2_000),
            held_reply_bytes=_env_int("HELD_REPLY_BYTES", 32 * 1024 * 1024),
            rate_limits=limits,
            rate_limited_dialects=dialects,
        )
        clean = {k: v for k, v in overrides.items() if v is not None}
        return replace(settings, **clean) if clean else settings

    def is_trusted_proxy(self, host: str | None) -> bool:
        if not host or not self.trusted_proxies:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.trusted_proxies)
