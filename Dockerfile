# One image for the web process, the Celery worker and beat (see Procfile).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    STATIC_MANIFEST=true

WORKDIR /app

# Noto fonts with Bengali and Devanagari, for posters in every language Sachet speaks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, in their own cached layer. face-recognition goes in without its `dlib` requirement:
# dlib-bin (in requirements.txt) provides the module prebuilt.
COPY requirements.txt requirements-nodeps.txt ./
RUN pip install -r requirements.txt && pip install --no-deps -r requirements-nodeps.txt

COPY . .
# The gazetteer's arrays are made here, read-only for the site's user; static files collected with hashed names.
RUN useradd --create-home --uid 10001 sachet \
    && python -m geocoding.gazetteer_arrays \
    && python scripts/compilemessages.py --force \
    && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && mkdir -p var/media && chown -R sachet:sachet var
USER sachet

EXPOSE 8000
CMD ["sh", "-c", "gunicorn sachet.wsgi --bind 0.0.0.0:${PORT:-8000} --workers ${WEB_CONCURRENCY:-2} --access-logfile -"]
