"""A faithful local arXiv for tests: query API, OAI-PMH (arXivRaw) and RSS/Atom feeds.

Test fixture package, not part of paperboy. Typical use:

    from arxiv_server import ArxivServer, load_month
    with ArxivServer(load_month(data_2021, 2021, 6)) as server:
        server.inject("503", 2, endpoint="api", retry_after=1)
        ... PoliteClient(delay=0) against server.api_url / server.oai_url / server.rss_url ...
        assert server.requests["api"] == ...

pytest fixtures (`arxiv_server`, `june_2021`, ...) live in `arxiv_server.fixtures`; a
conftest makes them available with `from arxiv_server.fixtures import *`.
"""

from arxiv_server.data import load_all, load_days, load_month
from arxiv_server.server import FAULT_KINDS, ArxivServer, Fault, LoggedRequest, serve

__all__ = [
    "FAULT_KINDS",
    "ArxivServer",
    "Fault",
    "LoggedRequest",
    "load_all",
    "load_days",
    "load_month",
    "serve",
]
