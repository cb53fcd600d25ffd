"""Per-credential rate limits by kind of operation (list, create, update, delete), per hour.

In memory for one worker; through Redis when REGULARS_REDIS_URL is set, so the limits hold across
workers and machines. Built on the `limits` library's moving-window strategy.

A request is counted as what it does: one of its endpoint's kind, or, for a batch, each item against
its own kind (100 creates in one batch are 100 creates), so a batch cannot carry more than the limits
allow one by one.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from limits import RateLimitItemPerHour, storage, strategies

from regulars.settings import Settings

Counts = Mapping[str, int]  # how many operations of each kind a request holds


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    kind: str  # the kind its headers tell of: the refused one, else the one nearest its limit
    limit: int
    remaining: int
    reset: int  # Unix time when a request is next allowed / the window frees up

    @property
    def retry_after(self) -> int:
        return max(1, self.reset - int(time.time()))

    @property
    def message(self) -> str:
        """The words of a refusal, the same in every dialect's envelope."""
        return f"Too many {self.kind} requests. Try again in {self.retry_after} seconds."

    def headers(self) -> dict[str, str]:
        """X-RateLimit-* on every counted answer, and Retry-After on a refusal."""
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }
        return headers if self.allowed else {**headers, "Retry-After": str(self.retry_after)}


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        backend = (
            storage.storage_from_string(settings.redis_url) if settings.redis_url else storage.MemoryStorage()
        )
        self.strategy = strategies.MovingWindowRateLimiter(backend)

    def applies_to(self, dialect: str) -> bool:
        return self.settings.rate_limits.enabled and dialect in self.settings.rate_limited_dialects

    def hit(self, dialect: str, credential: str, counts: Counts) -> Verdict:
        """Count a request's operations, each kind against its own limit, all or none: when any kind
        would pass its limit nothing is counted and the verdict is that kind's refusal.

        Every kind is tested before any is counted; only a race with another worker between the two
        can spend the earlier kinds of a request then refused, and none ever passes a limit."""
        charges = [
            (kind, cost, self._item(kind), (dialect, kind, credential)) for kind, cost in counts.items()
        ]
        for kind, cost, item, ids in charges:
            if not self.strategy.test(item, *ids, cost=cost):
                return self._verdict(False, kind, item, ids)
        for kind, cost, item, ids in charges:
            if not self.strategy.hit(item, *ids, cost=cost):
                return self._verdict(False, kind, item, ids)
        verdicts = [self._verdict(True, kind, item, ids) for kind, _, item, ids in charges]
        return min(verdicts, key=lambda verdict: verdict.remaining)

    def _item(self, kind: str) -> RateLimitItemPerHour:
        return RateLimitItemPerHour(self.settings.rate_limits.for_kind(kind))

    def _verdict(self, allowed: bool, kind: str, item: RateLimitItemPerHour, ids: tuple[str, ...]) -> Verdict:
        stats = self.strategy.get_window_stats(item, *ids)
        return Verdict(allowed, kind, item.amount, max(0, stats.remaining), int(stats.reset_time))
