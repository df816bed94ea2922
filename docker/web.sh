#!/bin/sh
# Web process: serve with gunicorn. Migrations and the curriculum are applied before it
# starts, once, by the `migrate` service (docker/migrate.sh): replicas never race.
# X-Forwarded-Proto is believed only from TRUSTED_PROXIES (empty: from nobody), the
# same list Django uses for the client's address (painapp/proxies.py).
set -e
exec gunicorn painapp.wsgi:application --bind "0.0.0.0:${PORT:-8000}" \
  --workers "${WEB_CONCURRENCY:-3}" \
  --access-logfile - --logger-class painapp.gunicorn_logger.RedactingLogger \
  --forwarded-allow-ips "${TRUSTED_PROXIES:-}"
