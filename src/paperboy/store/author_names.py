"""Author names as the store holds them, and how alike two names are.

Every name on a paper is kept once in `author_names` with the number of papers it is on,
so that a name typed with a slip (`Kaming He`, `au:hintn`) can be answered with the
names the archive does hold. Alike means pg_trgm's strict word similarity over a name's
key (its letters and digits, accents dropped, lower case): each word padded with two
spaces before and one after and cut into three-letter pieces; two sets compared by the
pieces they share over the pieces either has; and the name asked for compared with every
run of whole words of a name, the best run counting (so a surname alone finds the full
name). Here in Python for SQLite, in pg_trgm itself for PostgreSQL: on a key of ASCII
letters, digits and single spaces the two agree.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Names less alike than this are not offered (pg_trgm's default for whole strings).
THRESHOLD = 0.3
# The names an engine hands back for scoring here (SQLite: the best by bm25 of the pieces
# they share; PostgreSQL: the most alike by pg_trgm, so exactly the best).
CANDIDATES = 1000

_WORD = re.compile(r"[a-z0-9]+")
# Letters Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ø": "o", "Ø": "O", "ł": "l",
     "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "ı": "i"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AuthorName:
    name: str  # as the papers spell it
    papers: int
    similarity: float  # 1.0: the same key as the name asked for


@functools.lru_cache(maxsize=1 << 16)  # an import meets the same names file after file
def name_key(name: str) -> str:
    """A name's letters and digits, accents dropped, lower case, words one space apart:
    `Jean-Luc Godärd` -> 'jean luc godard', `Nießner` -> 'niessner'."""
    ascii_ = unicodedata.normalize("NFKD", name.translate(_LETTERS)).encode("ascii", "ignore")
    return " ".join(_WORD.findall(ascii_.decode().lower()))


def trigrams(key: str) -> frozenset[str]:
    """pg_trgm's pieces of a key: `he` -> {'  h', ' he', 'he '}."""
    return frozenset(
        padded[i : i + 3] for word in key.split() for padded in [f"  {word} "]
        for i in range(len(padded) - 2)
    )  # fmt: skip


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def likeness(asked: frozenset[str], key: str) -> float:
    """pg_trgm's strict_word_similarity(asked, key): the best similarity of `asked` (its
    pieces) to a run of whole words of `key`."""
    words = [trigrams(w) for w in key.split()]
    best = 0.0
    for first in range(len(words)):
        run: frozenset[str] = frozenset()
        for word in words[first:]:
            run |= word
            best = max(best, similarity(asked, run))
    return best


def counted_json(rows: Iterable[Sequence[str]]) -> Counter[str]:
    """How many of these papers each name is on, from the store's `authors` column (a JSON
    list per row)."""
    counts: Counter[str] = Counter()
    for (authors,) in rows:
        counts.update(set(json.loads(authors)))
    return counts


def ranked(key: str, candidates: Iterable[tuple[str, int, str]], limit: int) -> list[AuthorName]:
    """The candidates (name, papers, key) at least THRESHOLD alike to `key`, most alike
    first, then the names on most papers, then by name."""
    asked = trigrams(key)
    found = []
    for name, papers, their_key in candidates:
        score = likeness(asked, their_key)
        if score >= THRESHOLD and papers > 0:
            found.append(AuthorName(name, int(papers), round(score, 4)))
    found.sort(key=lambda a: (-a.similarity, -a.papers, a.name))
    return found[:limit]


UPSERT = (
    "INSERT INTO author_names (name, key, papers) VALUES (?, ?, ?) "
    "ON CONFLICT (name) DO UPDATE SET papers = author_names.papers + excluded.papers"
)


def upsert_rows(
    delta: Counter[str], keys: dict[str, str] | None = None
) -> list[tuple[str, str, int]]:
    """The rows that add `delta` (name -> papers gained, or lost when negative); `keys`:
    names' keys already made."""
    keys = keys or {}
    return [(name, keys.get(name) or name_key(name), n) for name, n in sorted(delta.items()) if n]
