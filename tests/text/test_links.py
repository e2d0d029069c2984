"""Code and project links over the 2021 archive: the broken shapes real abstracts hold, each
from the paper it was found in and mended by hand here."""

from __future__ import annotations

import re

import pytest

from paperboy.links import code_links, has_code, kind_of, paper_links, urls_in
from paperboy.record import Paper


@pytest.fixture(scope="module")
def by_id(papers_2021: list[Paper]) -> dict[str, Paper]:
    return {p.arxiv_id: p for p in papers_2021}


@pytest.mark.parametrize(
    ("arxiv_id", "links"),
    [
        # "https://github. com/…": the line broke after the dot
        ("2104.09124", ["https://github.com/Yuting-Gao/DisCo-pytorch"]),
        ("2104.09386", ["https://github.com/sharif-apu/twostageHDR_NTIRE21"]),
        # "github.com/NJU- Jet/…": broke after a hyphen
        ("2105.09750", ["https://github.com/NJU-Jet/SR_Mobile_Quantization"]),
        # "github.com/trikpachu/ DDE": broke after the owner's slash
        ("2107.11085", ["https://github.com/trikpachu/DDE"]),
        # "https://ori-drs.github. io/…": a project page, broken the same way
        ("2112.08854", ["https://ori-drs.github.io/newer-college-dataset/"]),
        # comment: "Project Page: https://apchenstu.github.io/mvsnerf/\n  Code:https://…"
        (
            "2103.15595",
            ["https://github.com/apchenstu/mvsnerf", "https://apchenstu.github.io/mvsnerf/"],
        ),
    ],
)
def test_real_shapes(by_id: dict[str, Paper], arxiv_id: str, links: list[str]) -> None:
    assert code_links(by_id[arxiv_id]) == links
    assert has_code(by_id[arxiv_id])


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        (
            "at https: //github.com/MegviiDetection/FSCE.",
            ["https://github.com/MegviiDetection/FSCE"],
        ),
        (
            "at {github.com/ChenyangLEI/flash-reflection-removal}.",
            ["https://github.com/ChenyangLEI/flash-reflection-removal"],
        ),
        ("at <github.com/thefatbandit/FDA> with", ["https://github.com/thefatbandit/FDA"]),
        (
            r"\url{www.github.com/facebookresearch/ALMA}.",
            ["https://www.github.com/facebookresearch/ALMA"],
        ),
        ("(see https://github.com/a/b).", ["https://github.com/a/b"]),
        (
            "https://en.wikipedia.org/wiki/Foo_(bar), and",
            ["https://en.wikipedia.org/wiki/Foo_(bar)"],
        ),
        (
            '<a href="https://github.com/x/y" rel="external">this https URL</a>',
            ["https://github.com/x/y"],
        ),
        ("Code will be released on GitHub.", []),
    ],
)
def test_mended_urls(text: str, urls: list[str]) -> None:
    assert urls_in(text) == urls


def test_kinds() -> None:
    assert kind_of("https://gitlab.inria.fr/pzins/x") == "code"
    assert kind_of("https://huggingface.co/spaces/x/y") == "code"
    assert kind_of("https://nex-mpi.github.io/") == "project"
    assert kind_of("http://editnerf.csail.mit.edu/", "Project page: ") == "project"
    assert kind_of("http://editnerf.csail.mit.edu/", "data from ") is None
    assert kind_of("https://youtu.be/Rvv9IQLYjCQ", "Video and project: ") is None
    assert kind_of("https://doi.org/10.5281/zenodo.5656776", "code at ") is None


def test_2021_archive(papers_2021: list[Paper]) -> None:
    with_code = [p for p in papers_2021 if has_code(p)]
    named = [
        p
        for p in papers_2021
        if re.search(r"github\.com|gitlab\.com", p.abstract + (p.comment or ""), re.I)
    ]
    print(f"\n{len(with_code)} of {len(papers_2021)} papers link to code or a project page")
    # Every paper that names github.com or gitlab.com with a path gets its link.
    assert all(
        has_code(p)
        for p in named
        if re.search(r"git(?:hub|lab)\.com\s*/\s*\w", p.abstract + (p.comment or ""))
    )
    assert 0.2 < len(with_code) / len(papers_2021) < 0.3
    for paper in with_code:
        for _kind, url in paper_links(paper):
            assert re.fullmatch(r"https?://[^\s<>{}\\]+", url), url
            assert url[-1] not in ".,;:", url


def test_mend_skips_only_texts_no_pattern_could_change(papers_2021: list[Paper]) -> None:
    """`mend` tries a pattern only on text holding the word it needs; every pattern tried
    on every text of 2021 (abstracts, comments, and the same lower- and upper-cased) gives
    the same result."""
    from paperboy import links

    def every_pattern(text: str) -> str:
        text = links.ANCHOR.sub(lambda m: m.group("url"), text)
        text = links._SPACED_SCHEME.sub(lambda m: m.group(1) + "://", text)
        text = links._SPACED_DOT.sub(r"\1\2", text)
        text = links._BROKEN_PATH.sub(r"\1", text)
        return links._BARE.sub(lambda m: "https://" + m.group(1), text)

    texts = [t for p in papers_2021 for t in (p.abstract, p.comment or "")]
    texts += [t.upper() for t in texts[:2000]] + ["HTTPS: //GitHub. com/x/y", "GITHUB.COM/a/b"]
    changed = 0
    for text in texts:
        assert links.mend(text) == every_pattern(text), text[:200]
        changed += links.mend(text) != text
    assert changed >= 50  # real texts the patterns change (61 in 2021): the check means something
