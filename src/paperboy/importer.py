"""Digest files -> the store. One transaction per file: a file goes in whole or not at all."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from paperboy.formats import collector, listing
from paperboy.formats.collector import FormatError
from paperboy.listings import refresh_announcements
from paperboy.record import Paper, id_month
from paperboy.store import ListingEntry, SQLiteStore, UpsertResult
from paperboy.textfix import repair


@dataclass(frozen=True, slots=True)
class Repair:
    path: str
    arxiv_id: str
    field: str
    before: str
    after: str
    still_broken: bool


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
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    repairs: list[Repair] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, arxiv_id)
    id_months: set[str] = field(default_factory=set)  # id months whose stored data changed

    def paper_count(self) -> int:
        return self.new + self.updated + self.unchanged + self.listing_entries

    def add(self, result: UpsertResult) -> None:
        self.new += len(result.new)
        self.updated += len(result.updated)
        self.unchanged += len(result.unchanged)
        self.kept_clean += len(result.kept_clean)
        self.id_months.update(id_month(i) for i in result.new + result.updated)

    def summary(self) -> str:
        lines = [
            f"files: {self.files} imported, {len(self.rejected)} rejected",
            f"papers: {self.new} new, {self.updated} updated, {self.unchanged} unchanged",
        ]
        if self.listings:
            lines.append(f"listings: {self.listings} days, {self.listing_entries} entries")
        fixed = [r for r in self.repairs if not r.still_broken]
        broken = [r for r in self.repairs if r.still_broken]
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


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and files found recursively under directories named, in sorted order."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.name != "calendar.md")
        else:
            yield p


# Files are committed in batches of about this many papers: each file is still all or nothing
# (a savepoint), but one commit per batch instead of per file makes the full-text index
# flush far less often. A crash loses at most the uncommitted batch, never part of a file.
BATCH_PAPERS = 20_000


@dataclass(slots=True)
class Digest:
    """One file read and repaired, ready to load: papers (format A) or a listing (format B)."""

    path: Path
    papers: list[Paper] | None = None
    listing: listing.ListingFile | None = None
    repairs: list[Repair] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None


def import_paths(
    store: SQLiteStore,
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
    digests = (read_digest(path) for path in iter_files(paths))
    done = False
    while not done:
        with store.transaction():
            start = report.paper_count()
            while report.paper_count() - start < BATCH_PAPERS:
                digest = next(digests, None)
                if digest is None:
                    done = True
                    break
                load(store, digest, report)
                if on_file is not None:
                    on_file(digest.path)
    if date_announcements:
        # Every month this import changed is pending, and so is any a killed run left.
        refresh_announcements(store)
    return report


def read_digest(path: Path) -> Digest:
    """Read one digest file of either format; errors are kept on the result, not raised."""
    digest = Digest(path)
    try:
        text = path.read_text(encoding="utf-8")
        first = text.split("\n", 1)[0]
        if collector.looks_like(first):
            day = collector.parse(text, path)
            papers = _latest_once(day.papers, digest)
            digest.papers = [_repaired(p, digest) for p in papers]
        elif listing.looks_like(first):
            digest.listing = listing.parse(text, path)
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


def load(store: SQLiteStore, digest: Digest, report: ImportReport) -> None:
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
    report.files += 1


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


def _repaired(p: Paper, digest: Digest) -> Paper:
    changes: dict[str, object] = {}
    for name in ("title", "abstract", "comment", "journal_ref"):
        value = getattr(p, name)
        if value is not None:
            fixed = _repair_field(value, p.arxiv_id, name, digest)
            if fixed != value:
                changes[name] = fixed
    authors = [_repair_field(a, p.arxiv_id, "authors", digest) for a in p.authors]
    if authors != p.authors:
        changes["authors"] = authors
    return p.with_changes(**changes) if changes else p


def _repair_field(value: str, arxiv_id: str, name: str, digest: Digest) -> str:
    fixed, broken = repair(value)
    if fixed != value or broken:
        digest.repairs.append(Repair(str(digest.path), arxiv_id, name, value, fixed, broken))
    return fixed


def _load_listing(
    store: SQLiteStore, day: listing.ListingFile, path: str, report: ImportReport
) -> None:
    entries = [ListingEntry(e.arxiv_id, e.section, e.title, e.abstract) for e in day.entries]
    with store.transaction():
        store.put_listing(day.category, day.day, entries, source=f"listing:{path}")
        # A new submission or cross-list is the announcement of its first version.
        store.set_announced((e.arxiv_id, 1, day.day, True) for e in entries)
    report.listings += 1
    report.listing_entries += len(entries)
    report.id_months.update(id_month(e.arxiv_id) for e in entries)
