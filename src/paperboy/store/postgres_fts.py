"""PostgreSQL's full-text index: the `search` tsvector of papers, ranked with ts_rank.

`paperboy.search` hands every engine the same MATCH expression, in the small part of FTS5's
syntax it writes: quoted strings (`"neural field"`, `"segment" *` for a prefix), `column :`
before one, AND, OR, NOT between parenthesised parts. Here it is read back into a tree and
written as a tsquery: each string becomes the lexemes PostgreSQL itself finds in it (one
round trip for all of them, with the tokenizing the index used), joined by `<->` as a
phrase, labelled with its column's weight (title A, authors B, abstract C, comment D).
Category tokens (SQLite's schema version 10) only narrow there; here the filters decide
alone, from paper_categories.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from paperboy.store.postgres import PostgresStore

_COLUMN_WEIGHT = {"title": "A", "authors": "B", "abstract": "C", "comment": "D"}
# ts_rank's weights are {D, C, B, A}: comment, abstract, authors, title (fts.WEIGHTS).
_RANK_WEIGHTS = "{" + ", ".join(str(WEIGHTS[i] / WEIGHTS[0]) for i in (3, 2, 1, 0)) + "}"
# As the index's trigger tokenizes (postgres_schema._WORDS).
_LEXEMES = (
    "SELECT phraseto_tsquery('simple', regexp_replace(unaccent(t), '[^[:alnum:]]+', ' ', "
    "'g'))::text FROM unnest(?::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n"
)
_LEXEME = re.compile(r"'(?:[^']|'')*'")
_TOKEN = re.compile(r'\s*(?:(\()|(\))|(AND|OR|NOT)\b|"((?:[^"]|"")*)"(\s*\*)?|([a-z_]+)\s*:)')


@dataclass(frozen=True, slots=True)
class _Phrase:
    text: str
    column: str | None
    prefix: bool


@dataclass(frozen=True, slots=True)
class _Op:
    op: str  # AND | OR | NOT (left and not right)
    left: _Node
    right: _Node


_Node = _Phrase | _Op | None  # None: a category token, true for every paper here


class MatchSyntaxError(QueryError):
    """A MATCH expression outside the FTS5 subset paperboy.search writes."""


def _parse(match: str) -> _Node:
    tokens: list[tuple[str, str, bool]] = []  # (kind, value, prefix)
    at = 0
    column: str | None = None
    while at < len(match):
        m = _TOKEN.match(match, at)
        if m is None:
            if match[at:].strip() == "":
                break
            raise MatchSyntaxError(f"cannot read {match[at : at + 20]!r}")
        at = m.end()
        if m.group(1) or m.group(2):
            tokens.append(("(" if m.group(1) else ")", "", False))
        elif m.group(3):
            tokens.append(("op", m.group(3), False))
        elif m.group(4) is not None:
            text = m.group(4).replace('""', '"')
            tokens.append(("phrase", f"{column or ''}\x00{text}", bool(m.group(5))))
            column = None
        else:
            column = m.group(6)
    parser = _Parser(tokens)
    node = parser.expression()
    if parser.at != len(tokens):
        raise MatchSyntaxError("unbalanced parentheses")
    return node


class _Parser:
    """FTS5's precedence: NOT binds tightest, then AND (explicit or implicit), then OR."""

    def __init__(self, tokens: list[tuple[str, str, bool]]) -> None:
        self.tokens, self.at = tokens, 0

    def _peek(self) -> tuple[str, str, bool] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def expression(self) -> _Node:
        node = self._and()
        while (tok := self._peek()) and tok[:2] == ("op", "OR"):
            self.at += 1
            node = _Op("OR", node, self._and())
        return node

    def _and(self) -> _Node:
        node = self._not()
        while (tok := self._peek()) and (tok[:2] == ("op", "AND") or tok[0] in ("(", "phrase")):
            if tok[0] == "op":
                self.at += 1
            node = _Op("AND", node, self._not())
        return node

    def _not(self) -> _Node:
        node = self._primary()
        while (tok := self._peek()) and tok[:2] == ("op", "NOT"):
            self.at += 1
            node = _Op("NOT", node, self._primary())
        return node

    def _primary(self) -> _Node:
        tok = self._peek()
        if tok is None:
            raise MatchSyntaxError("an expression ends early")
        self.at += 1
        if tok[0] == "(":
            node = self.expression()
            if (close := self._peek()) is None or close[0] != ")":
                raise MatchSyntaxError("unbalanced parentheses")
            self.at += 1
            return node
        if tok[0] != "phrase":
            raise MatchSyntaxError(f"unexpected {tok[1] or tok[0]!r}")
        column, text = tok[1].split("\x00", 1)
        if column == "categories":
            return None
        if column and column not in _COLUMN_WEIGHT:
            raise MatchSyntaxError(f"no column {column!r}")
        return _Phrase(text, column or None, tok[2])


