# syntax=docker/dockerfile:1
# painapp's image: web (docker/web.sh), worker and beat (celery), and the one-shot
# migrate service (docker/migrate.sh) all run it. tests/test_dockerfile.py replays these
# steps in a clean virtualenv and folder and serves a page, so keep every RUN plain shell.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app
WORKDIR /app
# The app's user, and the folder for uploads (MEDIA_ROOT: recorded audio) that it owns,
# so the compose file's `media` volume starts out writable by it.
RUN useradd --create-home --uid 1000 painapp \
    && mkdir -p /app/var/media && chown painapp:painapp /app/var/media
# gettext's msgfmt compiles the translations (locale/*/LC_MESSAGES/django.po) below.
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
# Dependencies first, from the lock (pinned, with hashes): this layer is rebuilt only
# when the lock changes, not on every change to the source. pip's cache lives in a
# build cache mount, outside the image.
COPY requirements/runtime.txt requirements/runtime.txt
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --require-hashes --no-deps -r requirements/runtime.txt
COPY . .
# The manifest (staticfiles.json) that {% static %} needs with DEBUG off is written
# whatever DEBUG is; settings need a SECRET_KEY to load, so a throwaway one is made
# for this one command and kept nowhere.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    sh -c 'python manage.py collectstatic --noinput --verbosity 0 \
    && python manage.py compilemessages --ignore=.venv --verbosity 0'
USER painapp
EXPOSE 8000
CMD ["docker/web.sh"]
