"""The store: one small interface over SQLite (the embedded default)."""

from __future__ import annotations

import os
from pathlib import Path

from paperboy.config import data_dir
from paperboy.store.sqlite import (
    ListingEntry,
    SQLiteStore,
    StoreBusyError,
    UpsertResult,
    is_category,
)

__all__ = [
    "ListingEntry",
    "SQLiteStore",
    "StoreBusyError",
    "UpsertResult",
    "default_db_path",
    "is_category",
    "open_store",
]


def default_db_path() -> Path:
    """PAPERBOY_DB if set, else paperboy.sqlite3 under the user's data directory."""
    env = os.environ.get("PAPERBOY_DB")
    if env:
        return Path(env)
    return data_dir() / "paperboy.sqlite3"


def open_store(path: str | Path | None = None) -> SQLiteStore:
    return SQLiteStore(default_db_path() if path is None else path)
