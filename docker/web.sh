#!/bin/sh
# Web process: apply migrations and curriculum, then serve with gunicorn.
set -e
python manage.py migrate --noinput
python manage.py load_program --all
python manage.py load_instruments
exec gunicorn painapp.wsgi:application --bind 0.0.0.0:8000 --workers "${WEB_CONCURRENCY:-3}" \
  --access-logfile - --logger-class painapp.gunicorn_logger.RedactingLogger \
  --forwarded-allow-ips "*"
