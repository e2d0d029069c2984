"""Digest files read into what the store loads: papers (format A) or a listing (format B),
repaired of mojibake and of characters XML cannot carry, errors kept with the file.

Reading touches no store, so it can run in another process (paperboy.digest_worker) while
the importer writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperboy.formats import collector, listing
from paperboy.formats.collector import FormatError
from paperboy.record import Paper, RecordError, Version, split_id
from paperboy.textfix import repair, xml_safe

if TYPE_CHECKING:
    from paperboy.store.rows import PaperRows


@dataclass(frozen=True, slots=True)
class Repair:
    path: str
    arxiv_id: str
    field: str
    before: str
    after: str
    still_broken: bool
    kind: str = "mojibake"  # mojibake | xml (characters XML cannot carry, removed)


@dataclass(slots=True)
class Digest:
    """One file read and repaired, ready to load: papers (format A) or a listing (format B)."""

    path: Path
    papers: list[Paper] | None = None
    listing: listing.ListingFile | None = None
    repairs: list[Repair] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    part: bool = False  # a later part of a file already counted (JSON lines, a day at a time)
    rows: PaperRows | None = None  # the papers' rows for the store, when made ahead

    @property
    def source(self) -> str:
        """What the store records as the papers' source."""
        return f"collector:{self.path}"


def read_digests(path: Path) -> Iterator[Digest]:
    """A file as the units it loads in: one for a digest, a day at a time for JSON lines
    (known by their first character, whatever the file is called)."""
    if _first_char(path) == "{":
        yield from read_json_lines(path)
    else:
        yield read_digest(path)


def _first_char(path: Path) -> str:
    try:
        with path.open("rb") as stream:
            head = stream.read(4)
    except OSError:
        return ""  # read_digest reports it
    return head.removeprefix(b"\xef\xbb\xbf")[:1].decode("latin-1")


