"""Helpers of the vector tests."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_store(source: Path, target: Path) -> Path:
    """A copy of a closed store (and any WAL beside it) that a test may change."""
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")
    return target
