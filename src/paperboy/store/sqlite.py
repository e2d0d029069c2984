"""The SQLite engine: one file, WAL, a write lock taken up front, FTS5 indexed per batch."""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from paperboy.store.base import (
    LOCK_NOTICE,
    LOCK_WAIT,
    ListingEntry,
    LockedError,
    Store,
    StoreBusyError,
    UpsertResult,
)
from paperboy.store.rows import is_category
from paperboy.store.schema import GRAMS, migrate
from paperboy.store.sqlite_fts import SQLiteText

__all__ = ["ListingEntry", "SQLiteStore", "StoreBusyError", "UpsertResult", "is_category"]

_log = logging.getLogger(__name__)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


class SQLiteStore(Store):
    """The embedded store: a SQLite file that any number of readers and one writer share."""

    def __init__(
        self, path: str | Path, lock_wait: float = LOCK_WAIT, cache_kib: int = 65536
    ) -> None:
        self.path = Path(path)
        self.location = self.path
        self.name = str(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lock_wait = lock_wait
        self.sqlite = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.conn = self.sqlite
        # Before anything else: switching a new file to WAL already needs the lock.
        self.sqlite.execute(f"PRAGMA busy_timeout = {int(lock_wait * 1000)}")
        self._use_wal()
        self.sqlite.execute("PRAGMA synchronous = NORMAL")
        self.sqlite.execute("PRAGMA foreign_keys = ON")
        # 64 MiB by default: FTS merges stay in memory; readers with a thread each use less
        self.sqlite.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
        self._unindexed_after: int | None = None  # rows above this rowid await the FTS index
        self._unindexed_names_after: int | None = None  # author names above this, too
        migrate(self.sqlite)
        self.text = SQLiteText(self)
        self._tables()

    def close(self) -> None:
        self.sqlite.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.sqlite.in_transaction:
            with self._savepoint():
                yield
            return
        self._begin()
        self._unindexed_after = self._unindexed_names_after = None
        try:
            yield
            self._index_new_rows()
        except BaseException:
            self.sqlite.execute("ROLLBACK")
            self._unindexed_after = self._unindexed_names_after = None
            raise
        self.sqlite.execute("COMMIT")

    def _use_wal(self) -> None:
        """Switch to WAL. While another process creates the file this answers "locked"
        without waiting (SQLite calls no busy handler for it), so it is tried again."""
        deadline = time.monotonic() + self.lock_wait
        while True:
            try:
                self.sqlite.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise self._busy(exc) from None
                time.sleep(0.05)

    def _begin(self) -> None:
        """Take the write lock; when another process holds it, say so and wait for it."""
        self.sqlite.execute(f"PRAGMA busy_timeout = {int(min(LOCK_NOTICE, self.lock_wait) * 1000)}")
        try:
            self.sqlite.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or self.lock_wait <= LOCK_NOTICE:
                raise self._busy(exc) from None
        finally:
            self.sqlite.execute(f"PRAGMA busy_timeout = {int(self.lock_wait * 1000)}")
        _log.warning(
            "waiting for the write lock on %s: another paperboy command is writing to it "
            "(waiting up to %d s)",
            self.path,
            self.lock_wait,
        )
        try:
            self.sqlite.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise self._busy(exc) from None

    def _busy(self, exc: sqlite3.OperationalError) -> Exception:
        if not _is_busy(exc):
            return exc
        return StoreBusyError(
            f"{self.path}: another paperboy command held the write lock for over "
            f"{self.lock_wait:g} s; nothing was written, run this again when it has finished"
        )

    def _inserted_after(self, last: int, count: int) -> None:
        if self._unindexed_after is None:
            self._unindexed_after = last

    def _names_inserted_after(self, last: int) -> None:
        if self._unindexed_names_after is None:
            self._unindexed_names_after = last

    def _index_new_rows(self) -> None:
        """Add the rows inserted since the last call to the full-text index, in one statement.

        FTS5 writes a segment at every savepoint release, so indexing once per transaction
        instead of once per file makes bulk imports much faster. It always runs before the
        commit and before any update, so the index is in step whenever anyone can look.
        """
        if self._unindexed_names_after is not None:
            self.sqlite.execute(
                f"INSERT INTO author_grams (rowid, grams) SELECT rowid, {GRAMS} "
                "FROM author_names WHERE rowid > ?",
                (self._unindexed_names_after,),
            )
            self._unindexed_names_after = None
        if self._unindexed_after is None:
            return
        self.sqlite.execute(
            "INSERT INTO papers_fts (rowid, title, authors, abstract, comment, categories) "
            "SELECT paper, title, authors, abstract, comment, categories "
            "FROM papers_fts_source WHERE paper > ?",
            (self._unindexed_after,),
        )
        self._unindexed_after = None

    def data_version(self) -> int:
        """A number SQLite changes whenever another connection commits to the store."""
        return int(self.sqlite.execute("PRAGMA data_version").fetchone()[0])

    def folder(self, kind: str) -> Path | None:
        if str(self.path) == ":memory:":
            return None
        return self.path.with_name(f"{self.path.name}-{kind}")

    @contextmanager
    def writer(self) -> Iterator[None]:
        """One harvest at a time per store file; the OS drops the lock when the holder dies
        (kill -9)."""
        with file_lock(self.path):
            yield


@contextmanager
def file_lock(db_path: Path) -> Iterator[None]:
    # The real file's name: a store reached through a symlink shares its lock.
    lock_path = Path(f"{Path(db_path).resolve()}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = lock_path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise LockedError(
                f"another paperboy run (pid {holder}) holds the lock on {db_path}"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()
