"""Values read from URLs and forms: a bad one is a 404 (paths) or a note (forms), never a
500."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import HTTPException
from starlette.convertors import Convertor, register_url_convertor

from paperboy.taxonomy import is_known_category

# Days a page can be asked for: none before arXiv's first year, and none so late that the
# days around it (previous, next listing) fall outside what a date can hold.
FIRST_DAY, LAST_DAY = date(1991, 1, 1), date.max - timedelta(days=366)


class _Year(Convertor[int]):
    """A year in a path: at most four digits, so a huge number is no year (and no int())."""

    regex = "[0-9]{1,4}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("year", _Year())


def parse_day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise HTTPException(404, f"{text[:40]!r} is not a day (YYYY-MM-DD)") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise HTTPException(404, f"{text} is outside the days arXiv can have papers")
    return day


def check_category(category: str) -> str:
    """Asked before any cache or store work, so made-up names cost nothing."""
    if not is_known_category(category):
        raise HTTPException(404, f"{category[:80]!r} is not an arXiv category")
    return category


def check_year(year: int) -> int:
    if not 1 <= year <= 9999:
        raise HTTPException(404, f"{year} is not a year")
    return year


def lenient_day(text: str | None, notes: list[str], name: str) -> date | None:
    """A date typed into a form: a wrong one is reported, never an error page."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        notes.append(f"{name} {text!r} is not a date (YYYY-MM-DD) and was ignored.")
        return None


def lenient_int(text: str | None, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(text))) if text else default
    except ValueError:
        return default
