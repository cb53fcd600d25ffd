"""Customers in and out of the store in bulk: import with WooCommerce's create rules, export in id order.

An import goes batch by batch, each batch one transaction, so an interrupted run leaves whole batches
only; a line whose email is already registered counts as imported before and is skipped, so running
the same file again finishes the rest without duplicates. Within a batch the lines are decided one
after the other, exactly as consecutive REST creates would be (the first of two lines wins a username
or an email); only the writing is done in bulk.
"""

from __future__ import annotations

import gc
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import count
from typing import Any

from regulars.auth.passwords import hash_password
from regulars.domain.accounts import username_with_suffix
from regulars.domain.customers import MetaChange, Profile, ProfileChange, ProfileQuery
from regulars.domain.errors import Conflict, DomainError
from regulars.domain.transfer import NewProfile
from regulars.services import profiles
from regulars.services.clock import now
from regulars.store.unit import Store, Unit

# Lines per transaction. Larger batches touch each page of the store's many indexes for more rows at a
# time (at 300,000 customers on SQLite, 10,000 a batch spends half the commit time of 5,000), while a
# batch holds SQLite's write lock for a few seconds at most, well within other writers' busy timeout.
BATCH_SIZE = 10_000
ROLE = "customer"  # WooCommerce's create forces it
_ATTEMPTS = 3  # tries of a batch that other writers keep getting ahead of
# An import expected to bring at least this many lines, and at least as many as the store holds already,
# defers the non-unique indexes of the tables it writes and builds them once at the end (SQLite: at
# 200,000 customers that takes the import from 58 s to 34 s, the build included, and more as it grows).
# Until then the store's other readers go without them: fine for the first load of a shop, not for a
# small import into a large store, which keeps its indexes.
DEFER_INDEXES_AT = 50_000

# A line of the file: its number, and what it asks for (or why it could not even be read).
Line = tuple[int, ProfileChange | Exception]


@dataclass
class BatchOutcome:
    """One committed batch: how many lines it covered and what became of them."""

    lines: int = 0
    last_line: int = 0  # the number of its last line: the lines after it may be read already
    imported: int = 0
    existing: int = 0
    rejected: list[tuple[int, Exception]] = field(default_factory=list)


class _ReadAhead:
    """The next batch's lines, read in a thread of their own while the store works without the GIL.

    Reading a line (parsing it, working out the change it asks for) is Python; so is deciding a batch.
    SQLite gives the GIL up for its long statements: indexing a batch for search, committing and
    checkpointing take a third of an import. A reader free to run all the time would cost more than it
    saves: executemany takes the GIL back after every row, and would wait out the switch interval (5 ms)
    for it each time. So the reader reads only while the importer lets it (`reading`), and while the
    importer waits for a batch it has not read yet."""

    _DONE = object()

    def __init__(self, source: Iterator[Line], batch_size: int) -> None:
        self._source = source
        self._size = batch_size
        self._ready: queue.Queue[Any] = queue.Queue(maxsize=1)  # a batch, the error that ended it, _DONE
        self._allowed = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._read, name="import-reader", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        batch: list[Line] = []
        try:
            while True:
                self._allowed.wait()
                if self._stopping:
                    return
                line = next(self._source, None)
                if line is None:
                    break
                batch.append(line)
                if len(batch) == self._size:
                    self._ready.put(batch)
                    batch = []
            if batch:
                self._ready.put(batch)
            self._ready.put(self._DONE)
        except BaseException as exc:  # the file's own error, raised where the importer takes the batch
            self._ready.put(exc)

    def next_batch(self) -> list[Line]:
        """The next batch of lines (empty at the end), reading at full speed until it is there; the
        error that stopped the reading is raised here, in its place after the batches before it."""
        self.allow()
        try:
            item = self._ready.get()
        finally:
            self.hold()
        if item is self._DONE:
            self._ready.put(item)  # asked again, still the end
            return []
        if isinstance(item, BaseException):
            raise item
        return item

    def allow(self) -> None:
        """Let the reader read on (the importer is about to keep off the GIL, mostly)."""
        self._allowed.set()

    def hold(self) -> None:
        """Have the reader stop after the line it is reading."""
        self._allowed.clear()

    def close(self) -> None:
        """Stop the reader, whatever it is doing, and wait for it: after this the source is not read."""
        self._stopping = True
        self._allowed.set()
        while self._thread.is_alive():
            try:
                self._ready.get_nowait()  # a reader waiting to hand over a batch can go on and see the stop
            except queue.Empty:
                self._thread.join(0.01)


