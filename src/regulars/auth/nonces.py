"""Where used OAuth nonces are remembered: the database, or Redis when configured (shared by workers)."""

from __future__ import annotations

from typing import Protocol

from regulars.auth.oauth import WINDOW_SECONDS


class NonceStore(Protocol):
    def use(self, key_id: int, nonce: str, timestamp: int, now: int) -> bool:
        """Remember the nonce; False when it was already used with this key."""


class DatabaseNonces:
    def __init__(self, store: object) -> None:
        self.store = store

    def use(self, key_id: int, nonce: str, timestamp: int, now: int) -> bool:
        with self.store.write() as unit:  # type: ignore[attr-defined]
            return unit.credentials.use_nonce(key_id, nonce, timestamp, now - WINDOW_SECONDS)


class RedisNonces:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)

    def use(self, key_id: int, nonce: str, timestamp: int, now: int) -> bool:
        # Kept twice the window: a timestamp may be up to WINDOW_SECONDS in the future.
        name = f"regulars:nonce:{key_id}:{nonce}"
        return bool(self.client.set(name, timestamp, nx=True, ex=2 * WINDOW_SECONDS))
