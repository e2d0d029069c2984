"""A second Python process running paperboy's own code, for work that can use the other core.

A fresh interpreter, not multiprocessing: its spawn would run the caller's main script
again (the CLI, a test runner, a benchmark). It sees the caller's import path, so it runs the
same paperboy whether that is installed or a checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any


def python(code: str, *args: str, **popen: Any) -> subprocess.Popen[Any]:
    """Start `python -c code args…` on this paperboy; `popen`: subprocess.Popen's options."""
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        **popen,
    )