@dataclass
class _Valid:
    """A line that was read and whose email is well formed."""

    number: int
    change: ProfileChange
    email: str

    @property
    def key(self) -> str:
        return self.email.lower()


def new_meta(changes: Sequence[MetaChange] | None, generated: bool) -> list[tuple[str, Any]]:
    """The meta rows profiles.create leaves on a new account (its password nag, then the request's
    meta_data under WooCommerce's rules), worked out without a database. A new account has no meta row
    a sent id could name, so an id always means "replace the key's rows"."""
    rows: list[list[Any]] = [[profiles.PASSWORD_NAG, "1"]] if generated else []
    for change in changes or ():
        if profiles.is_protected_meta(change.key):
            continue
        if change.value is None or change.id is not None:
            rows = [row for row in rows if row[0] != change.key]
            if change.value is not None:
                rows.append([change.key, change.value])
            continue
        same_key = next((row for row in rows if row[0] == change.key), None)
        if same_key is not None:
            same_key[1] = change.value
        else:
            rows.append([change.key, change.value])
    return [(key, value) for key, value in rows]


class Importer:
    """Imports lines batch by batch into one store, remembering across batches which emails it met."""

    def __init__(
        self,
        store: Store,
        batch_size: int = BATCH_SIZE,
        *,
        expected: int | None = None,
        on_indexing: Callable[[int], None] | None = None,
    ) -> None:
        """`expected`: about how many lines are coming (None: unknown, and indexes are kept);
        `on_indexing`: told how many deferred indexes are about to be built, which takes a while."""
        self.store = store
        self.batch_size = batch_size
        self.expected = expected
        self.on_indexing = on_indexing
        self.seen: dict[str, int] = {}  # lower-cased email -> the line that imported it or found it there

    def run(self, lines: Iterable[Line]) -> Iterator[BatchOutcome]:
        """Import the lines; yields after each batch is committed. However it ends (an error, an
        interruption), the indexes deferred are built before it returns.

        The collector's full passes are held off meanwhile: each batch leaves some hundred thousand
        objects alive for a moment, enough to set off a full pass every few thousand lines, and those
        passes took a ninth of a million-line import (22 s of 198). The young generations are still
        collected after each batch, so any cycle a batch makes is freed within the next."""
        paused = gc.isenabled()
        gc.disable()
        ahead = _ReadAhead(iter(lines), self.batch_size)
        try:
            self._defer_indexes()
            # bcrypt releases the GIL: the passwords of a batch are hashed on every core at once.
            with ThreadPoolExecutor() as hashers:
                while batch := ahead.next_batch():
                    yield self._batch(batch, hashers, ahead)
                    gc.collect(1)
        finally:
            ahead.close()
            if paused:
                gc.enable()
            build_deferred_indexes(self.store, self.on_indexing)
            self.store.settle()

    def _defer_indexes(self) -> None:
        """Defer the written tables' indexes when this import is large for the store (see
        DEFER_INDEXES_AT); any an earlier, interrupted import deferred stay deferred until the end."""
        if self.expected is None or self.expected < DEFER_INDEXES_AT:
            return
        with self.store.write() as unit:
            if self.expected >= unit.accounts.count():
                unit.bulk.defer_indexes()

    def _batch(self, batch: list[Line], hashers: Executor, ahead: _ReadAhead) -> BatchOutcome:
        unreadable: list[tuple[int, Exception]] = []
        valid: list[_Valid] = []
        for number, item in batch:
            if isinstance(item, Exception):
                unreadable.append((number, item))
                continue
            try:
                valid.append(_Valid(number, item, profiles.checked_email(item.email)))
            except DomainError as exc:
                unreadable.append((number, exc))
        hashes = self._hashes(valid, hashers)
        for attempt in count(1):
            outcome = BatchOutcome(lines=len(batch), last_line=batch[-1][0], rejected=list(unreadable))
            seen: dict[str, int] = {}
            try:
                with self.store.write() as unit:
                    new = self._decide(unit, valid, hashes, outcome, seen)
                    # Once the rows are sent, indexing and committing them keep SQLite off the GIL.
                    unit.bulk.insert_profiles(new, role=ROLE, now=now(), rows_sent=ahead.allow)
            except Conflict as exc:
                # Another writer took an email or a username after this batch looked: decide it again.
                if exc.reason != "concurrent_insert" or attempt == _ATTEMPTS:
                    raise
                continue
            finally:
                ahead.hold()
            self.seen.update(seen)
            outcome.rejected.sort(key=lambda pair: pair[0])
            return outcome

    def _hashes(self, valid: list[_Valid], hashers: Executor) -> dict[int, str]:
        """Hashes of the passwords of lines not imported yet, made before the batch's transaction takes
        the write lock (bcrypt is slow on purpose); a line already there costs no hash."""
        with self.store.read() as unit:
            registered = unit.bulk.account_emails([v.email for v in valid if v.change.password])
        wanted = [
            v for v in valid if v.change.password and v.key not in registered and v.key not in self.seen
        ]
        hashed = hashers.map(hash_password, [v.change.password or "" for v in wanted])
        return {v.number: h for v, h in zip(wanted, hashed, strict=True)}

    def _decide(
        self,
        unit: Unit,
        valid: list[_Valid],
        hashes: dict[int, str],
        outcome: BatchOutcome,
        seen: dict[str, int],
    ) -> list[NewProfile]:
        """Decide each line in order as profiles.create would; returns the customers to write in bulk."""
        registered = unit.bulk.account_emails([v.email for v in valid])
        fresh = [v for v in valid if v.key not in registered]
        records = unit.bulk.customer_emails([v.email for v in fresh])
        bases = {v.number: profiles.username_base(v.email) for v in fresh if not v.change.username}
        wanted = [v.change.username.strip() for v in fresh if v.change.username] + list(bases.values())
        taken = unit.bulk.taken_usernames(wanted)
        new: list[NewProfile] = []
        for line in valid:
            number, change, email, key = line.number, line.change, line.email, line.key
            first = self.seen.get(key) or seen.get(key)
            if first is not None:
                outcome.rejected.append((number, Conflict("email_exists", "email", email=email, line=first)))
                continue
            if key in registered:
                outcome.existing += 1
                seen[key] = number
                continue
            try:
                checked = profiles.check_change(change)
                username = self._username(unit, change, bases.get(number), taken)
                if key in records:
                    # A customer record already has this email (say, from FluentCart): profiles.create
                    # joins it to the new account, as a REST create would.
                    with unit.savepoint():
                        profiles.create(unit, replace(change, username=username), role=ROLE)
                else:
                    new.append(self._new_profile(change, checked, email, username, hashes.get(number)))
            except DomainError as exc:
                outcome.rejected.append((number, exc))
                continue
            taken.add(username.lower())
            seen[key] = number
            outcome.imported += 1
        return new

    @staticmethod
    def _username(unit: Unit, change: ProfileChange, base: str | None, taken: set[str]) -> str:
        """profiles.create's username rule, against the store and the lines before in this batch."""
        if change.username:
            clean = profiles.given_username(change.username)
            if clean.lower() in taken:
                raise Conflict("username_exists", "username")
            return clean
        assert base is not None
        candidate = base
        while candidate.lower() in taken or (candidate != base and unit.accounts.username_taken(candidate)):
            candidate = username_with_suffix(base)
        return candidate

    @staticmethod
    def _new_profile(
        change: ProfileChange,
        addresses: dict[str, dict[str, str]],
        email: str,
        username: str,
        password_hash: str | None,
    ) -> NewProfile:
        if change.password and password_hash is None:  # found new only now: hashed the slow way
            password_hash = hash_password(change.password)
        return NewProfile(
            email=email,
            username=username,
            password_hash=password_hash,
            first_name=(change.first_name or "").strip(),
            last_name=(change.last_name or "").strip(),
            addresses=addresses,
            meta=new_meta(change.meta, generated=not change.password),
        )


def deferred_indexes(store: Store) -> int:
    """How many indexes an import has deferred (one running, or one killed before it built them)."""
    with store.read() as unit:
        return unit.bulk.deferred_count()


def build_deferred_indexes(store: Store, announce: Callable[[int], None] | None = None) -> int:
    """Build the indexes an import deferred, if any (one left by an interrupted import included);
    `announce` is told how many first. Returns how many were built."""
    waiting = deferred_indexes(store)
    if not waiting:
        return 0
    if announce is not None:
        announce(waiting)
    with store.write() as unit:
        return unit.bulk.build_deferred()


def export_count(store: Store, role: str | None) -> int:
    with store.read() as unit:
        return profiles.count(unit, ProfileQuery(role=role, limit=None))


def export_pages(store: Store, role: str | None, page_size: int = BATCH_SIZE) -> Iterator[list[Profile]]:
    """Every profile of the role (None: every account), in id order, a page at a time."""
    after = 0
    while True:
        with store.read() as unit:
            ids = unit.bulk.account_ids_after(after, role, page_size)
            page = profiles.assemble(unit, ids)
        if not page:
            return
        yield page
        after = ids[-1]
