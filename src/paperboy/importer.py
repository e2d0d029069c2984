"""Digest files -> the store. One transaction per file: a file goes in whole or not at all.

A JSON-lines backup (what `export --format json` writes) is checked whole first, then loaded
a day at a time, so that it too goes in only when every line of it is right while memory
and the time the write lock is held stay bounded. Files are read by paperboy.digests; a
large import reads them in a second process (paperboy.digest_worker) while this one writes.
"""

from __future__ import annotations

import os
import re
import stat
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from paperboy import digest_worker
from paperboy.digests import Digest, Repair, read_digests
from paperboy.formats import listing
from paperboy.listings import refresh_announcements
from paperboy.store import ListingEntry, Store, UpsertResult
from paperboy.wording import plural

__all__ = ["Digest", "ImportReport", "Repair", "import_paths", "iter_files", "read_digests"]


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


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    on_file: Callable[[Path], None] | None = None,
    *,
    date_announcements: bool = True,
    worker: bool | None = None,
) -> ImportReport:
    """Load digest files, then (unless told not to) date the announcements of every version
    in the id months that changed, so listings of those days are right at once.

    `worker`: read and parse the files in a second process while this one writes (None:
    when they hold more than digest_worker.WORTH_BYTES)."""
    report = ImportReport()
    files = list(iter_files(paths, report))
    if worker is None:
        worker = digest_worker.worth_it(files)
    if worker:
        with digest_worker.parsed(files) as digests:
            _load_all(store, digests, report, on_file)
    else:
        # One file at a time: memory stays flat however large the input is.
        _load_all(store, (d for path in files for d in read_digests(path)), report, on_file)
    if date_announcements:
        # Every month this import changed is pending, and so is any a killed run left.
        refresh_announcements(store)
    return report


def _load_all(
    store: Store,
    digests: Iterator[Digest],
    report: ImportReport,
    on_file: Callable[[Path], None] | None,
) -> None:
    """Files are read before the write lock is taken, and a transaction stops taking files
    after BATCH_SECONDS of writing: the lock is held briefly, and another writer waiting for
    it gets in between two transactions."""
    pending: deque[Digest] = deque()
    queued = 0  # papers in pending
    gap = 0.0
    while True:
        queued = _read_ahead(pending, queued, digests, gap)
        if not pending:
            return
        with store.transaction():
            began = time.monotonic()
            while pending and time.monotonic() - began < BATCH_SECONDS:
                digest = pending.popleft()
                queued -= _papers(digest)
                load(store, digest, report)
                if on_file is not None and not digest.part:
                    on_file(digest.path)
        # SQLite's waiting writers poll (at most 100 ms apart), they do not queue: taking
        # the lock again at once would starve them, so leave it free for one poll.
        gap = LOCK_GAP


def _read_ahead(pending: deque[Digest], queued: int, digests: Iterator[Digest], gap: float) -> int:
    """Read digests into `pending` up to BATCH_PAPERS papers or BATCH_SECONDS of reading,
    taking at least `gap` seconds (sleeping for what the reading did not fill) unless
    nothing is left to write. Returns the papers pending."""
    began = time.monotonic()
    while queued < BATCH_PAPERS and time.monotonic() - began < BATCH_SECONDS:
        digest = next(digests, None)
        if digest is None:
            break
        pending.append(digest)
        queued += _papers(digest)
    left = gap - (time.monotonic() - began)
    if pending and left > 0:
        time.sleep(left)
    return queued


def _papers(digest: Digest) -> int:
    return len(digest.papers or ()) + len(digest.listing.entries if digest.listing else ())


def load(store: Store, digest: Digest, report: ImportReport) -> None:
    """Store one read file whole (a transaction of its own), and account for it."""
    if digest.error is not None:
        report.rejected.append((str(digest.path), digest.error))
        return
    if digest.papers is not None:
        report.add(store.upsert(digest.papers, digest.source, digest.rows))
    elif digest.listing is not None:
        _load_listing(store, digest.listing, str(digest.path), report)
    report.repairs += digest.repairs
    report.duplicates += digest.duplicates
    report.files += 0 if digest.part else 1


def _load_listing(store: Store, day: listing.ListingFile, path: str, report: ImportReport) -> None:
    entries = [ListingEntry(e.arxiv_id, e.section, e.title, e.abstract) for e in day.entries]
    with store.transaction():
        store.put_listing(day.category, day.day, entries, source=f"listing:{path}")
        # A new submission or cross-list is the announcement of its first version.
        store.set_announced((e.arxiv_id, 1, day.day, True) for e in entries)
    report.listings += 1
    report.listing_entries += len(entries)
