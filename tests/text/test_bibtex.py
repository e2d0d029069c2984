"""BibTeX entries parsed back with bibtexparser: every 2021 paper, every field its paper's."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from bibtexparser.entrypoint import parse_string

from paperboy.bibtex import cite_key, entries, entry, title
from paperboy.record import Paper


def _undo(value: str) -> str:
    """A field's text without the escapes and protecting braces entry() adds."""
    value = value.replace("\\^{}", "^")
    value = re.sub(r"\\([&%#_$])", r"\1", value)
    return value.replace("{", "").replace("}", "")


def _names(value: str) -> list[str]:
    """An author field split at each " and " outside braces, as BibTeX splits it."""
    names, depth, start = [], 0, 0
    for i, char in enumerate(value):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and value.startswith(" and ", i):
            names.append(value[start:i])
            start = i + len(" and ")
    return [*names, value[start:]]


def _plain(text: str) -> str:
    """The paper's own text the same way (it may hold escapes already: "Analysis \\& …")."""
    return _undo(" ".join(text.split()))


def test_every_2021_paper_parses_back(papers_2021: list[Paper]) -> None:
    library = parse_string(entries(papers_2021))
    assert library.failed_blocks == []
    assert len(library.entries) == len(papers_2021) == 14868
    assert len({e.key for e in library.entries}) == len(papers_2021)  # keys are unique
    for paper, parsed in zip(papers_2021, library.entries, strict=True):
        fields = {name: f.value for name, f in parsed.fields_dict.items()}
        assert parsed.entry_type == ("article" if paper.journal_ref else "misc")
        assert fields["eprint"] == paper.arxiv_id
        assert fields["archivePrefix"] == "arXiv"
        assert fields["primaryClass"] == paper.primary_category
        assert fields["year"] == str(paper.published.year)
        assert fields["url"] == f"https://arxiv.org/abs/{paper.arxiv_id}"
        assert _undo(fields["title"]) == _plain(paper.title), paper.arxiv_id
        authors = [_undo(a) for a in _names(fields["author"])]
        assert authors == [_plain(a) for a in paper.authors], paper.arxiv_id
        if paper.doi:
            assert fields["doi"] == paper.doi.split()[0]
        if paper.journal_ref:
            assert _undo(fields["journal"]) == _plain(paper.journal_ref)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        # math stays as written; inner capitals are protected
        ("$C^3$: Compositional Learning", "$C^3$: Compositional Learning"),
        ("Pano3D: A Benchmark for $360^o$ Depth", "{Pano3D}: A Benchmark for $360^o$ Depth"),
        ("ResNet and GANs in 3D", "{ResNet} and {GANs} in {3D}"),
        # LaTeX the title already holds is kept
        (r"Examples for {\it in-situ} TEM", r"Examples for {\it in-situ} {TEM}"),
        (r"Schr\"{o}dinger Nets", r"Schr\"{o}dinger Nets"),
        # specials escaped once, a lone $ too; an unbalanced brace dropped
        (r"R&D at 50% with x_1 and 5\%", r"R\&D at 50\% with x\_1 and 5\%"),
        ("Costs $5 {today", r"Costs \$5 today"),
        ("a } b", "a  b"),
    ],
)
def test_titles(raw: str, value: str) -> None:
    assert title(raw) == value


def test_entry_shape(papers_2021: list[Paper]) -> None:
    paper = next(p for p in papers_2021 if p.arxiv_id == "2106.08914")
    assert entry(paper) == (
        "@misc{le2021compositional,\n"
        "  title = {$C^3$: Compositional Counterfactual Contrastive Learning for"
        " Video-grounded Dialogues},\n"
        "  author = {Hung Le and Nancy F. Chen and Steven C. H. Hoi},\n"
        "  year = {2021},\n"
        "  eprint = {2106.08914},\n"
        "  archivePrefix = {arXiv},\n"
        "  primaryClass = {cs.LG},\n"
        "  url = {https://arxiv.org/abs/2106.08914}\n"
        "}\n"
    )


def test_keys(papers_2021: list[Paper]) -> None:
    paper = papers_2021[0]
    twice = parse_string(entries([paper, paper, paper]))
    base = cite_key(paper)
    assert [e.key for e in twice.entries] == [base, base + "b", base + "c"]
    accented = replace(paper, authors=["Gül Varol"], title="The Ängström Nets")
    assert cite_key(accented) == f"varol{paper.published.year}angstrom"
    assert cite_key(replace(paper, authors=[])).startswith("anon")
