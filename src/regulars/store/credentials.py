"""API keys, application passwords and used OAuth nonces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from regulars.store.prepared import Prepared
from regulars.store.tables import api_keys, app_passwords, oauth_nonces


@dataclass(frozen=True)
class ApiKeyRow:
    id: int
    account_id: int
    description: str
    permissions: str
    consumer_secret: str
    truncated_key: str
    last_access: datetime | None


@dataclass(frozen=True)
class AppPasswordRow:
    id: int
    account_id: int
    uuid: str
    name: str
    password_hash: str
    last_used: datetime | None = None


_KEY_BY_HASH = Prepared(select(api_keys).where(api_keys.c.consumer_key_hash == bindparam("key_hash")))


def _key(row: Any) -> ApiKeyRow:
    return ApiKeyRow(
        row.id,
        row.account_id,
        row.description,
        row.permissions,
        row.consumer_secret,
        row.truncated_key,
        row.last_access,
    )


class CredentialRepository:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    def insert_key(
        self,
        *,
        account_id: int,
        description: str,
        permissions: str,
        key_hash: str,
        secret: str,
        truncated: str,
        now: datetime,
    ) -> int:
        result = self.c.execute(
            insert(api_keys).values(
                account_id=account_id,
                description=description,
                permissions=permissions,
                consumer_key_hash=key_hash,
                consumer_secret=secret,
                truncated_key=truncated,
                created_at=now,
            )
        )
        return int(result.inserted_primary_key[0])

    def key_by_hash(self, key_hash: str) -> ApiKeyRow | None:
        row = _KEY_BY_HASH.first(self.c, key_hash=key_hash)
        return _key(row) if row else None

    def touch_key(self, key_id: int, now: datetime) -> None:
        self.c.execute(update(api_keys).where(api_keys.c.id == key_id).values(last_access=now))

    def insert_app_password(
        self, *, account_id: int, uuid: str, name: str, password_hash: str, now: datetime
    ) -> int:
        result = self.c.execute(
            insert(app_passwords).values(
                account_id=account_id, uuid=uuid, name=name, password_hash=password_hash, created_at=now
            )
        )
        return int(result.inserted_primary_key[0])

    def app_passwords_of(self, account_id: int) -> list[AppPasswordRow]:
        rows = self.c.execute(
            select(app_passwords).where(app_passwords.c.account_id == account_id).order_by(app_passwords.c.id)
        )
        return [
            AppPasswordRow(r.id, r.account_id, r.uuid, r.name, r.password_hash, r.last_used) for r in rows
        ]

    def touch_app_password(self, password_id: int, now: datetime) -> None:
        self.c.execute(update(app_passwords).where(app_passwords.c.id == password_id).values(last_used=now))

    def use_nonce(self, key_id: int, nonce: str, timestamp: int, oldest: int | None) -> bool:
        """Record a nonce; False when this key already used it (a replay). Forgets nonces older than
        `oldest`, when given."""
        if oldest is not None:
            self.c.execute(delete(oauth_nonces).where(oauth_nonces.c.timestamp < oldest))
        builder = pg_insert if self.c.dialect.name == "postgresql" else sqlite_insert
        statement = (
            builder(oauth_nonces)
            .values(key_id=key_id, nonce=nonce, timestamp=timestamp)
            .on_conflict_do_nothing(index_elements=["key_id", "nonce"])
            .returning(oauth_nonces.c.nonce)
        )
        return self.c.execute(statement).first() is not None
