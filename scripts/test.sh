#!/usr/bin/env bash
# Install paperboy with its test dependencies into the checkout's own virtual environment
# (.venv: Debian's python3 refuses a system-wide pip install), then lint, type-check and run
# every test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${VIRTUAL_ENV:-}" ]; then
    py=python
else
    [ -x .venv/bin/python ] || python3 -m venv .venv
    py=.venv/bin/python
fi
"$py" -m pip install -q -e '.[test]'
"$py" -m ruff check src tests benchmarks
"$py" -m ruff format --check src tests benchmarks
"$py" -m mypy  # strict, over src, tests and benchmarks (pyproject.toml)
"$py" -m pytest -q
