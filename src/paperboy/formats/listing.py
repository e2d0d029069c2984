"""Format B, the announcement listing: one markdown file per announcement day.

New submissions come first, then cross-lists, each in descending id order, numbered
continuously. The file itself does not mark where cross-lists begin; the id order does
(it starts descending again), which is how a file read alone recovers the split.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from paperboy.formats.collector import FormatError
from paperboy.record import RecordError, split_id

HEADER = re.compile(r"^# ArXiv (?P<cat>\S+) --(?P<day>\w{3}, \d{1,2} \w{3} \d{4})$")
_ENTRY = re.compile(
    r"^### (?P<n>\d+)\.(?P<title>.*)  \[ :arrow_down: \]\(https://arxiv\.org/pdf/(?P<id>.+)\.pdf\)$"
)
_ABSTRACT = re.compile(r"^>  (?P<abstract>.*)      $")


@dataclass(frozen=True, slots=True)
class Entry:
    arxiv_id: str
    title: str
    abstract: str
    section: str = "new"  # new | cross


@dataclass(frozen=True, slots=True)
class ListingFile:
    category: str
    day: date
    entries: list[Entry]


def looks_like(first_line: str) -> bool:
    return HEADER.match(first_line.rstrip("\n")) is not None


def header_day(day: date) -> str:
    return f"{day:%a}, {day.day} {day:%b %Y}"


def parse(text: str, path: str | Path = "<text>") -> ListingFile:
    lines = text.split("\n")
    head = HEADER.match(lines[0])
    if head is None:
        raise FormatError(path, 1, "expected '# ArXiv <category> --Day, D Mon YYYY'")
    try:
        day = datetime.strptime(head.group("day"), "%a, %d %b %Y").date()
    except ValueError:
        raise FormatError(path, 1, f"no such day: {head.group('day')!r}") from None
    if header_day(day) != head.group("day"):
        raise FormatError(path, 1, f"weekday does not match the date in {head.group('day')!r}")
    raw: list[tuple[str, str, str]] = []
    i = 1
    while i < len(lines):
        if lines[i] == "" and i == len(lines) - 1:
            break
        entry = _ENTRY.match(lines[i])
        if entry is None:
            raise FormatError(
                path,
                i + 1,
                f"expected '### <n>.<title>  [ :arrow_down: ](…)', found {lines[i][:60]!r}",
            )
        if int(entry.group("n")) != len(raw) + 1:
            raise FormatError(
                path, i + 1, f"entry numbered {entry.group('n')}, expected {len(raw) + 1}"
            )
        abstract = _ABSTRACT.match(lines[i + 1]) if i + 1 < len(lines) else None
        if abstract is None:
            raise FormatError(path, i + 2, "expected '>  <abstract>' followed by six spaces")
        try:
            arxiv_id, version = split_id(entry.group("id"))
        except RecordError as exc:
            raise FormatError(path, i + 1, str(exc)) from None
        if version is not None or arxiv_id != entry.group("id"):
            raise FormatError(path, i + 1, f"expected an id without version: {entry.group('id')!r}")
        raw.append((arxiv_id, entry.group("title"), abstract.group("abstract")))
        i += 2
    return ListingFile(head.group("cat"), day, _with_sections(raw))


def _id_key(arxiv_id: str) -> tuple[str, int]:
    prefix, _, number = arxiv_id.rpartition(".") if "/" not in arxiv_id else arxiv_id.partition("/")
    return prefix, int(number) if number.isdigit() else 0


def _with_sections(raw: Sequence[tuple[str, str, str]]) -> list[Entry]:
    """New submissions until the id order first rises, cross-lists from there."""
    split = len(raw)
    for k in range(1, len(raw)):
        if _id_key(raw[k][0]) > _id_key(raw[k - 1][0]):
            split = k
            break
    return [
        Entry(aid, title, abstract, "new" if k < split else "cross")
        for k, (aid, title, abstract) in enumerate(raw)
    ]


def render(category: str, day: date, entries: Sequence[Entry]) -> str:
    out = [f"# ArXiv {category} --{header_day(day)}\n"]
    for n, e in enumerate(entries, start=1):
        out.append(
            f"### {n}.{e.title}  [ :arrow_down: ](https://arxiv.org/pdf/{e.arxiv_id}.pdf)\n"
            f">  {e.abstract}      \n"
        )
    return "".join(out)


def listing_path(category: str, day: date) -> Path:
    return Path("listing") / category / f"{day:%Y}" / f"{day:%m}" / f"{day:%Y%m%d}.md"


def read_file(path: str | Path) -> ListingFile:
    p = Path(path)
    return parse(p.read_text(encoding="utf-8-sig"), p)
