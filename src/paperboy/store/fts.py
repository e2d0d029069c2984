"""Full-text search over papers_fts: the read queries behind `paperboy.search`.

Everything here takes a SQLiteStore and only reads. The MATCH expression comes from
`paperboy.search`, which builds it from what a person typed; this module never builds FTS
syntax itself and binds every value as a parameter.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from paperboy.store.schema import CATEGORY_MARK
from paperboy.store.sqlite import SQLiteStore

# Column weights for bm25(): title, authors, abstract, comment, categories. A title hit
# counts as ten abstract hits, so papers about the words rank above papers that merely use
# them; the category tokens (see schema version 10) only narrow a filtered query.
WEIGHTS = (10.0, 4.0, 1.0, 1.0, 0.0)
_BM25 = f"bm25(papers_fts, {', '.join(str(w) for w in WEIGHTS)})"
# Markers around matched terms in highlights: private-use characters, which arXiv text does
# not hold, so the caller can split on them without ambiguity.
MARK_START = "\ue000"
MARK_END = "\ue001"
SNIPPET_TOKENS = 40
CANDIDATES = 5_000

Order = Literal["relevance", "newest"]


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


def search(
    store: SQLiteStore,
    match: str | None,
    filters: Filters,
    limit: int,
    offset: int = 0,
    order: Order = "relevance",
    candidates: int = CANDIDATES,
) -> tuple[list[Ranked], int | None]:
    """One page of papers matching `match` (an FTS5 expression) and the filters, and how
    many match (up to `candidates`) when the ranking pass counted them on the way.

    Relevance is bm25 among the `candidates` most recently added matches (all of them for
    any query matching fewer). With no match expression, papers come newest first.
    """
    if match is None:
        return _browse(store, filters, limit, offset), None
    match = _narrowed(match, filters)
    where, args = _filter_sql(filters, "f.rowid")
    if order == "newest":
        newest = store.conn.execute(
            f"SELECT f.rowid, p.arxiv_id, 0.0 FROM papers_fts f JOIN papers p "
            f"ON p.rowid = f.rowid WHERE papers_fts MATCH ? AND {where} "
            "ORDER BY f.rowid DESC LIMIT ? OFFSET ?",
            [match, *args, limit, offset],
        )
        return [Ranked(r, a, s) for r, a, s in newest], None
    # bm25() over the newest `candidates` matches only, so that a query matching half the
    # archive costs no more than one matching `candidates` papers; the same pass counts
    # them. Papers are joined for the page alone: joining before the sort would read a
    # large row for every match.
    rows = store.conn.execute(
        f"SELECT r.rowid, p.arxiv_id, r.score, r.total FROM (SELECT rowid, score, "
        f"count(*) OVER () AS total FROM (SELECT f.rowid AS rowid, {_BM25} AS score "
        f"FROM papers_fts f WHERE papers_fts MATCH ? AND {where} "
        "ORDER BY f.rowid DESC LIMIT ?) ORDER BY score, rowid DESC LIMIT ? OFFSET ?) r "
        "JOIN papers p ON p.rowid = r.rowid ORDER BY r.score, r.rowid DESC",
        [match, *args, candidates, limit, offset],
    ).fetchall()
    total = int(rows[0][3]) if rows else None
    return [Ranked(r, a, s) for r, a, s, _ in rows], total


def _browse(store: SQLiteStore, filters: Filters, limit: int, offset: int) -> list[Ranked]:
    where, args = _filter_sql(filters, "p.rowid")
    rows = store.conn.execute(
        f"SELECT p.rowid, p.arxiv_id FROM papers p WHERE {where} "
        "ORDER BY p.submitted_day DESC, p.published DESC, p.rowid DESC LIMIT ? OFFSET ?",
        [*args, limit, offset],
    )
    return [Ranked(r, a, 0.0) for r, a in rows]


def count(store: SQLiteStore, match: str | None, filters: Filters, cap: int) -> int:
    """How many papers match, counting no further than `cap` (counts cost time too)."""
    if match is None:
        where, args = _filter_sql(filters, "p.rowid")
        sql = f"SELECT 1 FROM papers p WHERE {where} LIMIT ?"
    else:
        where, args = _filter_sql(filters, "f.rowid")
        args = [_narrowed(match, filters), *args]
        sql = f"SELECT 1 FROM papers_fts f WHERE papers_fts MATCH ? AND {where} LIMIT ?"
    row = store.conn.execute(f"SELECT count(*) FROM ({sql})", [*args, cap]).fetchone()
    return int(row[0])


def allowed(
    store: SQLiteStore,
    rowids: Sequence[int],
    filters: Filters,
    must: str | None = None,
    must_not: str | None = None,
) -> set[int]:
    """Which of `rowids` pass the filters, match `must` and do not match `must_not` (FTS5
    expressions): how search by meaning applies a query's filters to vector neighbours.
    Each paper is checked by rowid, so the cost follows len(rowids), not the matches."""
    if not rowids:
        return set()
    if filters.empty and must is None and must_not is None:
        return set(rowids)
    where, args = _filter_sql(filters, "j.value")
    if must is not None:
        where += f" AND {_MATCHES}"
        args.append(must)
    if must_not is not None:
        where += f" AND NOT {_MATCHES}"
        args.append(must_not)
    rows = store.conn.execute(
        f"SELECT j.value FROM json_each(?) j WHERE {where}", [json.dumps(list(rowids)), *args]
    )
    return {int(r) for (r,) in rows}


_MATCHES = "EXISTS (SELECT 1 FROM papers_fts m WHERE papers_fts MATCH ? AND m.rowid = j.value)"


def marked(store: SQLiteStore, match: str, rowids: Sequence[int]) -> dict[int, Marked]:
    """Title highlights and abstract snippets for a page of results."""
    if not rowids:
        return {}
    marks = f"'{MARK_START}', '{MARK_END}'"
    rows = store.conn.execute(
        f"SELECT rowid, highlight(papers_fts, 0, {marks}), "
        f"snippet(papers_fts, 2, {marks}, '…', {SNIPPET_TOKENS}) FROM papers_fts "
        f"WHERE papers_fts MATCH ? AND rowid IN ({', '.join('?' * len(rowids))})",
        [match, *rowids],
    )
    return {r: Marked(t, s) for r, t, s in rows}


def _narrowed(match: str, filters: Filters) -> str:
    """`match` ANDed with the category tokens of each category group that has them.

    The index then intersects the words with the categories, however rare either is. The
    tokens are a necessary condition only (case is folded), and `_filter_sql` still decides
    from paper_categories. A group with a prefix ('cs.*') is left to `_filter_sql` alone: a
    prefix term reads the doclists of every name it reaches, which costs more than checking
    the papers of an archive as common as the store's own.
    """
    groups = [g for g in filters.category_groups if not any(p.endswith("*") for p in g)]
    terms = [" OR ".join(_category_term(p) for p in group) for group in groups]
    return " AND ".join([f"({match})", *(f"({t})" for t in terms)]) if terms else match


def _category_term(name: str) -> str:
    """'cs.RO' -> categories : "<mark>cs<mark>ro" (the tokens of schema version 10)."""
    token = CATEGORY_MARK + name.replace(".", CATEGORY_MARK).replace("-", CATEGORY_MARK)
    quoted = token.replace('"', '""')  # for callers other than paperboy.search (no '"' there)
    return f'categories : "{quoted}"'


def _filter_sql(filters: Filters, rowid: str) -> tuple[str, list[Any]]:
    """SQL conditions on a paper's rowid for the filters; categories and days come from
    paper_categories, whose index on `paper` covers both."""
    clauses: list[str] = ["1"]
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
    clauses, args = ["1"], []
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
            # GLOB is case-sensitive like category names; the prefix holds no wildcard
            # characters because paperboy.search only lets [A-Za-z.-] through.
            parts.append("c.category GLOB ?")
        else:
            parts.append("c.category = ?")
        args.append(pattern)
    return " OR ".join(parts), args
