"""Format A, the collector format: one markdown file per UTC submission date, plus calendar.md.

Reading and writing live together so that a round trip is checked in one place. The writer
reproduces what the seed collector (the `arxiv` library rendered by a small script) wrote,
byte for byte, including its quirks: `None` for absent values, the abstract's line breaks
turned into spaces, trailing ", " stripped from the category line, and a calendar whose
weeks start on Monday under a header that starts on Sunday.
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from paperboy.record import Paper, RecordError, split_id

HEADER = re.compile(r"^# Arxiv Papers in (?P<cat>\S+) on (?P<day>\d{4}-\d{2}-\d{2})$")
FIELDS = (
    "Arxiv ID",
    "DOI",
    "Categories",
    "Links",
    "Published",
    "Updated",
    "Authors",
    "Comment",
    "Journal",
    "Summary",
)
_FIELD_LINE = re.compile(r"^- \*\*(?P<name>[A-Za-z ]+)\*\*: (?P<value>.*)$")
_PDF_LINK = re.compile(r"^\[PDF\]\((?P<url>[^)]*)\)$")


def _field_pattern(name: str, group: str) -> str:
    # A value runs on over continuation lines, which start with two spaces.
    return rf"- \*\*{name}\*\*: (?P<{group}>[^\n]*(?:\n  [^\n]*)*)\n"


# The whole block in one pattern: the fast path. Anything it does not match is handed to
# the line-by-line parser, which names the line that is wrong.
_BLOCK = re.compile(
    r"### (?P<title>[^\n]*)\n"
    + "".join(_field_pattern(name, f"f{i}") for i, name in enumerate(FIELDS))
    + r"\n*"
)


class FormatError(ValueError):
    """Input that is not valid format A; names the file and line."""

    def __init__(self, path: str | Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = str(path)
        self.line = line
        self.message = message


@dataclass(frozen=True, slots=True)
class DayFile:
    """A parsed collector file: its category, its date and its papers in file order."""

    category: str
    day: date
    papers: list[Paper]


def looks_like(first_line: str) -> bool:
    return HEADER.match(first_line.rstrip("\n")) is not None


def parse(text: str, path: str | Path = "<text>") -> DayFile:
    """Parse one collector file. Raises FormatError naming the line that is wrong."""
    lines = text.split("\n")
    head = HEADER.match(lines[0])
    if head is None:
        raise FormatError(path, 1, "expected '# Arxiv Papers in <category> on YYYY-MM-DD'")
    try:
        day = date.fromisoformat(head.group("day"))
    except ValueError:
        raise FormatError(path, 1, f"no such day: {head.group('day')!r}") from None
    body_start = len(lines[0]) + 1
    papers = _parse_fast(text, body_start, path)
    if papers is None:
        papers = _parse_lines(lines, path)
    return DayFile(head.group("cat"), day, papers)


def _parse_fast(text: str, pos: int, path: str | Path) -> list[Paper] | None:
    """All blocks by one regex; None when some part of the text is not a well-formed block."""
    papers: list[Paper] = []
    end = len(text)
    while pos < end:
        m = _BLOCK.match(text, pos)
        if m is None:
            return None
        values = {name: m.group(f"f{i}") for i, name in enumerate(FIELDS)}
        try:
            papers.append(_paper_from_fields(m.group("title"), values))
        except _FieldError:
            return None
        pos = m.end()
    return papers


def _parse_lines(lines: list[str], path: str | Path) -> list[Paper]:
    papers: list[Paper] = []
    i = 1
    n = len(lines)
    while i < n:
        if lines[i] == "":
            i += 1
            continue
        if not lines[i].startswith("### "):
            raise FormatError(path, i + 1, f"expected '### <title>', found {lines[i][:60]!r}")
        paper, i = _parse_block(lines, i, path)
        papers.append(paper)
    return papers


def _parse_block(lines: list[str], start: int, path: str | Path) -> tuple[Paper, int]:
    title = lines[start][4:]
    values: dict[str, str] = {}
    field_lines: dict[str, int] = {}
    i = start + 1
    for name in FIELDS:
        field_lines[name] = i + 1
        m = _FIELD_LINE.match(lines[i]) if i < len(lines) else None
        if m is None or m.group("name") != name:
            raise FormatError(path, i + 1, f"expected the '- **{name}**:' line")
        value = m.group("value")
        i += 1
        # Continuation lines (arXiv's own line breaks) start with two spaces.
        while i < len(lines) and lines[i].startswith("  "):
            value += "\n" + lines[i]
            i += 1
        values[name] = value
    try:
        return _paper_from_fields(title, values), i
    except _FieldError as exc:
        raise FormatError(path, field_lines[exc.field], f"{exc.field}: {exc}") from None


class _FieldError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _none(value: str) -> str | None:
    return None if value == "None" else value


def _paper_from_fields(title: str, v: dict[str, str]) -> Paper:
    abs_url = v["Arxiv ID"]
    try:
        arxiv_id, version = split_id(abs_url.rsplit("/abs/", 1)[-1])
    except RecordError as exc:
        raise _FieldError("Arxiv ID", str(exc)) from None
    if version is None:
        raise _FieldError("Arxiv ID", f"no version in {abs_url!r}")
    link = _PDF_LINK.match(v["Links"])
    if link is None:
        raise _FieldError("Links", f"not '[PDF](url)': {v['Links']!r}")
    categories, primary = _categories(v["Categories"])
    if "\n" in v["Summary"]:
        # The writer puts an abstract on one line, as the collector does.
        raise _FieldError("Summary", "continuation lines: the summary is one line in this format")
    try:
        return Paper(
            arxiv_id=arxiv_id,
            version=version,
            title=title,
            authors=v["Authors"].split(", ") if v["Authors"] else [],
            categories=categories,
            primary_category=primary,
            published=_timestamp(v["Published"], "Published"),
            updated=_timestamp(v["Updated"], "Updated"),
            abstract=v["Summary"],
            comment=_none(v["Comment"]),
            journal_ref=_none(v["Journal"]),
            doi=_none(v["DOI"]),
            abs_url=abs_url,
            pdf_url=link.group("url"),
        )
    except RecordError as exc:  # the record's own checks (an impossible id, …)
        raise _FieldError("Arxiv ID", str(exc)) from None


def _categories(line: str) -> tuple[list[str], str]:
    """The terms and the primary category of a Categories line, such that the writer gives
    the line back as it is.

    The collector bolds every whole term equal to the primary. A term can itself hold ", "
    (an MSC/ACM class text such as '68T05, cs.LG, cs.AI'), so a piece equal to the primary
    but not bold is part of a longer term: it stays joined to its neighbour, and the writer,
    bolding whole terms only, leaves it plain.
    """
    if line.endswith((",", " ")):
        raise _FieldError("Categories", f"ends in {line[-1]!r}, which the writer strips")
    pieces = line.split(", ")
    bold = next((p for p in pieces if len(p) > 4 and p.startswith("**") and p.endswith("**")), None)
    if bold is None:
        raise _FieldError("Categories", f"no primary (bold) category in {line!r}")
    primary = bold[2:-2]
    groups: list[list[str]] = []
    glue = False  # the next piece belongs to the group before it
    for piece in pieces:
        if piece == primary:
            if groups:
                groups[-1].append(piece)
            else:
                groups.append([piece])
                glue = True
        elif glue:
            groups[-1].append(piece)
            glue = False
        else:
            groups.append([piece])
    terms = [primary if group == [bold] else ", ".join(group) for group in groups]
    return terms, primary


def _timestamp(text: str, name: str) -> datetime:
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise _FieldError(name, f"not a timestamp: {text!r}") from None
    if stamp.tzinfo is None:
        raise _FieldError(name, f"no time zone in {text!r}")
    if str(stamp) != text:  # the writer writes str(stamp): another spelling would not come back
        raise _FieldError(name, f"not in the form 'YYYY-MM-DD HH:MM:SS+00:00': {text!r}")
    return stamp


def read_file(path: str | Path) -> DayFile:
    p = Path(path)
    return parse(p.read_text(encoding="utf-8-sig"), p)


# ---------------------------------------------------------------- writing


def _or_none(value: str | None) -> str:
    return "None" if value is None else value


def render_paper(p: Paper) -> str:
    cats = ", ".join(f"**{c}**" if c == p.primary_category else c for c in p.categories)
    return (
        f"### {p.title}\n"
        f"- **Arxiv ID**: {p.abs_url}\n"
        f"- **DOI**: {_or_none(p.doi)}\n"
        f"- **Categories**: {cats.rstrip(', ')}\n"
        f"- **Links**: [PDF]({p.pdf_url})\n"
        f"- **Published**: {p.published}\n"
        f"- **Updated**: {p.updated}\n"
        f"- **Authors**: {', '.join(p.authors)}\n"
        f"- **Comment**: {_or_none(p.comment)}\n"
        f"- **Journal**: {_or_none(p.journal_ref)}\n"
        f"- **Summary**: {p.abstract.replace(chr(10), ' ')}\n"
        "\n\n\n"
    )


def render_day(category: str, day: date, papers: Iterable[Paper]) -> str:
    """One day's file; papers must already be in the store's order (first-version time)."""
    parts = [f"# Arxiv Papers in {category} on {day.isoformat()}\n"]
    parts.extend(render_paper(p) for p in papers)
    return "".join(parts)


def day_path(category: str, day: date) -> Path:
    return Path(category) / f"{day:%Y}" / f"{day:%m}" / f"{day:%Y%m%d}.md"


def render_calendar(category: str, days: Iterable[date]) -> str:
    """calendar.md: every month that has a file, newest first, each day linked if it has one."""
    present = set(days)
    months = sorted({(d.year, d.month) for d in present}, reverse=True)
    out = [f"# Calendar of arXiv papers for {category}\n\n"]
    year = None
    for y, m in months:
        if y != year:
            out.append(f"### {y}\n\n")
            year = y
        out.append(f"##### {_calendar.month_name[m]}\n\n")
        out.append("| Sun | Mon | Tue | Wed | Thu | Fri | Sat |\n")
        out.append("|-----|-----|-----|-----|-----|-----|-----|\n")
        # The anchor builds weeks with calendar.monthcalendar (Monday first) under a Sunday
        # header; we keep that so existing calendars stay byte-identical.
        for week in _calendar.monthcalendar(y, m):
            cells = "".join(_calendar_cell(category, y, m, d, present) for d in week)
            out.append(f"| {cells}\n")
        out.append("\n")
    return "".join(out)


def _calendar_cell(category: str, y: int, m: int, d: int, present: set[date]) -> str:
    if d == 0:
        return "  | "
    day = date(y, m, d)
    if day in present:
        return f"[{d}](./{day_path(category, day).as_posix()}) | "
    return f"{d} | "
