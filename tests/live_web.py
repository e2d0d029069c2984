"""The web app on a real socket, for the web tests: uvicorn in a thread on an ephemeral
127.0.0.1 port, and a paper whose every text field tries to inject markup."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from paperboy.record import Paper
from paperboy.store import Location
from paperboy.web.app import create_app

REPO = Path(__file__).resolve().parents[1]
SCRIPT = "<script>window.__pwned=1</script>"
HOSTILE_ID = "2112.99999"
HOSTILE_DAY = "2021-12-31"


def hostile_paper() -> Paper:
    """A paper whose every text field tries to inject markup."""
    when = datetime(2021, 12, 31, 23, 0, tzinfo=UTC)
    return Paper(
        arxiv_id=HOSTILE_ID,
        version=1,
        title=f"Zyzzyva {SCRIPT} attack title",
        authors=[f"Mallory {SCRIPT}", "Eve <img src=x onerror=window.__pwned=2>"],
        categories=["cs.CV"],
        primary_category="cs.CV",
        published=when,
        updated=when,
        abstract=f'Zyzzyva abstract {SCRIPT} and <a href="javascript:window.__pwned=3">x</a>',
        comment=f"Zyzzyva comment {SCRIPT} https://github.com/example/zyzzyva",
        doi="10.1000/zyzzyva",
    )


@dataclass(frozen=True, slots=True)
class Live:
    url: str
    db: Location

    def get(self, path: str, **params: str) -> httpx.Response:
        return httpx.get(self.url + path, params=params, timeout=30, follow_redirects=True)


class serving:
    """Serve the app over `db` in a thread for the duration of a with block, on a socket
    bound first so that the app's configured base URL is its real address."""

    def __init__(self, db: Location, **options: Any) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as uvicorn's own
        self.sock.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        app = create_app(db, **{"base_url": base, **options})
        self.app = app
        config = uvicorn.Config(app, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
