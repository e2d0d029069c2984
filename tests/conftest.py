"""Shared test fixtures: where ../shared is, and fresh stores in temporary directories."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA_2021 = SHARED / "data" / "cvpapers-2021"
SEEDS = SHARED / "seeds"


def shared_path(*parts: str) -> Path:
    """A path under ../shared; fails the test with a clear message when ../shared is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(
            f"{path} is missing: these tests read the project's shared data from ../shared "
            "(a folder beside the checkout; CI always provides it)"
        )
    return path


@pytest.fixture(scope="session")
def data_2021() -> Path:
    return shared_path("data", "cvpapers-2021")


@pytest.fixture(scope="session")
def seeds() -> Path:
    return shared_path("seeds")


@pytest.fixture(scope="session")
def protocol() -> Path:
    return shared_path("arxiv-protocol")