def _phrases(node: _Node) -> list[_Phrase]:
    if isinstance(node, _Phrase):
        return [node]
    if isinstance(node, _Op):
        return _phrases(node.left) + _phrases(node.right)
    return []


# What a subtree matches: a tsquery's text, every paper (a category token), or no paper.
_ALL = "all"
_NONE = "none"


def _tsquery(node: _Node, lexemes: dict[_Phrase, str]) -> str:
    if node is None:
        return _ALL
    if isinstance(node, _Phrase):
        return lexemes.get(node) or _NONE
    left, right = _tsquery(node.left, lexemes), _tsquery(node.right, lexemes)
    if node.op == "AND":
        if _NONE in (left, right):
            return _NONE
        return right if left == _ALL else left if right == _ALL else f"({left}) & ({right})"
    if node.op == "OR":
        if _ALL in (left, right):
            return _ALL
        return right if left == _NONE else left if right == _NONE else f"({left}) | ({right})"
    if right == _NONE or left == _NONE:
        return left
    if right == _ALL:
        return _NONE
    return f"({left}) & !({right})" if left != _ALL else f"!({right})"


def _titles(node: _Node, lexemes: dict[_Phrase, str]) -> str | None:
    """A tsquery every match of `node` satisfies in its title lexemes alone, built from its
    `ti:` phrases (None when it has no such condition): a phrase of the title as itself, AND
    of what its parts require, OR only when each alternative requires one, NOT's left."""
    if isinstance(node, _Phrase):
        query = lexemes.get(node) or ""
        return query.replace(":A", "").replace(":*A", ":*") if node.column == "title" else None
    if not isinstance(node, _Op):
        return None
    left = _titles(node.left, lexemes)
    if node.op == "NOT":
        return left
    right = _titles(node.right, lexemes)
    if node.op == "AND":
        parts = [p for p in (left, right) if p]
        return " & ".join(f"({p})" for p in parts) if parts else None
    return f"({left}) | ({right})" if left and right else None


def _labelled(query: str, phrase: _Phrase) -> str:
    """phraseto_tsquery's text with the phrase's weight on every lexeme and the prefix mark
    on its last one."""
    weight = _COLUMN_WEIGHT.get(phrase.column or "", "")
    found = list(_LEXEME.finditer(query))
    if not found:
        return ""
    out, at = [], 0
    for k, m in enumerate(found):
        star = "*" if phrase.prefix and k == len(found) - 1 else ""
        label = f":{star}{weight}" if star or weight else ""
        out += [query[at : m.end()], label]
        at = m.end()
    out.append(query[at:])
    return "".join(out)


