"""arXiv's category taxonomy, shipped with the package (data/taxonomy.tsv).

Every place that takes a category from a person (the CLI, configuration, web URLs) checks it
here, so a typo is an error that names the nearest real categories instead of an empty
harvest recorded complete or an empty calendar written.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_TABLE = Path(__file__).parent / "data" / "taxonomy.tsv"


@dataclass(frozen=True, slots=True)
class Category:
    id: str  # cs.CV, hep-th, alg-geom
    name: str  # Computer Vision and Pattern Recognition
    active: bool  # False for archives arXiv closed (alg-geom became math.AG)
    alias_of: str | None  # cs.NA <-> math.NA, alg-geom -> math.AG


class UnknownCategory(ValueError):
    """A name that is not an arXiv category; the message suggests the nearest ones."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.suggestions = nearest(name)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"{name!r} is not an arXiv category{hint}")


@cache
def categories() -> dict[str, Category]:
    """Every category by id, in the table's order."""
    table: dict[str, Category] = {}
    for line in _TABLE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        cid, name, active, alias = line.split("\t")
        table[cid] = Category(cid, name, active == "1", alias or None)
    return table


def is_known_category(name: str) -> bool:
    return name in categories()


def nearest(name: str, limit: int = 3) -> list[str]:
    """The real categories closest to `name`: case first (cs.cv -> cs.CV), then spelling."""
    ids = list(categories())
    folded = [c for c in ids if c.lower() == name.lower()]
    by_spelling = difflib.get_close_matches(name, ids, n=limit, cutoff=0.6)
    if not by_spelling:  # 'foo', 'cs.XX': at least the archive's own categories, if any
        archive = name.split(".", 1)[0]
        by_spelling = [c for c in ids if c.split(".", 1)[0] == archive][:limit]
    return list(dict.fromkeys(folded + by_spelling))[:limit]


def check_category(name: str) -> str:
    """`name` itself when it is an arXiv category; UnknownCategory otherwise."""
    if not is_known_category(name):
        raise UnknownCategory(name)
    return name
