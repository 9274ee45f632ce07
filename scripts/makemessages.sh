#!/usr/bin/env bash
# Collects every string marked for translation (templates, Python, static/js) into locale/{hi,bn,mr}/LC_MESSAGES/
# django.po and djangojs.po, keeping the translations already there. New strings arrive empty: translate them
# (see locale/GLOSSARY.md), then scripts/compilemessages.py. Needs GNU gettext (apt-get install gettext).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=true SACHET_IGNORE_DOTENV=1  # makemessages reads the code only: no secret key or database needed
common=(--locale=hi --locale=bn --locale=mr --no-obsolete --add-location=file
        --ignore='static/vendor/*' --ignore='staticfiles/*' --ignore='node_modules/*' --ignore='var/*'
        --ignore='test-results/*' --ignore='bench/*' --ignore=tests)
.venv/bin/python manage.py makemessages --domain=django "${common[@]}"
.venv/bin/python manage.py makemessages --domain=djangojs "${common[@]}"
.venv/bin/python scripts/compilemessages.py
