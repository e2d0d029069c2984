"""The command line as a user meets it (issue 10, items 2, 3, 10, 11): `paperboy` run as a real
process against a real store of the 2021 data."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from commands import one_error_line
from commands import run_paperboy as paperboy_run

import paperboy

PAPER = "2103.15358"  # in the 2021 data: cs.CV/2021/03/20210329.md


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, data_2021: Path) -> Path:
    """A store of the 2021 data, imported once with `--db` after the subcommand."""
    path = tmp_path_factory.mktemp("cli") / "p.db"
    done = paperboy_run("import", "--db", str(path), str(data_2021))
    assert done.returncode == 0, done.stderr
    assert "files: 301 imported, 0 rejected" in done.stdout
    return path


# ---------------------------------------------------------------- --db after the subcommand


@pytest.mark.parametrize(
    "command",
    [
        ["listing", "--date", "2021-03-30"],
        ["search", "vision longformer", "--limit", "1"],
        ["gaps", "--from", "2021-03-08", "--to", "2021-03-12"],
    ],
)
def test_db_after_the_subcommand_means_what_it_means_before(db: Path, command: list[str]) -> None:
    before = paperboy_run("--db", str(db), *command)
    after = paperboy_run(*command, "--db", str(db))
    assert before.returncode == after.returncode == 0, after.stderr
    assert after.stdout == before.stdout and after.stdout.strip()
    # And it is that store: another (empty) one knows none of it.
    other = paperboy_run(*command, "--db", str(db.with_name("empty.db")))
    assert other.stdout != after.stdout


def test_export_takes_db_after_the_subcommand_and_counts_what_it_changed(
    db: Path, tmp_path: Path, data_2021: Path
) -> None:
    out = tmp_path / "archive"
    args = ["export", "--db", str(db), "--out", str(out), "--date", "2021-03-29"]
    first = paperboy_run(*args)
    assert first.returncode == 0, first.stderr
    entries = (data_2021 / "cs.CV/2021/03/20210329.md").read_text().count("- **Arxiv ID**:")
    assert first.stdout == f"1 file (1 written, 0 unchanged), {entries} papers in {out}\n"
    again = paperboy_run(*args)
    assert again.stdout == f"1 file (0 written, 1 unchanged), {entries} papers in {out}\n"


# ---------------------------------------------------------------- a paper by its id


def _data_fields(data_2021: Path) -> dict[str, str]:
    """The paper's fields read straight from the digest file, not through paperboy."""
    text = (data_2021 / "cs.CV/2021/03/20210329.md").read_text()
    block = text[text.rindex("###", 0, text.index(f"abs/{PAPER}")) :].split("\n\n\n")[0]
    fields = dict(re.findall(r"- \*\*(\w+)\*\*: (.*)", block))
    fields["Title"] = block.splitlines()[0].removeprefix("### ")
    return fields


@pytest.mark.parametrize(
    "form",
    [
        PAPER,
        f"{PAPER}v2",
        f"arXiv:{PAPER}",
        f"https://arxiv.org/abs/{PAPER}v1",
        f"https://arxiv.org/pdf/{PAPER}",
        f"http://export.arxiv.org/pdf/{PAPER}v2.pdf",
    ],
)
def test_search_for_an_id_in_any_form_prints_that_paper(
    db: Path, data_2021: Path, form: str
) -> None:
    fields = _data_fields(data_2021)
    done = paperboy_run("search", form, "--db", str(db))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith(f"{PAPER}v2\n{fields['Title']}\n{fields['Authors']}\n")
    # The abstract as a reader reads it: its LaTeX macros, \cite{key} and \url{…}, read as
    # [key] and the URL.
    summary = fields["Summary"]
    assert "\\cite{" in summary and "\\url{" in summary
    readable = re.sub(r"\\url\{([^}]*)\}", r"\1", re.sub(r"\\cite\{([^}]*)\}", r"[\1]", summary))
    assert readable in out
    assert "categories: cs.CV cs.AI cs.LG (primary cs.CV)" in out
    # Its versions: the first submitted when published, the second when last updated.
    assert f"v1  submitted {fields['Published'][:16]} UTC" in out
    assert f"v2  submitted {fields['Updated'][:16]} UTC" in out
    assert "papers match" not in out


