"""SQLite's full-text index: FTS5 over papers (schema versions 1 and 10), bm25 ranking."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from paperboy.store import author_names
from paperboy.store.fts import (
    MARK_END,
    MARK_START,
    SNIPPET_TOKENS,
    WEIGHTS,
    Filters,
    Marked,
    Order,
    QueryError,
    Ranked,
    filter_sql,
)
from paperboy.store.schema import CATEGORY_MARK

if TYPE_CHECKING:
    from paperboy.store.sqlite import SQLiteStore

_BM25 = f"bm25(papers_fts, {', '.join(str(w) for w in WEIGHTS)})"
# Matches read in a row, per paper to check, before looking the papers up instead. A paper
# looked up costs about as much as 100 matches read; reading stops at a quarter of that, so
# an expression held by too many papers costs at most a quarter more than looking them up.
SCAN_PER_PAPER = 25
_MATCHES = "EXISTS (SELECT 1 FROM papers_fts m WHERE papers_fts MATCH ? AND m.rowid = j.value)"


class SQLiteText:
    def __init__(self, store: SQLiteStore) -> None:
        self.conn = store.sqlite

    def _execute(self, sql: str, args: Sequence[Any]) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, args)
        except sqlite3.OperationalError as exc:  # FTS5 refused the expression
            raise QueryError(str(exc)) from exc

    def search(
        self,
        match: str,
        filters: Filters,
        limit: int,
        offset: int,
        order: Order,
        candidates: int,
    ) -> tuple[list[Ranked], int | None]:
        match = _narrowed(match, filters)
        where, args = filter_sql(filters, "f.rowid")
        if order == "newest":
            newest = self._execute(
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
        rows = self._execute(
            f"SELECT r.rowid, p.arxiv_id, r.score, r.total FROM (SELECT rowid, score, "
            f"count(*) OVER () AS total FROM (SELECT f.rowid AS rowid, {_BM25} AS score "
            f"FROM papers_fts f WHERE papers_fts MATCH ? AND {where} "
            "ORDER BY f.rowid DESC LIMIT ?) ORDER BY score, rowid DESC LIMIT ? OFFSET ?) r "
            "JOIN papers p ON p.rowid = r.rowid ORDER BY r.score, r.rowid DESC",
            [match, *args, candidates, limit, offset],
        ).fetchall()
        total = int(rows[0][3]) if rows else None
        return [Ranked(r, a, s) for r, a, s, _ in rows], total

    def count(self, match: str | None, filters: Filters, cap: int) -> int:
        if match is None:
            where, args = filter_sql(filters, "p.rowid")
            sql = f"SELECT 1 FROM papers p WHERE {where} LIMIT ?"
        else:
            where, args = filter_sql(filters, "f.rowid")
            args = [_narrowed(match, filters), *args]
            sql = f"SELECT 1 FROM papers_fts f WHERE papers_fts MATCH ? AND {where} LIMIT ?"
        row = self._execute(f"SELECT count(*) FROM ({sql})", [*args, cap]).fetchone()
        return int(row[0])

    def allowed(
        self, rowids: Sequence[int], filters: Filters, must: str | None, must_not: str | None
    ) -> set[int]:
        kept = set(rowids) if filters.empty else self._passing(rowids, filters)
        if must is not None and kept:
            kept &= self._matching_among(must, kept)
        if must_not is not None and kept:
            kept -= self._matching_among(must_not, kept)
        return kept

    def _passing(self, rowids: Sequence[int], filters: Filters) -> set[int]:
        where, args = filter_sql(filters, "j.value")
        rows = self._execute(
            f"SELECT j.value FROM json_each(?) j WHERE {where}", [json.dumps(list(rowids)), *args]
        )
        return {int(r) for (r,) in rows}

    def _matching_among(self, match: str, rowids: set[int]) -> set[int]:
        """Which of `rowids` match `match`: by reading the expression's matches between the
        lowest and highest rowid when there are few enough of them (about 0.3 µs a match),
        else by looking each paper up (about 35 µs a paper, most of it FTS5 setting up the
        expression again)."""
        low, high = min(rowids), max(rowids)
        bound = SCAN_PER_PAPER * len(rowids)
        found = self._execute(
            "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? AND rowid BETWEEN ? AND ? "
            "LIMIT ?",
            [match, low, high, bound],
        ).fetchall()
        if len(found) < bound:
            return {int(r) for (r,) in found} & rowids
        looked_up = self._execute(
            f"SELECT j.value FROM json_each(?) j WHERE {_MATCHES}",
            [json.dumps(sorted(rowids)), match],
        )
        return {int(r) for (r,) in looked_up}

    def marked(self, match: str, rowids: Sequence[int]) -> dict[int, Marked]:
        marks = f"'{MARK_START}', '{MARK_END}'"
        rows = self._execute(
            f"SELECT rowid, highlight(papers_fts, 0, {marks}), "
            f"snippet(papers_fts, 2, {marks}, '…', {SNIPPET_TOKENS}) FROM papers_fts "
            f"WHERE papers_fts MATCH ? AND rowid IN ({', '.join('?' * len(rowids))})",
            [match, *rowids],
        )
        return {r: Marked(t, s) for r, t, s in rows}

    def titled(self, tokens: Sequence[str], limit: int) -> list[tuple[str, str]]:
        match = "title : (" + " AND ".join(f'"{t}"' for t in tokens) + ")"
        rows = self._execute(
            "SELECT p.arxiv_id, p.title FROM papers_fts JOIN papers p ON p.rowid = "
            "papers_fts.rowid WHERE papers_fts MATCH ? LIMIT ?",
            (match, limit),
        )
        return [(a, t) for a, t in rows]

    def name_candidates(self, key: str) -> list[tuple[str, int, str]]:
        # Names holding any piece of the key, the best by bm25 (pieces shared, the rarer
        # the more), for exact scoring by the caller.
        pieces = sorted(author_names.trigrams(key))
        match = " OR ".join('"' + p + '"' for p in pieces)
        rows = self.conn.execute(
            "SELECT n.name, n.papers, n.key FROM (SELECT rowid FROM author_grams "
            "WHERE author_grams MATCH ? ORDER BY rank LIMIT ?) g "
            "JOIN author_names n ON n.rowid = g.rowid",
            (match, author_names.CANDIDATES),
        )
        return [(n, int(c), k) for n, c, k in rows]


def _narrowed(match: str, filters: Filters) -> str:
    """`match` ANDed with the category tokens of each category group that has them.

    The index then intersects the words with the categories, however rare either is. The
    tokens are a necessary condition only (case is folded), and `filter_sql` still decides
    from paper_categories. A group with a prefix ('cs.*') is left to `filter_sql` alone: a
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
