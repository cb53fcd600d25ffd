"""Checked credentials are held while the store's credentials revision stands, on SQLite and PostgreSQL:
held ones are not looked up again, and any change to a key, an application password or an account,
made by any process, is seen by the next lookup."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, event, update

from regulars.domain.customers import ProfileChange
from regulars.services import credentials, profiles
from regulars.services.clock import now
from regulars.store.tables import api_keys, app_passwords
from regulars.store.unit import Store

SECRET = "s" * 64


@pytest.fixture
def other(store: Store) -> Iterator[Store]:
    """The same database as another server process sees it: its own engine and connections."""
    elsewhere = Store(store.url)
    yield elsewhere
    elsewhere.dispose()


def _staff(store: Store, role: str = "administrator") -> tuple[credentials.IssuedKey, str]:
    with store.write() as unit:
        account_id = unit.accounts.insert(
            username="boss", email="boss@x.test", role=role, now=now(), password_hash=None
        )
        account = unit.accounts.get(account_id)
        assert account is not None
        key = credentials.issue_key(unit, account, "read_write")
        password = credentials.issue_app_password(unit, account, "app", SECRET).password
    return key, password


def _statements(store: Store) -> list[str]:
    """Every statement the store sends from now on (the prepared hot-path ones included)."""
    sent: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda _c, _cur, sql, *_: sent.append(sql))
    return sent


def _revision(store: Store) -> int:
    with store.read() as unit:
        return unit.credentials.revision()


def _key_owner(store: Store, cache: credentials.CredentialCache, consumer_key: str) -> Any:
    with store.read() as unit:
        return cache.key_owner(unit, consumer_key)


def _password_owner(store: Store, cache: credentials.CredentialCache, username: str, password: str) -> Any:
    with store.read() as unit:
        return cache.app_password_owner(unit, username, password, SECRET)


def test_a_held_key_is_not_looked_up_again(store: Store) -> None:
    issued, _ = _staff(store)
    cache = credentials.CredentialCache()
    first = _key_owner(store, cache, issued.consumer_key)
    sent = _statements(store)
    again = _key_owner(store, cache, issued.consumer_key)
    assert again == first and again is not None
    assert again[0].permissions == "read_write" and again[1].username == "boss"
    assert not [sql for sql in sent if "api_keys" in sql], sent
    assert [sql for sql in sent if "row_counts" in sql], "the revision is read on every lookup"


def test_a_key_changed_or_deleted_by_another_process_is_seen_at_once(store: Store, other: Store) -> None:
    issued, _ = _staff(store)
    cache = credentials.CredentialCache()
    assert _key_owner(store, cache, issued.consumer_key)[0].permissions == "read_write"
    with other.write() as unit:
        unit.connection.execute(update(api_keys).values(permissions="read"))
    assert _key_owner(store, cache, issued.consumer_key)[0].permissions == "read"
    with other.write() as unit:
        unit.connection.execute(delete(api_keys))
    assert _key_owner(store, cache, issued.consumer_key) is None


def test_an_owner_whose_role_changes_or_who_is_deleted_is_seen_at_once(store: Store, other: Store) -> None:
    issued, _ = _staff(store)
    cache = credentials.CredentialCache()
    assert _key_owner(store, cache, issued.consumer_key)[1].role == "administrator"
    with other.write() as unit:
        unit.accounts.update(issued.account.id, {"role": "customer"})
    assert _key_owner(store, cache, issued.consumer_key)[1].role == "customer"
    with other.write() as unit:
        unit.accounts.delete(issued.account.id)
    assert _key_owner(store, cache, issued.consumer_key) is None


def test_an_unknown_key_is_never_held(store: Store, other: Store) -> None:
    cache = credentials.CredentialCache()
    assert _key_owner(store, cache, "ck_" + "0" * 40) is None
    issued, _ = _staff(other)
    assert _key_owner(store, cache, issued.consumer_key)[1].username == "boss"


def test_application_passwords_are_held_until_revoked(store: Store, other: Store) -> None:
    _, password = _staff(store)
    cache = credentials.CredentialCache()
    account, row = _password_owner(store, cache, "boss", password)
    assert account.username == "boss" and row.name == "app"
    sent = _statements(store)
    assert _password_owner(store, cache, "boss", password) == (account, row)
    assert not [sql for sql in sent if "app_passwords" in sql or "FROM accounts" in sql], sent
    assert _password_owner(store, cache, "boss", password + "x") is False
    assert _password_owner(store, cache, "nobody", password) is None
    with other.write() as unit:
        unit.connection.execute(delete(app_passwords))
    assert _password_owner(store, cache, "boss", password) is False


def test_a_password_found_by_email_is_not_held(store: Store) -> None:
    """WordPress tries the username first: an account registered later whose username is this email
    would be the one meant, so an owner found by email is looked up every time."""
    _, password = _staff(store)
    cache = credentials.CredentialCache()
    assert _password_owner(store, cache, "boss@x.test", password)[0].username == "boss"
    sent = _statements(store)
    assert _password_owner(store, cache, "boss@x.test", password)[0].username == "boss"
    assert [sql for sql in sent if "app_passwords" in sql]


def test_the_revision_moves_with_credentials_and_accounts_only(store: Store) -> None:
    issued, _ = _staff(store)
    before = _revision(store)
    with store.write() as unit:
        customer = profiles.create(unit, ProfileChange(email="new@x.test"))
    with store.autocommit() as unit:
        assert unit.credentials.use_nonce(issued.key_id, "n1", 1)
    assert _revision(store) == before, "new rows and nonces change no credential already read"
    steps = [
        lambda unit: unit.credentials.touch_key(issued.key_id, now()),
        lambda unit: unit.connection.execute(update(app_passwords).values(name="renamed")),
        lambda unit: profiles.update(unit, customer.id, ProfileChange(first_name="Ann")),
        lambda unit: profiles.delete(unit, customer.id),
    ]
    for step in steps:
        with store.write() as unit:
            step(unit)
        after = _revision(store)
        assert after > before
        before = after
