"""The README's two commands on a fresh Debian machine (issue 10, item 1).

The first is run as written, in a copy of the checkout, by Debian's own python3 (when the
machine has it), offline: pip installs the checkout from the package registry, and `update`
meets an arXiv it cannot reach.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEBIAN_PYTHON = Path("/usr/bin/python3")


def quick_start() -> list[str]:
    """The commands of the README's Quick start block, comments removed."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Quick start\n+```sh\n(.*?)```", readme, re.S)
    assert block is not None, "README.md has no Quick start block"
    return [line.split("   #")[0].strip() for line in block[1].splitlines() if line.strip()]


def _checkout_copy(dst: Path) -> Path:
    """The checkout as a fresh clone has it: no virtual environment, no build leftovers."""
    junk = shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", ".*_cache", "site", "archive"
    )
    shutil.copytree(ROOT, dst, ignore=junk)
    return dst


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_the_quick_start_runs_as_written_and_update_says_what_failed(tmp_path: Path) -> None:
    first = quick_start()[0]
    assert first.startswith("python3 -m venv .venv && ") and "paperboy update" in first
    checkout = _checkout_copy(tmp_path / "paperboy")
    # `python3` in the command is Debian's own when the machine has it.
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "python3").symlink_to(DEBIAN_PYTHON if DEBIAN_PYTHON.exists() else sys.executable)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERBOY_", "VIRTUAL_ENV"))}
    env |= {
        "PATH": f"{shim}:{env.get('PATH', '/usr/bin:/bin')}",
        "PYTHONPATH": "",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PAPERBOY_ARXIV_API_URL": f"http://127.0.0.1:{_closed_port()}/api/query",
        "PAPERBOY_ARXIV_RETRIES": "1",
    }
    done = subprocess.run(
        ["bash", "-c", first], cwd=checkout, env=env, capture_output=True, text=True, timeout=900
    )
    assert (checkout / ".venv/bin/paperboy").exists(), done.stderr  # pip installed it
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    # pip may warn about the machine's own configuration before; paperboy's lines end it.
    lines = done.stderr.splitlines()
    ours = lines[next(i for i, line in enumerate(lines) if line.startswith("error: ")) :]
    assert ours[0] == "error: cannot reach arXiv at 127.0.0.1: Connection refused (2 attempts)"
    store = tmp_path / "data" / "paperboy" / "paperboy.sqlite3"
    assert len(ours) == 2 and ours[1].startswith(f"created the store {store}; ")
    assert store.exists()


def test_the_test_command_names_the_package_it_needs_when_not_root(tmp_path: Path) -> None:
    """Without chromium and without root, scripts/test.sh says what to install, and stops."""
    shim = tmp_path / "bin"
    shim.mkdir()
    for tool in ("dirname", "bash"):
        found = shutil.which(tool)
        assert found is not None
        (shim / tool).symlink_to(found)
    (shim / "id").write_text("#!/bin/sh\necho 1000\n")
    (shim / "id").chmod(0o755)
    done = subprocess.run(
        [str(shim / "bash"), str(ROOT / "scripts/test.sh")],
        env={"PATH": str(shim)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "apt-get install chromium" in done.stderr


def test_ci_runs_the_readme_test_command_as_written() -> None:
    second = quick_start()[1]
    assert second == "bash scripts/test.sh"
    assert second in (ROOT / ".ci/run").read_text().splitlines()
