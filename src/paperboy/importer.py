"""Digest files -> the store. One transaction per file: a file goes in whole or not at all.

A JSON-lines backup (what `export --format json` writes) is checked whole first, then loaded
a day at a time, so that it too goes in only when every line of it is right while memory
and the time the write lock is held stay bounded.
"""

from __future__ import annotations

import json
import os
import re
import stat
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import groupby
from pathlib import Path
from typing import Any

from paperboy.formats import collector, listing
from paperboy.formats.collector import FormatError
from paperboy.listings import refresh_announcements
from paperboy.record import Paper, RecordError, Version, split_id
from paperboy.store import ListingEntry, Store, UpsertResult
from paperboy.textfix import repair, xml_safe
from paperboy.wording import plural


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
class ImportReport:
    """What an import did. Counts, not lists of ids, so memory stays flat on any input."""

    files: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_clean: int = 0  # papers whose stored clean text won over incoming mojibake
    listings: int = 0
    listing_entries: int = 0
    skipped: int = 0  # files under a directory not named like a digest (README.md, …)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    repairs: list[Repair] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, arxiv_id)

    def paper_count(self) -> int:
        return self.new + self.updated + self.unchanged + self.listing_entries

    def add(self, result: UpsertResult) -> None:
        self.new += len(result.new)
        self.updated += len(result.updated)
        self.unchanged += len(result.unchanged)
        self.kept_clean += len(result.kept_clean)

    def summary(self) -> str:
        lines = [
            f"files: {self.files} imported, {len(self.rejected)} rejected",
            f"papers: {self.new} new, {self.updated} updated, {self.unchanged} unchanged",
        ]
        if self.listings:
            days, entries = plural(self.listings, "day"), plural(self.listing_entries, "entry")
            lines.append(f"listings: {days}, {entries}")
        if self.skipped:
            lines.append(f"skipped {plural(self.skipped, 'file')} not named like digests")
        xml = [r for r in self.repairs if r.kind == "xml"]
        if xml:
            lines.append(
                f"removed characters no view can show (controls, non-characters) in {len(xml)} "
                "fields"
            )
        lines += [f"  {r.path}: {r.arxiv_id} {r.field}: {r.before!r} -> {r.after!r}" for r in xml]
        fixed = [r for r in self.repairs if r.kind == "mojibake" and not r.still_broken]
        broken = [r for r in self.repairs if r.kind == "mojibake" and r.still_broken]
        if fixed:
            lines.append(f"repaired mojibake in {len(fixed)} fields")
        lines += [f"  {r.path}: {r.arxiv_id} {r.field}: {r.before!r} -> {r.after!r}" for r in fixed]
        if broken:
            lines.append(f"still looks broken (kept as is) in {len(broken)} fields")
        lines += [f"  {r.path}: {r.arxiv_id} {r.field}: {r.after!r}" for r in broken]
        if self.kept_clean:
            lines.append(f"kept the stored clean text of {self.kept_clean} papers over mojibake")
        if self.duplicates:
            lines.append(f"same id twice in one file, latest version kept: {len(self.duplicates)}")
        lines += [f"  {path}: {aid}" for path, aid in self.duplicates]
        for path, reason in self.rejected:
            lines.append(f"rejected {path}: {reason}")
        return "\n".join(lines)


