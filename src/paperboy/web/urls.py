"""Where every page lives: the one place that spells the site's URLs."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from datetime import date
from urllib.parse import quote, urlencode


class Urls:
    """Paths of every page, relative to the site root ('cs.CV/2021-12-20/').

    The web app links with absolute paths under `root`; the static site links relatively
    from the page being written (`here`) and names index.html, so it works under any prefix
    (GitHub Pages project sites) and straight from the disk.
    """

    def __init__(self, here: str = "", *, static: bool = False, root: str = "/") -> None:
        self.here = here
        self.static_site = static
        self.root = root if root.endswith("/") else root + "/"
        self._links: dict[str, str] = {}  # a day page links the same few paths many times

    def to(self, path: str, query: Mapping[str, str] | None = None) -> str:
        link = self._links.get(path)
        if link is None:
            link = self._links[path] = self._link(path)
        return link + "?" + urlencode(query) if query else link

    def _link(self, path: str) -> str:
        if not self.static_site:
            return self.root + path
        if path == "" or path.endswith("/"):
            path += "index.html"
        here = self.here
        here_dir = here if here.endswith("/") or not here else posixpath.dirname(here)
        return posixpath.relpath("/" + path, "/" + here_dir)

    def folder(self, path: str) -> str:
        """A directory's link with a trailing '/', for scripts that append to it."""
        link = self.to(path)
        return link.removesuffix("index.html") if self.static_site else link

    def home(self) -> str:
        return self.to("")

    def category(self, category: str) -> str:
        return self.to(f"{category}/")

    def year(self, category: str, year: int) -> str:
        return self.to(f"{category}/{year}/")

    def day(self, category: str, day: date, view: str = "submitted") -> str:
        tail = "listing/" if view == "listing" else ""
        return self.to(f"{category}/{day.isoformat()}/{tail}")

    def for_you(self, category: str, day: date, profile: str) -> str:
        """A day's announcement listing ranked for a profile (the web app only)."""
        return self.to(f"{category}/{day.isoformat()}/for/{quote(profile)}/")

    def paper(self, arxiv_id: str) -> str:
        return self.to(f"abs/{quote(arxiv_id)}/")

    def search(self, **params: str) -> str:
        return self.to(
            "search/" if self.static_site else "search", {k: v for k, v in params.items() if v}
        )

    def search_with(self, form: Mapping[str, str], **extra: str) -> str:
        """The search page with a form's fields (blank ones left out) and `extra`."""
        return self.search(**{**form, **extra})

    def bibtex_paper(self, arxiv_id: str) -> str:
        return self.to(f"bibtex/paper/{quote(arxiv_id)}")

    def bibtex_day(self, category: str, day: date, view: str = "submitted") -> str:
        tail = "/listing" if view == "listing" else ""
        return self.to(f"bibtex/{category}/{day.isoformat()}{tail}")

    def bibtex_search(self, q: str, category: str = "") -> str:
        return self.to("bibtex/search", {k: v for k, v in (("q", q), ("category", category)) if v})

    def api(self, path: str = "") -> str:
        return self.to(f"api/{path}")

    def static(self, name: str) -> str:
        return self.to(f"static/{name}")

    def feed(self, category: str, kind: str = "atom") -> str:
        return self.to(f"feeds/{category}.{kind}")

    def listing_feed(self, category: str, kind: str = "atom") -> str:
        return self.to(f"feeds/{category}/listing.{kind}")

    def profile_feed(self, profile: str, kind: str = "atom", token: str = "") -> str:
        """A profile's feed; on a lab's server it carries the member's feed token."""
        path = f"feeds/profile/{quote(profile, safe='')}.{kind}"
        return self.to(path, {"token": token} if token else None)

    def login(self, next_page: str = "") -> str:
        return self.to("login", {"next": next_page} if next_page else None)

    def logout(self) -> str:
        return self.to("logout")

    def account(self) -> str:
        return self.to("account")

    def reading_lists(self) -> str:
        return self.to("lists/")

    def reading_list(self, name: str) -> str:
        return self.to(f"lists/{quote(name, safe='')}/")

    def reading_list_bibtex(self, name: str) -> str:
        return self.to(f"lists/{quote(name, safe='')}.bib")

    def search_feed(self, q: str, category: str = "", kind: str = "atom") -> str:
        return self.to(
            f"feeds/search.{kind}", {k: v for k, v in (("q", q), ("category", category)) if v}
        )


def page_path(
    kind: str,
    category: str = "",
    day: date | None = None,
    year: int = 0,
    arxiv_id: str = "",
    profile: str = "",
) -> str:
    """The canonical path of a page, as the static site writes it."""
    if kind == "paper":
        return f"abs/{arxiv_id}/"
    if kind == "for":
        assert day is not None
        return f"{category}/{day.isoformat()}/for/{quote(profile)}/"
    if kind == "year":
        return f"{category}/{year}/"
    if kind == "category":
        return f"{category}/"
    assert day is not None
    return f"{category}/{day.isoformat()}/" + ("listing/" if kind == "listing" else "")
