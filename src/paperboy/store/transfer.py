"""`paperboy copy`: a whole store moved from one engine to another, resumably, verified.

Both engines hold the same tables with the same columns and values (postgres_schema.py), so
rows move as they are, table by table in an order that respects the foreign keys. A large
table moves in batches ordered by its key, each batch one transaction in the target: a copy
killed at any moment resumes after the last batch the target holds (the target's largest
key says where). A small table moves in one transaction, or not at all. Each store keeps
its own identity (`store_id`), and the end compares every table's count in both stores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from paperboy.store.base import Store

BATCH = 5_000


class CopyError(RuntimeError):
    """The copy cannot start, or what arrived does not match what was sent."""


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...] = ()  # a large table's key, byte-ordered in both engines

    @property
    def batched(self) -> bool:
        return bool(self.key)


def _cols(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in text.split(","))


# In foreign-key order. Keys of batched tables are integers and byte-compared text only.
TABLES: tuple[Table, ...] = (
    Table(
        "papers",
        _cols(
            "rowid, arxiv_id, version, title, authors, categories, primary_category, "
            "published, updated, submitted_day, abstract, comment, journal_ref, doi, abs_url, "
            "pdf_url, position, source"
        ),
        ("rowid",),
    ),
    Table(
        "paper_categories",
        _cols("category, paper, is_primary, submitted_day"),
        ("category", "submitted_day", "paper"),
    ),
    Table(
        "versions",
        _cols("arxiv_id, number, submitted, announced, announced_how"),
        ("arxiv_id", "number"),
    ),
    Table(
        "listing_entries",
        _cols("category, day, position, arxiv_id, version, section, title, abstract, source"),
        ("category", "day", "position"),
    ),
    Table("harvest_windows", _cols('source, category, start, "end", papers, completed_at')),
    Table("users", _cols("id, name, password, role, feed_token, sessions, created")),
    Table("profiles", _cols("id, name, created, email, owner")),
    Table("profile_papers", _cols("profile, arxiv_id, added, origin")),
    Table("profile_authors", _cols("profile, name")),
    Table("profile_keywords", _cols("profile, term, weight")),
    Table("profile_categories", _cols("profile, category")),
    Table("paper_marks", _cols("profile, arxiv_id, mark, at")),
    Table(
        "deliveries",
        _cols("profile, category, day, address, state, message_id, at, error"),
    ),
    Table("reading_lists", _cols("id, name, created_by, created")),
    Table("reading_list_papers", _cols("list, arxiv_id, note, added_by, added")),
    Table(
        "vector_spaces",
        _cols("id, format, dims, fitted_on, created, active, changes, term_papers"),
    ),
    Table("vector_models", _cols("space, model")),
    Table("vector_term_df", _cols("space, part, term_df")),
    Table("paper_vectors", _cols("space, paper, vector, terms"), ("space", "paper")),
    # Last: what the versions' triggers marked while they arrived is replaced by the
    # source's own marks (and `state` without the source's identity).
    Table("undated_months", _cols("month")),
    Table("author_names", _cols("rowid, name, key, papers"), ("rowid",)),
    Table("state", _cols("key, value")),
)
_OWN = "store_id"  # a state key each store keeps for itself
_FROM = "copied_from"  # the target remembers its source, so a resumed copy can check


@dataclass(slots=True)
class CopyReport:
    tables: dict[str, int]  # rows per table, equal in both stores
    resumed: bool


Progress = Callable[[str, int, int], None]  # (table, rows copied so far, rows in all)


def copy_store(source: Store, target: Store, progress: Progress | None = None) -> CopyReport:
    """Copy every row of `source` into `target` (empty, or a copy of `source` that was
    interrupted), then check that every table holds as many rows in both."""
    resumed = _check_target(source, target)
    target.set_state(_FROM, _identity(source))
    for table in TABLES:
        total = source.table_count(table.name)
        if table.batched:
            _copy_batched(source, target, table, total, progress)
        else:
            _copy_whole(source, target, table)
            if progress is not None:
                progress(table.name, total, total)
    target.copied()
    counts = _verify(source, target)
    return CopyReport(counts, resumed)


def _identity(store: Store) -> str:
    return store.get_state(_OWN) or store.name


def _check_target(source: Store, target: Store) -> bool:
    """Whether the target is a copy of this source begun before; refuse any other store."""
    if _identity(source) == _identity(target):
        raise CopyError(f"{source.name} and {target.name} are the same store")
    began = target.get_state(_FROM)
    if began is not None:
        if began != _identity(source):
            raise CopyError(f"{target.name} is a copy of another store; copy into an empty one")
        return True
    held = [t.name for t in TABLES if t.name != "state" and target.table_count(t.name)]
    if held:
        raise CopyError(
            f"{target.name} is not empty (it holds {', '.join(held[:3])}); copy into an empty store"
        )
    return False


def _copy_batched(
    source: Store, target: Store, table: Table, total: int, progress: Progress | None
) -> None:
    after = target.last_key(table.name, table.key)
    done = target.table_count(table.name)
    while True:
        rows = source.table_rows(table.name, table.columns, table.key, after, BATCH)
        if not rows:
            return
        with target.transaction():
            target.put_rows(table.name, table.columns, rows)
        done += len(rows)
        after = tuple(rows[-1][table.columns.index(k)] for k in table.key)
        if progress is not None:
            progress(table.name, done, total)


def _copy_whole(source: Store, target: Store, table: Table) -> None:
    rows = source.table_rows(table.name, table.columns, (), None, None)
    if table.name == "state":
        rows = [r for r in rows if r[0] not in (_OWN, _FROM)]
    with target.transaction():
        if table.name == "state":
            kept = [(k, v) for k, v in target.table_rows("state", table.columns, (), None, None)]
            target.clear_table("state")
            rows += [r for r in kept if r[0] in (_OWN, _FROM)]
        else:
            target.clear_table(table.name)
        target.put_rows(table.name, table.columns, rows)


def _shared_state(store: Store) -> int:
    keys = store.table_rows("state", ("key",), (), None, None)
    return sum(1 for (key,) in keys if key not in (_OWN, _FROM))


def _verify(source: Store, target: Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in TABLES:
        sent, held = source.table_count(table.name), target.table_count(table.name)
        if table.name == "state":
            sent, held = _shared_state(source), _shared_state(target)
        if sent != held:
            raise CopyError(
                f"{table.name}: {sent} rows in {source.name} but {held} in {target.name}"
            )
        counts[table.name] = sent
    return counts
