"""Library files matched to a real store: BibTeX exports of Zotero, Mendeley and Google
Scholar (each puts the arXiv id elsewhere, or nowhere), files of ids, and bad files.

Expected ids were read from the 2021 archive's day files, not from this code's output."""

from __future__ import annotations

from pathlib import Path

import pytest
from profiles.conftest import DATA

from paperboy.profiles.bib import read_bib_file
from paperboy.profiles.library import LibraryError, LibraryRead, read_ids_file, title_key
from paperboy.store import open_store


def _read(db: Path, name: str) -> LibraryRead:
    with open_store(db) as store:
        path = DATA / name
        return read_bib_file(store, path) if name.endswith(".bib") else read_ids_file(store, path)


def _matched(read: LibraryRead) -> dict[str, tuple[str, str]]:
    return {f.where: (f.arxiv_id, f.how) for f in read.found}


def test_zotero_export_matches_by_eprint_url_doi_note_journal_doi_and_title(db: Path) -> None:
    read = _read(db, "zotero.bib")
    assert read.items == 8
    assert _matched(read) == {
        "liu_swin_2021": ("2103.14030", "eprint"),  # Swin Transformer
        "zhang_multi-scale_2021": ("2103.15358", "url"),  # only its abs URL
        "martin_scangan360_2021": ("2103.13922", "doi"),  # only arXiv's DOI
        "blanco-claraco_tutorial_2021": ("2103.15980", "journal"),  # "arXiv:2103.15980 [cs]"
        "dosovitskiy_image_2021": ("2010.11929", "eprint"),  # ViT: before the 2021 archive
        # IEEE Access version: arXiv records 10.1109/ACCESS.2021.3052728 for 2103.15409
        "chen_dataset_2021": ("2103.15409", "journal DOI"),
        "li_lidar_2021": ("2103.15297", "title"),  # CVPR version: no id anywhere
    }
    assert [(u.where, u.text) for u in read.unmatched] == [
        ("lecun_gradient-based_1998", "Gradient-based learning applied to document recognition")
    ]
    assert "no paper in the store has this title" in read.unmatched[0].why
    assert [f.arxiv_id for f in read.missing] == ["2010.11929"]


def test_mendeley_export_matches_arxivid_eprint_with_version_and_repeated_keys(db: Path) -> None:
    read = _read(db, "mendeley.bib")
    assert read.items == 7  # the repeated key Liu2021 is a second paper, not an error
    assert sorted((f.where, f.arxiv_id, f.how) for f in read.found) == [
        ("Li2021", "2103.15297", "arxivId"),
        ("Li2021a", "2111.06021", "title"),  # {{double-braced}} title, journal = {arXiv}
        ("Liu2021", "2103.14030", "eprint"),
        ("Liu2021", "2111.06091", "eprint"),
        ("Shao2021", "2106.04067", "url"),
        ("Sui2021", "2106.04073", "eprint"),  # eprint = {2106.04073v2}
    ]
    assert [(u.where, u.text) for u in read.unmatched] == [
        ("Lowe2004", "Distinctive Image Features from Scale-Invariant Keypoints")
    ]
    assert read.missing == []


def test_scholar_export_matches_journal_text_and_a_lower_cased_title(db: Path) -> None:
    read = _read(db, "scholar.bib")
    assert _matched(read) == {
        "liu2021swin": ("2103.14030", "journal"),
        "zhang2021multi": ("2103.15358", "journal"),
        "mao2021tfpose": ("2103.15320", "journal"),
        "mor2021generating": ("2112.11245", "journal"),
        # "Lidar r-cnn: An efficient and universal 3d object detector" (CVPR proceedings)
        "li2021lidar": ("2103.15297", "title"),
    }
    assert [u.where for u in read.unmatched] == ["lowe2004distinctive"]


