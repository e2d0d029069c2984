"""A paper as the rows the store writes for it, made from the paper alone.

Both engines write these rows. Making them needs no store, so a large import makes them in
its reading process (paperboy.digest_worker) and the writer only writes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from paperboy.record import Paper, Version
from paperboy.store.author_names import name_key

_CATEGORY = re.compile(r"^[a-z][a-z\-]*(\.[A-Za-z\-]+)?$")


def is_category(term: str) -> bool:
    return _CATEGORY.match(term) is not None


@dataclass(frozen=True, slots=True)
class PaperRows:
    """The rows of some papers, in their order, for one source."""

    source: str
    papers: list[tuple[Any, ...]]  # paper_row(p, position, source), position = index
    categories: list[list[tuple[str, int]]]
    versions: list[list[tuple[Any, ...]]]
    name_keys: dict[str, str]  # every author name of the papers -> its name_key


def rows_of(papers: list[Paper], source: str) -> PaperRows:
    return PaperRows(
        source=source,
        papers=[paper_row(p, position, source) for position, p in enumerate(papers)],
        categories=[category_rows(p) for p in papers],
        versions=[version_rows(p) for p in papers],
        name_keys={name: name_key(name) for p in papers for name in p.authors},
    )


def paper_row(p: Paper, position: int, source: str) -> tuple[Any, ...]:
    return (
        p.arxiv_id, p.version, p.title,
        json.dumps(p.authors, ensure_ascii=False), json.dumps(p.categories, ensure_ascii=False),
        p.primary_category, str(p.published), str(p.updated), p.submitted_day.isoformat(),
        p.abstract, p.comment, p.journal_ref, p.doi, p.abs_url, p.pdf_url, position, source,
    )  # fmt: skip


def category_rows(p: Paper) -> list[tuple[str, int]]:
    """(category, is_primary) for the real arXiv categories of a paper."""
    cats = dict.fromkeys(c for c in p.categories if is_category(c))
    cats.setdefault(p.primary_category)
    return [(c, int(c == p.primary_category)) for c in cats]


def version_rows(p: Paper) -> list[tuple[Any, ...]]:
    """Every version a source told of: those it listed, and the first and latest it implies."""
    known = {v.number: v for v in p.versions}
    known.setdefault(1, Version(1, p.published))
    known.setdefault(p.version, Version(p.version, p.updated))
    return [version_row(p.arxiv_id, v) for v in known.values()]


def version_row(arxiv_id: str, v: Version) -> tuple[Any, ...]:
    how = None if v.announced is None else ("observed" if v.announced_observed else "inferred")
    return (
        arxiv_id,
        v.number,
        None if v.submitted is None else str(v.submitted),
        None if v.announced is None else v.announced.isoformat(),
        how,
    )
