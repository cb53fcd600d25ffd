"""SQLite: a server's store checkpoints its WAL on a thread of its own, never inside a commit."""

from __future__ import annotations

import struct
import time
from pathlib import Path

import pytest

from regulars.domain.customers import ProfileChange
from regulars.services import profiles
from regulars.store.checkpoints import Checkpointer
from regulars.store.unit import Store


def _fill(store: Store, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        with store.write() as unit:
            billing = {"address_1": "x" * 250, "address_2": "y" * 250}  # a page or so each
            profiles.create(unit, ProfileChange(email=f"wal{n}@example.com", billing=billing))


def _unchecked_frames(path: str) -> tuple[int, int]:
    """(frames in the WAL, frames already copied into the database), read from the WAL index without
    copying any: its header's mxFrame and the checkpoint's nBackfill (sqlite.org/walformat.html)."""
    header = Path(f"{path}-shm").read_bytes()[:104]
    frames, copied = struct.unpack_from("=I", header, 16)[0], struct.unpack_from("=I", header, 96)[0]
    return frames, copied


def _wal_file(store: Store) -> str:
    if store.dialect != "sqlite":
        pytest.skip("the WAL is SQLite's")
    path = store.engine.url.database
    assert path is not None
    return path


def test_a_servers_commits_leave_the_wal_to_the_checkpoint_thread(store: Store) -> None:
    path = _wal_file(store)
    server = Store(store.url, background_checkpoints=True)
    try:
        assert server._checkpointer is not None
        server._checkpointer.stop()  # looked at by hand below, not by its thread
        with server.read() as unit:
            assert unit.connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 0
        _fill(server, 150)  # past SQLite's 1,000 pages: a commit would have checkpointed by now
        frames, copied = _unchecked_frames(path)
        assert frames > 1000 and copied == 0
        checkpointer = Checkpointer(server.engine)
        with server.engine.connect() as connection:
            driver = connection.connection.driver_connection
            assert checkpointer.tick(driver) == frames  # everything committed is copied, at once
            assert checkpointer.tick(driver) == 0  # and nothing again until someone commits
            _fill(server, 1, start=150)
            assert checkpointer.tick(driver) > 0
    finally:
        server.dispose()


def test_the_checkpoint_thread_keeps_the_wal_short(store: Store) -> None:
    path = _wal_file(store)
    server = Store(store.url, background_checkpoints=True)
    try:
        _fill(server, 150)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            frames, copied = _unchecked_frames(path)
            if frames == copied:
                break
            time.sleep(0.05)
        assert frames == copied and frames > 0
    finally:
        server.dispose()


def test_other_stores_checkpoint_at_commit_as_sqlite_does(store: Store) -> None:
    _wal_file(store)
    with store.read() as unit:
        assert unit.connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 1000
