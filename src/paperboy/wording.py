"""Counted nouns in English for what paperboy prints: "1 paper", "2 papers", "1 day"."""

from __future__ import annotations

# Nouns whose plural is not the noun + "s".
_IRREGULAR = {"entry": "entries", "day file": "day files", "match": "matches"}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """'1 paper', '0 papers', '2 entries'; `many` gives a plural the table lacks."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {many or _IRREGULAR.get(noun, noun + 's')}"
