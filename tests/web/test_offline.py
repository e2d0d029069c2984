"""Everything a page needs comes from the package: vendored KaTeX and Swagger UI, checked
file by file, served by the app and copied into the static site."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from live_web import Live
from lxml import html

from paperboy import config
from paperboy.importer import import_paths
from paperboy.site import write_site
from paperboy.store import open_store
from paperboy.web.rendering import STATIC

VENDORED = ("katex", "swagger-ui")


@pytest.mark.parametrize("folder", VENDORED)
def test_vendored_files_are_what_the_vendor_script_fetched(folder: str) -> None:
    """SHA256SUMS is written by scripts/vendor-static.sh from the registry's tarballs."""
    root = STATIC / folder
    sums = (root / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in sums:
        digest, name = line.split(maxsplit=1)
        listed[name] = digest
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert on_disk - {"SHA256SUMS"} == set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((root / name).read_bytes()).hexdigest() == digest, name


def test_katex_stylesheet_finds_every_woff2_font_it_names() -> None:
    css = (STATIC / "katex" / "katex.min.css").read_text()
    fonts = set(re.findall(r"url\((fonts/[^)]+\.woff2)\)", css))
    assert len(fonts) >= 15
    missing = [f for f in fonts if not (STATIC / "katex" / f).is_file()]
    assert not missing


def _attrs(doc: html.HtmlElement, xpath: str) -> list[str]:
    return [str(v) for v in doc.xpath(xpath)]


def _external(doc: html.HtmlElement) -> list[str]:
    """src and href of scripts, stylesheets and icons that leave the page's own host."""
    refs = _attrs(doc, "//script/@src | //link/@href | //img/@src")
    return [r for r in refs if re.match(r"^(https?:)?//", r)]


@pytest.mark.parametrize(
    "path",
    ["/cs.CV/2021-06-16/", "/abs/2106.08914", "/search?q=counterfactual", "/api", "/api/docs"],
)
def test_pages_name_no_other_host(live: Live, path: str) -> None:
    response = live.get(path)
    assert response.status_code == 200
    assert _external(html.fromstring(response.text)) == []


def test_api_docs_are_swagger_ui_from_the_package(live: Live) -> None:
    response = live.get("/api/docs")
    doc = html.fromstring(response.text)
    assert _attrs(doc, "//script/@src") == ["/static/swagger-ui/swagger-ui-bundle.js"]
    assert "/static/swagger-ui/swagger-ui.css" in _attrs(doc, "//link/@href")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "cdn" not in policy
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert live.get(f"/static/swagger-ui/{name}").status_code == 200
    assert live.get("/api/redoc").status_code == 404


def test_pages_load_katex_from_the_package(live: Live) -> None:
    doc = html.fromstring(live.get("/abs/2106.08914").text)
    scripts = _attrs(doc, "//script/@src")
    assert "/static/katex/katex.min.js" in scripts
    assert "/static/katex/auto-render.min.js" in scripts
    assert "/static/katex/katex.min.css" in _attrs(doc, "//link/@href")
    for name in ("katex.min.js", "auto-render.min.js", "fonts/KaTeX_Main-Regular.woff2"):
        assert live.get(f"/static/katex/{name}").status_code == 200


def test_static_site_carries_katex(tmp_path: Path) -> None:
    with open_store(tmp_path / "sample.sqlite3") as store:
        import_paths(store, [config.sample_dir()])
        write_site(store, tmp_path / "www", ["cs.CV"])
    for name in ("katex.min.js", "katex.min.css", "auto-render.min.js"):
        assert (tmp_path / "www" / "static" / "katex" / name).is_file()
    assert len(list((tmp_path / "www" / "static" / "katex" / "fonts").glob("*.woff2"))) >= 15
    assert (tmp_path / "www" / "static" / "math.js").is_file()
