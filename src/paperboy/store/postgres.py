"""The PostgreSQL engine: a lab's store on a database server, through psycopg 3.

The store's shared SQL (`paperboy.store.base` and the tables beside it) runs unchanged: a
thin adapter turns its `?` placeholders into psycopg's. Writers serialize on an advisory
transaction lock, as SQLite's writers do on its write lock, so everything written in one
`transaction()` is all or nothing and rowids are handed out by one writer at a time. The
writer lock (one `update` at a time) is an advisory session lock, which the server drops
when the holder's connection ends, however it ends.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import psycopg
from psycopg import pq

from paperboy.config import data_dir
from paperboy.store.base import (
    LOCK_NOTICE,
    LOCK_WAIT,
    LockedError,
    Store,
    StoreBusyError,
    StoreConnectError,
)
from paperboy.store.postgres_fts import PostgresText
from paperboy.store.postgres_schema import WRITE_LOCK, WRITER_LOCK, migrate

_log = logging.getLogger(__name__)
ANALYZE_AFTER = 2_000  # new papers before the first renewal of the planner's statistics
STREAM_ROWS = 2_000  # rows a server-side cursor fetches at a time
_streams = itertools.count()


@lru_cache(maxsize=1024)
def _placeholders(sql: str) -> str:
    """The store's SQL in psycopg's dialect: `?` -> `%s`, a literal `%` doubled. (The
    store's statements hold no `?` inside string literals.)"""
    return sql.replace("%", "%%").replace("?", "%s")


class _Connection:
    """A psycopg connection (autocommit, as sqlite3's with isolation_level=None) speaking
    the `Connection` protocol of `paperboy.store.base`."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.pg = conn

    @property
    def in_transaction(self) -> bool:
        return self.pg.info.transaction_status != pq.TransactionStatus.IDLE

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        return self.pg.execute(_placeholders(sql), tuple(parameters))

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> psycopg.Cursor[Any]:
        cursor = self.pg.cursor()
        cursor.executemany(_placeholders(sql), [tuple(p) for p in parameters])
        return cursor


def connect(url: str) -> psycopg.Connection[Any]:
    """A connection to the store's database, named for the server's activity views."""
    try:
        conn = psycopg.connect(
            url,
            autocommit=True,
            application_name=f"paperboy pid {os.getpid()} on {socket.gethostname()}",
            connect_timeout=10,
        )
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreConnectError(f"{_safe(url)}: cannot connect: {reason}") from None
    # psycopg prepares a statement run five times, and after five more PostgreSQL plans it
    # once for any value: a generic plan for "the newest 5,000 papers matching ?" reads every
    # match of a common word (600k papers: 1 s, not 40 ms). Plan each run for its values.
    conn.execute("SET plan_cache_mode = force_custom_plan")
    return conn


def _safe(url: str) -> str:
    from paperboy.store import display_name

    return display_name(url)


class PostgresStore(Store):
    """The store in a PostgreSQL database (`postgresql://user@host/db`)."""

    _READ_SNAPSHOT = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

    def __init__(self, url: str, lock_wait: float = LOCK_WAIT) -> None:
        self.location = url
        self.name = _safe(url)
        self.lock_wait = lock_wait
        self.pg = connect(url)
        self.conn = _Connection(self.pg)
        # Papers this connection added since it last had the server's statistics renewed.
        self._unanalyzed = 0
        self._analyzed_at = 0
        migrate(self.pg)
        self.text = PostgresText(self)
        self._tables()

    def close(self) -> None:
        self.pg.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.conn.in_transaction:
            with self._savepoint():
                yield
            return
        self.pg.execute("BEGIN")
        try:
            self._write_lock()
            yield
        except BaseException:
            if not self.pg.closed:
                self.pg.execute("ROLLBACK")
            self._unanalyzed = 0
            raise
        self.pg.execute("COMMIT")
        self._analyze_if_grown()

    def stream(self, sql: str, parameters: Sequence[Any] = ()) -> Iterator[Any]:
        """Through a server-side cursor, STREAM_ROWS at a time (psycopg's own cursor would
        fetch every row first: all the vectors of a store are gigabytes). Outside a
        transaction it is a WITH HOLD cursor, which outlives the statement's own."""
        name = f"paperboy_stream_{next(_streams)}"
        hold = not self.conn.in_transaction
        with self.pg.cursor(name, withhold=hold) as cursor:
            cursor.itersize = STREAM_ROWS
            cursor.execute(_placeholders(sql), tuple(parameters))
            yield from cursor

    def _inserted_after(self, last: int, count: int) -> None:
        self._unanalyzed += count

    def _analyze_if_grown(self) -> None:
        """Renew the planner's statistics once the papers have grown by as many as they
        held at the last renewal (at least ANALYZE_AFTER): right after a bulk import the
        planner would otherwise plan for empty tables (a day's listing: 50 ms, not 5 ms),
        until autovacuum comes round. Doubling keeps it to a few ANALYZEs per import."""
        if self._unanalyzed < max(ANALYZE_AFTER, self._analyzed_at):
            return
        self.pg.execute("ANALYZE")
        self._analyzed_at += self._unanalyzed
        self._unanalyzed = 0

    def _write_lock(self) -> None:
        """Take the store's write lock for this transaction; when another writer holds it
        for longer than LOCK_NOTICE, say so and wait for it (up to lock_wait)."""
        notice = min(LOCK_NOTICE, self.lock_wait)
        # The first wait in a savepoint: a lock timeout aborts only that, not the transaction.
        self.pg.execute("SAVEPOINT write_lock")
        if self._lock_within(notice):
            self.pg.execute("RELEASE SAVEPOINT write_lock")
            return
        self.pg.execute("ROLLBACK TO SAVEPOINT write_lock")
        self.pg.execute("RELEASE SAVEPOINT write_lock")
        _log.warning(
            "waiting for the write lock on %s: another paperboy command is writing to it "
            "(waiting up to %d s)",
            self.name,
            self.lock_wait,
        )
        if not self._lock_within(self.lock_wait - notice):
            raise StoreBusyError(
                f"{self.name}: another paperboy command held the write lock for over "
                f"{self.lock_wait:g} s; nothing was written, run this again when it has "
                "finished"
            )

    def _lock_within(self, seconds: float) -> bool:
        self.pg.execute(f"SET LOCAL lock_timeout = {max(1, int(seconds * 1000))}")
        try:
            self.pg.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        except psycopg.errors.LockNotAvailable:
            return False
        finally:
            if self.pg.info.transaction_status == pq.TransactionStatus.INTRANS:
                self.pg.execute("SET LOCAL lock_timeout = 0")
        return True

    def copied(self) -> None:
        """Identity columns go on after the largest id copied in (rows arrived with theirs)."""
        identities = [(t, "id") for t in ("users", "profiles", "reading_lists", "vector_spaces")]
        for table, column in [*identities, ("author_names", "rowid")]:
            self.pg.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                f"coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"
            )

    def data_version(self) -> int:
        """A number for the server's current snapshot (the oldest running writer, the next
        transaction id, the writers in progress): it changes when a transaction that writes
        begins and again when it ends (on a read replica, as the primary's are replayed).
        Not the WAL position, which the server's own work (autovacuum, checkpoints) moves
        too: the web reader's page cache would start again for nothing after an import."""
        row = self.pg.execute("SELECT pg_current_snapshot()::text").fetchone()
        return zlib.crc32(str(row[0]).encode()) if row else 0

    def folder(self, kind: str) -> Path | None:
        """In the user's data directory, named by the store's random id (a copy made by
        `paperboy copy` has an id of its own)."""
        return data_dir() / "postgresql" / f"{self.vectors.store_id()}-{kind}"

    @contextmanager
    def writer(self) -> Iterator[None]:
        got = self.pg.execute("SELECT pg_try_advisory_lock(%s)", (WRITER_LOCK,)).fetchone()
        if not (got and got[0]):
            raise LockedError(
                f"another paperboy run ({self._holder()}) holds the lock on {self.name}"
            )
        try:
            yield
        finally:
            if not self.pg.closed:
                self.pg.execute("SELECT pg_advisory_unlock(%s)", (WRITER_LOCK,))

    def _holder(self) -> str:
        """Who holds the writer lock, as its connection named itself."""
        row = self.pg.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a "
            "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND ((l.classid::bigint << 32) | l.objid::bigint) = %s",
            (WRITER_LOCK,),
        ).fetchone()
        name = str(row[0]) if row and row[0] else ""
        return name.removeprefix("paperboy ") if name.startswith("paperboy ") else "pid unknown"
