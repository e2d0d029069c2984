"""The venue a paper's comment names: "Accepted to CVPR 2024", "NeurIPS 2023 spotlight",
"ICCV'21", "Accepted by IEEE TPAMI", "CVPR 2022 Workshop on …".

The venues are data (data/venues.tsv: name, type, aliases). A comment names a venue when one
of its sentences mentions an alias, unless that sentence says the paper is only submitted
there or extends an earlier paper published there ("Extension of our CVPR 2019 paper").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

KINDS = ("workshop", "challenge", "oral", "spotlight", "poster")


@dataclass(frozen=True, slots=True)
class Venue:
    """A venue as a comment names it: `kind` is the track or presentation when it says one."""

    name: str  # the table's short name: "CVPR", "TPAMI", "ACM MM"
    year: int | None
    kind: str | None = None  # one of KINDS

    @property
    def main(self) -> bool:
        """True for the main conference or journal, False for its workshops and challenges."""
        return self.kind not in ("workshop", "challenge")

    @property
    def tag(self) -> str:
        """A short label to filter by: "CVPR 2024", "CVPR 2022 workshop", "TPAMI"."""
        parts = [self.name, str(self.year) if self.year else "", "" if self.main else self.kind]
        return " ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    type: str  # conference | journal | workshop | ignore (a name holding an alias)


@cache
def _table() -> tuple[re.Pattern[str], dict[str, _Entry]]:
    """One pattern of every alias, longest first, and what each alias names."""
    names: dict[str, _Entry] = {}
    text = resources.files("paperboy").joinpath("data/venues.tsv").read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise ValueError(f"venues.tsv line {number}: want name, type, aliases: {line!r}")
        entry = _Entry(fields[0], fields[1])
        for alias in fields[2].split("|"):
            names[_key(alias)] = entry
            if entry.type == "conference" and re.fullmatch(r"[A-Z0-9]+", alias):
                names[alias + "W"] = _Entry(entry.name, "workshop")
    aliases = sorted(names, key=len, reverse=True)
    alternatives = "|".join(_alias_pattern(a) for a in aliases)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![A-Za-z])"), names


def _key(alias: str) -> str:
    """What an alias and every text it matches have in common."""
    return " ".join(w.lower() if w.lower() in _SMALL_WORDS else w for w in alias.split())


def _alias_pattern(alias: str) -> str:
    """An alias as a pattern: exact, but its small words in any case ("Transactions ON …")
    and any run of spaces for a space (comments keep arXiv's line breaks)."""
    words = [
        f"(?i:{word})" if word.lower() in _SMALL_WORDS else re.escape(word)
        for word in alias.split(" ")
    ]
    return r"\s+".join(words)


_SMALL_WORDS = frozenset({"on", "of", "and", "for", "in", "the", "with"})
_SENTENCE = re.compile(r"(?<=[.;!?])\s+(?=\S)|(?<=\S)\s*\n\s*\n")
# Said of another version of the work, or of where it only hopes to appear.
_NOT_HERE = re.compile(
    r"\b(?:submitted|submission|under review|in review|rejected|extension of|extends|"
    r"extended (?:version|paper) of|journal version of|builds? on|text overlap|previous|"
    r"preliminary version|earlier version|conference version|supersedes|under consideration|"
    r"to be submitted|will be submitted|planned)\b",
    re.IGNORECASE,
)
# After the name: a dash or an acronym in brackets may come first ("(ICRA) 2021", "(ICCV'21)").
_YEAR_AFTER = re.compile(
    r"\s?[-‐–]?\s?(?:\([A-Za-z -]{0,40}\)?\s?)?(?:((?:19|20)\d\d)|['’](\d\d)|(\d\d))(?!\d)"
)
_YEAR_NEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_KIND_WORDS = {
    "workshop": re.compile(r"\bworkshops?\b", re.IGNORECASE),
    "challenge": re.compile(r"\b(?:challenges?|competitions?)\b", re.IGNORECASE),
    "oral": re.compile(r"\boral\b", re.IGNORECASE),
    "spotlight": re.compile(r"\bspotlight\b", re.IGNORECASE),
    "poster": re.compile(r"\bposter\b", re.IGNORECASE),
}


def venue_of(comment: str | None) -> Venue | None:
    """The venue the comment says this paper appears at, or None when it names none."""
    if not comment:
        return None
    pattern, names = _table()
    for sentence in _SENTENCE.split(" ".join(comment.split())):
        m = next(
            (m for m in pattern.finditer(sentence) if names[_key(m.group())].type != "ignore"), None
        )
        if m is None or _NOT_HERE.search(sentence, 0, m.start()):
            continue
        entry = names[_key(m.group())]
        kind = "workshop" if entry.type == "workshop" else _kind(sentence)
        return Venue(entry.name, _year(sentence, m), kind)
    return None


def _year(sentence: str, m: re.Match[str]) -> int | None:
    """The year right after the name ("CVPR 2021", "ICCV'21", "ICMR2021", "(ICRA) 2021"),
    else the nearest one in the sentence ("2021 IEEE International Conference on …")."""
    after = _YEAR_AFTER.match(sentence, m.end())
    if after is not None:
        full, short, glued = after.groups()
        if full:
            return int(full)
        if short or (glued and after.start(3) == m.end()):
            return 2000 + int(short or glued)
    years = [(abs(y.start() - m.start()), int(y.group(1))) for y in _YEAR_NEAR.finditer(sentence)]
    return min(years)[1] if years else None


def _kind(sentence: str) -> str | None:
    return next((kind for kind in KINDS if _KIND_WORDS[kind].search(sentence)), None)
