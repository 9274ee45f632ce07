#!/usr/bin/env bash
# Runs Sachet on the embedded default, as production runs but without any server to install: the web server, a
# Celery worker (every queue) and beat, with SQLite, uploads and the task broker's files under var/ (Procfile.local,
# through honcho). Demo data is loaded. Open http://127.0.0.1:8000/ (set PORT to change the port); Ctrl-C stops all.
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
admin_path=$(.venv/bin/python manage.py shell --no-imports -v0 -c 'from django.conf import settings; print(settings.ADMIN_URL)')
port="${PORT:-8000}"
echo
echo "Sachet is starting at http://127.0.0.1:${port}/ (web, Celery worker and beat; Ctrl-C stops them all)"
echo "Staff admin: http://127.0.0.1:${port}/${admin_path}  (create an account: .venv/bin/python manage.py createsuperuser)"
echo
export PATH="$PWD/.venv/bin:$PATH"
exec honcho start -f Procfile.local -p "$port"
