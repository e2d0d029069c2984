"""Code and project links a paper names in its abstract or comment ("has code").

Abstracts reach us with their authors' line breaks turned into spaces, so URLs come broken:
"https: //github.com/x/y", "https://github. com/x/y", "github.com/NJU- Jet/SR", a bare
"github.com/x/y" without a scheme, "{github.com/x/y}." with LaTeX and punctuation around it.
This module mends those shapes, then keeps the links to code hosts and project pages.
"""

from __future__ import annotations

import re
from typing import Literal

from paperboy.record import Paper

Kind = Literal["code", "project"]

CODE_HOSTS = (
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "huggingface.co",
    "codeberg.org",
    "gist.github.com",
    "raw.githubusercontent.com",
    "colab.research.google.com",
    "sourceforge.net",
)
PAGE_HOSTS = ("github.io", "gitlab.io", "pages.dev")
# Hosts of papers and videos: a link there is never the paper's code or project page.
_NOT_PAGES = frozenset(
    {"doi.org", "dx.doi.org", "youtu.be", "youtube.com", "vimeo.com", "bilibili.com"}
)

# Listing abstracts keep arXiv's anchors: '<a href="URL" rel="…">this https URL</a>'.
ANCHOR = re.compile(r'<a href="(?P<url>https?://[^"]+)"[^>]*>[^<]*</a>')
_SPACED_SCHEME = re.compile(r"\b(https?):\s+//", re.IGNORECASE)
_SPACED_DOT = re.compile(r"(https?://[\w-]+(?:\.[\w-]+)*\.)\s+(com|io|org|co|net)\b")
# A path broken after a hyphen ("github.com/NJU- Jet/SR") or after the owner's slash
# ("github.com/trikpachu/ DDE"): the next word goes on the URL.
_BROKEN_PATH = re.compile(
    r"((?:https?://)?(?:www\.)?(?:github\.com|gitlab\.com)/[\w.-]+(?:-|/))\s+(?=[\w])"
)
_BARE = re.compile(
    r"(?<![\w/.@-])((?:www\.)?(?:[\w-]+\.)*(?:github\.com|gitlab\.[\w.]+|bitbucket\.org|"
    r"huggingface\.co|github\.io)/)",
    re.IGNORECASE,
)
URL = re.compile(r"https?://[^\s<>\"'`\\{}|^]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
_PROJECT_WORDS = re.compile(
    r"(?:project|web ?page|website|home ?page|demo|code|implementation)[^.]{0,40}$",
    re.IGNORECASE,
)


# Words every pattern below needs (lower-cased): most abstracts hold none, and then `mend`
# has nothing to do. Trying the patterns on every word of them was 40% of a day page.
_BARE_HOSTS = ("github", "gitlab", "bitbucket", "huggingface")


def mend(text: str) -> str:
    """`text` with its broken URLs put together and bare code-host URLs given https://."""
    lower = text.lower()
    if "<a " in text:
        text = ANCHOR.sub(lambda m: m.group("url"), text)
    if "http" in lower:
        text = _SPACED_SCHEME.sub(lambda m: m.group(1) + "://", text)
        text = _SPACED_DOT.sub(r"\1\2", text)
    if any(host in lower for host in _BARE_HOSTS):
        text = _BROKEN_PATH.sub(r"\1", text)
        text = _BARE.sub(lambda m: "https://" + m.group(1), text)
    return text


def trim(url: str) -> str:
    """A URL without the punctuation that ends its sentence (a balanced ')' stays)."""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def urls_in(text: str | None) -> list[str]:
    """Every http(s) URL of `text` once mended, in order."""
    return [trim(m.group()) for m in URL.finditer(mend(text or ""))]


def kind_of(url: str, before: str = "") -> Kind | None:
    """'code' for a code host, 'project' for a project page (a pages host, or any URL the
    text just before calls a project page, website, demo …), None for other links."""
    host = url.split("/")[2].lower() if url.count("/") >= 2 else ""
    host = host.removeprefix("www.")
    if any(host == h or host.endswith("." + h) for h in PAGE_HOSTS):
        return "project"
    if any(host == h or host.endswith("." + h) for h in CODE_HOSTS) or host.startswith("gitlab."):
        return "code"
    if "arxiv.org" in host or host in _NOT_PAGES:
        return None
    return "project" if _PROJECT_WORDS.search(before) else None


def paper_links(paper: Paper) -> list[tuple[Kind, str]]:
    """(kind, URL) of the code and project links in the abstract, then the comment; once each."""
    found: list[tuple[Kind, str]] = []
    seen: set[str] = set()
    for text in (paper.abstract, paper.comment or ""):
        mended = mend(text)
        for m in URL.finditer(mended):
            url = trim(m.group())
            key = url.rstrip("/").lower()
            kind = kind_of(url, mended[max(0, m.start() - 60) : m.start()])
            if kind is None or key in seen:
                continue
            seen.add(key)
            found.append((kind, url))
    return found


def code_links(paper: Paper) -> list[str]:
    """The code links a paper names (code hosts first), then its project pages."""
    links = paper_links(paper)
    return [u for k, u in links if k == "code"] + [u for k, u in links if k == "project"]


def has_code(paper: Paper) -> bool:
    """True when the abstract or comment links to code or a project page."""
    return bool(paper_links(paper))
