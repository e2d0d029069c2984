"""The store's profile tables (schema version 7): profiles, their libraries, followed authors,
weighted keywords, categories, and the marks a reader puts on papers (saved, hidden).

Every write runs in `store.transaction()` (a savepoint inside the caller's transaction), so a
profile and everything added to it with it are written together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from paperboy import config
from paperboy.store.fts import TITLE_TOKEN

if TYPE_CHECKING:
    from paperboy.store.base import Store

Mark = Literal["saved", "hidden"]
MARKS: tuple[Mark, ...] = ("saved", "hidden")
SAVED_ORIGIN = "saved"  # the origin of a library paper added by saving it


@dataclass(frozen=True, slots=True)
class LibraryPaper:
    arxiv_id: str
    added: str
    origin: str  # 'ids:FILE', 'bib:FILE', 'saved'


@dataclass(frozen=True, slots=True)
class Keyword:
    term: str
    weight: float  # negative: papers with the term go down


@dataclass(frozen=True, slots=True)
class PaperMark:
    arxiv_id: str
    mark: Mark
    at: str


@dataclass(frozen=True, slots=True)
class Profile:
    """Everything a ranker needs of one profile."""

    id: int
    name: str
    created: str
    library: tuple[LibraryPaper, ...]
    authors: tuple[str, ...]
    keywords: tuple[Keyword, ...]
    categories: tuple[str, ...]
    marks: tuple[PaperMark, ...]
    email: str | None = None  # where `update` sends the daily digest, if anywhere
    owner: int | None = None  # the member it belongs to (a lab's store); None: no accounts

    @property
    def category(self) -> str:
        """The category whose listings are ranked for it: its first, else paperboy's default."""
        return self.categories[0] if self.categories else config.DEFAULT_CATEGORY

    @property
    def library_ids(self) -> list[str]:
        return [p.arxiv_id for p in self.library]

    @property
    def saved(self) -> set[str]:
        return {m.arxiv_id for m in self.marks if m.mark == "saved"}

    @property
    def hidden(self) -> set[str]:
        return {m.arxiv_id for m in self.marks if m.mark == "hidden"}


@dataclass(frozen=True, slots=True)
class ProfileSummary:
    """A line of `paperboy profile list`."""

    name: str
    created: str
    papers: int
    authors: int
    keywords: int
    categories: int
    marks: int
    owner: str | None = None  # the member's name


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for at in range(0, len(items), size):
        yield items[at : at + size]


