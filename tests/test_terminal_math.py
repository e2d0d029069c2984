"""LaTeX reads as Unicode in the terminal (issue 10, item 6): `paperboy search` and
`paperboy listing` print $C^3$ as C³; JSON keeps the stored text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperboy.cli import app
from paperboy.importer import import_paths
from paperboy.store import open_store

MATH_ID = "2106.08914"  # "$C^3$: Compositional Counterfactual Contrastive Learning ..."


@pytest.fixture(scope="module")
def june(tmp_path_factory: pytest.TempPathFactory, data_2021: Path) -> Path:
    tmp = tmp_path_factory.mktemp("june")
    shutil.copytree(data_2021 / "cs.CV/2021/06", tmp / "files/cs.CV/2021/06")
    db = tmp / "june.sqlite3"
    with open_store(db) as store:
        import_paths(store, [tmp / "files"])
    return db


def cli(db: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_paper_and_a_listing_print_math_as_unicode(june: Path) -> None:
    with open_store(june) as store:
        paper = store.get(MATH_ID)
        assert paper is not None and paper.title.startswith("$C^3$:")
        day = next(v.announced for v in store.versions(MATH_ID) if v.number == 1)
    shown = cli(june, "search", MATH_ID)
    assert "C³: Compositional Counterfactual" in shown and "$C^3$" not in shown
    listed = cli(june, "listing", "--date", str(day))
    line = next(x for x in listed.splitlines() if MATH_ID in x)
    assert "C³: Compositional" in line and "$" not in line
    raw = json.loads(cli(june, "search", MATH_ID, "--json"))
    assert raw["hits"][0]["paper"]["title"] == paper.title  # data stays as stored
