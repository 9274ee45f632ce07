#!/usr/bin/env bash
# Runs Sachet on the embedded default: SQLite and uploads under var/, Celery tasks in-process, alerts logged,
# with demo data. Open http://127.0.0.1:8000/ (set PORT to change the port).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
mkdir -p var
if [ ! -f .env ]; then
  # A local secret and DEBUG on, for this machine only (.env is ignored by git).
  secret=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
  printf 'DEBUG=true\nSECRET_KEY=%s\n' "$secret" > .env
  echo "Wrote .env for local development (DEBUG on, a new SECRET_KEY)."
fi
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_demo
admin_path=$(.venv/bin/python manage.py shell -c 'from django.conf import settings; print(settings.ADMIN_URL)' 2>/dev/null)
echo
echo "Sachet is starting at http://127.0.0.1:${PORT:-8000}/"
echo "Staff admin: http://127.0.0.1:${PORT:-8000}/${admin_path}  (create an account: .venv/bin/python manage.py createsuperuser)"
echo
exec .venv/bin/python manage.py runserver "127.0.0.1:${PORT:-8000}"
