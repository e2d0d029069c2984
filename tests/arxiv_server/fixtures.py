"""pytest fixtures for the local arXiv; import them into a conftest with `import *`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

import pytest

from arxiv_server.data import load_month
from arxiv_server.server import ArxivServer
from paperboy.record import Paper

__all__ = [
    "ServerFactory",
    "arxiv_server",
    "folded_arxiv_server",
    "june_2021",
    "make_arxiv_server",
]

MONTH = (2021, 6)  # one month keeps the suite fast; June 2021 has 1616 papers


@pytest.fixture(scope="session")
def june_2021(data_2021: Path) -> list[Paper]:
    """The papers of ../shared/data/cvpapers-2021 for June 2021, in file order."""
    return load_month(data_2021, *MONTH)


@pytest.fixture
def arxiv_server(june_2021: list[Paper]) -> Iterator[ArxivServer]:
    """A running local arXiv serving June 2021 (2026-style, unfolded text)."""
    with ArxivServer(june_2021) as server:
        yield server


@pytest.fixture
def folded_arxiv_server(june_2021: list[Paper]) -> Iterator[ArxivServer]:
    """The same, with titles and abstracts hard-wrapped as arXiv served them before 2025."""
    with ArxivServer(june_2021, fold=True) as server:
        yield server


class ServerFactory(Protocol):
    """The type of the `make_arxiv_server` fixture."""

    def __call__(
        self,
        papers: Sequence[Paper],
        *,
        fold: bool = False,
        oai_page_size: int = 1000,
        now: datetime | None = None,
    ) -> ArxivServer: ...


@pytest.fixture
def make_arxiv_server() -> Iterator[ServerFactory]:
    """make_arxiv_server(papers, fold=, oai_page_size=, now=) -> a started server.

    Every server it made is stopped after the test.
    """
    started: list[ArxivServer] = []

    def make(
        papers: Sequence[Paper],
        *,
        fold: bool = False,
        oai_page_size: int = 1000,
        now: datetime | None = None,
    ) -> ArxivServer:
        clock = (lambda: now) if now is not None else None
        server = ArxivServer(papers, fold=fold, oai_page_size=oai_page_size, now=clock)
        started.append(server.start())
        return server

    yield make
    for server in started:
        server.stop()
