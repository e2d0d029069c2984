"""The text model: vectors from the 2021 archive, stored as plain arrays and read back."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np
import pytest

from paperboy.importer import iter_files, read_digests
from paperboy.record import Paper
from paperboy.vectors.model import TextModel, paper_text

# Two pairs read in the 2021 data. 2108.01516 and 2112.06149: the same paper ("Two New
# Stenosis Detection Methods of Coronary Angiograms") submitted twice, word for word.
# 2111.10887 and 2112.03380: MoCo-SToRM, one title, the second abstract rewritten (a
# "reconstruction scheme for ... pulmonary MRI" instead of a "manifold learning algorithm
# for ... dynamic MRI"): a paper and its follow-up.
DUPLICATE = ("2108.01516", "2112.06149")
FOLLOW_UP = ("2111.10887", "2112.03380")


@pytest.fixture(scope="module")
def papers(data_2021: Path) -> list[Paper]:
    found: dict[str, Paper] = {}
    for path in iter_files([data_2021]):
        for digest in read_digests(path):
            for p in digest.papers or ():
                found[p.arxiv_id] = p
    return sorted(found.values(), key=lambda p: p.arxiv_id)


@pytest.fixture(scope="module")
def texts(papers: list[Paper]) -> list[str]:
    return [paper_text(p.title, p.abstract) for p in papers]


@pytest.fixture(scope="module")
def small(texts: list[str]) -> TextModel:
    return TextModel.fit(texts[::50], dims=32)


def test_round_trip_through_bytes_gives_identical_vectors(
    small: TextModel, texts: list[str]
) -> None:
    again = TextModel.from_bytes(small.to_bytes())
    assert again.dims == small.dims == 32
    some = texts[7::500]
    assert np.array_equal(again.transform(some), small.transform(some))


def test_vectors_are_unit_float32_rows(small: TextModel, texts: list[str]) -> None:
    vectors = small.transform(texts[:20])
    assert vectors.dtype == np.float32 and vectors.shape == (20, 32)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_text_of_unknown_words_is_a_zero_vector(small: TextModel) -> None:
    vectors = small.transform(["qqxzv zzyqq wvvkq", ""])
    assert vectors.shape == (2, 32)
    assert not np.any(vectors)


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (pickle.dumps({"vocabulary": ["a"], "idf": [1.0]}), "pickled"),
        (b"not a model at all", "pickled"),  # numpy takes unknown bytes for a pickle
        (b"PK\x03\x04 truncated zip", "not a paperboy text model"),
        (b"", "not a paperboy text model"),
    ],
)
def test_from_bytes_refuses_pickles_and_garbage(data: bytes, what: str) -> None:
    with pytest.raises(ValueError, match="not a paperboy text model") as refused:
        TextModel.from_bytes(data)
    assert what in str(refused.value)


def test_from_bytes_refuses_object_arrays_and_missing_or_misshapen_arrays() -> None:
    def npz(**arrays: object) -> bytes:
        out = io.BytesIO()
        np.savez(out, **arrays)  # type: ignore[arg-type]
        return out.getvalue()

    vocabulary = np.array(["graph", "neural"])
    idf = np.ones(2, dtype=np.float32)
    components = np.ones((1, 2), dtype=np.float32)
    objects = npz(
        vocabulary=np.array(["graph", None], dtype=object), idf=idf, components=components
    )
    with pytest.raises(ValueError, match=r"not a paperboy text model.*(pickle|Object)"):
        TextModel.from_bytes(objects)
    with pytest.raises(ValueError, match="components"):
        TextModel.from_bytes(npz(vocabulary=vocabulary, idf=idf))
    misshapen = npz(vocabulary=vocabulary, idf=idf, components=np.ones((1, 3), np.float32))
    with pytest.raises(ValueError, match="wrong kind or shape"):
        TextModel.from_bytes(misshapen)
    assert TextModel.from_bytes(npz(vocabulary=vocabulary, idf=idf, components=components))


def test_a_duplicate_and_a_follow_up_rank_each_other_highly(
    papers: list[Paper], texts: list[str]
) -> None:
    # Fitted on a third of the archive (the pairs included), queried against all of it.
    at = {p.arxiv_id: i for i, p in enumerate(papers)}
    pairs = [i for pair in (DUPLICATE, FOLLOW_UP) for i in pair]
    fitted = sorted(set(range(0, len(texts), 3)) | {at[i] for i in pairs})
    model = TextModel.fit([texts[i] for i in fitted])
    vectors = model.transform(texts)
    for one, other in (DUPLICATE, FOLLOW_UP, DUPLICATE[::-1], FOLLOW_UP[::-1]):
        scores = vectors @ vectors[at[one]]
        scores[at[one]] = -np.inf
        rank = int(np.sum(scores > scores[at[other]]))  # papers nearer than the partner
        assert rank < 3, f"{other} is only number {rank + 1} among the neighbours of {one}"
