"""A corpus shaped like the whole upstream cs.CV archive, built from the real 2021 text.

The upstream archive holds 5,783 day files from 1998 to 2026 (192,108 papers, 341 MB): early
years have a few dozen days of 1-20 papers each, modern days hundreds, and before 2007-04
the ids are old-style (`cs/0112017`). This module re-dates the 2021 papers onto such a
calendar (paper counts growing exponentially year by year), gives each an id consistent
with its submission time (old-style with its primary's archive before 2007-04, `YYMM.NNNN`
to 2014, `YYMM.NNNNN` after) and writes the days with paperboy's own collector writer, so
the files are real format A. The corpus is cached: a rebuild happens only when the recipe
(the constants below) changes.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from paperboy.export import write_calendar
from paperboy.formats import collector
from paperboy.record import Paper

CATEGORY = "cs.CV"
FIRST_DAY = date(1998, 1, 1)
LAST_DAY = date(2026, 8, 31)
GAP = (date(2020, 12, 8), date(2021, 3, 5))  # missing upstream ("arXiv API restrictions")
PAPERS = 192_000
GROWTH = 1.24  # papers per year grow by this factor
# Days of the early years that have a file: papers cluster on few days, as upstream.
SPARSE_UNTIL = 2015
EARLY_UNTIL = 2011  # days before this year hold 1-20 papers
EARLY_DAY_MAX = 20
SEED = 9
# Old-style archives (the id's prefix is the primary category's archive when it had one).
OLD_ARCHIVES = {"cs", "math", "physics", "q-bio", "stat", "nlin", "quant-ph", "cond-mat"}
RECIPE = (
    f"{FIRST_DAY}{LAST_DAY}{GAP}{PAPERS}{GROWTH}{SPARSE_UNTIL}{EARLY_UNTIL}{EARLY_DAY_MAX}{SEED}v1"
)


@dataclass(frozen=True, slots=True)
class Shape:
    files: int
    papers: int
    megabytes: float


def build(source: Path, cache: Path) -> Path:
    """The corpus under `cache` (built on first use); returns its root (holding cs.CV/)."""
    root = cache / f"archive-{hashlib.sha1(RECIPE.encode()).hexdigest()[:10]}"
    if (root / "calendar.md").exists():
        return root
    pool = [
        p for f in sorted((source / CATEGORY).rglob("*.md")) for p in collector.read_file(f).papers
    ]
    rng = random.Random(SEED)
    rng.shuffle(pool)
    tmp = root.with_name(root.name + ".partial")
    ids = _IdMaker()
    taken = 0
    for day, count in _day_counts(rng):
        times = sorted(rng.randrange(86_400) for _ in range(count))
        papers = [_redated(pool[(taken + k) % len(pool)], day, t, ids) for k, t in enumerate(times)]
        taken += count
        path = tmp / collector.day_path(CATEGORY, day)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(collector.render_day(CATEGORY, day, papers), encoding="utf-8")
    write_calendar(tmp, CATEGORY)
    tmp.rename(root)
    return root


def shape(root: Path) -> Shape:
    files = sorted((root / CATEGORY).rglob("*.md"))
    size = sum(f.stat().st_size for f in files)
    papers = sum(f.read_text(encoding="utf-8").count("\n### ") for f in files)
    return Shape(len(files), papers, size / 1e6)


def _day_counts(rng: random.Random) -> list[tuple[date, int]]:
    """(day, papers) for every day that gets a file, in order."""
    years = range(FIRST_DAY.year, LAST_DAY.year + 1)
    weights = {y: GROWTH ** (y - FIRST_DAY.year) * _covered(y) / 365 for y in years}
    scale = PAPERS / sum(weights.values())
    out: list[tuple[date, int]] = []
    for y in years:
        days = [d for d in _days(y) if not GAP[0] <= d <= GAP[1]]
        total = weights[y] * scale
        if y < SPARSE_UNTIL:
            # A few papers on a few days: about 4 a day early, more as the field grows.
            mean = 2 + 10 * (y - FIRST_DAY.year) / (SPARSE_UNTIL - FIRST_DAY.year)
            days = sorted(rng.sample(days, min(len(days), max(1, round(total / mean)))))
        day_weights = [
            (0.35 if d.weekday() >= 5 else 1.0) * rng.lognormvariate(0, 0.5) for d in days
        ]
        unit = total / sum(day_weights)
        for d, w in zip(days, day_weights, strict=True):
            n = max(1, round(w * unit))
            out.append((d, min(n, EARLY_DAY_MAX) if y < EARLY_UNTIL else n))
    return out


def _covered(year: int) -> int:
    first, last = max(FIRST_DAY, date(year, 1, 1)), min(LAST_DAY, date(year, 12, 31))
    return (last - first).days + 1


def _days(year: int) -> list[date]:
    first, last = max(FIRST_DAY, date(year, 1, 1)), min(LAST_DAY, date(year, 12, 31))
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


class _IdMaker:
    """Ids that grow with submission time within each month, as arXiv numbers them."""

    def __init__(self) -> None:
        self.last: dict[tuple[str, str], int] = defaultdict(int)

    def make(self, archive: str, at: datetime) -> str:
        month = f"{at:%y%m}"
        elapsed = (at.day - 1 + (at.hour * 3600 + at.minute * 60 + at.second) / 86_400) / 31
        if (at.year, at.month) < (2007, 4):
            key, width, size = (archive, month), 3, 900  # cs/0112017: archive, YYMM, NNN
        else:
            key, size = ("", month), _monthly_submissions(at.year)
            width = 4 if at.year < 2015 else 5
        number = max(self.last[key] + 1, 1 + math.floor(elapsed * size))
        if number >= 10**width:
            raise ValueError(f"id block of {month} overflows: {number}")
        self.last[key] = number
        if width == 3:
            return f"{archive}/{month}{number:03d}"
        return f"{month}.{number:0{width}d}"


def _monthly_submissions(year: int) -> int:
    """About how many papers arXiv numbers a month (so cs.CV's ids are spread over them)."""
    return (
        min(9_000, round(4_500 * 1.09 ** (year - 2007)))
        if year < 2015
        else round(9_500 * 1.08 ** (year - 2015))
    )


def _redated(p: Paper, day: date, second: int, ids: _IdMaker) -> Paper:
    published = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=second)
    archive = p.primary_category.split(".", 1)[0]
    arxiv_id = ids.make(archive if archive in OLD_ARCHIVES else "cs", published)
    updated = published + (p.updated - p.published)
    return p.with_changes(
        arxiv_id=arxiv_id,
        published=published,
        updated=updated,
        abs_url="",
        pdf_url="",
        versions=[],
    )


if __name__ == "__main__":
    import sys
    import tempfile

    here = Path(__file__).resolve()
    made = build(here.parents[2] / "shared" / "data" / "cvpapers-2021", Path(tempfile.gettempdir()))
    print(made, shape(made), file=sys.stdout)
