#!/usr/bin/env bash
# Install paperboy with its test dependencies, then lint, type-check and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -e '.[test]'
python3 -m ruff check src tests benchmarks
python3 -m mypy
python3 -m pytest -q
