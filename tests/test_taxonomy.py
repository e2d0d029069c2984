"""arXiv's taxonomy ships with the package; an unknown category or a reversed range is an error."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperboy import taxonomy
from paperboy.cli import app
from paperboy.formats import collector
from paperboy.store import is_category


def test_every_category_of_the_2021_data_is_in_the_taxonomy(data_2021: Path) -> None:
    seen: set[str] = set()
    for path in sorted(data_2021.rglob("2021*.md"))[::10]:
        for paper in collector.parse(path.read_text(encoding="utf-8"), path).papers:
            seen.update(c for c in paper.categories if is_category(c))
    assert len(seen) > 50  # cs.CV's cross-lists reach far: physics, biology, statistics
    assert sorted(c for c in seen if not taxonomy.is_known_category(c)) == []


def test_the_taxonomy_holds_arxiv_archives_old_and_new() -> None:
    table = taxonomy.categories()
    assert table["cs.CV"].name == "Computer Vision and Pattern Recognition"
    assert table["hep-th"].active and table["math.AG"].active
    assert not table["alg-geom"].active and table["alg-geom"].alias_of == "math.AG"
    assert table["cs.NA"].alias_of == "math.NA"
    assert len(table) > 150


@pytest.mark.parametrize(
    ("typo", "suggested"), [("cs.cv", "cs.CV"), ("cs.CVV", "cs.CV"), ("hep_th", "hep-th")]
)
def test_a_typo_suggests_the_nearest_categories(typo: str, suggested: str) -> None:
    with pytest.raises(taxonomy.UnknownCategory) as caught:
        taxonomy.check_category(typo)
    assert caught.value.suggestions[0] == suggested
    assert suggested in str(caught.value)


def _run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    db = tmp_path / "p.db"
    result = CliRunner().invoke(app, ["--db", str(db), *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "command",
    [
        ["harvest", "--category", "cs.XX", "--from", "2021-06-01", "--to", "2021-06-30"],
        ["gaps", "--category", "foo"],
        ["export", "--category", "cs.XX"],
        ["listing", "--category", "cs.XX"],
        ["search", "--category", "cs.XX", "gan"],
        ["site", "--category", "cs.XX"],
    ],
)
def test_an_unknown_category_is_an_error_before_anything_is_done(
    tmp_path: Path, command: list[str]
) -> None:
    out = tmp_path / "out"
    code, output = (
        _run(tmp_path, *command, "--out", str(out))
        if command[0]
        in (
            "export",
            "site",
        )
        else _run(tmp_path, *command)
    )
    assert code == 2
    assert "is not an arXiv category" in output
    assert not out.exists() and not (tmp_path / "p.db").exists()


def test_unknown_configured_categories_are_an_error(tmp_path: Path) -> None:
    code, output = _run(tmp_path, "update", env={"PAPERBOY_CATEGORIES": "cs.CV,cs.XX"})
    assert code == 1
    assert "PAPERBOY_CATEGORIES" in output and "'cs.XX' is not an arXiv category" in output
    assert not (tmp_path / "p.db").exists()


@pytest.mark.parametrize("command", ["harvest", "gaps", "export", "search"])
def test_a_reversed_range_is_an_error(tmp_path: Path, command: str) -> None:
    extra = {"export": ["--out", str(tmp_path / "out")], "search": ["gan"]}.get(command, [])
    code, output = _run(tmp_path, command, "--from", "2021-06-30", "--to", "2021-06-01", *extra)
    assert code == 2
    assert "--from 2021-06-30 is after --to 2021-06-01" in output
    assert not (tmp_path / "p.db").exists()
