"""text_mode: LaTeX outside math made Unicode for the web pages, math kept for KaTeX; checked
on text from the 2021 archive."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paperboy.latex import math_spans, text_mode, to_unicode


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        # Each left-hand side is a phrase of a real 2021 cs.CV title, abstract or comment.
        (
            r"fisheye cameras with 190{\deg}+ field of view",
            "fisheye cameras with 190°+ field of view",
        ),
        (
            r"quality assessment (BVQA) on 360{\textdegree} video",
            "quality assessment (BVQA) on 360° video",
        ),
        (
            r"a variable-degree B\'ezier curve",
            "a variable-degree Bézier curve",
        ),
        (
            r"if done na\"ively with a fixed ratio",
            "if done naïvely with a fixed ratio",
        ),
        (
            r"ground, fa\c{c}ades and rooftops",
            "ground, façades and rooftops",
        ),
        (
            r"from sub-\r{A}ngstr\"{o}m resolution",
            "from sub-Ångström resolution",
        ),
        (
            r"(S{\o}rensen-Dice score 0.91",
            "(Sørensen-Dice score 0.91",
        ),
        (
            r"computed with \textbf{S}hifted \textbf{win}dows.",
            "computed with Shifted windows.",
        ),
        (
            r"pyramids - {\em utilizing only one-level features}",
            "pyramids - utilizing only one-level features",
        ),
        (
            r"\underline{\bf D}eep \underline{\bf A}UC",
            "Deep AUC",
        ),
        (
            r"reports 87.09\%, 88.17\% and 62.06\% accuracies",
            "reports 87.09%, 88.17% and 62.06% accuracies",
        ),
        (
            r"augmentation method called Cut\&Remain.",
            "augmentation method called Cut&Remain.",
        ),
        (
            r"to the ViT architecture (\ie shift, scale",
            "to the ViT architecture (i.e. shift, scale",
        ),
        (
            r"microscopy, \etc.",
            "microscopy, etc.",
        ),
        (
            r"available at \url{https://github.com/hustvl/LSF}",
            "available at https://github.com/hustvl/LSF",
        ),
        (
            r"Code is available at: {\footnotesize\color{blue}{\url{https://github.com/x/y}}}",
            "Code is available at: https://github.com/x/y",
        ),
        (
            r"at \href{https://github.com/EvoCargo/RaindropsOnWindshield}{$github.com/EvoCargo$}",
            "at github.com/EvoCargo (https://github.com/EvoCargo/RaindropsOnWindshield)",
        ),
        (
            r"error of 7.1 {\mu}m (HyReCo)",
            "error of 7.1 μm (HyReCo)",
        ),
        (
            r"conditions (thus called ``in the wild'') and",
            "conditions (thus called “in the wild”) and",
        ),
        (
            r"forward-kinema\-tics models",
            "forward-kinematics models",
        ),
    ],
)
def test_text_mode_latex_becomes_unicode(written: str, shown: str) -> None:
    assert text_mode(written) == shown
    assert to_unicode(written) == shown  # one set of tables: feeds read the same


@pytest.mark.parametrize(
    "text",
    [
        r"Compositional Counterfactual Contrastive Learning ($C^3$)",
        r"ScanGAN360: A Generative Model of Realistic Scanpaths for 360$^{\circ}$ Images",
        r"a speed-up of $4\times$ and $\mathbf{SE}(3)$ with \(x_{\deg}\) kept",
    ],
)
def test_math_is_left_for_katex(text: str) -> None:
    assert text_mode(text) == text
    assert "$" not in to_unicode(text) and "\\" not in to_unicode(text)


def test_math_is_found_by_the_rule_to_unicode_uses() -> None:
    # Money is not math for either output; the formula after it is, for both.
    text = r"between $6.0 to $26 billion for $C^3$, \textbf{fast}"
    assert text_mode(text) == r"between $6.0 to $26 billion for $C^3$, fast"
    assert to_unicode(text) == "between $6.0 to $26 billion for C³, fast"


def test_unknown_macros_keep_their_name_and_plain_text_stays_as_written() -> None:
    # One rule with to_unicode (and feeds): a paper's own macro reads as its name.
    assert text_mode(r"we propose \systemname{} as") == "we propose systemname as"
    for text in ("No LaTeX here at all: 50% of {x, y}.", r"costs \$5 and \$6", ""):
        assert text_mode(text) == text


def test_few_known_macros_are_left_raw_in_the_2021_archive(data_2021: Path) -> None:
    """Over every title, abstract and comment of 2021, every math span is kept as written and
    next to no macro stays raw outside math (a paper's own \\ours reads "ours")."""
    fields = 0
    raw: dict[str, int] = {}
    math = re.compile(r"\$\$.+?\$\$|\$.+?\$|\\\(.+?\\\)")
    for path in sorted(data_2021.rglob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(("### ", "- **Summary**", "- **Comment**")):
                fields += 1
                shown = text_mode(line)
                if "\\href" not in line:  # \href{url}{$x$}: a label, not math
                    assert all(line[a:b] in shown for a, b in math_spans(line)), line
                for name in re.findall(r"\\[a-zA-Z]+|\{\\", math.sub("", shown)):
                    raw[name] = raw.get(name, 0) + 1
    assert fields > 40_000
    for common in (r"\deg", r"\textdegree", r"\textbf", r"\emph", r"\url", r"\ie", r"\c", "{\\"):
        assert raw.get(common, 0) <= 4, (common, raw.get(common))
    assert sum(raw.values()) < 120, sorted(raw.items(), key=lambda kv: -kv[1])[:10]
