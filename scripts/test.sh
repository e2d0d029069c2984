#!/usr/bin/env bash
# The README's test command. Installs what the tests need that pip cannot (Debian's chromium,
# for the browser tests: Playwright drives /usr/bin/chromium and never downloads a browser)
# when run as root, or names the package to install; then installs paperboy with its test
# dependencies into the checkout's own virtual environment (.venv: Debian's python3 refuses a
# system-wide pip install), lints, type-checks and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "chromium is missing: install Debian's package first (sudo apt-get install chromium)" >&2
        exit 1
    fi
fi

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
