"""What every request handler may use: settings, the store, the nonce memory, the rate limiter and what
is held between requests."""

from __future__ import annotations

from dataclasses import dataclass

from regulars.auth.nonces import DatabaseNonces, NonceStore, RedisNonces
from regulars.ratelimit import RateLimiter
from regulars.replies import HeldReplies
from regulars.services import credentials
from regulars.settings import Settings
from regulars.store.unit import Store


@dataclass
class Context:
    settings: Settings
    store: Store
    site_secret: str
    nonces: NonceStore
    limiter: RateLimiter
    credential_cache: credentials.CredentialCache
    replies: HeldReplies

    @classmethod
    def build(cls, settings: Settings) -> Context:
        store = Store(
            settings.database_url, background_checkpoints=True, held_profiles=settings.held_profiles
        )
        with store.write() as unit:
            secret = credentials.site_secret(unit)
        nonces: NonceStore = RedisNonces(settings.redis_url) if settings.redis_url else DatabaseNonces(store)
        return cls(
            settings,
            store,
            secret,
            nonces,
            RateLimiter(settings),
            credentials.CredentialCache(),
            HeldReplies(settings.held_reply_bytes),
        )
