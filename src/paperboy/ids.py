"""arXiv identifiers: the one rule for what an id is, and a reader of ids as people paste them.

Two styles exist: new-style `YYMM.NNNN` (2007-2014) and `YYMM.NNNNN` (since 2015), and
old-style `archive/YYMMNNN` (`cs/0112017`, `math.GT/0309136`, with the subject class the
math archive used), each optionally followed by a version (`v2`). `ID` is the pattern every
module checks ids with; `parse_ref` accepts what people copy from arXiv's pages and papers:

>>> parse_ref("https://arxiv.org/abs/2103.15358v1")
PaperRef(arxiv_id='2103.15358', version=1)
>>> parse_ref("arXiv:cs/0112017")
PaperRef(arxiv_id='cs/0112017', version=None)
>>> parse_ref("vision transformer") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# New-style ids (0704.0001, 2112.15589) and old-style ids (quant-ph/9802028, math.AG/0101001),
# an optional version after either.
_ID_BODY = r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v(?P<v>\d+))?"
ID = re.compile(f"^{_ID_BODY}$")

# What may surround an id when pasted: an `arXiv:` prefix, or an arXiv URL of the abstract,
# PDF or HTML page (any scheme, www. or export., a .pdf suffix, a trailing slash, a query).
_REF = re.compile(
    r"""^(?:
        arxiv:\s*
      | (?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/
    )?"""
    + _ID_BODY
    + r"""(?:\.pdf)?/?(?:[?\#]\S*)?$""",
    re.VERBOSE | re.IGNORECASE,
)
# The id itself stays case-sensitive (archives are lower case, math subject classes upper).
_ID_CASED = re.compile(_ID_BODY)


@dataclass(frozen=True, slots=True)
class PaperRef:
    """A reference to a paper: its bare id and, when one was given, a version."""

    arxiv_id: str
    version: int | None = None

    def __str__(self) -> str:
        return self.arxiv_id if self.version is None else f"{self.arxiv_id}v{self.version}"


def possible(arxiv_id: str) -> bool:
    """Whether a bare id names a month (YYMM, carried by both styles): one that names no
    month cannot be arXiv's, and would break the dating of its whole id month."""
    month = arxiv_id[-5:-3] if "/" in arxiv_id else arxiv_id[2:4]
    return 1 <= int(month) <= 12


def parse_id(text: str) -> PaperRef | None:
    """A bare id with an optional version (`2103.15358v2`, `cs/0112017`), surrounding
    whitespace allowed; None for anything else, an impossible month included."""
    m = ID.match(text.strip())
    if m is None or not possible(m["id"]):
        return None
    return PaperRef(m["id"], int(m["v"]) if m["v"] else None)


def parse_ref(text: str) -> PaperRef | None:
    """The paper `text` refers to, in any form people paste: a bare id, `arXiv:<id>`, or an
    arxiv.org abs/pdf/html URL; None when `text` is not a reference to one paper."""
    text = text.strip()
    m = _REF.match(text)
    if m is None:
        return None
    # The pattern matched case-insensitively; the id part must match as written.
    exact = _ID_CASED.fullmatch(m["id"] + (f"v{m['v']}" if m["v"] else ""))
    if exact is None or not possible(m["id"]):
        return None
    return PaperRef(m["id"], int(m["v"]) if m["v"] else None)
