"""Search: what a person types -> ranked papers, by keyword, by meaning, or both.

- `query`: the query language (arXiv's, forgiving) compiled to a safe FTS5 expression;
- `keyword`: BM25 over the full-text index; `semantic`: vector neighbours of the query's
  words (`paperboy.vectors`); `hybrid`: both, fused by score (bm25 over any of the words,
  and cosine);
- `results`, `marks`: what every mode returns, and the matched terms marked in it.

The mode, when not asked for, is hybrid for plain words (`nerf training speed`, `-survey`
allowed) and keyword for a query written in the query language (a field such as `au:` or
`ti:`, a "phrase", a prefix*, OR/AND/NOT, parentheses): whoever writes syntax means the
words. Without a vector index every mode is keyword, and a note says so.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from paperboy.ids import parse_ref
from paperboy.search.keyword import run as _keyword
from paperboy.search.marks import lead, mark_spans, split_marks
from paperboy.search.query import ParsedQuery, parse
from paperboy.search.results import (
    COUNT_CAP,
    MAX_LIMIT,
    MAX_OFFSET,
    MODES,
    NOTHING_TO_SEARCH,
    Hit,
    Mode,
    SearchResult,
)
from paperboy.store import Store, fts
from paperboy.store.fts import Filters, Order, QueryError
from paperboy.wording import plural

if TYPE_CHECKING:
    from paperboy.vectors.neighbours import VectorIndex

__all__ = [
    "COUNT_CAP",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "MODES",
    "NOTHING_TO_SEARCH",
    "Hit",
    "Mode",
    "ParsedQuery",
    "SearchResult",
    "choose_mode",
    "lead",
    "lookup",
    "mark_spans",
    "mode_named",
    "needs_index",
    "parse",
    "search",
    "split_marks",
]

NO_INDEX = "No vector index yet: searched by keyword (run `paperboy index`)."
NO_WORDS = "Search by meaning needs words outside fields: searched by keyword."
NEWEST = "Newest first lists keyword matches: searched by keyword."
MAX_NAME_SUGGESTIONS = 3  # au: names looked up when a search finds nothing
SUGGESTED_NAMES = 3  # names offered for each


def search(
    store: Store,
    text: str,
    *,
    category: str | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = 20,
    offset: int = 0,
    order: Order = "relevance",
    mode: Mode | None = None,
    index: VectorIndex | None = None,
) -> SearchResult:
    """Papers matching `text`, best first (or newest first), one page at a time, in `mode`
    (None: chosen from the query, see the module's docs) over `index` (None: keyword)."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, min(offset, MAX_OFFSET))
    query = parse(text, category, start, end)
    if query.empty:
        return SearchResult(query, [], 0, offset, limit, NOTHING_TO_SEARCH)
    ran, note = choose_mode(query, mode, index is not None, order)
    try:
        if ran == "keyword" or index is None:
            result = _keyword(store, query, limit, offset, order)
        elif ran == "semantic":
            from paperboy.search import semantic

            result = semantic.run(store, index, query, limit, offset)
        else:
            from paperboy.search import hybrid

            result = hybrid.run(store, index, query, limit, offset)
    except QueryError as e:  # a safety net: the compiler should prevent it
        message = f"This query could not be run ({e})."
        return SearchResult(query, [], 0, offset, limit, message, ran)
    notes: tuple[str, ...] = (note,) if note else ()
    if not result.hits and offset == 0:
        notes += tuple(_name_suggestions(store, query.authors))
    return replace(result, notes=notes)


def _name_suggestions(store: Store, names: tuple[str, ...]) -> list[str]:
    """For a search that found nothing: each `au:` name no paper here is by, with the names
    most like it that are (a slip of the keyboard, another transliteration)."""
    notes = []
    for asked in names[:MAX_NAME_SUGGESTIONS]:
        alone = parse('au:"' + asked.replace('"', " ") + '"').match
        if alone is None or fts.count(store, alone, Filters(), 1):
            continue  # papers are by that name: the query's other terms found nothing
        found = store.similar_authors(asked, SUGGESTED_NAMES)
        if found:
            alike = "; ".join(f"{a.name} ({plural(a.papers, 'paper')})" for a in found)
            notes.append(f"No author here is named {asked!r}. Names like it: {alike}.")
    return notes


def choose_mode(
    query: ParsedQuery, asked: Mode | None, indexed: bool, order: Order = "relevance"
) -> tuple[Mode, str | None]:
    """The mode that runs for `query`, and a note when it is not the one asked for (or,
    unasked, not the one plain words would get)."""
    wanted: Mode = asked or ("keyword" if query.syntax else "hybrid")
    if wanted == "keyword":
        return "keyword", None
    if not query.words.strip():
        return "keyword", NO_WORDS if asked else None
    if order == "newest":
        return "keyword", NEWEST if asked else None
    if not indexed:
        return "keyword", NO_INDEX
    return wanted, None


def mode_named(name: str | None) -> Mode | None:
    """The mode called `name` ('keyword', 'semantic', 'hybrid'); None for none or another."""
    return next((m for m in MODES if m == name), None)


def needs_index(text: str, mode: Mode | None) -> bool:
    """Whether searching `text` in `mode` would read the vector index (so a caller that
    loads it on demand, the command line, need not for field queries)."""
    return choose_mode(parse(text), mode, True)[0] != "keyword"


def lookup(store: Store, text: str) -> SearchResult | None:
    """When `text` is a reference to one paper (an id or arXiv URL in any form people paste,
    see `ids.parse_ref`), that paper as the one hit, or no hit and a message when the store
    lacks it; None when `text` is a query to search for."""
    ref = parse_ref(text)
    if ref is None:
        return None
    query = ParsedQuery(text, None, Filters())
    paper = store.get(ref.arxiv_id)
    if paper is None:
        return SearchResult(query, [], 0, 0, 1, f"{ref.arxiv_id} is not in the store.")
    return SearchResult(query, [Hit(paper, 0.0, paper.title, lead(paper.abstract))], 1, 0, 1)
