"""The 2021 archive read with paperboy's own collector-format reader, once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperboy.formats.collector import read_file
from paperboy.record import Paper


@pytest.fixture(scope="session")
def papers_2021(data_2021: Path) -> list[Paper]:
    """Every paper of ../shared/data/cvpapers-2021 (14,868), in day-file order."""
    papers: list[Paper] = []
    for path in sorted((data_2021 / "cs.CV").rglob("*.md")):
        papers.extend(read_file(path).papers)
    return papers
