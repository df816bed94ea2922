#!/bin/sh
# One-shot: apply migrations, load the curriculum and the instruments, then exit.
# docker compose runs it as the `migrate` service before web, worker and beat start
# (they wait for it to finish successfully), on every `up`, so an upgrade migrates once.
# Each step is idempotent: with nothing new, it changes nothing.
set -e
python manage.py migrate --noinput
python manage.py load_program --all
python manage.py load_instruments
