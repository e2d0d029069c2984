"""LaTeX in titles and abstracts -> Unicode: examples read off the 2021 data, and the whole
year converted (never a failure, no math delimiter or backslash left)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperboy.latex import text_mode, to_unicode
from paperboy.record import Paper


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        # the issue's own examples
        ("$C^3$ Net", "C³ Net"),
        (r"360{\deg} view", "360° view"),
        (r"32$\times$32 voxels", "32×32 voxels"),
        (r"in $\mathcal{O}(n)$ time", "in 𝒪(n) time"),
        (r"Schr\"{o}dinger and M\"obius", "Schrödinger and Möbius"),
        (r"$\alpha$-blending", "α-blending"),
        (r"Zhang$^{1}$ and Li$^{1,2}$", "Zhang¹ and Li¹,²"),
        # scripts: Unicode where every character has a form, else readable ^/_ notation
        (r"$\ell_\infty$ and $\ell_2$ balls", "ℓ_∞ and ℓ₂ balls"),
        (r"$AP_{50}$ and $PM_{2.5}$", "AP₅₀ and PM_(2.5)"),
        (r"the $3^{rd}$ place, $1^{st}$ too", "the 3ʳᵈ place, 1ˢᵗ too"),
        (r"$\mathbb{R}^N$ and $O(N^2)$", "ℝᴺ and O(N²)"),
        (r"rotated by 90$^{\circ}$ or $360^\circ$", "rotated by 90° or 360°"),
        (r"$F_V$ features", "F_V features"),
        (r"for $360^o$ Depth", "for 360° Depth"),  # ^o after a number is a degree sign
        # text macros
        (r"accuracy of 87.62\% and 95.05$\%$", "accuracy of 87.62% and 95.05%"),
        (r"we propose \textit{Prototypical Classifier}", "we propose Prototypical Classifier"),
        (r"Code: \url{https://github.com/zysxmu/FDDA}.", "Code: https://github.com/zysxmu/FDDA."),
        (r"see \href{https://a.org}{our page}", "see our page (https://a.org)"),
        (r"\textbf{DDMSNet} beats $\mathbf{SE}(3)$", "DDMSNet beats SE(3)"),
        (r"{\em one-level} features, \ie the top", "one-level features, i.e. the top"),
        (r"de la Vall\'ee Poussin", "de la Vallée Poussin"),
        (r"\systemname{} wins", "systemname wins"),
        # what is not LaTeX to these authors stays: %, ~ meaning "about", &, --
        (r"$x$ gains ~1% on R&D -- really", "x gains ~1% on R&D -- really"),
        (r"segmentation~(FSS) with $k$ shots", "segmentation (FSS) with k shots"),
        # money is not math; a lone $ stays
        (r"between $6.0 to $26 billion for $x$", "between $6.0 to $26 billion for x"),
        (r"LiDAR (about $100,000) \textit{sensors}", "LiDAR (about $100,000) sensors"),
        (r"costs \$5", "costs $5"),
        # MathJax pairs the next $, as arXiv's page does: spaces inside are the source's
        (r"achieves $26.61% $ $ AP $ on HICO-DET", "achieves 26.61% AP on HICO-DET"),
    ],
)
def test_examples(latex: str, text: str) -> None:
    assert to_unicode(latex) == text
    if "$" not in latex and "\\(" not in latex:  # no math: the pages read the same
        assert text_mode(latex) == text


@given(st.text())
def test_plain_text_is_unchanged(text: str) -> None:
    plain = text.replace("$", "").replace("\\", "").replace("`", "")  # ``quotes'' are LaTeX
    assert to_unicode(plain) is plain or to_unicode(plain) == plain


_TOKENS = [*"$\\{}^_%~&#[]() ab1\n", r"\frac", r"\'", r"\url", r"\href", r"\unicode", r"\("]
_LATEXY = st.lists(st.sampled_from(_TOKENS)).map("".join)


@settings(max_examples=500)
@given(st.one_of(st.text(), _LATEXY))
def test_never_raises(text: str) -> None:
    assert isinstance(to_unicode(text), str)


_MATH = st.lists(st.sampled_from([*"abxyz0129+-=()^_,. ", r"\alpha", r"\times", "{", "}"]))


@given(
    before=st.text(alphabet="abc ,.("),
    math=_MATH.map("".join).filter(str.strip),
    after=st.text("abc ,.)"),
)
def test_well_formed_math_leaves_no_delimiter(before: str, math: str, after: str) -> None:
    assert "$" not in to_unicode(f"{before}${math}${after}")


def test_the_2021_archive(papers_2021: list[Paper]) -> None:
    texts = [t for p in papers_2021 for t in (p.title, p.abstract)]
    latexy = [t for t in texts if "$" in t or "\\" in t]
    converted = [to_unicode(t) for t in latexy]
    with_dollar = [o for o in converted if "$" in o]
    with_backslash = [o for o in converted if "\\" in o]
    print(
        f"\n{len(texts)} titles+abstracts, {len(latexy)} with $ or \\, "
        f"{sum('$' in t for t in latexy)} with $; after conversion {len(with_dollar)} "
        f"still hold $, {len(with_backslash)} a backslash"
    )
    assert len(latexy) == 1643
    assert with_backslash == []
    # The six that keep a $, each read: money or a stray $ arXiv shows as typed.
    kept = {o[o.index("$") - 6 : o.index("$") + 7] for o in with_dollar}
    assert kept == {
        "about $100,00",  # LiDAR (about $100,000)
        "ds of $60,000",  # monetary awards of $60,000
        "od by $1.71X ",  # "by $1.71X and ... by $1.52X": a typo, two prices
        "ty of $85.16%",  # "$85.16%, ... $85.03%": the same
        "tween $6.0 to",  # between $6.0 to $26 billion
        "ts 238$us. Th",  # a stray $
    }


def test_plain_2021_texts_are_untouched(papers_2021: list[Paper]) -> None:
    for paper in papers_2021:
        if "$" not in paper.title and "\\" not in paper.title:
            assert to_unicode(paper.title) == paper.title
