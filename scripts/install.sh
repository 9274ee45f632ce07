#!/usr/bin/env bash
# Installs what Sachet needs into .venv (and, with --test, the system packages the test suite uses).
# Safe to run again: it only installs what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-run}"
python="${PYTHON:-python3}"

if [ "$mode" = "--test" ]; then
  # Debian packages: Redis for the broker and cache, Chromium for browser tests, poppler for PDF checks, GNU gettext
  # for the test that every marked string is in the catalogues (makemessages), Noto fonts (Bengali, Devanagari)
  # for posters. PostgreSQL 15 server binaries are used from /usr/lib/postgresql/15/bin.
  need=()
  command -v redis-server >/dev/null || need+=(redis-server)
  command -v chromium >/dev/null || need+=(chromium)
  command -v pdftoppm >/dev/null || need+=(poppler-utils)
  command -v xgettext >/dev/null || need+=(gettext)
  command -v npm >/dev/null || need+=(nodejs npm)
  [ -f /usr/share/fonts/truetype/noto/NotoSansBengali-Regular.ttf ] || need+=(fonts-noto-core)
  [ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
  fi
  requirements=requirements-dev.txt
else
  requirements=requirements.txt
fi

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=".venv/.installed-$(cat requirements.txt "$requirements" requirements-nodeps.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"
  # face-recognition declares a dependency on `dlib`, which would be compiled from source (over 7 minutes);
  # dlib-bin (in requirements.txt) provides the same module prebuilt, so face-recognition goes in without deps.
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -r requirements-nodeps.txt
  touch "$stamp"
fi
if [ "$mode" = "--test" ]; then
  # Lighthouse for the browser tests (tests/lighthouse: a test tool, nothing of it is served), from the npm
  # registry at the versions of its lock file; again only when the lock file changed.
  lock="tests/lighthouse/node_modules/.installed-$(sha256sum tests/lighthouse/package-lock.json | cut -c1-16)"
  if [ ! -f "$lock" ]; then
    npm ci --prefix tests/lighthouse --no-audit --no-fund --loglevel=error
    touch "$lock"
  fi
fi

# The gazetteer's memory-mapped arrays, made from geocoding/data/gazetteer_in.tsv.gz (a few seconds, once per change).
.venv/bin/python -m geocoding.gazetteer_arrays >/dev/null

# Translations: compile locale/*/LC_MESSAGES/*.po into the .mo files Django reads (pure Python, no GNU gettext
# needed; only catalogues changed since the last run).
.venv/bin/python scripts/compilemessages.py
