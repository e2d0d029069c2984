"""Matched terms in titles and snippets: FTS5 highlights between MARK_START and MARK_END."""

from __future__ import annotations

import re

from paperboy.store import fts
from paperboy.store.fts import MARK_END, MARK_START


def lead(abstract: str, words: int = fts.SNIPPET_TOKENS) -> str:
    """The opening of an abstract, as a snippet with nothing marked."""
    parts = abstract.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def split_marks(text: str) -> list[tuple[str, bool]]:
    """'a \\ue000b\\ue001 c' -> [('a ', False), ('b', True), (' c', False)]."""
    out: list[tuple[str, bool]] = []
    for i, piece in enumerate(re.split(f"[{MARK_START}{MARK_END}]", text)):
        if piece:
            out.append((piece, i % 2 == 1))
    return out


def mark_spans(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Marked text -> (plain text, [(start, end)] of the matched terms)."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    at = 0
    for piece, matched in split_marks(text):
        if matched:
            spans.append((at, at + len(piece)))
        plain.append(piece)
        at += len(piece)
    return "".join(plain), spans
