"""What a search returns, in every mode: ranked hits, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from paperboy.record import Paper
from paperboy.search.query import ParsedQuery
from paperboy.store import fts

Mode = Literal["keyword", "semantic", "hybrid"]
MODES: tuple[Mode, ...] = ("keyword", "semantic", "hybrid")
MAX_LIMIT = 200
MAX_OFFSET = 10_000
COUNT_CAP = fts.CANDIDATES

NOTHING_TO_SEARCH = (
    'Nothing to search for: type words, a "phrase", or a filter such as ti:, au:, abs: or cat:.'
)


@dataclass(frozen=True, slots=True)
class Hit:
    paper: Paper
    # Higher is better in every mode: keyword -bm25 (0.0 when browsing without words),
    # semantic the cosine similarity, hybrid bm25 scaled to 0..1 plus half the cosine.
    score: float
    title: str  # with MARK_START/MARK_END around matched terms
    snippet: str  # a passage of the abstract, marked the same way


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: ParsedQuery
    hits: list[Hit]
    total: int  # keyword: matches, at most COUNT_CAP; semantic, hybrid: papers ranked
    offset: int
    limit: int
    message: str | None = None  # set when there is nothing to show and a reason to say why
    mode: Mode = "keyword"  # the mode that ran
    capped: bool | None = None  # more papers than `total` qualify (None: total hit COUNT_CAP)
    notes: tuple[str, ...] = ()  # about the mode: why it is not the one asked for

    @property
    def total_is_capped(self) -> bool:
        return self.total >= COUNT_CAP if self.capped is None else self.capped

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.hits) < min(self.total, MAX_OFFSET + self.limit)

    @property
    def all_notes(self) -> tuple[str, ...]:
        return self.notes + self.query.notes
