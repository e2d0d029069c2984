"""FTS5's bm25, computed from the text of a few matches: for queries whose common words make
FTS5's own bm25 slow in an archive of millions of papers.

FTS5's bm25() counts each phrase's papers by reading its whole index entry, on every query
(about 30 ms per million papers holding a word), and an AND of words steps through every
word's entry together (about 100 ms for a title of common words at 2.6M papers). A query
that is a conjunction (of phrases, or of alternatives between phrases, less excluded
phrases) whose rarer terms hold few papers is answered here instead, with the same result:

- the terms that no more than COMMON papers hold find the candidates (FTS5, milliseconds);
- each candidate's text is tokenized as FTS5 tokenizes it (unicode61, remove_diacritics 2:
  runs of letters and digits, case and accents folded; `tokens` gives FTS5's tokens for
  every one of the 2021 papers, tests/store/test_sqlite_bm25.py), and the query is checked
  on those tokens;
- the score is FTS5's bm25 formula with FTS5's column weights, document lengths (its
  docsize table) and phrase counts, each counted once and kept until the store changes.

Anything else (NEAR, nested alternatives, a category term, or more candidates than the
counts make worth reading) returns None, and FTS5 ranks as before.
"""

from __future__ import annotations

import math
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from paperboy.store.fts import WEIGHTS

COMMON = 50_000  # papers a term may hold and still help find the candidates
MAX_ROWS = 2_000  # candidates read at most
# A candidate read and tokenized costs about as much as this many index entries read by
# FTS5's count: how many candidates the query's phrase counts make worth reading.
ENTRIES_PER_ROW = 1_000
K1, B = 1.2, 0.75  # FTS5's bm25 constants
COLUMNS = ("title", "authors", "abstract", "comment")  # the weighted columns, in order

_TOKEN = re.compile(r"[^\W_]+")
_LEXEME = re.compile(
    r'\s*(?:(?P<open>\()|(?P<close>\))|(?P<op>AND|OR|NOT)(?![\w"])'
    r'|(?P<column>[a-z]+)\s*:|"(?P<string>(?:[^"]|"")*)"(?P<star>\s*\*)?)'
)


def tokens(text: str) -> list[str]:
    """`text`'s tokens as FTS5's unicode61 tokenizer with remove_diacritics 2 makes them."""
    if text.isascii():
        return _TOKEN.findall(text.lower())
    return [_fold(t) for t in _TOKEN.findall(text)]


def _fold(token: str) -> str:
    if token.isascii():
        return token.lower()
    bare = unicodedata.normalize("NFD", token)
    return "".join(c for c in bare if unicodedata.category(c) != "Mn").lower()


# ---------------------------------------------------------------- the expression


