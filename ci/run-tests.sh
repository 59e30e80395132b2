#!/usr/bin/env bash
# The README's test command, for CI: lint, then every workspace member's tests in its own locked venv.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v uv >/dev/null 2>&1 || python3 -m pip install -q uv
# bench's report test renders report.html in headless Chromium (the distribution's package); it skips without one.
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
    || echo "warning: could not install chromium; the report's browser test will be skipped"
fi
uv lock --check
uv run --isolated --locked --only-group dev nox "$@"
