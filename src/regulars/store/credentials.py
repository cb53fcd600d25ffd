"""API keys, application passwords and used OAuth nonces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from regulars.domain.accounts import Account
from regulars.store import counts
from regulars.store.accounts import account_from_row
from regulars.store.prepared import Prepared
from regulars.store.tables import accounts, api_keys, app_passwords, oauth_nonces


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


_KEY_AND_OWNER = Prepared.joined(
    api_keys.outerjoin(accounts, accounts.c.id == api_keys.c.account_id),
    (api_keys, accounts),
    lambda _dialect: api_keys.c.consumer_key_hash == bindparam("key_hash"),
)


_USE_NONCE = {
    name: Prepared(
        builder(oauth_nonces)
        .values(key_id=bindparam("key_id"), nonce=bindparam("nonce"), timestamp=bindparam("timestamp"))
        .on_conflict_do_nothing(index_elements=["key_id", "nonce", "timestamp"])
        .returning(oauth_nonces.c.nonce)
    )
    for name, builder in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


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
    def __init__(self, connection: Connection, revisions: counts.Revisions) -> None:
        self.c = connection
        self.revisions = revisions

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

    def revision(self) -> int:
        """A number that moves whenever a key, an application password or an account is updated or
        deleted (triggers keep it); while it stands, whatever was read of them is still what they are.
        Read it before what it vouches for."""
        return self.revisions[counts.CREDENTIALS]

    def key_by_hash(self, key_hash: str) -> tuple[ApiKeyRow, Account | None] | None:
        """The key with this digest and its owner, in one lookup (every key-authenticated request asks)."""
        found = _KEY_AND_OWNER.first_joined(self.c, key_hash=key_hash)
        if found is None:
            return None
        key, owner = found
        return _key(key), account_from_row(owner) if owner is not None else None

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

    def use_nonce(self, key_id: int, nonce: str, timestamp: int) -> bool:
        """Record a nonce; False when this key already used it with this timestamp (a replay). One
        prepared statement, so it can run on its own on Store.autocommit()."""
        insert_nonce = _USE_NONCE[self.c.dialect.name]
        return insert_nonce.first(self.c, key_id=key_id, nonce=nonce, timestamp=timestamp) is not None

    def forget_nonces(self, oldest: int) -> None:
        """Nonces older than `oldest` can no longer be replayed (their timestamps are refused)."""
        self.c.execute(delete(oauth_nonces).where(oauth_nonces.c.timestamp < oldest))
