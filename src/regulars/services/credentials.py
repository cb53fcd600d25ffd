"""API keys and application passwords: issuing them, and finding the account behind a presented one."""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

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


def use_due(last: datetime | None, resolution_seconds: int) -> bool:
    """Whether a credential's last use is older than `resolution_seconds`: it is written that often, so
    reads stay reads."""
    return last is None or now() - last >= timedelta(seconds=resolution_seconds)


def use_due_at(last: datetime | None, resolution_seconds: int) -> float:
    """When (as time.time() counts) a use made now would be due to be recorded (use_due); at once when
    the last use is not known."""
    if last is None:
        return 0.0
    return (last.replace(tzinfo=UTC) + timedelta(seconds=resolution_seconds)).timestamp()


def record_key_use(unit: Unit, key: ApiKeyRow, resolution_seconds: int = 0) -> None:
    if use_due(key.last_access, resolution_seconds):
        unit.credentials.touch_key(key.id, now())


def _app_password_owner(
    unit: Unit, username: str, password: str, secret: str
) -> tuple[Account, AppPasswordRow, bool] | bool | None:
    """The account an application password belongs to, that password's row and whether the account was
    found by its username (not its email): None for an unknown user, False for a wrong password. Every
    stored password is compared, so timing tells nothing about which."""
    account = unit.accounts.by_username(username)
    by_username = account is not None
    account = account or unit.accounts.by_email(username)
    if account is None:
        return None
    found = None
    for row in unit.credentials.app_passwords_of(account.id):
        if app_passwords.matches(password, row.password_hash, secret):
            found = row
    return (account, found, by_username) if found is not None else False


class CredentialCache:
    """The keys and application passwords this process has already checked, with their owners, kept while
    the store's credentials revision (store/credentials.py) stays where it was when they were read: every
    authenticated request asks, and the revision is one indexed read where a key costs a joined lookup
    and an application password two statements and a digest per password the user has. Only what was
    found is kept, so an unknown or wrong credential is looked up every time, and nothing held outlives
    an update or delete of a key, a password or an account in any process."""

    LIMIT = 4096  # entries; past it the cache starts again (only valid credentials get in)

    def __init__(self) -> None:
        # Replaced whole, never emptied in place: a thread that read an older revision fills its own dict.
        self._held: tuple[int | None, dict[tuple[str, ...], Any]] = (None, {})

    def _entries(self, unit: Unit) -> dict[tuple[str, ...], Any]:
        revision = unit.credentials.revision()
        held_revision, entries = self._held
        if held_revision != revision or len(entries) >= self.LIMIT:
            entries = {}
            self._held = (revision, entries)
        return entries

    def key_owner(self, unit: Unit, consumer_key: str) -> tuple[ApiKeyRow, Account | None] | None:
        """The key row for a presented consumer key (looked up by its digest) and its owner. What is held
        is shared by the requests that follow: nothing changes a key row (frozen) or an Account once read."""
        digest = keys.key_digest(consumer_key)
        entries = self._entries(unit)
        found = entries.get(("key", digest))
        if found is None:
            found = unit.credentials.key_by_hash(digest)
            if found is None or found[1] is None:
                return found
            entries[("key", digest)] = found
        return found

    def app_password_owner(
        self, unit: Unit, username: str, password: str, secret: str
    ) -> tuple[Account, AppPasswordRow] | bool | None:
        """The account an application password belongs to and that password's row; None for an unknown
        user, False for a wrong password. Held by the password's digest, never the password, and compared
        again in constant time. Only an account found by its username is held: one found by email could be
        outranked by an account registered later with that username."""
        presented = app_passwords.digest(password, secret)
        held = ("app_password", username, presented)
        entries = self._entries(unit)
        found = entries.get(held)
        if found is None or not hmac.compare_digest(found[1].password_hash, presented):
            found = _app_password_owner(unit, username, password, secret)
            if not isinstance(found, tuple):
                return found
            if found[2]:
                entries[held] = found
        account, row, _ = found
        return account, row


def record_app_password_use(unit: Unit, row: AppPasswordRow, resolution_seconds: int) -> None:
    """Write last_used, at most once per `resolution_seconds`, as for API keys."""
    if use_due(row.last_used, resolution_seconds):
        unit.credentials.touch_app_password(row.id, now())
