#!/usr/bin/env bash
# The README's test command. Installs what the tests need that pip cannot (Debian's chromium,
# for the browser tests: Playwright drives /usr/bin/chromium and never downloads a browser;
# Debian's postgresql, whose initdb and pg_ctl the PostgreSQL tests run) when run as root, or
# names the packages to install; then installs paperboy with its test
# dependencies into the checkout's own virtual environment (.venv: Debian's python3 refuses a
# system-wide pip install), lints, type-checks and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# The PostgreSQL tests start their own clusters with Debian's server programs.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "missing: ${missing[*]}: install Debian's packages first (sudo apt-get install ${missing[*]})" >&2
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
