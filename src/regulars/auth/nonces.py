"""Where used OAuth nonces are remembered: the database, or Redis when configured (shared by workers)."""

from __future__ import annotations

from typing import Protocol

from regulars.auth.oauth import WINDOW_SECONDS


class NonceStore(Protocol):
    def use(self, key_id: int, nonce: str, timestamp: int, now: int) -> bool:
        """Remember the nonce; False when it was already used with this key and timestamp. A replay
        repeats both (the timestamp is signed); the official Python client's nonces, 8 random digits,
        repeat across timestamps often enough that WooCommerce's nonce-only check refuses honest calls."""


class DatabaseNonces:
    # Expired nonces are swept at most this often (seconds), not on every request.
    SWEEP_EVERY = 60

    def __init__(self, store: object) -> None:
        self.store = store
        self.swept_at = 0

    def use(self, key_id: int, nonce: str, timestamp: int, now: int) -> bool:
        if now - self.swept_at >= self.SWEEP_EVERY:
            with self.store.write() as unit:  # type: ignore[attr-defined]
                unit.credentials.forget_nonces(now - WINDOW_SECONDS)
            self.swept_at = now
        with self.store.autocommit() as unit:  # type: ignore[attr-defined]
            return unit.credentials.use_nonce(key_id, nonce, timestamp)


class RedisNonces:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)

    def use(self, key_id: int, nonce: str, timestamp: int, now: int) -> bool:
        # Kept twice the window: a timestamp may be up to WINDOW_SECONDS in the future.
        name = f"regulars:nonce:{key_id}:{timestamp}:{nonce}"
        return bool(self.client.set(name, timestamp, nx=True, ex=2 * WINDOW_SECONDS))