def test_ids_file_reads_urls_versions_prefixes_and_comments(db: Path) -> None:
    read = _read(db, "ids.txt")
    assert [(f.where, f.arxiv_id) for f in read.found] == [
        ("line 2", "2103.14030"),
        ("line 3", "2103.15358"),  # abs URL with a version and a trailing comment
        ("line 5", "2106.04067"),  # arXiv:
        ("line 6", "2106.04073"),  # pdf URL, .pdf
        ("line 7", "2111.06091"),  # www., a query
        ("line 8", "2112.11245"),  # an id followed by its title
        ("line 9", "2010.11929"),
        ("line 11", "2103.14030"),  # again, as v2
    ]
    assert [(u.where, u.text) for u in read.unmatched] == [("line 12", "not an id at all")]
    assert [f.arxiv_id for f in read.missing] == ["2010.11929"]


def test_a_hash_inside_a_url_is_not_a_comment(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "ids.txt"
    path.write_text("https://arxiv.org/abs/2103.15358#S3  # section 3\n")
    with open_store(db) as store:
        read = read_ids_file(store, path)
    assert [f.arxiv_id for f in read.found] == ["2103.15358"]


def test_title_match_ignores_case_braces_punctuation_and_latex(db: Path, tmp_path: Path) -> None:
    # arXiv's title: "A tutorial on $\mathbf{SE}(3)$ transformation parameterizations and
    # on-manifold optimization"; and one that two exports write differently.
    path = tmp_path / "t.bib"
    path.write_text(
        "@article{a, title = {A Tutorial on $\\mathbf{SE}(3)$ Transformation "
        "Parameterizations and On-Manifold Optimization}}\n"
        "@inproceedings{b, title = {{ScanGAN360}: A generative model of realistic scanpaths "
        "for 360$^{\\circ}$ images}, booktitle = {IEEE VR}}\n"
        "@article{c, title = {Swin Transformer}}\n"
    )
    with open_store(db) as store:
        read = read_bib_file(store, path)
    assert _matched(read) == {"a": ("2103.15980", "title"), "b": ("2103.13922", "title")}
    assert [u.where for u in read.unmatched] == ["c"]  # a prefix of a title is not a match
    assert title_key("{Swin} {T}ransformer: A--B") == title_key("swin transformer a b")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.bib", None, "broken.bib line 7: not a BibTeX entry"),
        ("empty.bib", "just some words, no entries\n", "empty.bib: no BibTeX entries in it"),
        ("latin1.bib", b"@article{a,\n title = {Caf\xe9}}\n", "latin1.bib line 2: not UTF-8"),
        ("absent.bib", "", "absent.bib: cannot read: No such file or directory"),
    ],
)
def test_a_bad_bib_file_is_one_error_naming_it(
    db: Path, tmp_path: Path, name: str, content: str | bytes | None, message: str
) -> None:
    path = DATA / name if content is None else tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content:
        path.write_text(content)
    with open_store(db) as store, pytest.raises(LibraryError) as caught:
        read_bib_file(store, path)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_directory_is_an_unreadable_ids_file(db: Path, tmp_path: Path) -> None:
    with open_store(db) as store, pytest.raises(LibraryError, match="cannot read: Is a dir"):
        read_ids_file(store, tmp_path)


def test_dblp_volume_and_eprinttype_and_a_non_arxiv_eprint(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "dblp.bib"
    path.write_text(
        "@article{DBLP:journals/corr/abs-2106-04067,\n  journal = {CoRR},\n"
        "  volume = {abs/2106.04067},\n  year = {2021}\n}\n"
        "@article{DBLP:x,\n  title = {Salvage of Supervision in Weakly Supervised Object "
        "Detection},\n  eprinttype = {arXiv},\n  eprint = {2106.04073}\n}\n"
        "@article{pubmed,\n  title = {Something else entirely},\n  archivePrefix = {PMID},\n"
        "  eprint = {2106.04067}\n}\n"
    )
    with open_store(db) as store:
        read = read_bib_file(store, path)
    assert _matched(read) == {
        "DBLP:journals/corr/abs-2106-04067": ("2106.04067", "volume"),
        "DBLP:x": ("2106.04073", "eprint"),
    }
    assert [u.where for u in read.unmatched] == ["pubmed"]  # a PubMed id is not arXiv's
