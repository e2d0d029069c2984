"""A real PostgreSQL server for the tests: a cluster of its own in a temporary directory
(initdb + pg_ctl on a free port, trust authentication on 127.0.0.1 only), run as an
unprivileged user (PostgreSQL refuses to run as root: under root the cluster belongs to
the `postgres` user Debian's package creates, else `nobody`). `.ci/run` installs Debian's
postgresql; a machine without it fails these tests with the package to install."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import psycopg

# What a real server keeps on (the tests' clusters turn it off): for benchmarks.
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


def _bindir() -> Path:
    """Debian's server programs (not on PATH), or whatever pg_ctl PATH has."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError(
            "no PostgreSQL server programs: install Debian's package (apt-get install "
            "postgresql) to run the PostgreSQL tests"
        )
    return Path(initdb).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> list[str]:
    """The command prefix that runs a server program as an unprivileged user."""
    if os.geteuid() != 0:
        return []
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return ["runuser", "-u", user, "--"]
    raise RuntimeError("running as root with neither a postgres nor a nobody user")


def _new_root(prefix: str) -> Path:
    """A new directory for a cluster, owned by the user the server runs as. Under root it
    is made in /tmp: that user must reach it, and $TMPDIR may be root's own."""
    owner = _owner()
    root = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp" if owner else None))
    if owner is not None:
        os.chown(root, *owner)
    return root


def _owner() -> tuple[int, int] | None:
    prefix = _run_as()
    if not prefix:
        return None
    entry = pwd.getpwnam(prefix[2])
    return entry.pw_uid, entry.pw_gid


@dataclass
class PostgresServer:
    """One running cluster; `database()` makes a fresh, empty database on it."""

    root: Path
    port: int
    bindir: Path
    _names: count[int] = field(default_factory=count)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://paperboy@127.0.0.1:{self.port}/{database}"

    def database(self, template: str | None = None) -> str:
        """A new database's URL: empty, or a copy of the database `template` (which nobody
        may be connected to)."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        like = f' TEMPLATE "{template}"' if template else ""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{like}')
        return self.url(name)

    @staticmethod
    def name_of(url: str) -> str:
        return url.rsplit("/", 1)[1]

    def run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*_run_as(), str(self.bindir / program), *args],
            capture_output=True,
            text=True,
            check=True,
            cwd="/",
        )

    def stop(self) -> None:
        self.run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")


def start_server(**settings: str) -> PostgresServer:
    """A new cluster, started and ready; `settings` go to postgresql.conf."""
    bindir = _bindir()
    root = _new_root("paperboy-pg-")
    server = PostgresServer(root, _free_port(), bindir)
    server.run(
        "initdb", "-D", str(server.data), "-U", "paperboy", "--auth=trust",
        "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
    )  # fmt: skip
    conf = {
        "listen_addresses": "'127.0.0.1'",
        "port": str(server.port),
        "unix_socket_directories": f"'{root}'",
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "max_connections": "200",
        "shared_buffers": "128MB",
        **settings,
    }
    with (server.data / "postgresql.conf").open("a") as f:
        f.writelines(f"{k} = {v}\n" for k, v in conf.items())
    server.run("pg_ctl", "start", "-D", str(server.data), "-l", str(root / "log"), "-w")
    _wait(server.url())
    return server


def start_replica(primary: PostgresServer) -> PostgresServer:
    """A streaming replica of `primary` (pg_basebackup -R), started, serving reads only."""
    root = _new_root("paperboy-pg-replica-")
    replica = PostgresServer(root, _free_port(), primary.bindir)
    replica.run(
        "pg_basebackup", "-D", str(replica.data), "-R", "-X", "stream", "--no-sync",
        "-h", "127.0.0.1", "-p", str(primary.port), "-U", "paperboy",
    )  # fmt: skip
    with (replica.data / "postgresql.conf").open("a") as f:  # later lines win
        f.write(f"port = {replica.port}\nunix_socket_directories = '{root}'\n")
    replica.run("pg_ctl", "start", "-D", str(replica.data), "-l", str(root / "log"), "-w")
    _wait(replica.url())
    return replica


def _wait(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg.connect(url).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
