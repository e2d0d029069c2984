"""What the local arXiv serves: Paper records from the collector files, and the few facts
arXiv has but those files lack, synthesized deterministically (and said so here).

The collector files know each paper's first-version date (Published), its latest-version
date (Updated) and its latest version number. For OAI-PMH's arXivRaw, which lists every
version with its date, the versions in between are given dates spaced evenly between the
two known ones (whole seconds). A record's `versions` are used instead when they carry a
date for every version. Submitter (the first author), sizes and the license are invented.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from paperboy.formats.collector import read_file
from paperboy.record import Paper

ARXIV_CATEGORY = re.compile(r"^[a-z][a-z\-]*(\.[A-Za-z\-]+)?$")
_ACM_CLASS = re.compile(r"^[A-K]\.")
PHYSICS_ARCHIVES = frozenset(
    {
        "astro-ph", "cond-mat", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th",
        "math-ph", "nlin", "nucl-ex", "nucl-th", "physics", "quant-ph",
    }
)  # fmt: skip
LICENSE = "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"


def load_days(data_root: Path, days: Iterable[date], category: str = "cs.CV") -> list[Paper]:
    """Papers of the collector files for these days, in file order (missing days skipped)."""
    papers: list[Paper] = []
    for day in days:
        path = data_root / category / f"{day:%Y}" / f"{day:%m}" / f"{day:%Y%m%d}.md"
        if path.exists():
            papers.extend(read_file(path).papers)
    return papers


def load_month(data_root: Path, year: int, month: int, category: str = "cs.CV") -> list[Paper]:
    folder = data_root / category / f"{year:04d}" / f"{month:02d}"
    papers: list[Paper] = []
    for path in sorted(folder.glob("*.md")):
        papers.extend(read_file(path).papers)
    return papers


def load_all(data_root: Path, category: str = "cs.CV") -> list[Paper]:
    """Every paper of a collector archive (a year of 2021 data: ~15,000, under a second)."""
    papers: list[Paper] = []
    for path in sorted((data_root / category).glob("*/*/*.md")):
        papers.extend(read_file(path).papers)
    return papers


def day_files(data_root: Path, year: int, month: int, category: str = "cs.CV") -> list[Path]:
    return sorted((data_root / category / f"{year:04d}" / f"{month:02d}").glob("*.md"))


# ---------------------------------------------------------------- categories and sets


def split_categories(paper: Paper) -> tuple[list[str], list[str], list[str]]:
    """(arXiv categories, MSC classes, ACM classes) of the API's flat category list.

    The API lists arXiv categories, then MSC classes, then ACM classes (as seen in the 2021
    data). Everything after the first ACM-looking term is ACM, so the split always
    round-trips even for odd class strings.
    """
    own = [c for c in paper.categories if ARXIV_CATEGORY.match(c)]
    rest = [c for c in paper.categories if not ARXIV_CATEGORY.match(c)]
    first_acm = next((i for i, c in enumerate(rest) if _ACM_CLASS.match(c)), len(rest))
    return own, rest[:first_acm], rest[first_acm:]


def set_spec(category: str) -> str:
    """cs.CV -> cs:cs:CV, quant-ph -> physics:quant-ph, cond-mat.soft -> physics:cond-mat:soft."""
    archive, _, sub = category.partition(".")
    group = "physics" if archive in PHYSICS_ARCHIVES else archive
    return ":".join(part for part in (group, archive, sub) if part)


def in_set(paper: Paper, spec: str) -> bool:
    own, _, _ = split_categories(paper)
    return any(s == spec or s.startswith(spec + ":") for s in map(set_spec, own))


# ---------------------------------------------------------------- versions and authors


def version_dates(paper: Paper) -> list[tuple[int, datetime]]:
    """Every version 1..n with a date: the record's own, else synthesized (module doc)."""
    known = {v.number: v.submitted for v in paper.versions if v.submitted is not None}
    if all(n in known for n in range(1, paper.version + 1)):
        return [(n, known[n]) for n in range(1, paper.version + 1)]
    if paper.version == 1:
        return [(1, paper.published)]
    span = paper.updated - paper.published
    steps = paper.version - 1
    dates = [paper.published + span * i / steps for i in range(steps + 1)]
    return [(i + 1, d.replace(microsecond=0)) for i, d in enumerate(dates)]


def size_kb(paper: Paper, number: int) -> str:
    return f"{100 + zlib.crc32(f'{paper.arxiv_id}v{number}'.encode()) % 9000}kb"


def authors_string(paper: Paper) -> str:
    """arXiv's one-string author list: 'A, B and C' (with an Oxford comma for some papers).

    Both spellings occur on arXiv; which one a paper gets depends on a checksum of its id,
    so clients must handle both.
    """
    names = paper.authors
    if len(names) <= 1:
        return "".join(names)
    oxford = "," if len(names) > 2 and zlib.crc32(paper.arxiv_id.encode()) % 2 else ""
    return f"{', '.join(names[:-1])}{oxford} and {names[-1]}"


# ---------------------------------------------------------------- folding


def fold(text: str, width: int = 80, indent: str = "") -> str:
    """Hard-wrap like arXiv's old responses, turning single spaces into line breaks.

    Only a space character is ever replaced (by "\\n" + indent), so collapsing whitespace
    (titles) or turning line breaks back into spaces (abstracts, indent "") restores the text.
    """
    out: list[str] = []
    line_length = 0
    for i, word in enumerate(text.split(" ")):
        if i == 0:
            out.append(word)
            line_length = len(word)
        elif line_length + 1 + len(word) > width and line_length > 0:
            out.append("\n" + indent + word)
            line_length = len(indent) + len(word)
        else:
            out.append(" " + word)
            line_length += 1 + len(word)
    return "".join(out)


def utc_stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
