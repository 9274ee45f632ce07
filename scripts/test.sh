#!/usr/bin/env bash
# The whole test suite: first against a throwaway PostgreSQL and Redis (what production runs on, with real
# Celery workers and browser tests), then against the embedded default (SQLite, in-process tasks).
# Extra arguments go to pytest, e.g. scripts/test.sh -k sighting
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test

source scripts/services.sh
trap stop_services EXIT
start_services

export SACHET_IGNORE_DOTENV=1 PYTHONDONTWRITEBYTECODE=1 DJANGO_ALLOW_ASYNC_UNSAFE=true
unset DEBUG SECRET_KEY CLOUDINARY_URL || true

echo "== PostgreSQL + Redis =="
status=0
.venv/bin/pytest -q "$@" || status=$?

echo "== Embedded default: SQLite, tasks in-process =="
sqlite=0
env -u DATABASE_URL -u REDIS_URL .venv/bin/pytest -q -m "not browser and not worker and not postgres_only" "$@" || sqlite=$?
# 5 = every selected test needs PostgreSQL, Redis or a browser (e.g. scripts/test.sh tests/e2e): nothing to run here.
[ "$sqlite" = 5 ] || [ "$sqlite" = 0 ] || status=$sqlite
exit $status