class ProfileTables:
    """Reads and writes of the profile tables."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn = store.conn

    # ------------------------------------------------------------ profiles

    def id_of(self, name: str) -> int | None:
        row = self.conn.execute("SELECT id FROM profiles WHERE name = ?", (name,)).fetchone()
        return None if row is None else int(row[0])

    def ensure(self, name: str, owner: int | None = None) -> tuple[int, bool]:
        """The profile's id, and whether it was created now (for `owner`, when given)."""
        found = self.id_of(name)
        if found is not None:
            return found, False
        with self.store.transaction():
            row = self.conn.execute(
                "INSERT INTO profiles (name, created, owner) VALUES (?, ?, ?) RETURNING id",
                (name, _now(), owner),
            ).fetchone()
        return int(row[0]), True

    def set_owner(self, profile: int, owner: int | None) -> None:
        """Give the profile to a member (None: to nobody, as in a store without accounts)."""
        with self.store.transaction():
            self.conn.execute("UPDATE profiles SET owner = ? WHERE id = ?", (owner, profile))

    def set_email(self, profile: int, address: str | None) -> None:
        """Send this profile's daily digest to `address` (None: to nobody)."""
        with self.store.transaction():
            self.conn.execute("UPDATE profiles SET email = ? WHERE id = ?", (address, profile))

    def emailed(self) -> list[str]:
        """The names of the profiles that have an address for their digest."""
        rows = self.conn.execute("SELECT name FROM profiles WHERE email IS NOT NULL ORDER BY name")
        return [r[0] for r in rows]

    def remove(self, name: str) -> bool:
        """Remove a profile and, by cascade, all it owns; False if there was none."""
        with self.store.transaction():
            cur = self.conn.execute("DELETE FROM profiles WHERE name = ?", (name,))
        return cur.rowcount > 0

    def get(self, name: str) -> Profile | None:
        row = self.conn.execute(
            "SELECT id, name, created, email, owner FROM profiles WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            return None
        pid = int(row[0])
        return Profile(
            id=pid,
            name=row[1],
            created=row[2],
            library=tuple(self.papers(pid)),
            authors=tuple(self.authors(pid)),
            keywords=tuple(self.keywords(pid)),
            categories=tuple(self.categories(pid)),
            marks=tuple(self.marks(pid)),
            email=row[3],
            owner=row[4],
        )

    def summaries(self, owner: int | None = None) -> list[ProfileSummary]:
        """Every profile, or only those of the member `owner`."""
        where, args = ("WHERE p.owner = ?", [owner]) if owner is not None else ("", [])
        rows = self.conn.execute(
            "SELECT p.name, p.created, "
            "(SELECT count(*) FROM profile_papers WHERE profile = p.id), "
            "(SELECT count(*) FROM profile_authors WHERE profile = p.id), "
            "(SELECT count(*) FROM profile_keywords WHERE profile = p.id), "
            "(SELECT count(*) FROM profile_categories WHERE profile = p.id), "
            "(SELECT count(*) FROM paper_marks WHERE profile = p.id), u.name "
            f"FROM profiles p LEFT JOIN users u ON u.id = p.owner {where} ORDER BY p.name",
            args,
        )
        return [ProfileSummary(*row) for row in rows]

    # ------------------------------------------------------------ library

    def add_papers(self, profile: int, papers: Iterable[tuple[str, str]]) -> list[str]:
        """Add (arxiv_id, origin) pairs; the ids that were not in the library before."""
        added: list[str] = []
        at = _now()
        with self.store.transaction():
            for arxiv_id, origin in papers:
                cur = self.conn.execute(
                    "INSERT INTO profile_papers (profile, arxiv_id, added, origin) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (profile, arxiv_id, at, origin),
                )
                if cur.rowcount:
                    added.append(arxiv_id)
        return added

    def remove_papers(self, profile: int, arxiv_ids: Iterable[str]) -> int:
        with self.store.transaction():
            cur = self.conn.executemany(
                "DELETE FROM profile_papers WHERE profile = ? AND arxiv_id = ?",
                [(profile, i) for i in arxiv_ids],
            )
        return cur.rowcount

    def papers(self, profile: int) -> list[LibraryPaper]:
        rows = self.conn.execute(
            "SELECT arxiv_id, added, origin FROM profile_papers WHERE profile = ? "
            "ORDER BY added, arxiv_id",
            (profile,),
        )
        return [LibraryPaper(*row) for row in rows]

    # ------------------------------------------------------------ authors

    def add_authors(self, profile: int, names: Iterable[str]) -> list[str]:
        """Follow these authors; the names not followed before."""
        added: list[str] = []
        with self.store.transaction():
            for name in names:
                cur = self.conn.execute(
                    "INSERT INTO profile_authors (profile, name) VALUES (?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (profile, name),
                )
                if cur.rowcount:
                    added.append(name)
        return added

    def remove_authors(self, profile: int, names: Iterable[str]) -> int:
        with self.store.transaction():
            cur = self.conn.executemany(
                "DELETE FROM profile_authors WHERE profile = ? AND name = ?",
                [(profile, n) for n in names],
            )
        return cur.rowcount

    def authors(self, profile: int) -> list[str]:
        rows = self.conn.execute(
            "SELECT name FROM profile_authors WHERE profile = ? ORDER BY name", (profile,)
        )
        return [r[0] for r in rows]

    # ------------------------------------------------------------ keywords

    def set_keywords(self, profile: int, keywords: Iterable[Keyword]) -> None:
        """Add keywords; a term already there takes the new weight."""
        with self.store.transaction():
            self.conn.executemany(
                "INSERT INTO profile_keywords (profile, term, weight) VALUES (?, ?, ?) "
                "ON CONFLICT (profile, term) DO UPDATE SET weight = excluded.weight",
                [(profile, k.term, k.weight) for k in keywords],
            )

    def remove_keywords(self, profile: int, terms: Iterable[str]) -> int:
        with self.store.transaction():
            cur = self.conn.executemany(
                "DELETE FROM profile_keywords WHERE profile = ? AND term = ?",
                [(profile, t) for t in terms],
            )
        return cur.rowcount

    def keywords(self, profile: int) -> list[Keyword]:
        rows = self.conn.execute(
            "SELECT term, weight FROM profile_keywords WHERE profile = ? ORDER BY term",
            (profile,),
        )
        return [Keyword(t, float(w)) for t, w in rows]

    # ------------------------------------------------------------ categories

    def add_categories(self, profile: int, categories: Iterable[str]) -> list[str]:
        added: list[str] = []
        with self.store.transaction():
            for category in categories:
                cur = self.conn.execute(
                    "INSERT INTO profile_categories (profile, category) VALUES (?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (profile, category),
                )
                if cur.rowcount:
                    added.append(category)
        return added

    def remove_categories(self, profile: int, categories: Iterable[str]) -> int:
        with self.store.transaction():
            cur = self.conn.executemany(
                "DELETE FROM profile_categories WHERE profile = ? AND category = ?",
                [(profile, c) for c in categories],
            )
        return cur.rowcount

    def categories(self, profile: int) -> list[str]:
        rows = self.conn.execute(
            "SELECT category FROM profile_categories WHERE profile = ? ORDER BY category",
            (profile,),
        )
        return [r[0] for r in rows]

    # ------------------------------------------------------------ marks

    def mark(self, profile: int, arxiv_id: str, mark: Mark) -> None:
        """Save or hide a paper. A saved paper joins the library (origin 'saved'); hiding a
        paper that only saving had put there takes it out again."""
        if mark not in MARKS:
            raise ValueError(f"a mark is one of {', '.join(MARKS)}, not {mark!r}")
        with self.store.transaction():
            self.conn.execute(
                "INSERT INTO paper_marks (profile, arxiv_id, mark, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (profile, arxiv_id) DO UPDATE SET mark = excluded.mark, "
                "at = excluded.at",
                (profile, arxiv_id, mark, _now()),
            )
            if mark == "saved":
                self.add_papers(profile, [(arxiv_id, SAVED_ORIGIN)])
            else:
                self._drop_saved(profile, arxiv_id)

    def unmark(self, profile: int, arxiv_id: str) -> bool:
        """Take a mark off (and the library entry that saving alone had made)."""
        with self.store.transaction():
            cur = self.conn.execute(
                "DELETE FROM paper_marks WHERE profile = ? AND arxiv_id = ?", (profile, arxiv_id)
            )
            self._drop_saved(profile, arxiv_id)
        return cur.rowcount > 0

    def _drop_saved(self, profile: int, arxiv_id: str) -> None:
        self.conn.execute(
            "DELETE FROM profile_papers WHERE profile = ? AND arxiv_id = ? AND origin = ?",
            (profile, arxiv_id, SAVED_ORIGIN),
        )

    def marks(self, profile: int) -> list[PaperMark]:
        rows = self.conn.execute(
            "SELECT arxiv_id, mark, at FROM paper_marks WHERE profile = ? ORDER BY at, arxiv_id",
            (profile,),
        )
        return [PaperMark(*row) for row in rows]

    # ------------------------------------------------------------ papers, for matching

    def stored(self, arxiv_ids: Sequence[str]) -> set[str]:
        """Those of the ids whose papers the store holds."""
        found: set[str] = set()
        for part in _chunks(arxiv_ids):
            rows = self.conn.execute(
                f"SELECT arxiv_id FROM papers WHERE arxiv_id IN ({', '.join('?' * len(part))})",
                list(part),
            )
            found.update(r[0] for r in rows)
        return found

    def with_dois(self, dois: Sequence[str]) -> dict[str, list[str]]:
        """Lower-cased DOI -> the ids of the stored papers that carry it (a journal's DOI
        that arXiv records for the published version)."""
        found: dict[str, list[str]] = {}
        for part in _chunks([d.lower() for d in dois]):
            rows = self.conn.execute(
                "SELECT lower(doi), arxiv_id FROM papers WHERE doi IS NOT NULL AND lower(doi) "
                f"IN ({', '.join('?' * len(part))}) ORDER BY arxiv_id",
                list(part),
            )
            for doi, arxiv_id in rows:
                found.setdefault(doi, []).append(arxiv_id)
        return found

    def titled(self, words: str, limit: int = 500) -> list[tuple[str, str]]:
        """(arxiv_id, title) of the papers whose titles hold every one of these words, found
        by the full-text index; the caller compares the titles exactly."""
        tokens = sorted(set(TITLE_TOKEN.findall(words.lower())))
        if not tokens:
            return []
        return self.store.text.titled(tokens, limit)
