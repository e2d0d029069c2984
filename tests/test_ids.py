"""Paper references in every form people paste (issue 10, item 3): ids.parse_ref."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperboy.ids import PaperRef, parse_id, parse_ref
from paperboy.record import RecordError, split_id

FORMS = [
    ("2103.15358", PaperRef("2103.15358")),
    ("2103.15358v2", PaperRef("2103.15358", 2)),
    ("arXiv:2103.15358", PaperRef("2103.15358")),
    ("arxiv: 2103.15358v1", PaperRef("2103.15358", 1)),
    ("https://arxiv.org/abs/2103.15358v1", PaperRef("2103.15358", 1)),
    ("https://arxiv.org/pdf/2103.15358", PaperRef("2103.15358")),
    ("https://arxiv.org/pdf/2103.15358v2.pdf", PaperRef("2103.15358", 2)),
    ("https://arxiv.org/pdf/2103.15358.pdf", PaperRef("2103.15358")),
    ("http://export.arxiv.org/abs/2103.15358", PaperRef("2103.15358")),
    ("https://www.arxiv.org/abs/2103.15358/", PaperRef("2103.15358")),
    ("arxiv.org/abs/2103.15358", PaperRef("2103.15358")),
    ("https://arxiv.org/html/2103.15358v2", PaperRef("2103.15358", 2)),
    ("https://arxiv.org/abs/2103.15358?context=cs", PaperRef("2103.15358")),
    ("  2112.03517v1\n", PaperRef("2112.03517", 1)),
    ("0704.0001", PaperRef("0704.0001")),
    ("cs/0112017", PaperRef("cs/0112017")),
    ("cs/0112017v1", PaperRef("cs/0112017", 1)),
    ("arXiv:hep-th/9901001", PaperRef("hep-th/9901001")),
    ("math.GT/0309136", PaperRef("math.GT/0309136")),
    ("https://arxiv.org/abs/math.GT/0309136v2", PaperRef("math.GT/0309136", 2)),
    ("HTTPS://ARXIV.ORG/ABS/2103.15358", PaperRef("2103.15358")),
]


@pytest.mark.parametrize(("text", "expected"), FORMS)
def test_every_pasted_form_gives_the_bare_id_and_version(text: str, expected: PaperRef) -> None:
    assert parse_ref(text) == expected


NOT_REFERENCES = [
    "",
    "vision transformer",
    "gan -survey",
    "2103.15358 transformer",  # an id and more: a query, not one paper
    "2113.00001",  # month 13
    "2100.00001",  # month 00
    "hep-th/9913001",  # old style, month 13
    "2103.153",  # too few digits
    "2103.1535812",  # too many
    "CS/0112017",  # archives are lower case
    "math.gt/0309136",  # subject classes upper case
    "https://example.org/abs/2103.15358",
    "https://arxiv.org/list/cs.CV/new",
    "arXiv:",
    "ti:2103.15358",
]


@pytest.mark.parametrize("text", NOT_REFERENCES)
def test_text_that_is_not_one_paper_is_none(text: str) -> None:
    assert parse_ref(text) is None


def test_parse_id_takes_only_the_bare_form() -> None:
    assert parse_id("2103.15358v2") == PaperRef("2103.15358", 2)
    assert parse_id("arXiv:2103.15358") is None
    assert parse_id("https://arxiv.org/abs/2103.15358") is None
    assert str(PaperRef("2103.15358", 2)) == "2103.15358v2" and str(PaperRef("cs/0112017")) == (
        "cs/0112017"
    )


_month = st.integers(0, 99).map(lambda y: f"{y:02d}")
_mm = st.integers(1, 12).map(lambda m: f"{m:02d}")
_new = st.builds(
    lambda y, m, n: f"{y}{m}.{n}", _month, _mm, st.from_regex(r"\d{4,5}", fullmatch=True)
)
_old = st.builds(
    lambda a, c, y, m, n: f"{a}{c}/{y}{m}{n}",
    st.sampled_from(["cs", "hep-th", "quant-ph", "math", "astro-ph", "cond-mat"]),
    st.sampled_from(["", ".GT", ".AG", ".CO"]),
    _month,
    _mm,
    st.from_regex(r"\d{3}", fullmatch=True),
)
_version = st.none() | st.integers(1, 99)
_wrap = st.sampled_from(
    [
        "{}",
        "arXiv:{}",
        "https://arxiv.org/abs/{}",
        "http://export.arxiv.org/abs/{}/",
        "https://arxiv.org/pdf/{}.pdf",
        " {} ",
    ]
)


@given(_new | _old, _version, _wrap)
def test_any_id_in_any_wrapping_comes_back_whole(
    arxiv_id: str, version: int | None, wrap: str
) -> None:
    text = wrap.format(arxiv_id + (f"v{version}" if version else ""))
    assert parse_ref(text) == PaperRef(arxiv_id, version)
    # The record's rule agrees on the bare form: one rule for what an id is.
    assert split_id(str(PaperRef(arxiv_id, version))) == (arxiv_id, version)


@given(st.text(max_size=60))
def test_any_text_gives_a_reference_or_none_and_agrees_with_the_record(text: str) -> None:
    ref = parse_ref(text)
    bare = parse_id(text)
    if bare is not None:
        assert ref == bare
        assert split_id(text) == (bare.arxiv_id, bare.version)
    else:
        with pytest.raises(RecordError):
            split_id(text)
