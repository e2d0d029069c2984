"""An arXiv id arXiv cannot have issued is refused at the record (issue 9, item 6, ids)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from paperboy import listings
from paperboy.importer import import_paths
from paperboy.record import RecordError, split_id
from paperboy.store import open_store


@pytest.mark.parametrize(
    "text",
    [
        "2100.00001",  # month 00
        "2113.00001v1",  # month 13
        "hep-th/9900001",  # old-style, month 00
        "hep-th/9913001",  # old-style, month 13
    ],
)
def test_impossible_ids_are_refused(text: str) -> None:
    with pytest.raises(RecordError, match="not a possible arXiv identifier"):
        split_id(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0704.0001", ("0704.0001", None)),
        ("1412.9999v3", ("1412.9999", 3)),
        ("1501.00001", ("1501.00001", None)),
        ("2112.15589v2", ("2112.15589", 2)),
        ("quant-ph/9802028", ("quant-ph/9802028", None)),
        ("math.AG/0101001v1", ("math.AG/0101001", 1)),
    ],
)
def test_real_ids_are_kept(text: str, expected: tuple[str, int | None]) -> None:
    assert split_id(text) == expected


def test_a_file_with_an_impossible_id_is_rejected_and_dating_still_runs(
    tmp_path: Path, data_2021: Path
) -> None:
    day = data_2021 / "cs.CV" / "2021" / "06"
    good = sorted(day.glob("*.md"))[0]
    bad = tmp_path / "in" / "20210602.md"
    bad.parent.mkdir()
    shutil.copy(good, bad.parent / good.name)
    text = good.read_text(encoding="utf-8")
    first_id = text.split("http://arxiv.org/abs/", 1)[1].split("v", 1)[0]
    bad.write_text(text.replace(first_id, "2100.00001", 1), encoding="utf-8")
    with open_store(tmp_path / "p.sqlite3") as store:
        report = import_paths(store, [bad.parent])
        assert [path for path, _ in report.rejected] == [str(bad)]
        assert "2100.00001" in report.rejected[0][1] and "line" in report.rejected[0][1]
        assert store.count() > 0 and store.get("2100.00001") is None
        listings.refresh_announcements(store, [*store.id_months(), "old"])  # no crash
        assert store.pending_months() == []
