"""Per-credential rate limits by kind of operation (list, create, update, delete), per hour.

In memory for one worker; through Redis when REGULARS_REDIS_URL is set, so the limits hold across
workers and machines. Built on the `limits` library's moving-window strategy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from limits import RateLimitItemPerHour, storage, strategies

from regulars.settings import Settings


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # Unix time when a request is next allowed / the window frees up

    @property
    def retry_after(self) -> int:
        return max(1, self.reset - int(time.time()))

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        backend = (
            storage.storage_from_string(settings.redis_url) if settings.redis_url else storage.MemoryStorage()
        )
        self.strategy = strategies.MovingWindowRateLimiter(backend)

    def applies_to(self, dialect: str) -> bool:
        return self.settings.rate_limits.enabled and dialect in self.settings.rate_limited_dialects

    def hit(self, dialect: str, credential: str, kind: str) -> Verdict:
        limit = self.settings.rate_limits.for_kind(kind)
        item = RateLimitItemPerHour(limit)
        identifiers = (dialect, kind, credential)
        allowed = self.strategy.hit(item, *identifiers)
        stats = self.strategy.get_window_stats(item, *identifiers)
        return Verdict(allowed, limit, max(0, stats.remaining), int(stats.reset_time))