def read_digest(path: Path) -> Digest:
    """Read one digest file of either format; errors are kept on the result, not raised."""
    digest = Digest(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is no part of the text
        first = text.split("\n", 1)[0]
        if collector.looks_like(first):
            day = collector.parse(text, path)
            papers = _latest_once(day.papers, digest)
            digest.papers = [_repaired(p, digest) for p in papers]
        elif listing.looks_like(first):
            digest.listing = _repaired_listing(listing.parse(text, path), digest)
        else:
            raise FormatError(path, 1, f"not a digest file of a known format: {first[:60]!r}")
    except (FormatError, OSError, UnicodeDecodeError) as exc:
        digest.error = _reason(exc)
    return digest


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 at byte {exc.start}"
    if isinstance(exc, FormatError):
        return f"line {exc.line}: {exc.message}"
    return str(exc)


def _latest_once(papers: list[Paper], digest: Digest) -> list[Paper]:
    """The latest version of each id, at the place the id first appeared."""
    chosen: dict[str, Paper] = {}
    for p in papers:
        seen = chosen.get(p.arxiv_id)
        if seen is None:
            chosen[p.arxiv_id] = p
            continue
        digest.duplicates.append((str(digest.path), p.arxiv_id))
        if p.version >= seen.version:
            chosen[p.arxiv_id] = p
    return list(chosen.values())


# Fields repaired of mojibake; every string field is cleared of what XML cannot carry.
_PROSE = ("title", "abstract", "comment", "journal_ref")
_PLAIN = ("primary_category", "doi", "abs_url", "pdf_url")


def _repaired(p: Paper, digest: Digest) -> Paper:
    changes: dict[str, object] = {}
    for name in (*_PROSE, *_PLAIN):
        value = getattr(p, name)
        if value is not None:
            fixed = _repair_field(value, p.arxiv_id, name, digest, mojibake=name in _PROSE)
            if fixed != value:
                changes[name] = fixed
    for name in ("authors", "categories"):
        values: list[str] = getattr(p, name)
        fixed_list = [
            _repair_field(v, p.arxiv_id, name, digest, mojibake=name == "authors") for v in values
        ]
        if fixed_list != values:
            changes[name] = fixed_list
    return p.with_changes(**changes) if changes else p


def _repaired_listing(day: listing.ListingFile, digest: Digest) -> listing.ListingFile:
    entries = [
        replace(
            e,
            title=_repair_field(e.title, e.arxiv_id, "title", digest, mojibake=False),
            abstract=_repair_field(e.abstract, e.arxiv_id, "abstract", digest, mojibake=False),
        )
        for e in day.entries
    ]
    return replace(day, entries=entries)


def _repair_field(value: str, arxiv_id: str, name: str, digest: Digest, *, mojibake: bool) -> str:
    safe = xml_safe(value)
    if safe != value:
        digest.repairs.append(Repair(str(digest.path), arxiv_id, name, value, safe, False, "xml"))
    if not mojibake:
        return safe
    fixed, broken = repair(safe)
    if fixed != safe or broken:
        digest.repairs.append(Repair(str(digest.path), arxiv_id, name, safe, fixed, broken))
    return fixed


# ---------------------------------------------------------------- JSON lines


def read_json_lines(path: Path) -> Iterator[Digest]:
    """A JSON-lines file a day at a time, once every line of it has been checked.

    Consecutive lines of one submission day load together (export writes them in store
    order), so each day's papers keep their order among equal timestamps.
    """
    try:
        for _ in _json_papers(path):
            pass
    except (FormatError, OSError, UnicodeDecodeError) as exc:
        yield Digest(path, error=_reason(exc))
        return
    first = True
    for _, group in groupby(_json_papers(path), key=lambda p: p.submitted_day):
        digest = Digest(path, part=not first)
        digest.papers = [_repaired(p, digest) for p in _latest_once(list(group), digest)]
        first = False
        yield digest


def _json_papers(path: Path) -> Iterator[Paper]:
    with path.open(encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield paper_from_json(json.loads(line))
            except json.JSONDecodeError as exc:
                raise FormatError(
                    path, number, f"not JSON: {exc.msg} at column {exc.colno}"
                ) from None
            except (KeyError, TypeError, ValueError) as exc:
                raise FormatError(path, number, _json_problem(exc)) from None


def _json_problem(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"no {exc.args[0]!r} field"
    return str(exc)


def paper_from_json(obj: Any) -> Paper:
    """A paper from what export.paper_json wrote; ValueError/TypeError/KeyError when wrong."""
    if not isinstance(obj, dict):
        raise TypeError("a line must hold a JSON object")
    arxiv_id, version = split_id(_text(obj, "arxiv_id"))
    if version is not None:
        raise RecordError(f"arxiv_id: {obj['arxiv_id']!r} holds a version")
    return Paper(
        arxiv_id=arxiv_id,
        version=_number(obj, "version"),
        title=_text(obj, "title"),
        authors=_texts(obj, "authors"),
        categories=_texts(obj, "categories"),
        primary_category=_text(obj, "primary_category"),
        published=_stamp(obj, "published"),
        updated=_stamp(obj, "updated"),
        abstract=_text(obj, "abstract"),
        comment=_text(obj, "comment", optional=True),
        journal_ref=_text(obj, "journal_ref", optional=True),
        doi=_text(obj, "doi", optional=True),
        abs_url=_text(obj, "abs_url"),
        pdf_url=_text(obj, "pdf_url"),
        versions=[_json_version(v) for v in obj.get("versions") or []],
    )


def _json_version(obj: Any) -> Version:
    if not isinstance(obj, dict):
        raise TypeError("versions: each version must be a JSON object")
    announced = _text(obj, "announced", optional=True)
    how = obj.get("announced_how")
    if how not in (None, "observed", "inferred"):
        raise ValueError(f"announced_how: {how!r} is not 'observed' or 'inferred'")
    return Version(
        number=_number(obj, "number"),
        submitted=None if obj.get("submitted") is None else _stamp(obj, "submitted"),
        announced=None if announced is None else date.fromisoformat(announced),
        announced_observed=how == "observed",
    )


def _text(obj: dict[str, Any], name: str, *, optional: bool = False) -> Any:
    value = obj[name] if not optional else obj.get(name)
    if not isinstance(value, str) and not (optional and value is None):
        raise TypeError(f"{name}: expected text, found {value!r}")
    return value


def _texts(obj: dict[str, Any], name: str) -> list[str]:
    value = obj[name]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{name}: expected a list of texts")
    return value


def _number(obj: dict[str, Any], name: str) -> int:
    value = obj[name]
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise TypeError(f"{name}: expected a positive whole number, found {value!r}")
    return value


def _stamp(obj: dict[str, Any], name: str) -> datetime:
    value = _text(obj, name)
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}: not a timestamp: {value!r}") from None
    if stamp.tzinfo is None:
        raise ValueError(f"{name}: no time zone in {value!r}")
    return stamp
