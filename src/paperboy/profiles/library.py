"""A profile's library from what people have: a text file of arXiv ids or URLs, or a BibTeX
export of their reference manager (`paperboy.profiles.bib`), matched to the store's papers.

Ids whose papers the store does not hold yet stay in the library (a later harvest may bring
them) and are reported; entries with no id that no stored title matches are reported with
the reason.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from paperboy.ids import parse_id, parse_ref
from paperboy.latex import to_unicode
from paperboy.store import Store


class LibraryError(ValueError):
    """A library file that cannot be read or parsed; the message names the file."""


@dataclass(frozen=True, slots=True)
class Found:
    """A library paper: its id, how it was found, and where in the file."""

    arxiv_id: str
    how: str  # 'id', 'eprint', 'url', 'doi', 'journal', 'note', 'title', …
    where: str  # 'line 3', or the BibTeX entry's key
    in_store: bool = True


@dataclass(frozen=True, slots=True)
class Unmatched:
    where: str
    text: str  # the line, or the entry's title
    why: str


@dataclass(slots=True)
class LibraryRead:
    """What one file gave: the papers found, and what could not be matched."""

    path: Path
    kind: str  # 'ids' or 'bib'
    items: int = 0  # lines with something on them, or BibTeX entries
    found: list[Found] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)

    label: str | None = None  # what the origin names instead of the path (an upload's name)

    @property
    def origin(self) -> str:
        return f"{self.kind}:{self.label or self.path.resolve()}"

    @property
    def missing(self) -> list[Found]:
        """Papers found by id that the store does not hold (kept in the library)."""
        return [f for f in self.found if not f.in_store]


# Where an id can follow in free text: an arXiv URL, arXiv's DOI, or "arXiv:" / "arXiv ".
_AFTER = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|10\.48550/arxiv\.|\barxiv\s*:?\s*)([\w./-]+)", re.IGNORECASE
)


def id_in(text: str) -> str | None:
    """The bare arXiv id `text` holds: the whole of it as pasted (parse_ref), or an id after
    an arXiv URL, arXiv's DOI prefix or an "arXiv:" label somewhere in it."""
    ref = parse_ref(text)
    if ref is not None:
        return ref.arxiv_id
    for m in _AFTER.finditer(text):
        token = m[1].rstrip("./")
        token = token.removesuffix(".pdf")
        found = parse_id(token)
        if found is not None:
            return found.arxiv_id
    return None


def read_text(path: Path) -> str:
    """A file's text; LibraryError naming the file (and line) when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LibraryError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LibraryError(f"{path} line {line}: not UTF-8 text") from None


def read_ids_file(store: Store, path: Path) -> LibraryRead:
    """A text file of arXiv ids or URLs, one a line; `#` starts a comment, blank lines skip."""
    read = LibraryRead(path, "ids")
    for number, raw in enumerate(read_text(path).splitlines(), start=1):
        line = _uncommented(raw)
        if not line:
            continue
        read.items += 1
        found = id_in(line) or id_in(line.split()[0])
        if found is None:
            read.unmatched.append(Unmatched(f"line {number}", line, "not an arXiv id or URL"))
        else:
            read.found.append(Found(found, "id", f"line {number}"))
    return with_store_status(store, read)


def _uncommented(line: str) -> str:
    """The line without its comment: `#` at its start or after a space (a URL may hold one)."""
    m = re.search(r"(?:^|\s)#", line)
    return (line[: m.start()] if m else line).strip()


def with_store_status(store: Store, read: LibraryRead) -> LibraryRead:
    """The read with each found paper marked as held by the store or not."""
    held = store.profiles.stored(sorted({f.arxiv_id for f in read.found}))
    read.found = [Found(f.arxiv_id, f.how, f.where, f.arxiv_id in held) for f in read.found]
    return read


# ---------------------------------------------------------------- titles


def title_key(title: str) -> str:
    """A title as compared for an exact match: LaTeX read as Unicode, accents, case, braces
    and punctuation dropped ("{Swin} {Transformer}: ..." and "Swin transformer: ..." agree)."""
    # Braces group, they do not separate: "{T}ransformer" is one word.
    text = to_unicode(title).replace("{", "").replace("}", "")
    return " ".join(re.findall(r"\w+", _folded(text)))


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def match_title(store: Store, title: str) -> tuple[str | None, str]:
    """The stored paper whose title is exactly `title` (normalised), or None and why not."""
    key = title_key(title)
    if not key:
        return None, "it has no title and no arXiv id"
    # Only words that both readings make, LaTeX read and as the index tokenises the text
    # (C$^3$ reads 'c3' but is indexed as 'c', '3'; {T}ransformer as 't', 'ransformer'), so
    # the index is never asked for a word that only one reading makes.
    raw = set(re.findall(r"\w+", _folded(title)))
    words = [w for w in key.split() if w in raw]
    same = sorted({a for a, t in store.profiles.titled(" ".join(words)) if title_key(t) == key})
    if len(same) == 1:
        return same[0], ""
    if same:
        return None, f"its title matches {len(same)} papers in the store ({', '.join(same)})"
    return None, "no arXiv id in it, and no paper in the store has this title"
