"""The store's reading lists (schema version 11): lists a group shares (papers for the next
group meeting, say), each paper with a note and who added it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperboy.store.base import Store


class ReadingListError(ValueError):
    """A change to the reading lists that cannot be made; the message says why."""


@dataclass(frozen=True, slots=True)
class ListedPaper:
    arxiv_id: str
    note: str
    added_by: str | None  # the member's name; None once they are removed (or no accounts)
    added: str


@dataclass(frozen=True, slots=True)
class ReadingList:
    id: int
    name: str
    created_by: str | None
    created: str
    papers: tuple[ListedPaper, ...]


@dataclass(frozen=True, slots=True)
class ReadingListSummary:
    name: str
    created_by: str | None
    created: str
    papers: int


def _now() -> str:
    """To the microsecond: a list keeps its papers in the order they were added."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


class ReadingListTables:
    """Reads and writes of the reading-list tables."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn = store.conn

    def create(self, name: str, by: int | None) -> int:
        if self._id(name) is not None:
            raise ReadingListError(f"there is already a reading list named {name!r}")
        with self.store.transaction():
            row = self.conn.execute(
                "INSERT INTO reading_lists (name, created_by, created) VALUES (?, ?, ?) "
                "RETURNING id",
                (name, by, _now()),
            ).fetchone()
        return int(row[0])

    def remove(self, name: str) -> bool:
        with self.store.transaction():
            cur = self.conn.execute("DELETE FROM reading_lists WHERE name = ?", (name,))
        return cur.rowcount > 0

    def summaries(self) -> list[ReadingListSummary]:
        rows = self.conn.execute(
            "SELECT l.name, u.name, l.created, "
            "(SELECT count(*) FROM reading_list_papers WHERE list = l.id) "
            "FROM reading_lists l LEFT JOIN users u ON u.id = l.created_by ORDER BY l.name"
        )
        return [ReadingListSummary(*row) for row in rows]

    def get(self, name: str) -> ReadingList | None:
        row = self.conn.execute(
            "SELECT l.id, l.name, u.name, l.created FROM reading_lists l "
            "LEFT JOIN users u ON u.id = l.created_by WHERE l.name = ?",
            (name,),
        ).fetchone()
        if row is None:
            return None
        papers = self.conn.execute(
            "SELECT e.arxiv_id, e.note, u.name, e.added FROM reading_list_papers e "
            "LEFT JOIN users u ON u.id = e.added_by WHERE e.list = ? ORDER BY e.added, "
            "e.arxiv_id",
            (row[0],),
        )
        return ReadingList(row[0], row[1], row[2], row[3], tuple(ListedPaper(*p) for p in papers))

    def add(self, name: str, arxiv_id: str, note: str, by: int | None) -> bool:
        """Put a paper on the list (True), or give the paper already there this note (False)."""
        list_id = self._existing(name)
        with self.store.transaction():
            cur = self.conn.execute(
                "INSERT INTO reading_list_papers (list, arxiv_id, note, added_by, added) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (list_id, arxiv_id, note, by, _now()),
            )
            if cur.rowcount == 0:
                self.conn.execute(
                    "UPDATE reading_list_papers SET note = ? WHERE list = ? AND arxiv_id = ?",
                    (note, list_id, arxiv_id),
                )
        return cur.rowcount > 0

    def take_off(self, name: str, arxiv_id: str) -> bool:
        list_id = self._existing(name)
        with self.store.transaction():
            cur = self.conn.execute(
                "DELETE FROM reading_list_papers WHERE list = ? AND arxiv_id = ?",
                (list_id, arxiv_id),
            )
        return cur.rowcount > 0

    def _id(self, name: str) -> int | None:
        row = self.conn.execute("SELECT id FROM reading_lists WHERE name = ?", (name,)).fetchone()
        return None if row is None else int(row[0])

    def _existing(self, name: str) -> int:
        found = self._id(name)
        if found is None:
            raise ReadingListError(f"no reading list named {name!r}")
        return found
