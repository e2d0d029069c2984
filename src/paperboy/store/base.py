"""The store's interface and the SQL both engines share: papers keyed by arXiv id, every
version seen, listings, harvest state. `paperboy.store.sqlite` and `paperboy.store.postgres`
add what differs (connections, locks, transactions, the full-text index); everything above
the store talks to a `Store` and never knows which engine it is."""

from __future__ import annotations

import json
import logging
import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self

from paperboy.record import Paper, Version, id_month
from paperboy.store import author_names
from paperboy.store.accounts import UserTables
from paperboy.store.author_names import AuthorName
from paperboy.store.deliveries import DeliveryTables
from paperboy.store.profiles import ProfileTables
from paperboy.store.reading_lists import ReadingListTables
from paperboy.store.rows import PaperRows, category_rows, paper_row, rows_of
from paperboy.store.vectors import VectorTables
from paperboy.textfix import is_degraded_copy

if TYPE_CHECKING:
    from paperboy.store.fts import TextIndex

_log = logging.getLogger(__name__)
# A writer waits this long for another's write lock (commits come in batches held about a
# second, so only a stuck or very slow process makes anyone wait long)…
LOCK_WAIT = 600.0
# …and says that it waits once it has waited this long.
LOCK_NOTICE = 2.0

# Real arXiv categories (cs.CV, math.AG, hep-th, q-bio.NC), as opposed to MSC/ACM class
# strings that the API also lists as category terms.
_NEW_STYLE = re.compile(r"^[0-9]{4}\.")  # 2103.15358, not hep-th/9901001
_SET_STATE = (
    "INSERT INTO state (key, value) VALUES (?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_TEXT_FIELDS = ("title", "abstract", "comment", "journal_ref", "authors")
_COLUMNS = (
    "arxiv_id, version, title, authors, categories, primary_category, published, updated, "
    "submitted_day, abstract, comment, journal_ref, doi, abs_url, pdf_url, position, source"
)


@dataclass(slots=True)
class UpsertResult:
    """What an upsert did, paper by paper."""

    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_clean: list[str] = field(default_factory=list)  # ids whose stored clean text won

    def count(self) -> int:
        return len(self.new) + len(self.updated) + len(self.unchanged)

    def add(self, other: UpsertResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.kept_clean += other.kept_clean


@dataclass(frozen=True, slots=True)
class ListingEntry:
    """One entry of an announcement listing as a source showed it."""

    arxiv_id: str
    section: str  # new | cross | replace | replace-cross
    title: str | None = None
    abstract: str | None = None
    version: int | None = None


class StoreBusyError(RuntimeError):
    """Another process held the store's write lock for longer than we wait."""


class StoreConnectError(RuntimeError):
    """The store's database server could not be reached or refused us (the message says
    which server and why)."""


class LockedError(RuntimeError):
    """Another paperboy run holds the store's writer lock (one harvest or update at a time)."""


class Rows(Protocol):
    """What a statement returns, in either engine (sqlite3's and psycopg's cursors)."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The part of a DB-API connection the store's SQL uses: `?` placeholders, one cursor
    per statement (the PostgreSQL engine adapts psycopg to it)."""

    @property
    def in_transaction(self) -> bool: ...

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Rows: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Rows: ...


class Store(ABC):
    """All reads and writes of paperboy's data go through this interface.

    The SQL here is the dialect both engines speak (upserts with ON CONFLICT, IS DISTINCT
    FROM, RETURNING, a `rowid` column on papers); each engine supplies its connection, its
    transactions and locks, and its full-text index (`text`).
    """

    conn: Connection
    text: TextIndex
    #: Where the store is: a SQLite file's path or a postgresql:// URL (paperboy.store.open_store)
    location: Path | str
    #: The location for messages ("a.sqlite3", "postgresql://host/db" without its password)
    name: str

    def _tables(self) -> None:
        self.vectors = VectorTables(self)
        self.profiles = ProfileTables(self)
        self.deliveries = DeliveryTables(self)
        self.users = UserTables(self)
        self.reading_lists = ReadingListTables(self)

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """All or nothing, holding the store's write lock. Inside another transaction this
        is a savepoint (`_savepoint`): all or nothing on its own, and committed with the
        outer one."""

    _savepoints = 0

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        self._savepoints += 1
        name = f"sp{self._savepoints}"
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
            self.conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        self.conn.execute(f"RELEASE SAVEPOINT {name}")

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One consistent view of the store for the reads inside (no write lock), unless a
        transaction is already open."""
        nested = self.conn.in_transaction
        if not nested:
            self.conn.execute(self._READ_SNAPSHOT)
        try:
            yield
        finally:
            if not nested:
                self.conn.execute("COMMIT")

    _READ_SNAPSHOT = "BEGIN"  # SQLite's deferred transaction reads one snapshot

    @abstractmethod
    def writer(self) -> AbstractContextManager[None]:
        """Be the store's only harvester/updater while inside, or raise LockedError."""

    @abstractmethod
    def data_version(self) -> int:
        """A number that changes whenever anyone commits to the store."""

    @abstractmethod
    def folder(self, kind: str) -> Path | None:
        """A folder of files kept with this store (`kind`: "vectors"), None for a store in
        memory. Its name ties it to the store; the caller checks the contents are its."""

    def stream(self, sql: str, parameters: Sequence[Any] = ()) -> Iterator[Any]:
        """The rows of a query that may be large (every paper, every vector) as they come,
        never all in memory at once. SQLite's cursor already steps through them."""
        yield from self.conn.execute(sql, parameters)

    def _inserted_after(self, last: int, count: int) -> None:
        """`count` papers above rowid `last` were inserted in this transaction (for engines
        that index new rows in one statement at the end of it, or keep statistics)."""
        return None

    def _names_inserted_after(self, last: int) -> None:
        """Author names above rowid `last` may be new in this transaction (for engines that
        index them in one statement at its end)."""
        return None

    def _index_new_rows(self) -> None:
        """Bring the full-text index up to date with rows inserted in this transaction
        (before an update, which must find the old row indexed). Engines whose index keeps
        itself in step do nothing."""
        return None

    # ------------------------------------------------------------ papers

    def upsert(
        self, papers: Sequence[Paper], source: str, rows: PaperRows | None = None
    ) -> UpsertResult:
        """Insert new papers, replace older versions, keep clean text against its mojibake.

        `rows`: the papers' rows made beforehand (rows.rows_of(papers, source)), or None."""
        result = UpsertResult()
        if rows is None or rows.source != source or len(rows.papers) != len(papers):
            rows = rows_of(list(papers), source)
        with self.transaction():
            stored = self._get_many([p.arxiv_id for p in papers])
            fresh: list[int] = []
            names: Counter[str] = Counter()  # papers each author name gains (or loses)
            for position, paper in enumerate(papers):
                old = stored.get(paper.arxiv_id)
                if old is None:
                    fresh.append(position)
                    result.new.append(paper.arxiv_id)
                    names.update(set(paper.authors))
                else:
                    self._replace(paper, old, source, result, names)
            self._insert(fresh, rows)
            self._record_versions([row for versions in rows.versions for row in versions])
            self._mark_undated(result.new + result.updated)
            self._count_names(author_names.upsert_rows(names, rows.name_keys))
        return result

    def _count_names(self, rows: Sequence[tuple[str, str, int]]) -> None:
        """Add papers to names' counts (a new name gets a rowid above every other's)."""
        if not rows:
            return
        last = self.conn.execute("SELECT coalesce(max(rowid), 0) FROM author_names").fetchone()
        self.conn.executemany(author_names.UPSERT, rows)
        self._names_inserted_after(int(last[0]))

    def _replace(
        self, paper: Paper, old: Paper, source: str, result: UpsertResult, names: Counter[str]
    ) -> None:
        if paper.version < old.version:
            result.unchanged.append(paper.arxiv_id)
            return
        merged, kept = _keep_clean_text(paper, old)
        if kept:
            result.kept_clean.append(paper.arxiv_id)
        if _same_metadata(merged, old):
            result.unchanged.append(paper.arxiv_id)
            return
        self._update(merged, source)
        result.updated.append(paper.arxiv_id)
        names.update(set(merged.authors))
        names.subtract(set(old.authors))

    def _insert(self, fresh: Sequence[int], rows: PaperRows) -> None:
        """Insert the papers at positions `fresh` of `rows`."""
        if not fresh:
            return
        # Writers hold the write lock, so the batch takes rowids last+1 … last+n.
        last = int(self.conn.execute("SELECT coalesce(max(rowid), 0) FROM papers").fetchone()[0])
        self.conn.executemany(
            f"INSERT INTO papers (rowid, {_COLUMNS}) VALUES ({', '.join('?' * 18)})",
            [(last + 1 + k, *rows.papers[position]) for k, position in enumerate(fresh)],
        )
        self._inserted_after(last, len(fresh))
        self.conn.executemany(
            "INSERT INTO paper_categories (category, paper, is_primary, submitted_day) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [
                (category, last + 1 + k, primary, rows.papers[position][8])
                for k, position in enumerate(fresh)
                for category, primary in rows.categories[position]
            ],
        )

    def _update(self, p: Paper, source: str) -> None:
        self._index_new_rows()  # the update trigger must find the old row in the index
        row = paper_row(p, 0, source)
        self.conn.execute(
            "UPDATE papers SET version=?, title=?, authors=?, categories=?, primary_category=?, "
            "published=?, updated=?, submitted_day=?, abstract=?, comment=?, journal_ref=?, "
            "doi=?, abs_url=?, pdf_url=?, source=? WHERE arxiv_id=?",
            (*row[1:15], source, p.arxiv_id),
        )
        self.conn.execute(
            "DELETE FROM paper_categories WHERE paper = "
            "(SELECT rowid FROM papers WHERE arxiv_id = ?)",
            (p.arxiv_id,),
        )
        self.conn.executemany(
            "INSERT INTO paper_categories (category, paper, is_primary, submitted_day) "
            "SELECT ?, rowid, ?, submitted_day FROM papers WHERE arxiv_id = ? "
            "ON CONFLICT DO NOTHING",
            [(category, primary, p.arxiv_id) for category, primary in category_rows(p)],
        )

    def _record_versions(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Remember every version a source told us about; a later version never erases it."""
        self.conn.executemany(
            "INSERT INTO versions (arxiv_id, number, submitted, announced, announced_how) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (arxiv_id, number) DO UPDATE SET "
            "submitted = coalesce(versions.submitted, excluded.submitted), "
            "announced = CASE WHEN versions.announced_how = 'observed' "
            "  AND excluded.announced_how IS DISTINCT FROM 'observed' THEN versions.announced "
            "  ELSE coalesce(excluded.announced, versions.announced) END, "
            "announced_how = CASE WHEN versions.announced_how = 'observed' "
            "  AND excluded.announced_how IS DISTINCT FROM 'observed' THEN versions.announced_how "
            "  ELSE coalesce(excluded.announced_how, versions.announced_how) END",
            rows,
        )

    def get(self, arxiv_id: str) -> Paper | None:
        return self._get_many([arxiv_id]).get(arxiv_id)

    def _get_many(self, ids: Sequence[str]) -> dict[str, Paper]:
        found: dict[str, Paper] = {}
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            rows = self.conn.execute(
                f"SELECT {_COLUMNS} FROM papers WHERE arxiv_id IN ({', '.join('?' * len(part))})",
                part,
            )
            for row in rows:
                found[row[0]] = _paper(row)
        return found

    def with_versions(self, papers: Iterable[Paper]) -> list[Paper]:
        """The papers again, each carrying every version the store knows of it."""
        papers = list(papers)
        known: dict[str, list[Version]] = {p.arxiv_id: [] for p in papers}
        ids = list(known)
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            rows = self.conn.execute(
                "SELECT arxiv_id, number, submitted, announced, announced_how FROM versions "
                f"WHERE arxiv_id IN ({', '.join('?' * len(part))}) ORDER BY arxiv_id, number",
                part,
            )
            for row in rows:
                known[row[0]].append(_version(row[1:]))
        return [p.with_changes(versions=known[p.arxiv_id]) for p in papers]

    def papers_in_id_range(self, first: str, last: str) -> list[Paper]:
        """Papers whose ids sort between first and last (inclusive), with their versions."""
        known: dict[str, list[Version]] = {}
        # The range's versions in one indexed scan (the primary key starts with arxiv_id),
        # not one IN (...) query per 500 ids: dating reads whole id months this way.
        for row in self.conn.execute(
            "SELECT arxiv_id, number, submitted, announced, announced_how FROM versions "
            "WHERE arxiv_id BETWEEN ? AND ? ORDER BY arxiv_id, number",
            (first, last),
        ):
            known.setdefault(row[0], []).append(_version(row[1:]))
        papers = []
        for row in self.conn.execute(
            f"SELECT {_COLUMNS} FROM papers WHERE arxiv_id BETWEEN ? AND ? ORDER BY arxiv_id",
            (first, last),
        ):
            paper = _paper(row)
            paper.versions = known.get(paper.arxiv_id, [])
            papers.append(paper)
        return papers

    def dating_input(self, first: str, last: str) -> list[tuple[str, datetime, list[Version]]]:
        """(id, first version's time, versions) of the papers whose ids sort between first
        and last (inclusive): what dating reads, and nothing more (no text, no JSON). A
        paper without version rows gets the two its own row knows, as the upsert records."""
        papers: list[tuple[str, datetime, list[Version]]] = []
        rows = self.conn.execute(
            "SELECT p.arxiv_id, p.published, p.version, p.updated, v.number, v.submitted, "
            "v.announced, v.announced_how FROM papers p LEFT JOIN versions v "
            "ON v.arxiv_id = p.arxiv_id WHERE p.arxiv_id BETWEEN ? AND ? "
            "ORDER BY p.arxiv_id, v.number",
            (first, last),
        )
        for arxiv_id, published, latest, updated, *version in rows:
            if not papers or papers[-1][0] != arxiv_id:
                papers.append((arxiv_id, datetime.fromisoformat(published), []))
            versions = papers[-1][2]
            if version[0] is not None:
                versions.append(_version(version))
            else:
                versions += _known_versions(papers[-1][1], latest, updated)
        return papers

    def id_months(self) -> list[str]:
        """The YYMM prefixes of the new-style ids in the store."""
        rows = self.conn.execute("SELECT DISTINCT substr(arxiv_id, 1, 5) FROM papers")
        return sorted(str(r[0])[:4] for r in rows if _NEW_STYLE.match(r[0]))

    def announced_on(self, category: str, day: date) -> list[Paper]:
        """Papers of a category with some version announced on `day`, with their versions."""
        rows = self.conn.execute(
            f"SELECT DISTINCT {_prefixed('p')} FROM versions v "
            "JOIN papers p ON p.arxiv_id = v.arxiv_id "
            "JOIN paper_categories c ON c.paper = p.rowid AND c.category = ? "
            "WHERE v.announced = ?",
            (category, day.isoformat()),
        )
        return self.with_versions(_paper(r) for r in rows)

    def announcement_counts(self, category: str) -> dict[date, int]:
        """New submissions and cross-lists per listing day (first versions only)."""
        rows = self.conn.execute(
            "SELECT v.announced, count(*) FROM versions v "
            "JOIN papers p ON p.arxiv_id = v.arxiv_id "
            "JOIN paper_categories c ON c.paper = p.rowid AND c.category = ? "
            "WHERE v.number = 1 AND v.announced IS NOT NULL GROUP BY v.announced",
            (category,),
        )
        return {date.fromisoformat(d): n for d, n in rows}

    def versions(self, arxiv_id: str) -> list[Version]:
        rows = self.conn.execute(
            "SELECT number, submitted, announced, announced_how FROM versions "
            "WHERE arxiv_id=? ORDER BY number",
            (arxiv_id,),
        )
        return [_version(r) for r in rows]

    def papers(
        self,
        category: str | None = None,
        start: date | None = None,
        end: date | None = None,
        ids: Sequence[str] | None = None,
    ) -> Iterator[Paper]:
        """Papers in submission order (first-version time, then source order), streamed."""
        # With a category, both day bounds go to paper_categories' key (category, day, paper)
        # so a range reads that range's rows only.
        column = "p.submitted_day" if category is None else "c.submitted_day"
        where, args = _day_filter(column, start, end)
        if category is None:
            sql = f"SELECT {_prefixed('p')} FROM papers p WHERE {where}"
        else:
            sql = (
                f"SELECT {_prefixed('p')} FROM paper_categories c JOIN papers p "
                f"ON p.rowid = c.paper WHERE c.category = ? AND {where}"
            )
            args = [category, *args]
        if ids is not None:
            if not ids:
                return
            sql += f" AND p.arxiv_id IN ({', '.join('?' * len(ids))})"
            args += list(ids)
        # Ordering by the index's own day column leaves SQLite only each day to sort.
        sql += f" ORDER BY {column}, p.published, p.position, p.rowid"
        for row in self.stream(sql, args):
            yield _paper(row)

    def day_counts(
        self, category: str, start: date | None = None, end: date | None = None
    ) -> dict[date, int]:
        """Papers per UTC submission day for a category."""
        where, args = _day_filter("submitted_day", start, end)
        rows = self.conn.execute(
            f"SELECT submitted_day, count(*) FROM paper_categories WHERE category = ? AND {where} "
            "GROUP BY submitted_day ORDER BY submitted_day",
            [category, *args],
        )
        return {date.fromisoformat(d): n for d, n in rows}

    def month_counts(self, category: str) -> dict[tuple[int, int], int]:
        """Papers per (year, month) of submission for a category, over the whole archive."""
        rows = self.conn.execute(
            "SELECT substr(submitted_day, 1, 7), count(*) FROM paper_categories "
            "WHERE category = ? GROUP BY 1 ORDER BY 1",
            (category,),
        )
        return {(int(m[:4]), int(m[5:7])): n for m, n in rows}

    def day_span(self, category: str) -> tuple[date, date] | None:
        """First and last submission day held for a category."""
        row = self.conn.execute(
            "SELECT min(submitted_day), max(submitted_day) FROM paper_categories "
            "WHERE category = ?",
            (category,),
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return date.fromisoformat(row[0]), date.fromisoformat(row[1])

    def adjacent_days(self, category: str, day: date) -> tuple[date | None, date | None]:
        """The nearest days before and after `day` that hold papers of the category."""
        sql = (
            "SELECT {}(submitted_day) FROM paper_categories "
            "WHERE category = ? AND submitted_day {} ?"
        )
        before = self.conn.execute(sql.format("max", "<"), (category, day.isoformat())).fetchone()
        after = self.conn.execute(sql.format("min", ">"), (category, day.isoformat())).fetchone()
        return (
            None if before[0] is None else date.fromisoformat(before[0]),
            None if after[0] is None else date.fromisoformat(after[0]),
        )

    def submission_bounds(self, category: str) -> tuple[datetime, datetime] | None:
        """The first and last first-version submission times held for a category."""
        span = self.day_span(category)
        return None if span is None else self.submission_times(category, *span)

    def submission_times(
        self, category: str, first: date, last: date
    ) -> tuple[datetime, datetime] | None:
        """The earliest and latest submission times of the category's papers submitted on
        the UTC days first..last, or None when it holds none."""
        days = self.day_counts(category, first, last)
        if not days:
            return None
        sql = (
            "SELECT {}(p.published) FROM paper_categories c JOIN papers p ON p.rowid = c.paper "
            "WHERE c.category = ? AND c.submitted_day = ?"
        )
        low = self.conn.execute(sql.format("min"), (category, min(days).isoformat())).fetchone()
        high = self.conn.execute(sql.format("max"), (category, max(days).isoformat())).fetchone()
        return datetime.fromisoformat(low[0]), datetime.fromisoformat(high[0])

    def categories(self) -> list[tuple[str, int]]:
        rows = self.conn.execute(
            "SELECT category, count(*) FROM paper_categories GROUP BY category "
            "ORDER BY count(*) DESC"
        )
        return [(c, n) for c, n in rows]

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM papers").fetchone()[0])

    # ------------------------------------------------------------ announcements

    def set_announced(self, rows: Iterable[tuple[str, int, date, bool]]) -> None:
        """Rows of (arxiv_id, version, day, observed).

        An observed day is never replaced by an inferred one.
        """
        rows = list(rows)
        with self.transaction():
            # Inferred days come from dating itself; an observed one may move its neighbours.
            self._mark_undated([r[0] for r in rows if r[3]])
            # One statement for all rows; a row whose day is already stored is not rewritten.
            self.conn.executemany(
                "INSERT INTO versions (arxiv_id, number, announced, announced_how) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (arxiv_id, number) DO UPDATE SET "
                "announced = excluded.announced, announced_how = excluded.announced_how "
                "WHERE (versions.announced_how IS DISTINCT FROM 'observed' "
                "OR excluded.announced_how = 'observed') "
                "AND (versions.announced IS DISTINCT FROM excluded.announced "
                "OR versions.announced_how IS DISTINCT FROM excluded.announced_how)",
                [
                    (arxiv_id, number, day.isoformat(), "observed" if observed else "inferred")
                    for arxiv_id, number, day, observed in rows
                ],
            )

    def _mark_undated(self, ids: Iterable[str]) -> None:
        """Mark the id months of these papers as awaiting dating (inside the caller's write)."""
        self.conn.executemany(
            "INSERT INTO undated_months (month) VALUES (?) ON CONFLICT DO NOTHING",
            [(m,) for m in sorted({id_month(i) for i in ids})],
        )

    def pending_months(self) -> list[str]:
        """The id months changed since they were last dated."""
        return [r[0] for r in self.conn.execute("SELECT month FROM undated_months ORDER BY month")]

    def date_month(self, month: str, rows: Iterable[tuple[str, int, date, bool]]) -> None:
        """Write a month's inferred days and clear its mark, all or nothing."""
        with self.transaction():
            self.set_announced(rows)
            self.conn.execute("DELETE FROM undated_months WHERE month = ?", (month,))

    # ------------------------------------------------------------ listings

    def put_listing(
        self, category: str, day: date, entries: Sequence[ListingEntry], source: str
    ) -> None:
        """Replace what is known of one day's listing with these entries, in this order."""
        with self.transaction():
            self._mark_undated(e.arxiv_id for e in entries)
            self.conn.execute(
                "DELETE FROM listing_entries WHERE category=? AND day=?",
                (category, day.isoformat()),
            )
            self.conn.executemany(
                "INSERT INTO listing_entries (category, day, position, arxiv_id, version, "
                "section, title, abstract, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        category,
                        day.isoformat(),
                        i,
                        e.arxiv_id,
                        e.version,
                        e.section,
                        e.title,
                        e.abstract,
                        source,
                    )
                    for i, e in enumerate(entries)
                ],
            )

    def listing(self, category: str, day: date) -> list[ListingEntry]:
        rows = self.conn.execute(
            "SELECT arxiv_id, section, title, abstract, version FROM listing_entries "
            "WHERE category=? AND day=? ORDER BY position",
            (category, day.isoformat()),
        )
        return [ListingEntry(*r) for r in rows]

    def listing_days(self, category: str) -> list[date]:
        rows = self.conn.execute(
            "SELECT DISTINCT day FROM listing_entries WHERE category=? ORDER BY day", (category,)
        )
        return [date.fromisoformat(d) for (d,) in rows]

    # ------------------------------------------------------------ harvest state

    def complete_window(
        self, source: str, category: str, start: str, end: str, papers: int
    ) -> None:
        self.conn.execute(
            'INSERT INTO harvest_windows (source, category, start, "end", papers, completed_at) '
            'VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source, category, start, "end") DO UPDATE '
            "SET papers = excluded.papers, completed_at = excluded.completed_at",
            (source, category, start, end, papers, _utc_now()),
        )

    def completed_windows(self, source: str, category: str) -> list[tuple[str, str, int]]:
        rows = self.conn.execute(
            'SELECT start, "end", papers FROM harvest_windows WHERE source=? AND category=? '
            "ORDER BY start",
            (source, category),
        )
        return [(s, e, n) for s, e, n in rows]

    def get_state(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM state WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_state(self, key: str, value: str | None) -> None:
        if value is None:
            self.conn.execute("DELETE FROM state WHERE key=?", (key,))
        else:
            self.conn.execute(_SET_STATE, (key, value))

    def mark_deleted(self, arxiv_ids: Iterable[str], source: str) -> None:
        """Remember that a source lists these papers as deleted; stored copies stay."""
        self.conn.executemany(_SET_STATE, [(f"deleted:{i}", source) for i in arxiv_ids])

    def similar_authors(self, name: str, limit: int = 5) -> list[AuthorName]:
        """The author names on papers here most like `name` (at least
        `author_names.THRESHOLD` alike by pg_trgm's measure), most alike first: the one
        spelled as asked, then names one slip away (`Kaming He` finds `Kaiming He`)."""
        key = author_names.name_key(name)
        if not key or limit < 1:
            return []
        return author_names.ranked(key, self.text.name_candidates(key), limit)

    def author_papers(self, name: str) -> int:
        """How many papers here are by `name`, however its accents, case and punctuation
        are written (its key, `author_names.name_key`)."""
        row = self.conn.execute(
            "SELECT coalesce(sum(papers), 0) FROM author_names WHERE key = ?",
            (author_names.name_key(name),),
        ).fetchone()
        return int(row[0])

    def deleted_ids(self) -> dict[str, str]:
        """Papers a source listed as deleted -> that source."""
        rows = self.conn.execute("SELECT key, value FROM state WHERE key LIKE 'deleted:%'")
        return {str(k).removeprefix("deleted:"): str(v) for k, v in rows}

    # ------------------------------------------------------------ whole tables (copy)

    def table_count(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT count(*) FROM {_known(table)}").fetchone()[0])

    def table_rows(
        self,
        table: str,
        columns: Sequence[str],
        key: Sequence[str],
        after: Sequence[Any] | None,
        limit: int | None,
    ) -> list[tuple[Any, ...]]:
        """Rows of a table as stored, by `key` after the key value `after` (`limit` of them),
        or the whole table when `key` is empty."""
        sql = f"SELECT {', '.join(columns)} FROM {_known(table)}"
        args: list[Any] = []
        if key:
            if after is not None:
                sql += f" WHERE ({', '.join(key)}) > ({', '.join('?' * len(key))})"
                args += list(after)
            sql += f" ORDER BY {', '.join(key)} LIMIT ?"
            args.append(limit)
        return [tuple(r) for r in self.conn.execute(sql, args)]

    def last_key(self, table: str, key: Sequence[str]) -> tuple[Any, ...] | None:
        """The largest key a table holds (where a resumed copy goes on from)."""
        order = ", ".join(f"{k} DESC" for k in key)
        row = self.conn.execute(
            f"SELECT {', '.join(key)} FROM {_known(table)} ORDER BY {order} LIMIT 1"
        ).fetchone()
        return None if row is None else tuple(row)

    def put_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows as another store of this schema holds them (inside a transaction)."""
        if not rows:
            return
        self.conn.executemany(
            f"INSERT INTO {_known(table)} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})",
            rows,
        )
        if table == "papers":
            self._inserted_after(min(int(r[0]) for r in rows) - 1, len(rows))
        if table == "author_names":
            self._names_inserted_after(min(int(r[0]) for r in rows) - 1)

    def clear_table(self, table: str) -> None:
        self.conn.execute(f"DELETE FROM {_known(table)}")

    def copied(self) -> None:
        """After rows came in with their own ids: what the engine must bring in step."""
        return None


# ---------------------------------------------------------------- row conversion


def _known(table: str) -> str:
    """A table of the schema (its name goes into SQL: never anything else)."""
    if table not in _TABLES:
        raise ValueError(f"no table {table!r} in the store")
    return table


_TABLES = frozenset(
    [
        "papers",
        "paper_categories",
        "versions",
        "listing_entries",
        "harvest_windows",
        "state",
        "undated_months",
        "vector_spaces",
        "paper_vectors",
        "vector_models",
        "vector_term_df",
        "profiles",
        "profile_papers",
        "profile_authors",
        "profile_keywords",
        "profile_categories",
        "paper_marks",
        "deliveries",
        "users",
        "reading_lists",
        "reading_list_papers",
        "author_names",
    ]
)


def _prefixed(alias: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in _COLUMNS.split(","))


def _utc_now() -> str:
    """Now in UTC as SQLite's datetime('now') writes it (the stores' older rows)."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _day_filter(column: str, start: date | None, end: date | None) -> tuple[str, list[Any]]:
    clauses, args = ["1 = 1"], []
    if start is not None:
        clauses.append(f"{column} >= ?")
        args.append(start.isoformat())
    if end is not None:
        clauses.append(f"{column} <= ?")
        args.append(end.isoformat())
    return " AND ".join(clauses), args


def _paper(row: Sequence[Any]) -> Paper:
    return Paper(
        arxiv_id=row[0],
        version=row[1],
        title=row[2],
        authors=json.loads(row[3]),
        categories=json.loads(row[4]),
        primary_category=row[5],
        published=datetime.fromisoformat(row[6]),
        updated=datetime.fromisoformat(row[7]),
        abstract=row[9],
        comment=row[10],
        journal_ref=row[11],
        doi=row[12],
        abs_url=row[13],
        pdf_url=row[14],
    )


def _known_versions(published: datetime, latest: int, updated: str) -> list[Version]:
    known = [Version(1, published)]
    if latest > 1:
        known.append(Version(latest, datetime.fromisoformat(updated)))
    return known


def _version(row: Sequence[Any]) -> Version:
    return Version(
        number=row[0],
        submitted=None if row[1] is None else datetime.fromisoformat(row[1]),
        announced=None if row[2] is None else date.fromisoformat(row[2]),
        announced_observed=row[3] == "observed",
    )


def _text(p: Paper, name: str) -> str | None:
    return ", ".join(p.authors) if name == "authors" else getattr(p, name)


def _keep_clean_text(new: Paper, old: Paper) -> tuple[Paper, bool]:
    """`new` with every field that is only a mojibake of `old`'s put back to `old`'s text."""
    changes: dict[str, object] = {}
    for name in _TEXT_FIELDS:
        incoming, stored = _text(new, name), _text(old, name)
        if incoming is not None and stored is not None and is_degraded_copy(incoming, stored):
            changes[name] = old.authors if name == "authors" else stored
    return (new.with_changes(**changes), True) if changes else (new, False)


def _same_metadata(a: Paper, b: Paper) -> bool:
    return paper_row(a, 0, "") == paper_row(b, 0, "")
