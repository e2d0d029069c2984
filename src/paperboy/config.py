"""Settings from the environment, with defaults under the user's data directory."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

DEFAULT_CATEGORY = "cs.CV"


def data_dir() -> Path:
    return Path(user_data_dir("paperboy", appauthor=False))


def archive_dir() -> Path:
    """Where `paperboy update` writes the digest archive: PAPERBOY_ARCHIVE or <data dir>/archive."""
    env = os.environ.get("PAPERBOY_ARCHIVE")
    return Path(env) if env else data_dir() / "archive"


def categories() -> list[str]:
    """The categories `paperboy update` keeps: PAPERBOY_CATEGORIES (comma-separated) or cs.CV."""
    env = os.environ.get("PAPERBOY_CATEGORIES", "")
    cats = [c.strip() for c in env.split(",") if c.strip()]
    return cats or [DEFAULT_CATEGORY]


def base_url(default: str = "http://127.0.0.1:8000") -> str:
    """Where the web reader is reached, for the absolute links of its feeds:
    PAPERBOY_BASE_URL or `default`. Never taken from a request's Host header."""
    return os.environ.get("PAPERBOY_BASE_URL", "").strip() or default


def holidays_file() -> Path:
    """The user's own holiday table, extending the packaged one: $PAPERBOY_HOLIDAYS, or
    holidays.txt in paperboy's data directory."""
    env = os.environ.get("PAPERBOY_HOLIDAYS")
    return Path(env) if env else data_dir() / "holidays.txt"


def sample_dir() -> Path:
    """The small real sample shipped inside the package (see data/SAMPLE-NOTICE.md)."""
    return Path(__file__).parent / "data" / "sample"
