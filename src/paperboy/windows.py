"""Harvest windows: the spans of submission time whose papers a harvest stored completely,
as the store records them, and what of a span they leave uncovered. Pure and light, so the
listings can ask it without loading the harvest's network stack."""

from __future__ import annotations

from datetime import datetime

from paperboy.store import Store


def uncovered(
    start: datetime, end: datetime, done: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """The parts of [start, end) that no completed window covers."""
    gaps, lo = [], start
    for d_lo, d_hi in sorted(done):
        if d_hi <= lo or d_lo >= end:
            continue
        if d_lo > lo:
            gaps.append((lo, d_lo))
        lo = max(lo, d_hi)
    if lo < end:
        gaps.append((lo, end))
    return gaps


def completed(store: Store, source: str, category: str) -> list[tuple[datetime, datetime]]:
    return [
        (datetime.fromisoformat(s), datetime.fromisoformat(e))
        for s, e, _ in store.completed_windows(source, category)
    ]
