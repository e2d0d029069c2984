"""arXiv's announcement holidays as data: the table shipped with the package, extended by the
user's own file, read once on first use.

arXiv publishes a holiday as a date whose next scheduled announcement (Sunday to Thursday,
20:00 US Eastern) does not take place. `announce` reasons in listing dates (the date a listing
carries: the day after its announcement evening), so each published date is turned into the
listing date that does not appear.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import TypeVar

from paperboy.config import holidays_file

_T = TypeVar("_T")
PACKAGED = Path(__file__).parent / "data" / "holidays.txt"
_EVENINGS = {6, 0, 1, 2, 3}  # Sunday to Thursday


class HolidayFileError(ValueError):
    """A line of a holiday file that is not a date."""


@dataclass(frozen=True, slots=True)
class HolidayTable:
    skipped_listings: frozenset[date]  # listing dates that do not appear
    complete_years: frozenset[int]  # years whose whole list is known


def skipped_listing(published: date) -> date:
    """The listing date a published holiday removes: Mon 1 Sep 2025 -> Tue 2 Sep 2025 (Monday
    evening's announcement), Fri 19 Jun 2026 -> Mon 22 Jun 2026 (Sunday evening's)."""
    evening = published
    while evening.weekday() not in _EVENINGS:
        evening += timedelta(days=1)
    return evening + timedelta(days=1)


def read_table(paths: list[Path]) -> HolidayTable:
    """The holidays of these files together; a bad line is an error naming file and line."""
    skipped: set[date] = set()
    years: set[int] = set()
    for path in paths:
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            try:
                if line.startswith("complete:"):
                    years.update(int(y) for y in line.removeprefix("complete:").split())
                else:
                    skipped.add(skipped_listing(date.fromisoformat(line)))
            except ValueError:
                raise HolidayFileError(
                    f"{path}:{number}: not a date (YYYY-MM-DD) or `complete: YEAR ...`: {raw!r}"
                ) from None
    return HolidayTable(frozenset(skipped), frozenset(years))


@cache
def table() -> HolidayTable:
    """The packaged table and the user's file (when there is one), read once."""
    extra = holidays_file()
    return read_table([PACKAGED, extra] if extra.is_file() else [PACKAGED])


class KnownHolidays(Set[date]):
    """The skipped listing dates of `table()`, read on first use rather than at import, so a
    bad user file is reported as an error of the command that needed it."""

    def __contains__(self, day: object) -> bool:
        return day in table().skipped_listings

    def __iter__(self) -> Iterator[date]:
        return iter(table().skipped_listings)

    def __len__(self) -> int:
        return len(table().skipped_listings)

    @classmethod
    def _from_iterable(cls, items: Iterable[_T]) -> Set[_T]:
        return frozenset(items)  # what set operations (&, |) give back


def year_is_known(year: int) -> bool:
    """Whether the table holds arXiv's whole holiday list for `year`."""
    return year in table().complete_years
