"""BibTeX for papers, as arXiv's own entries look: @misc with eprint, archivePrefix and
primaryClass, or @article when the paper has a journal reference.

Titles are LaTeX already (arXiv keeps them so): their math stays as it is, words with inner
capitals are braced so styles keep them ({ResNet}, {3D}), and what LaTeX or BibTeX would
misread (a bare &, %, #, _, ^, a lone $, an unbalanced brace) is escaped or dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping

from paperboy.latex import math_spans
from paperboy.record import Paper

_SPECIAL = re.compile(r"(?<!\\)([&%#_])")
_CARET = re.compile(r"(?<!\\)\^")
_DOLLAR = re.compile(r"(?<!\\)\$")
_WORD = re.compile(r"(?<![\\\w{])[A-Za-z0-9][\w'-]*")
# Words a key skips to find the title's first real one.
_STOP = frozenset({
    "a", "an", "the", "on", "of", "for", "in", "to", "with", "and", "towards", "toward", "via",
    "is", "are", "do", "does",
})  # fmt: skip


def entry(paper: Paper, key: str | None = None, note: str = "") -> str:
    """One BibTeX entry for `paper`; `key` defaults to lastname2021word; a `note` (a reading
    list's) becomes its `annote` field."""
    fields = [
        ("title", title(paper.title)),
        ("author", " and ".join(_name(a) for a in paper.authors)),
        ("year", str(paper.published.year)),
        ("eprint", paper.arxiv_id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", paper.primary_category),
        ("url", f"https://arxiv.org/abs/{paper.arxiv_id}"),
    ]
    if paper.doi:
        fields.append(("doi", paper.doi.split()[0]))
    if paper.journal_ref:
        fields.append(("journal", _text(" ".join(paper.journal_ref.split()))))
    if note.strip():  # braces dropped: one unbalanced brace would end the field
        fields.append(("annote", _text(" ".join(note.replace("{", "").replace("}", "").split()))))
    kind = "article" if paper.journal_ref else "misc"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key or cite_key(paper)},\n{body}\n}}\n"


def entries(papers: Iterable[Paper], notes: Mapping[str, str] | None = None) -> str:
    """Entries for many papers, one blank line apart; a key already used gets b, c, …
    appended (skipping any that another paper's key already is). `notes` by arXiv id."""
    used: set[str] = set()
    tries: Counter[str] = Counter()
    out: list[str] = []
    for paper in papers:
        base = cite_key(paper)
        key = base
        while key in used:
            tries[base] += 1
            key = base + _suffix(tries[base] + 1)
        used.add(key)
        out.append(entry(paper, key, (notes or {}).get(paper.arxiv_id, "")))
    return "\n".join(out)


def _suffix(n: int) -> str:
    """2 -> 'b', 26 -> 'z', 27 -> 'ba': a suffix for the n-th paper with one key."""
    letters = ""
    n -= 1
    while n:
        n, r = divmod(n, 26)
        letters = chr(ord("a") + r) + letters
    return letters


def cite_key(paper: Paper) -> str:
    """lastname + year + first significant word of the title: 'he2021masked'."""
    last = (
        _ascii(paper.authors[0].split()[-1]) if paper.authors and paper.authors[0].split() else ""
    )
    plain = _without_math(paper.title)
    words = [_ascii(w) for w in re.findall(r"[^\W_]+", re.sub(r"\\[A-Za-z]+", " ", plain))]
    word = next((w for w in words if w and w not in _STOP), "")
    return f"{last or 'anon'}{paper.published.year}{word}"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def _without_math(text: str) -> str:
    spans = math_spans(text)
    for start, end in reversed(spans):
        text = text[:start] + " " + text[end:]
    return text


def title(text: str) -> str:
    """A title as a BibTeX value: math kept, capitals protected, specials escaped."""
    text = " ".join(text.split())
    out: list[str] = []
    pos = 0
    for start, end in math_spans(text):
        out.append(_protect(_text(text[pos:start])))
        out.append(text[start:end])
        pos = end
    out.append(_protect(_text(text[pos:])))
    return _balanced("".join(out))


def _protect(text: str) -> str:
    """Braces around words a style would lower-case wrongly: ResNet, GANs, 3D, CNN."""
    return _WORD.sub(lambda m: f"{{{m[0]}}}" if any(c.isupper() for c in m[0][1:]) else m[0], text)


def _text(text: str) -> str:
    """Text outside math with LaTeX's specials escaped (those already escaped stay)."""
    text = _SPECIAL.sub(r"\\\1", text)
    text = _CARET.sub(r"\\^{}", text)
    return _DOLLAR.sub(r"\\$", text)


def _name(name: str) -> str:
    """An author for BibTeX: specials escaped; a name with a comma braced whole, since
    BibTeX reads "A, B" as "last, first", and one holding the word "and" ("Yong Tang and"
    in 2106.14439) too, since BibTeX splits names there."""
    value = _balanced(_text(" ".join(name.split())))
    return f"{{{value}}}" if "," in value or re.search(r"\band\b", value) else value


def _balanced(text: str) -> str:
    """`text` without the braces that close nothing or are never closed: BibTeX counts every
    brace, escaped or not, and one unbalanced brace swallows the rest of the file."""
    out: list[str] = []
    opened: list[int] = []
    for char in text:
        if char == "{":
            opened.append(len(out))
        elif char == "}":
            if not opened:
                continue
            opened.pop()
        out.append(char)
    for index in reversed(opened):
        del out[index]
    value = "".join(out)
    return value[:-1] if value.endswith("\\") else value
