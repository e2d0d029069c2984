"""Full-text search: the read queries behind `paperboy.search`, for either engine.

A query arrives as a MATCH expression in the FTS5 syntax that `paperboy.search` builds from
what a person typed (every term a quoted string; AND, OR, NOT, parentheses, `column :`).
Each engine's `TextIndex` answers it: SQLite's FTS5 as written (`store.sqlite_fts`),
PostgreSQL's tsvector after translating it (`store.postgres_fts`). Nothing here builds FTS
syntax from user text, and every value is bound as a parameter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from paperboy.store.base import Store

# Column weights: title, authors, abstract, comment, categories. A title hit counts as ten
# abstract hits, so papers about the words rank above papers that merely use them; the
# category tokens (SQLite schema version 10) only narrow a filtered query.
WEIGHTS = (10.0, 4.0, 1.0, 1.0, 0.0)
# Markers around matched terms in highlights: private-use characters, which arXiv text does
# not hold, so the caller can split on them without ambiguity.
MARK_START = "\ue000"
MARK_END = "\ue001"
SNIPPET_TOKENS = 40
CANDIDATES = 5_000
# The tokens `TextIndex.titled` is asked for: plain words both engines' indexes hold as
# written, so no query syntax reaches the index.
TITLE_TOKEN = re.compile(r"[a-z0-9]+")

Order = Literal["relevance", "newest"]


class QueryError(ValueError):
    """A MATCH expression the engine could not run (paperboy.search should never build one:
    the search says so instead of failing)."""


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrictions outside the text: categories and submission days.

    `category_groups` are ANDed; each group is a set of alternatives, where an entry ending
    in '*' is a prefix ('cs.*'). `excluded` drops papers in any of those categories.
    """

    category_groups: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None

    @property
    def empty(self) -> bool:
        return not (self.category_groups or self.excluded or self.start or self.end)


@dataclass(frozen=True, slots=True)
class Ranked:
    rowid: int
    arxiv_id: str
    score: float


@dataclass(frozen=True, slots=True)
class Marked:
    """A paper's title and abstract snippet with MARK_START/MARK_END around matched terms."""

    title: str
    snippet: str


class TextIndex(Protocol):
    """An engine's full-text index; `match` is always an expression `paperboy.search` built."""

    def search(
        self,
        match: str,
        filters: Filters,
        limit: int,
        offset: int,
        order: Order,
        candidates: int,
    ) -> tuple[list[Ranked], int | None]: ...

    def count(self, match: str | None, filters: Filters, cap: int) -> int: ...

    def allowed(
        self, rowids: Sequence[int], filters: Filters, must: str | None, must_not: str | None
    ) -> set[int]: ...

    def marked(self, match: str, rowids: Sequence[int]) -> dict[int, Marked]: ...

    def titled(self, tokens: Sequence[str], limit: int) -> list[tuple[str, str]]:
        """(arxiv_id, title) of up to `limit` papers whose titles hold every token, in no
        set order: the index stops at `limit`, where sorting would read every match."""
        ...

    def name_candidates(self, key: str) -> list[tuple[str, int, str]]:
        """(name, papers, key) of up to author_names.CANDIDATES author names sharing
        pieces with `key` (author_names.trigrams), the most alike among them."""
        ...


def search(
    store: Store,
    match: str | None,
    filters: Filters,
    limit: int,
    offset: int = 0,
    order: Order = "relevance",
    candidates: int = CANDIDATES,
) -> tuple[list[Ranked], int | None]:
    """One page of papers matching `match` and the filters, and how many match (up to
    `candidates`) when the ranking pass counted them on the way.

    Relevance ranks the `candidates` most recently added matches (all of them for any query
    matching fewer). With no match expression, papers come newest first.
    """
    if match is None:
        return _browse(store, filters, limit, offset), None
    return store.text.search(match, filters, limit, offset, order, candidates)


def _browse(store: Store, filters: Filters, limit: int, offset: int) -> list[Ranked]:
    """Papers passing the filters, newest first (the same SQL in both engines)."""
    where, args = filter_sql(filters, "p.rowid")
    rows = store.conn.execute(
        f"SELECT p.rowid, p.arxiv_id FROM papers p WHERE {where} "
        "ORDER BY p.submitted_day DESC, p.published DESC, p.rowid DESC LIMIT ? OFFSET ?",
        [*args, limit, offset],
    )
    return [Ranked(r, a, 0.0) for r, a in rows]


def count(store: Store, match: str | None, filters: Filters, cap: int) -> int:
    """How many papers match, counting no further than `cap` (counts cost time too)."""
    return store.text.count(match, filters, cap)


def allowed(
    store: Store,
    rowids: Sequence[int],
    filters: Filters,
    must: str | None = None,
    must_not: str | None = None,
) -> set[int]:
    """Which of `rowids` pass the filters, match `must` and do not match `must_not`: how
    search by meaning applies a query's filters to vector neighbours. Each paper is checked
    by rowid, so the cost follows len(rowids), not the matches."""
    if not rowids:
        return set()
    if filters.empty and must is None and must_not is None:
        return set(rowids)
    return store.text.allowed(rowids, filters, must, must_not)


def marked(store: Store, match: str, rowids: Sequence[int]) -> dict[int, Marked]:
    """Title highlights and abstract snippets for a page of results."""
    return store.text.marked(match, rowids) if rowids else {}


def filter_sql(filters: Filters, rowid: str) -> tuple[str, list[Any]]:
    """SQL conditions (both engines') on a paper's rowid for the filters; categories and
    days come from paper_categories, whose index on `paper` covers both."""
    clauses: list[str] = ["1 = 1"]
    args: list[Any] = []
    days, day_args = _days_sql(filters)
    for group in filters.category_groups:
        cats, cat_args = _categories_sql(group)
        clauses.append(
            f"EXISTS (SELECT 1 FROM paper_categories c WHERE c.paper = {rowid} AND ({cats}) "
            f"AND {days})"
        )
        args += [*cat_args, *day_args]
    if not filters.category_groups and (filters.start or filters.end):
        clauses.append(
            f"EXISTS (SELECT 1 FROM paper_categories c WHERE c.paper = {rowid} AND {days})"
        )
        args += day_args
    if filters.excluded:
        cats, cat_args = _categories_sql(filters.excluded)
        clauses.append(
            f"NOT EXISTS (SELECT 1 FROM paper_categories c WHERE c.paper = {rowid} AND ({cats}))"
        )
        args += cat_args
    return " AND ".join(clauses), args


def _days_sql(filters: Filters) -> tuple[str, list[Any]]:
    clauses, args = ["1 = 1"], []
    if filters.start is not None:
        clauses.append("c.submitted_day >= ?")
        args.append(filters.start.isoformat())
    if filters.end is not None:
        clauses.append("c.submitted_day <= ?")
        args.append(filters.end.isoformat())
    return " AND ".join(clauses), args


def _categories_sql(patterns: Sequence[str]) -> tuple[str, list[Any]]:
    parts, args = [], []
    for pattern in patterns:
        if pattern.endswith("*"):
            # A prefix compared as text: case-sensitive like category names, in both engines.
            stem = pattern[:-1]
            parts.append(f"substr(c.category, 1, {len(stem)}) = ?")
            args.append(stem)
        else:
            parts.append("c.category = ?")
            args.append(pattern)
    return " OR ".join(parts), args