class PostgresText:
    def __init__(self, store: PostgresStore) -> None:
        self.conn = store.conn
        self._threshold_set = False

    def tsquery(self, match: str) -> str | None:
        """The tsquery text of a MATCH expression; None when it can match every paper (it
        held only category tokens) — and '' when it can match none."""
        return self._queries(match)[0]

    def _queries(self, match: str) -> tuple[str | None, str | None]:
        """The tsquery of a MATCH expression (as `tsquery`), and one its matches must match
        in their titles alone (None: no such condition)."""
        tree = _parse(match)
        phrases = list(dict.fromkeys(_phrases(tree)))
        lexemes: dict[_Phrase, str] = {}
        if phrases:
            rows = self.conn.execute(_LEXEMES, ([p.text for p in phrases],)).fetchall()
            lexemes = {p: _labelled(r[0] or "", p) for p, r in zip(phrases, rows, strict=True)}
        query = _tsquery(tree, lexemes)
        return (None if query == _ALL else "" if query == _NONE else query), _titles(tree, lexemes)

    def _matching(self, match: str, alias: str) -> tuple[str, list[object]]:
        """SQL condition on papers `alias` for a MATCH expression."""
        query, titles = self._queries(match)
        if query is None:
            return "1 = 1", []
        if query == "":
            return "1 = 0", []
        if not titles:
            return f"{alias}.search @@ ?::tsquery", [query]
        # Both: the title index finds the few candidates, the whole vector decides.
        return (
            f"ts_filter({alias}.search, '{{a}}') @@ ?::tsquery AND {alias}.search @@ ?::tsquery",
            [titles, query],
        )

    def search(
        self,
        match: str,
        filters: Filters,
        limit: int,
        offset: int,
        order: Order,
        candidates: int,
    ) -> tuple[list[Ranked], int | None]:
        matches, margs = self._matching(match, "p")
        where, fargs = filter_sql(filters, "p.rowid")
        if order == "newest":
            newest = self.conn.execute(
                f"SELECT p.rowid, p.arxiv_id FROM papers p WHERE {matches} AND {where} "
                "ORDER BY p.rowid DESC LIMIT ? OFFSET ?",
                [*margs, *fargs, limit, offset],
            )
            return [Ranked(r, a, 0.0) for r, a in newest], None
        # As SQLite's: rank the newest `candidates` matches, counting them on the way; a
        # lower score is a better paper (bm25's sign). The whole vector's query is the last
        # of the match's arguments.
        rank = f"-ts_rank('{_RANK_WEIGHTS}', p.search, ?::tsquery, 1)" if margs else "0.0::float8"
        rows = self.conn.execute(
            f"SELECT r.rowid, p.arxiv_id, r.score, r.total FROM (SELECT rowid, score, "
            f"count(*) OVER () AS total FROM (SELECT p.rowid AS rowid, {rank} AS score "
            f"FROM papers p WHERE {matches} AND {where} ORDER BY p.rowid DESC LIMIT ?) c "
            "ORDER BY score, rowid DESC LIMIT ? OFFSET ?) r "
            "JOIN papers p ON p.rowid = r.rowid ORDER BY r.score, r.rowid DESC",
            [*margs[-1:], *margs, *fargs, candidates, limit, offset],
        ).fetchall()
        total = int(rows[0][3]) if rows else None
        return [Ranked(r, a, float(s)) for r, a, s, _ in rows], total

    def count(self, match: str | None, filters: Filters, cap: int) -> int:
        matches, margs = self._matching(match, "p") if match is not None else ("1 = 1", [])
        where, args = filter_sql(filters, "p.rowid")
        row = self.conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM papers p WHERE {matches} AND {where} LIMIT ?) c",
            [*margs, *args, cap],
        ).fetchone()
        return int(row[0])

    def allowed(
        self, rowids: Sequence[int], filters: Filters, must: str | None, must_not: str | None
    ) -> set[int]:
        where, args = filter_sql(filters, "j.id")
        for match, negate in ((must, False), (must_not, True)):
            if match is None:
                continue
            matches, margs = self._matching(match, "m")
            exists = f"EXISTS (SELECT 1 FROM papers m WHERE m.rowid = j.id AND {matches})"
            where += f" AND {'NOT ' if negate else ''}{exists}"
            args += margs
        rows = self.conn.execute(
            f"SELECT j.id FROM unnest(?::bigint[]) AS j(id) WHERE {where}",
            [list(rowids), *args],
        )
        return {int(r) for (r,) in rows}

    def marked(self, match: str, rowids: Sequence[int]) -> dict[int, Marked]:
        query = self.tsquery(match)
        if not query:
            return {}
        marks = f'StartSel="{MARK_START}", StopSel="{MARK_END}"'
        rows = self.conn.execute(
            "SELECT rowid, ts_headline('simple', title, x.q, ?), "
            "ts_headline('simple', abstract, x.q, ?) FROM papers, (SELECT ?::tsquery AS q) x "
            "WHERE rowid = ANY(?::bigint[])",
            [
                f"{marks}, HighlightAll=true",
                f"{marks}, MaxWords={SNIPPET_TOKENS}, MinWords={SNIPPET_TOKENS // 2}, "
                'MaxFragments=1, FragmentDelimiter="…"',
                query,
                list(rowids),
            ],
        )
        return {int(r): Marked(t, s) for r, t, s in rows}

    def titled(self, tokens: Sequence[str], limit: int) -> list[tuple[str, str]]:
        query = " & ".join(f"'{t}'" for t in tokens)  # tokens are [a-z0-9]+
        rows = self.conn.execute(
            # The plain @@ lets the GIN index find the papers; ts_filter keeps title words.
            "SELECT arxiv_id, title FROM papers WHERE search @@ ?::tsquery "
            "AND ts_filter(search, '{a}') @@ ?::tsquery LIMIT ?",
            (query, query, limit),
        )
        return [(a, t) for a, t in rows]

    def name_candidates(self, key: str) -> list[tuple[str, int, str]]:
        # pg_trgm's `%>>` (strict word similarity at least the session's threshold) through
        # the trigram index, most alike first.
        if not self._threshold_set:
            self.conn.execute(
                "SELECT set_config('pg_trgm.strict_word_similarity_threshold', ?, false)",
                (str(author_names.THRESHOLD),),
            )
            self._threshold_set = True
        # The planner costs strict_word_similarity as nothing and reads the whole table
        # (2021: 38,859 names, 60-150 ms) where the index takes 5-15 ms.
        self.conn.execute("SET enable_seqscan = off")
        try:
            rows = self.conn.execute(
                "SELECT name, papers, key FROM author_names WHERE key %>> ? AND papers > 0 "
                "ORDER BY strict_word_similarity(?, key) DESC, papers DESC, name LIMIT ?",
                (key, key, author_names.CANDIDATES),
            ).fetchall()
        finally:
            self.conn.execute("RESET enable_seqscan")
        return [(n, int(c), k) for n, c, k in rows]
