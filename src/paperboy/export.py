"""The store -> digest files (collector archive + calendar, listings) and JSON lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from itertools import accumulate, chain, groupby
from pathlib import Path
from typing import IO, Any

from paperboy import processes
from paperboy.formats import collector, listing
from paperboy.record import Paper
from paperboy.store import Location, Store, location, open_store

# An archive of more papers than this is written by two processes, each a run of days holding
# about half the papers: rendering and the kernel's share of writing are most of an export,
# and both halve on the second core. Below it a process start costs more than it saves.
PARALLEL_PAPERS = 10_000


@dataclass(frozen=True, slots=True)
class ExportResult:
    files: int
    papers: int
    written: int = 0  # files whose content changed (the others already held it)

    def __add__(self, other: ExportResult) -> ExportResult:
        return ExportResult(
            self.files + other.files, self.papers + other.papers, self.written + other.written
        )


def write_collector_archive(
    store: Store,
    out: Path,
    category: str,
    start: date | None = None,
    end: date | None = None,
) -> ExportResult:
    """Write <out>/<category>/YYYY/MM/YYYYMMDD.md per submission day, then <out>/calendar.md."""
    counts = store.day_counts(category, start, end)
    if sum(counts.values()) > PARALLEL_PAPERS and store.name != ":memory:":
        result = _write_in_two(store, out, category, (start, _middle_day(counts), end))
    else:
        result = _write_day_files(store.papers(category, start, end), out, category)
    write_calendar(out, category)
    return result


def _write_in_two(
    store: Store, out: Path, category: str, days: tuple[date | None, date, date | None]
) -> ExportResult:
    """Days (start, split, end): those up to `split` written by a worker process, those
    after it here meanwhile. (Each day file comes from one read, consistent in itself.)"""
    start, split, end = days
    worker = _start_worker(store.location, out, category, start, split)
    rest = _write_day_files(store.papers(category, split + timedelta(days=1), end), out, category)
    output, errors = worker.communicate()
    if worker.returncode != 0:
        raise RuntimeError(f"the export worker failed: {errors.strip()[-500:]}")
    files, papers, written = json.loads(output)
    return rest + ExportResult(files, papers, written)


def _start_worker(
    db: Location, out: Path, category: str, start: date | None, end: date | None
) -> subprocess.Popen[str]:
    """A second process (paperboy.processes) running `_worker`."""
    bounds = [d.isoformat() if d else "" for d in (start, end)]
    return processes.python(
        "from paperboy.export import _worker; _worker()",
        *(str(db), str(out), category, *bounds),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _worker() -> None:
    """The day files of a run of days (argv: store, out, category, start, end), from a
    connection of this process's own; prints [files, papers, written]."""
    db, out, category, start, end = sys.argv[1:6]
    with open_store(location(db)) as store:
        papers = store.papers(category, _day(start), _day(end))
        result = _write_day_files(papers, Path(out), category)
    print(json.dumps([result.files, result.papers, result.written]))


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _middle_day(counts: dict[date, int]) -> date:
    """The day by which half of the papers (of days in order) have come."""
    days = sorted(counts)
    half = sum(counts.values()) / 2
    running = accumulate(counts[d] for d in days)
    return next(d for d, total in zip(days, running, strict=True) if total >= half)


def write_collector_days(
    store: Store, out: Path, category: str, days: Iterable[date]
) -> ExportResult:
    """Rewrite the day files of these submission days (and the calendar) after a harvest."""
    stream = chain.from_iterable(
        store.papers(category=category, start=day, end=day) for day in sorted(set(days))
    )
    return _write_days(stream, out, category)


def _write_days(stream: Iterable[Paper], out: Path, category: str) -> ExportResult:
    """One file per submission day of a stream in day order, then the calendar."""
    result = _write_day_files(stream, out, category)
    write_calendar(out, category)
    return result


def _write_day_files(stream: Iterable[Paper], out: Path, category: str) -> ExportResult:
    """One file per submission day of a stream in day order."""
    files = papers = written = 0
    for day, group in groupby(stream, key=lambda p: p.submitted_day):
        day_papers = list(group)
        text = collector.render_day(category, day, day_papers)
        written += write_if_changed(out / collector.day_path(category, day), text)
        files += 1
        papers += len(day_papers)
    return ExportResult(files, papers, written)


def write_calendar(out: Path, category: str) -> bool:
    """calendar.md for every day file present under <out>/<category>, as the anchor does."""
    days = [
        date(int(f.stem[:4]), int(f.stem[4:6]), int(f.stem[6:8]))
        for f in (out / category).glob("[0-9]*/[0-9]*/[0-9]*.md")
        if len(f.stem) == 8 and f.stem.isdigit()
    ]
    return write_if_changed(out / "calendar.md", collector.render_calendar(category, days))


def write_listing(out: Path, category: str, day: date, entries: Iterable[listing.Entry]) -> bool:
    """Write a day's listing file unless it already holds it; True when it was written."""
    path = out / listing.listing_path(category, day)
    return write_if_changed(path, listing.render(category, day, list(entries)))


def write_if_changed(path: Path, content: str | bytes) -> bool:
    """Write a file unless it already holds exactly this; True when it was written.

    Files already right are left alone (their mtime too), and a file is replaced whole, so
    no reader ever sees a half-written one.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    with atomic_file(path, "wb") as stream:
        stream.write(data)
    return True


@contextmanager
def atomic_file(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """A stream whose content becomes `path` only once the block ends without error.

    It is written to a temporary file of a name no other writer uses (two exports into one
    folder never collide) and renamed over `path` at the end: a reader, or a run killed
    halfway, sees the old file or the whole new one, never a part. On an error the
    temporary file is removed; after a kill it remains as a dot-file ending in .tmp.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        encoding = None if "b" in mode else "utf-8"
        with open(fd, mode, encoding=encoding) as stream:
            yield stream
        os.chmod(name, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual mode
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()  # read once: setting it to read it is not thread-safe


def paper_json(store: Store, paper: Paper) -> dict[str, Any]:
    """Every stored field of a paper, versions included, as JSON-ready values."""
    record = asdict(paper)
    record["published"] = str(paper.published)
    record["updated"] = str(paper.updated)
    record["versions"] = [
        {
            "number": v.number,
            "submitted": None if v.submitted is None else str(v.submitted),
            "announced": None if v.announced is None else v.announced.isoformat(),
            "announced_how": None
            if v.announced is None
            else ("observed" if v.announced_observed else "inferred"),
        }
        for v in store.versions(paper.arxiv_id)
    ]
    return record


def write_json_lines(
    store: Store,
    stream: IO[str],
    category: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> ExportResult:
    count = 0
    for paper in store.papers(category=category, start=start, end=end):
        stream.write(json.dumps(paper_json(store, paper), ensure_ascii=False) + "\n")
        count += 1
    return ExportResult(1, count, 1)


def days(start: date, end: date) -> Iterator[date]:
    for ordinal in range(start.toordinal(), end.toordinal() + 1):
        yield date.fromordinal(ordinal)


def listing_for_day(store: Store, category: str, day: date) -> list[listing.Entry]:
    """A day's new submissions and cross-lists as format B writes them (shown or rebuilt)."""
    from paperboy.listings import day_listing, format_b_entries

    return format_b_entries(day_listing(store, category, day))
