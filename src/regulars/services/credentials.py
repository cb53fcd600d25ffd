"""API keys and application passwords: issuing them, and finding the account behind a presented one."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from regulars.auth import app_passwords, keys
from regulars.domain.accounts import Account
from regulars.domain.errors import Invalid, NotFound
from regulars.services.clock import now
from regulars.store.credentials import ApiKeyRow, AppPasswordRow
from regulars.store.unit import Unit

SITE_SECRET = "site_secret"


@dataclass(frozen=True)
class IssuedKey:
    key_id: int
    account: Account
    consumer_key: str
    consumer_secret: str
    permissions: str


@dataclass(frozen=True)
class IssuedAppPassword:
    account: Account
    uuid: str
    name: str
    password: str


def site_secret(unit: Unit) -> str:
    """The site's own secret (keys application-password digests); made once, shared by every worker."""
    return unit.options.get_or_create(SITE_SECRET, secrets.token_hex(32))


def find_account(unit: Unit, who: str) -> Account:
    account = unit.accounts.get(int(who)) if who.isdigit() else None
    account = account or unit.accounts.by_username(who) or unit.accounts.by_email(who)
    if account is None:
        raise NotFound("account", "user")
    return account


def issue_key(unit: Unit, account: Account, permissions: str, description: str = "") -> IssuedKey:
    if permissions not in keys.PERMISSIONS:
        raise Invalid("invalid_permissions", "permissions")
    new = keys.generate()
    key_id = unit.credentials.insert_key(
        account_id=account.id,
        description=description,
        permissions=permissions,
        key_hash=new.digest,
        secret=new.consumer_secret,
        truncated=new.truncated,
        now=now(),
    )
    return IssuedKey(key_id, account, new.consumer_key, new.consumer_secret, permissions)


def issue_app_password(unit: Unit, account: Account, name: str, secret: str) -> IssuedAppPassword:
    password = app_passwords.generate()
    handle = str(uuid.uuid4())
    unit.credentials.insert_app_password(
        account_id=account.id,
        uuid=handle,
        name=name,
        password_hash=app_passwords.digest(password, secret),
        now=now(),
    )
    return IssuedAppPassword(account, handle, name, password)


def key_owner(unit: Unit, consumer_key: str) -> tuple[ApiKeyRow, Account | None] | None:
    """The key row for a presented consumer key (looked up by its digest) and its owner."""
    return unit.credentials.key_by_hash(keys.key_digest(consumer_key))


def use_due(last: datetime | None, resolution_seconds: int) -> bool:
    """Whether a credential's last use is older than `resolution_seconds`: it is written that often, so
    reads stay reads."""
    return last is None or now() - last >= timedelta(seconds=resolution_seconds)


def record_key_use(unit: Unit, key: ApiKeyRow, resolution_seconds: int = 0) -> None:
    if use_due(key.last_access, resolution_seconds):
        unit.credentials.touch_key(key.id, now())


def app_password_owner(
    unit: Unit, username: str, password: str, secret: str
) -> tuple[Account, AppPasswordRow] | bool | None:
    """The account an application password belongs to, and that password's row: None for an unknown user,
    False for a wrong password. Every stored password is compared, so timing tells nothing about which."""
    account = unit.accounts.by_username(username) or unit.accounts.by_email(username)
    if account is None:
        return None
    found = None
    for row in unit.credentials.app_passwords_of(account.id):
        if app_passwords.matches(password, row.password_hash, secret):
            found = row
    return (account, found) if found is not None else False


def record_app_password_use(unit: Unit, row: AppPasswordRow, resolution_seconds: int) -> None:
    """Write last_used, at most once per `resolution_seconds`, as for API keys."""
    if use_due(row.last_used, resolution_seconds):
        unit.credentials.touch_app_password(row.id, now())