def test_search_for_an_id_as_json_is_a_one_hit_search(db: Path, data_2021: Path) -> None:
    done = paperboy_run("search", f"arXiv:{PAPER}v1", "--json", "--db", str(db))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    searched = json.loads(paperboy_run("search", "longformer", "--json", "--db", str(db)).stdout)
    assert result.keys() == searched.keys()
    assert result["hits"][0].keys() == searched["hits"][0].keys()
    assert result["total"] == 1 and len(result["hits"]) == 1
    paper = result["hits"][0]["paper"]
    assert paper["arxiv_id"] == PAPER and paper["title"] == _data_fields(data_2021)["Title"]
    assert [v["number"] for v in paper["versions"]] == [1, 2]


@pytest.mark.parametrize("form", ["cs/0112017", "https://arxiv.org/abs/1912.00001v3"])
def test_an_id_the_store_lacks_is_said_in_one_line(db: Path, form: str) -> None:
    line = one_error_line(paperboy_run("search", form, "--db", str(db)))
    assert line == f"error: {form} is not in the store {db}"


# ---------------------------------------------------------------- query words and options


def test_a_dash_word_is_a_query_word_and_later_options_still_count(db: Path) -> None:
    done = paperboy_run("search", "gan", "-survey", "--limit", "5", "--json", "--db", str(db))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["query"] == "gan -survey" and len(result["hits"]) == 5
    for hit in result["hits"]:
        paper = hit["paper"]
        text = f"{paper['title']} {paper['abstract']} {' '.join(paper['authors'])}".lower()
        assert "gan" in text and "survey" not in text
    # Without the exclusion, surveys of GANs are there to leave out.
    with_surveys = json.loads(
        paperboy_run("search", "gan survey", "--json", "--db", str(db)).stdout
    )
    assert with_surveys["total"] > 0


def test_a_double_dash_does_not_turn_options_into_words(db: Path) -> None:
    done = paperboy_run("search", "--db", str(db), "--", "gan", "-survey", "--limit", "3")
    assert done.returncode == 0, done.stderr
    assert len(re.findall(r"^ +\d+\. ", done.stdout, re.M)) == 3
    assert "--limit" not in done.stdout


# ---------------------------------------------------------------- messages, not tracebacks


def test_site_into_an_impossible_directory_is_one_line(db: Path) -> None:
    line = one_error_line(paperboy_run("site", "--out", "/proc/paperboy-site", "--db", str(db)))
    assert "/proc/paperboy-site" in line


def test_export_onto_an_existing_file_is_one_line(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("mine\n")
    line = one_error_line(paperboy_run("export", "--out", str(target), "--db", str(db)))
    assert str(target) in line and "is a file" in line
    assert target.read_text() == "mine\n"


def test_demo_on_a_busy_port_says_so_before_announcing_a_url() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = paperboy_run("demo", "--port", str(port))
    line = one_error_line(done)
    assert f"port {port} on 127.0.0.1 is busy" in line and "--port" in line
    assert "http://" not in done.stdout


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_update_without_arxiv_names_host_reason_and_the_store(tmp_path: Path) -> None:
    port = _closed_port()
    env = {
        "PAPERBOY_ARXIV_API_URL": f"http://127.0.0.1:{port}/api/query",
        "PAPERBOY_ARXIV_RETRIES": "1",
        "PAPERBOY_ARCHIVE": str(tmp_path / "archive"),
    }
    db = tmp_path / "fresh" / "p.db"
    done = paperboy_run("update", "--db", str(db), env=env)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    first, second = done.stderr.strip().splitlines()
    assert first == "error: cannot reach arXiv at 127.0.0.1: Connection refused (2 attempts)"
    assert f"created the store {db}" in second and db.exists()
    assert "search_query" not in done.stderr  # the URL is a detail
    verbose = paperboy_run("-v", "update", "--db", str(db), env=env)
    assert f"http://127.0.0.1:{port}/api/query?search_query=" in verbose.stderr
    assert "Traceback" in verbose.stderr
    assert "created the store" not in verbose.stderr  # it exists now


# ---------------------------------------------------------------- polish


def test_version() -> None:
    done = paperboy_run("--version")
    assert done.returncode == 0 and done.stdout == f"paperboy {paperboy.__version__}\n"


def test_counts_of_one_are_singular(db: Path) -> None:
    query = '"Multi-Scale Vision Longformer"'
    found = json.loads(paperboy_run("search", query, "--json", "--db", str(db)).stdout)
    assert found["total"] == 1
    done = paperboy_run("search", query, "--db", str(db))
    assert done.stdout.startswith("1 paper matches\n"), done.stdout


def test_a_query_of_filters_alone_is_still_a_search(db: Path) -> None:
    done = paperboy_run("search", "cat:cs.RO", "--limit", "2", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert re.match(r"[\d,]+ papers match\n", done.stdout)
    assert len(re.findall(r"^ +\d+\. ", done.stdout, re.M)) == 2
