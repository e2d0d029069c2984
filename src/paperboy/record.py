"""The one paper record used everywhere: sources yield it, the store keeps it, views render it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from paperboy.ids import ID, possible


class RecordError(ValueError):
    """A value that cannot belong to a paper record (bad id, missing field)."""


def split_id(text: str) -> tuple[str, int | None]:
    """'2112.15589v2' -> ('2112.15589', 2); 'quant-ph/9802028' -> ('quant-ph/9802028', None)."""
    m = ID.match(text.strip())
    if m is None:
        raise RecordError(f"not an arXiv identifier: {text!r}")
    arxiv_id, v = m.group("id"), m.group("v")
    if not possible(arxiv_id):
        raise RecordError(f"not a possible arXiv identifier (no such month): {text!r}")
    return arxiv_id, int(v) if v else None


def id_month(arxiv_id: str) -> str:
    """'2112' for 2112.15589; 'old' for old-style ids (numbered per archive, not per month)."""
    head = arxiv_id.split(".", 1)[0]
    return head if len(head) == 4 and head.isdigit() else "old"


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a paper, as far as a source told us about it."""

    number: int
    submitted: datetime | None = None  # UTC, when the source knows it
    announced: date | None = None  # the listing day that carried this version
    announced_observed: bool = False  # True when a source said so, False when inferred


@dataclass(slots=True)
class Paper:
    """A paper as its latest known version describes it.

    Strings are kept exactly as the source gave them (line breaks inside comments and
    category terms included), so every digest format can be written back byte for byte.
    """

    arxiv_id: str
    version: int
    title: str
    authors: list[str]
    categories: list[str]  # arXiv's order; may hold MSC/ACM class strings, as the API does
    primary_category: str
    published: datetime  # first version, UTC
    updated: datetime  # latest version, UTC
    abstract: str
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    abs_url: str = ""
    pdf_url: str = ""
    versions: list[Version] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.abs_url:
            self.abs_url = f"http://arxiv.org/abs/{self.arxiv_id}v{self.version}"
        if not self.pdf_url:
            self.pdf_url = f"http://arxiv.org/pdf/{self.arxiv_id}v{self.version}"

    @property
    def versioned_id(self) -> str:
        return f"{self.arxiv_id}v{self.version}"

    @property
    def submitted_day(self) -> date:
        """The UTC date of the first version: the day the collector format files it under."""
        return self.published.date()

    def with_changes(self, **changes: object) -> Paper:
        return replace(self, **changes)  # type: ignore[arg-type]