def iter_files(paths: Iterable[str | Path], report: ImportReport | None = None) -> Iterator[Path]:
    """Files named, and digest files found recursively under directories named, in sorted
    order. What cannot be read is added to `report.rejected` (when given), never skipped
    silently: unreadable folders, symlink loops, FIFOs and other files that are not regular.
    Dot-folders and dot-files are left out, and so are files not named like digests."""
    for raw in paths:
        p = Path(raw)
        try:
            mode = p.stat().st_mode
        except OSError as exc:
            _problem(report, p, f"cannot be read: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(mode):
            found = yield from _walk(p, report, [_key(p)])
            if not found:
                _problem(
                    report, p, "no digest files here (*.md named by day, *.txt, *.jsonl, *.json)"
                )
        elif stat.S_ISREG(mode):
            yield p
        else:
            _problem(report, p, "not a regular file (a FIFO, socket or device): not read")


def is_digest_name(name: str) -> bool:
    """Names digests have: day files and listings (…YYYYMMDD.md), seeds (*.txt), JSON lines
    (*.jsonl, *.json)."""
    if name.startswith("."):
        return False
    stem, _, suffix = name.rpartition(".")
    if suffix == "md":
        return _DAY_IN_NAME.search(stem) is not None
    return suffix in ("txt", "jsonl", "json")


_DAY_IN_NAME = re.compile(r"(?<!\d)\d{8}(?!\d)")


def _walk(
    folder: Path, report: ImportReport | None, chain: list[tuple[int, int]]
) -> Generator[Path, None, bool]:
    """Digest files under `folder`, depth first in name order; returns whether it found any.

    `chain` holds the (device, inode) of the folders from the root down to this one, so a
    symbolic link that leads back up is reported instead of being followed for ever.
    """
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        _problem(report, folder, f"cannot be read: {exc.strerror or exc}")
        return False
    found = False
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            continue
        try:
            mode = entry.stat().st_mode  # follows symbolic links
        except OSError as exc:
            _problem(report, path, f"cannot be read: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(mode):
            key = _key(path)
            if key in chain:
                _problem(report, path, "symbolic link loop: leads back to a folder above it")
                continue
            found = (yield from _walk(path, report, [*chain, key])) or found
        elif not is_digest_name(entry.name):
            if report is not None:
                report.skipped += 1
        elif stat.S_ISREG(mode):
            found = True
            yield path
        else:
            _problem(report, path, "not a regular file (a FIFO, socket or device): not read")
    return found


def _key(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_dev, st.st_ino


def _problem(report: ImportReport | None, path: Path, reason: str) -> None:
    if report is not None:
        report.rejected.append((str(path), reason))


# Files are committed in batches of about this many papers: each file is still all or nothing
# (a savepoint), but one commit per batch instead of per file makes the full-text index
# flush far less often. A crash loses at most the uncommitted batch, never part of a file.
BATCH_PAPERS = 20_000
# … and of about this long a read or write, so that another writer never waits long for the
# write lock.
BATCH_SECONDS = 0.5
LOCK_GAP = 0.11


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


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    on_file: Callable[[Path], None] | None = None,
    *,
    date_announcements: bool = True,
) -> ImportReport:
    """Load digest files, then (unless told not to) date the announcements of every version
    in the id months that changed, so listings of those days are right at once."""
    report = ImportReport()
    # One file at a time: memory stays flat however large the input is. (A reading thread
    # was tried: contention for the GIL made it slower than this.)
    digests = (d for path in iter_files(paths, report) for d in read_digests(path))
    pending: deque[Digest] = deque()
    while pending or (pending := deque(_next_batch(digests))):
        # Files are read and parsed before the write lock is taken, and a transaction stops
        # taking files after BATCH_SECONDS of writing: the lock is held briefly, and another
        # writer waiting for it gets in between two batches.
        with store.transaction():
            began = time.monotonic()
            while pending and time.monotonic() - began < BATCH_SECONDS:
                digest = pending.popleft()
                load(store, digest, report)
                if on_file is not None and not digest.part:
                    on_file(digest.path)
        if pending:
            # SQLite's waiting writers poll (at most 100 ms apart), they do not queue: taking
            # the lock again at once would starve them, so leave it free for one poll.
            time.sleep(LOCK_GAP)
    if date_announcements:
        # Every month this import changed is pending, and so is any a killed run left.
        refresh_announcements(store)
    return report


def _next_batch(digests: Iterator[Digest]) -> list[Digest]:
    """The next digests, up to BATCH_PAPERS papers or BATCH_SECONDS of reading."""
    batch: list[Digest] = []
    papers, began = 0, time.monotonic()
    while papers < BATCH_PAPERS and time.monotonic() - began < BATCH_SECONDS:
        digest = next(digests, None)
        if digest is None:
            break
        batch.append(digest)
        papers += len(digest.papers or ()) + len(digest.listing.entries if digest.listing else ())
    return batch


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


def load(store: Store, digest: Digest, report: ImportReport) -> None:
    """Store one read file whole (a transaction of its own), and account for it."""
    if digest.error is not None:
        report.rejected.append((str(digest.path), digest.error))
        return
    source = str(digest.path)
    if digest.papers is not None:
        report.add(store.upsert(digest.papers, source=f"collector:{source}"))
    elif digest.listing is not None:
        _load_listing(store, digest.listing, source, report)
    report.repairs += digest.repairs
    report.duplicates += digest.duplicates
    report.files += 0 if digest.part else 1


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


def _load_listing(store: Store, day: listing.ListingFile, path: str, report: ImportReport) -> None:
    entries = [ListingEntry(e.arxiv_id, e.section, e.title, e.abstract) for e in day.entries]
    with store.transaction():
        store.put_listing(day.category, day.day, entries, source=f"listing:{path}")
        # A new submission or cross-list is the announcement of its first version.
        store.set_announced((e.arxiv_id, 1, day.day, True) for e in entries)
    report.listings += 1
    report.listing_entries += len(entries)