@dataclass(frozen=True, slots=True)
class Phrase:
    column: int | None  # an index into COLUMNS, None for every column
    words: tuple[str, ...]
    prefix: bool
    text: str  # as FTS5 reads it alone, for counting its papers

    def instances(self, row: Sequence[Column]) -> list[int]:
        """How often the phrase is in each column of `row`."""
        return [
            _occurrences(self, column) if self.column in (None, c) else 0
            for c, column in enumerate(row)
        ]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a paper: its tokens, and how often each is there."""

    tokens: list[str]
    counts: Counter[str]

    @classmethod
    def of(cls, text: str | None) -> Column:
        toks = tokens(text) if text else []
        return cls(toks, Counter(toks))


@dataclass(frozen=True, slots=True)
class Conjunction:
    """Every group must hold one of its phrases; no excluded phrase may be there."""

    groups: tuple[tuple[Phrase, ...], ...]
    excluded: tuple[Phrase, ...]

    @property
    def phrases(self) -> list[Phrase]:
        """In the order FTS5 numbers them: as they appear in the expression."""
        return [p for g in self.groups for p in g] + list(self.excluded)


def _occurrences(phrase: Phrase, column: Column) -> int:
    words, n = phrase.words, len(phrase.words)
    if not phrase.prefix and (n == 1 or not column.counts[words[0]]):
        return column.counts[words[0]]
    toks, found = column.tokens, 0
    for i in _starts(toks, words[0], phrase.prefix and n == 1):
        if i + n > len(toks):
            continue
        last = toks[i + n - 1]
        if all(toks[i + k] == words[k] for k in range(1, n - 1)) and (
            last.startswith(words[-1]) if phrase.prefix else last == words[-1]
        ):
            found += 1
    return found


def _starts(toks: list[str], first: str, prefix: bool) -> list[int]:
    """Where `first` (a prefix of the token, with `prefix`) is in `toks`."""
    if prefix:
        return [i for i, t in enumerate(toks) if t.startswith(first)]
    out: list[int] = []
    at = -1
    while True:
        try:
            at = toks.index(first, at + 1)
        except ValueError:
            return out
        out.append(at)


class Unsupported(ValueError):
    pass


def conjunction(match: str) -> Conjunction | None:
    """`match` as a conjunction, or None when it is anything else."""
    try:
        lexemes = _lex(match)
        tree, rest = _or(lexemes, 0, None)
        if rest != len(lexemes):
            raise Unsupported(match)
        return _flatten(tree)
    except Unsupported:
        return None


def _lex(match: str) -> list[tuple[str, str]]:
    out, at = [], 0
    while match[at:].strip():
        m = _LEXEME.match(match, at)
        if m is None:
            raise Unsupported(match)
        if m.group("string") is not None:
            star = "*" if m.group("star") else ""
            out.append(("string", m.group("string").replace('""', '"') + star))
        else:
            kind = str(m.lastgroup)
            out.append((kind, m.group(kind)))
        at = m.end()
    return out


Tree = Any  # ("phrase", Phrase) | ("and", [Tree]) | ("or", [Tree]) | ("not", Tree, Tree)


def _or(lx: list[tuple[str, str]], at: int, column: int | None) -> tuple[Tree, int]:
    parts = []
    node, at = _and(lx, at, column)
    parts.append(node)
    while at < len(lx) and lx[at] == ("op", "OR"):
        node, at = _and(lx, at + 1, column)
        parts.append(node)
    return (parts[0] if len(parts) == 1 else ("or", parts)), at


def _and(lx: list[tuple[str, str]], at: int, column: int | None) -> tuple[Tree, int]:
    parts = []
    node, at = _not(lx, at, column)
    parts.append(node)
    while at < len(lx) and lx[at][0] != "close" and lx[at] != ("op", "OR"):
        if lx[at] == ("op", "AND"):
            at += 1
        node, at = _not(lx, at, column)
        parts.append(node)
    return (parts[0] if len(parts) == 1 else ("and", parts)), at


def _not(lx: list[tuple[str, str]], at: int, column: int | None) -> tuple[Tree, int]:
    node, at = _primary(lx, at, column)
    while at < len(lx) and lx[at] == ("op", "NOT"):
        right, at = _primary(lx, at + 1, column)
        node = ("not", node, right)
    return node, at


def _primary(lx: list[tuple[str, str]], at: int, column: int | None) -> tuple[Tree, int]:
    if at >= len(lx):
        raise Unsupported("an operator without a term")
    kind, value = lx[at]
    if kind == "open":
        node, at = _or(lx, at + 1, column)
        if at >= len(lx) or lx[at][0] != "close":
            raise Unsupported("unclosed parenthesis")
        return node, at + 1
    if kind == "column":
        if value not in COLUMNS:  # the categories column, or none FTS5 knows
            raise Unsupported(value)
        return _primary(lx, at + 1, COLUMNS.index(value))
    if kind == "string":
        prefix = value.endswith("*")
        if not value.isascii():  # folded here as FTS5 folds paper text, not proven for more
            raise Unsupported(value)
        words = tuple(tokens(value[:-1] if prefix else value))
        if not words:
            raise Unsupported("a phrase without a token")
        quoted = '"' + value.rstrip("*").replace('"', '""') + '"' + (" *" if prefix else "")
        text = quoted if column is None else f"{COLUMNS[column]} : {quoted}"
        return ("phrase", Phrase(column, words, prefix, text)), at + 1
    raise Unsupported(value)


def _flatten(tree: Tree) -> Conjunction:
    """A AND (B NOT C) NOT D: groups A and B, excluded C and D."""
    groups: list[tuple[Phrase, ...]] = []
    excluded: list[Phrase] = []

    def add(node: Tree) -> None:
        if node[0] == "not":
            excluded.extend(_alternatives(node[2]))
            add(node[1])
        elif node[0] == "and":
            for part in node[1]:
                add(part)
        else:
            groups.append(tuple(_alternatives(node)))

    add(tree)
    return Conjunction(tuple(groups), tuple(excluded))


def _alternatives(tree: Tree) -> list[Phrase]:
    if tree[0] == "phrase":
        return [tree[1]]
    if tree[0] == "or" and all(t[0] == "phrase" for t in tree[1]):
        return [t[1] for t in tree[1]]
    raise Unsupported("nested")


# ---------------------------------------------------------------- ranking


class Counts:
    """Papers per phrase, counted by FTS5 once per state of the store."""

    def __init__(self) -> None:
        self._state: tuple[int, int] | None = None
        self._papers: dict[str, int] = {}

    def of(self, conn: sqlite3.Connection, phrase: Phrase, cap: int | None = None) -> int:
        """The papers holding `phrase`; with `cap`, counting stops there (and is not kept
        when it does)."""
        state = (int(conn.execute("PRAGMA data_version").fetchone()[0]), conn.total_changes)
        if state != self._state:
            self._state, self._papers = state, {}
        if phrase.text in self._papers:
            return self._papers[phrase.text]
        limit = -1 if cap is None else cap
        sql = "SELECT count(*) FROM (SELECT 1 FROM papers_fts WHERE papers_fts MATCH ? LIMIT ?)"
        counted = int(conn.execute(sql, (phrase.text, limit)).fetchone()[0])
        if cap is None or counted < cap:
            self._papers[phrase.text] = counted
        return counted


@dataclass(frozen=True, slots=True)
class Row:
    rowid: int
    arxiv_id: str
    texts: tuple[str | None, ...]  # the weighted columns
    size: bytes  # FTS5's docsize record: tokens per column, as varints


def plan(conn: sqlite3.Connection, query: Conjunction, counts: Counts) -> tuple[str, int] | None:
    """The FTS5 expression that finds the candidates, and how many candidates are worth
    reading; None when FTS5's own bm25 costs less.

    A paper holding a phrase holds each of its words, so each group is stood for by the
    rarest word of each of its phrases (where the phrase's column is), and the groups whose
    words together hold at most COMMON papers find the candidates: an index entry of a few
    thousand papers costs FTS5 a millisecond, a word in half the archive ten times more
    for each candidate it is stepped to. The papers holding the other groups' phrases say
    what FTS5's bm25 would read, and so how many candidates are worth reading instead."""
    finding, common = [], 0
    for group in query.groups:
        words = [_rarest_word(conn, p, counts) for p in group]
        if sum(held for _, held in words) <= COMMON:
            finding.append(" OR ".join(f"({w.text})" for w, _ in words))
        else:
            common += sum(counts.of(conn, p) for p in group)
    worth = min(MAX_ROWS, common // ENTRIES_PER_ROW)
    if not finding or worth == 0:
        return None
    return " AND ".join(f"({f})" for f in finding), worth


def _rarest_word(conn: sqlite3.Connection, phrase: Phrase, counts: Counts) -> tuple[Phrase, int]:
    """The word of `phrase` the fewest papers hold (in its column), and how many do (up to
    COMMON + 1)."""
    options = []
    for i, word in enumerate(phrase.words):
        prefix = phrase.prefix and i == len(phrase.words) - 1
        quoted = f'"{word}"' + (" *" if prefix else "")  # a token holds no '"'
        text = quoted if phrase.column is None else f"{COLUMNS[phrase.column]} : {quoted}"
        alone = Phrase(phrase.column, (word,), prefix, text)
        options.append((alone, counts.of(conn, alone, COMMON + 1)))
    return min(options, key=lambda o: o[1])


def ranked(
    query: Conjunction,
    rows: Sequence[Row],
    candidates: int,
    averages: tuple[int, float],
    counts: Sequence[int],
) -> tuple[list[tuple[int, str, float]], int]:
    """(rowid, arxiv_id, bm25) of the newest `candidates` of `rows` (newest first) that
    match `query`, best first as FTS5 orders them (its bm25 is lower-is-better; ties newest
    first), and how many they are. `averages` are FTS5's papers and tokens per paper;
    `counts` the papers holding each of `query.phrases` (any for an excluded one: a paper
    that matches holds none)."""
    papers, per_paper = averages
    idf = [_idf(papers, n) for n in counts]
    out: list[tuple[int, str, float]] = []
    for row in rows:
        if len(out) == candidates:
            break
        if not _may_match(query, row.texts):
            continue
        columns = [Column.of(t) for t in row.texts]
        held = [p.instances(columns) for p in query.phrases]
        if not _matches(query, held):
            continue
        norm = K1 * (1 - B + B * sum(_varints(row.size)) / per_paper)
        score = 0.0
        for i, per_column in enumerate(held):
            freq = sum(WEIGHTS[c] * k for c, k in enumerate(per_column))
            score += idf[i] * (freq * (K1 + 1)) / (freq + norm)
        out.append((row.rowid, row.arxiv_id, -score))
    total = len(out)
    out.sort(key=lambda r: (r[2], -r[0]))
    return out, total


def _may_match(query: Conjunction, texts: Sequence[str | None]) -> bool:
    """False when a group's words are not even in the text, as letters (tokenizing a
    paper's text costs forty times more): ASCII text only, where folding adds nothing."""
    text = " ".join(t for t in texts if t).lower()
    if not text.isascii():
        return True
    return all(any(p.words[0] in text for p in group) for group in query.groups)


def _matches(query: Conjunction, held: list[list[int]]) -> bool:
    at = 0
    for group in query.groups:
        if not any(any(held[at + i]) for i in range(len(group))):
            return False
        at += len(group)
    return not any(any(h) for h in held[at:])


def _idf(papers: int, holding: int) -> float:
    idf = math.log((papers - holding + 0.5) / (holding + 0.5))
    return idf if idf > 0 else 1e-6  # as FTS5: a word in most papers still counts a little


def averages(block: bytes) -> tuple[int, float]:
    """FTS5's averages record: papers, and tokens per paper over every column."""
    values = _varints(block)
    return values[0], sum(values[1:]) / max(values[0], 1)


def _varints(data: bytes) -> list[int]:
    """SQLite's varints end to end (FTS5's docsize and averages records)."""
    out, at = [], 0
    while at < len(data):
        value = 0
        for k in range(9):
            byte = data[at]
            at += 1
            if k == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        out.append(value)
    return out
