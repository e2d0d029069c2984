"""The store's vector tables (schema versions 6 and 9): spaces (each with its model and
papers per term in tables of their own), and one vector per paper in each.

Vectors travel as bytes (float32, little-endian); `paperboy.vectors` turns them into arrays.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperboy.store.base import Store


@dataclass(frozen=True, slots=True)
class Space:
    id: int
    format: int
    dims: int
    fitted_on: int  # papers in the store when the model was fitted
    changes: int  # writes to its vectors so far: with the store id, names these vectors


@dataclass(frozen=True, slots=True)
class PaperText:
    rowid: int
    arxiv_id: str
    title: str
    abstract: str


class VectorTables:
    """Reads and writes of the vector tables. Writes happen inside `store.transaction()`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn = store.conn

    def active(self) -> Space | None:
        row = self.conn.execute(
            "SELECT id, format, dims, fitted_on, changes FROM vector_spaces WHERE active = 1"
        ).fetchone()
        return Space(*row) if row else None

    def model(self, space: int) -> bytes:
        """The space's fitted model (tens of MB: read only when text is to be projected)."""
        row = self.conn.execute("SELECT model FROM vector_models WHERE space = ?", (space,))
        return bytes(row.fetchone()[0])

    def create(self, format: int, dims: int, fitted_on: int, model: bytes) -> int:
        """A new, inactive space; its vectors are added before `activate` switches to it."""
        space = int(
            self.conn.execute(
                "INSERT INTO vector_spaces (format, dims, fitted_on, created) "
                "VALUES (?, ?, ?, ?) RETURNING id",
                (format, dims, fitted_on, datetime.now(UTC).isoformat(timespec="seconds")),
            ).fetchone()[0]
        )
        self.conn.execute("INSERT INTO vector_models (space, model) VALUES (?, ?)", (space, model))
        return space

    def store_id(self) -> str:
        """The store's random id (schema 6): a file beside the store names it."""
        row = self.conn.execute("SELECT value FROM state WHERE key = 'store_id'").fetchone()
        return str(row[0])

    def put(self, space: int, rows: Iterable[tuple[int, bytes, bytes]]) -> None:
        """(paper rowid, vector, terms) rows into `space`."""
        self.conn.executemany(
            "INSERT INTO paper_vectors (space, paper, vector, terms) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (space, paper) DO UPDATE SET vector = excluded.vector, "
            "terms = excluded.terms",
            ((space, rowid, vector, terms) for rowid, vector, terms in rows),
        )
        self.conn.execute("UPDATE vector_spaces SET changes = changes + 1 WHERE id = ?", (space,))

    def terms(self, space: int, rowids: Sequence[int]) -> dict[int, bytes]:
        """The stored term counts of the papers `rowids` that have them in `space`."""
        found: dict[int, bytes] = {}
        for at in range(0, len(rowids), 500):
            part = list(rowids[at : at + 500])
            rows = self.conn.execute(
                "SELECT paper, terms FROM paper_vectors WHERE space = ? AND paper IN "
                f"({', '.join('?' * len(part))})",
                [space, *part],
            )
            found.update((int(r), bytes(t)) for r, t in rows)
        return found

    def term_df(self, space: int) -> tuple[list[tuple[int, bytes]], int]:
        """The space's papers per term as written, (part, bytes) by part (none for a space
        written without them), and the number of papers they count."""
        parts = [
            (int(part), bytes(data))
            for part, data in self.conn.execute(
                "SELECT part, term_df FROM vector_term_df WHERE space = ? ORDER BY part",
                (space,),
            )
        ]
        row = self.conn.execute("SELECT term_papers FROM vector_spaces WHERE id = ?", (space,))
        found = row.fetchone()
        return parts, int(found[0]) if found else 0

    def set_term_df(self, space: int, df: bytes, papers: int) -> None:
        """Papers per term counted afresh (part 0), replacing every part before."""
        self.conn.execute("DELETE FROM vector_term_df WHERE space = ?", (space,))
        self.conn.execute(
            "INSERT INTO vector_term_df (space, part, term_df) VALUES (?, 0, ?)", (space, df)
        )
        self.conn.execute("UPDATE vector_spaces SET term_papers = ? WHERE id = ?", (papers, space))

    def add_term_df(self, space: int, added: bytes, papers: int) -> int:
        """What `papers` more papers add to the space's papers per term, as a part of its
        own; the number of parts afterwards."""
        (last,) = self.conn.execute(
            "SELECT coalesce(max(part), 0) FROM vector_term_df WHERE space = ?", (space,)
        ).fetchone()
        self.conn.execute(
            "INSERT INTO vector_term_df (space, part, term_df) VALUES (?, ?, ?)",
            (space, int(last) + 1, added),
        )
        self.conn.execute(
            "UPDATE vector_spaces SET term_papers = term_papers + ? WHERE id = ?", (papers, space)
        )
        (parts,) = self.conn.execute(
            "SELECT count(*) FROM vector_term_df WHERE space = ?", (space,)
        ).fetchone()
        return int(parts)

    def activate(self, space: int) -> bool:
        """Make `space` the one in use and drop every other (their vectors with them); False
        (and nothing changed) when `space` is gone, removed by another `index` run."""
        if not self.conn.execute("SELECT 1 FROM vector_spaces WHERE id = ?", (space,)).fetchone():
            return False
        self.conn.execute(
            "UPDATE vector_spaces SET active = CASE WHEN id = ? THEN 1 ELSE 0 END", (space,)
        )
        self.drop_inactive()
        return True

    def drop_inactive(self) -> None:
        """Remove spaces not in use: what a killed rebuild left behind."""
        # One space at a time: with `IN (SELECT …)` SQLite scans every vector of the store.
        for (space,) in self.conn.execute(
            "SELECT id FROM vector_spaces WHERE active = 0"
        ).fetchall():
            self.conn.execute("DELETE FROM paper_vectors WHERE space = ?", (space,))
        self.conn.execute("DELETE FROM vector_spaces WHERE active = 0")

    def count(self, space: int) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM paper_vectors WHERE space = ?", (space,)
        ).fetchone()
        return int(row[0])

    def vectors(self, space: int, after: int = 0) -> Iterator[tuple[int, bytes]]:
        """(paper rowid, vector) for every paper of the space above rowid `after`, by rowid."""
        yield from self.store.stream(
            "SELECT paper, vector FROM paper_vectors WHERE space = ? AND paper > ? ORDER BY paper",
            (space, after),
        )

    def changes(self, space: int) -> int:
        (changes,) = self.conn.execute(
            "SELECT changes FROM vector_spaces WHERE id = ?", (space,)
        ).fetchone()
        return int(changes)

    def rows(self, space: int) -> Iterator[tuple[int, bytes, bytes]]:
        """(paper rowid, vector, term counts) of every paper of `space`, by rowid."""
        yield from self.store.stream(
            "SELECT paper, vector, terms FROM paper_vectors WHERE space = ? ORDER BY paper",
            (space,),
        )

    def snapshot(self, space: int, dims: int) -> tuple[int, array[int], bytearray]:
        """One consistent read of a space: its `changes`, its papers' rowids (ascending) and
        their vectors end to end (float32, `dims` each), in a single buffer."""
        with self.store.reading():
            changes = self.changes(space)
            size = dims * 4
            data = bytearray(self.count(space) * size)
            rowids: array[int] = array("q")
            at = 0
            for rowid, vector in self.vectors(space):
                rowids.append(rowid)
                data[at : at + size] = vector
                at += size
        return changes, rowids, data

    def texts(self, after: int = 0, limit: int = 10_000) -> list[PaperText]:
        """Papers' text in rowid order, `limit` at a time from above rowid `after`."""
        rows = self.conn.execute(
            "SELECT rowid, arxiv_id, title, abstract FROM papers WHERE rowid > ? "
            "ORDER BY rowid LIMIT ?",
            (after, limit),
        )
        return [PaperText(*row) for row in rows]

    def missing(self, space: int, after: int = 0, limit: int = 10_000) -> list[PaperText]:
        """Papers above rowid `after` without a vector in `space` (new, or whose text
        changed), in rowid order."""
        rows = self.conn.execute(
            "SELECT rowid, arxiv_id, title, abstract FROM papers p WHERE rowid > ? AND NOT "
            "EXISTS (SELECT 1 FROM paper_vectors v WHERE v.space = ? AND v.paper = p.rowid) "
            "ORDER BY rowid LIMIT ?",
            (after, space, limit),
        )
        return [PaperText(*row) for row in rows]

    def first_missing(self, space: int) -> int:
        """A rowid below which every paper has a vector in `space`: the space's highest when
        every paper without one is above it (new papers, the usual case), else 0 (a changed
        text dropped a vector below it). Spares `missing` a scan of the whole store."""
        (top,) = self.conn.execute(
            "SELECT coalesce(max(paper), 0) FROM paper_vectors WHERE space = ?", (space,)
        ).fetchone()
        (above,) = self.conn.execute(
            "SELECT count(*) FROM papers WHERE rowid > ?", (top,)
        ).fetchone()
        (total,) = self.conn.execute("SELECT count(*) FROM papers").fetchone()
        return int(top) if int(total) - self.count(space) == int(above) else 0

    def sample(self, rowids: Sequence[int]) -> list[PaperText]:
        """The text of the papers `rowids` (those that exist), in rowid order."""
        found: list[PaperText] = []
        for at in range(0, len(rowids), 500):
            part = list(rowids[at : at + 500])
            rows = self.conn.execute(
                "SELECT rowid, arxiv_id, title, abstract FROM papers WHERE rowid IN "
                f"({', '.join('?' * len(part))}) ORDER BY rowid",
                part,
            )
            found += [PaperText(*row) for row in rows]
        return found

    def paper_rowids(self) -> list[int]:
        """Every paper's rowid, ascending."""
        return [r for (r,) in self.conn.execute("SELECT rowid FROM papers ORDER BY rowid")]

    def rowids(self, arxiv_ids: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for at in range(0, len(arxiv_ids), 500):
            part = arxiv_ids[at : at + 500]
            rows = self.conn.execute(
                f"SELECT arxiv_id, rowid FROM papers WHERE arxiv_id IN "
                f"({', '.join('?' * len(part))})",
                part,
            )
            found.update(rows)
        return found

    def arxiv_ids(self, rowids: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for at in range(0, len(rowids), 500):
            part = list(rowids[at : at + 500])
            rows = self.conn.execute(
                f"SELECT rowid, arxiv_id FROM papers WHERE rowid IN ({', '.join('?' * len(part))})",
                part,
            )
            found.update(rows)
        return found
