"""SQLite: the server's WAL checkpoints, run beside the requests instead of inside one of them.

By default the commit that takes SQLite's write-ahead log past 1,000 pages copies them into the database
file and syncs it before it returns: on a store of a million customers that is 20-45 ms added to one
write request in every few (a batch of 100 creates crosses it about every fourth time). A server's store
turns that off on its own connections (`wal_autocheckpoint=0`) and runs this thread instead: a PASSIVE
checkpoint, which never waits for readers or writers, whenever another connection has committed since
the last one, checked a few times a second. Several workers may each run one; a checkpoint that finds
another under way just skips its turn.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine

INTERVAL = 0.25  # seconds between looks


class Checkpointer:
    def __init__(self, engine: Engine, interval: float = INTERVAL) -> None:
        self.engine = engine
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen_version: int | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="regulars-checkpoints", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        with self.engine.connect() as connection:
            driver = connection.connection.driver_connection
            while not self._stop.wait(self.interval):
                self.tick(driver)

    def tick(self, driver: object) -> int:
        """Checkpoint if anything was committed since the last look; returns the WAL frames copied."""
        version = driver.execute("PRAGMA data_version").fetchone()[0]  # type: ignore[attr-defined]
        if version == self._seen_version:
            return 0
        self._seen_version = version
        _busy, _frames, copied = driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()  # type: ignore[attr-defined]
        return max(copied, 0)
