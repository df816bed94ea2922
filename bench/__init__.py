"""`make bench`: a reproducible benchmark of painapp on Postgres and Redis.

Phases (each a module, run with `python -m bench.<phase>`; the Makefile chains them):

- ``generate``  — drop and rebuild the bench database, then bulk-load the data set
  (fixed seed): 20 practices, 200 clinicians, 20,000 patients, 52 weeks of
  check-ins and daily practice each, exposures, alerts, reminder schedules, and
  issue 19's diary, session notes, messages, saved filters and tailoring.
- ``queries``   — SQL queries per page (Django's test client on the bench database),
  at a small and a large size of each page.
- ``http``      — gunicorn started as docker/web.sh starts it, and a closed-loop load
  generator on 127.0.0.1: p50/p95/p99 and requests/s per page, p95 as a ratio to a
  minimal page, peak RSS of the web workers.
- ``reminders`` — 100,000 due reminder schedules: time for the sweep to claim and
  enqueue them; deliveries/s through one Celery worker with a file email backend.
- ``report``    — bench/results/<timestamp>.json and bench/results/latest.md.

Every phase runs against its own database (``BENCH_DATABASE_URL``, default
``painapp_bench``) and Redis database (``BENCH_REDIS_URL``), never against the
``DATABASE_URL``/``REDIS_URL`` of the shell it is started from: the generator drops
its database, so the name must contain "bench".
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
# scratch: phase outputs, logs, mail (git-ignored); BENCH_WORK_DIR for another place
WORK_DIR = Path(os.environ.get("BENCH_WORK_DIR") or ROOT / "var" / "bench")
RESULTS_DIR = ROOT / "bench" / "results"  # what gets committed

DATABASE_URL = (
    os.environ.get("BENCH_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/painapp_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/10"
SEED = int(os.environ.get("BENCH_SEED") or "20260307")
# Every bench account's password (the load generator logs in with it).
PASSWORD = "bench-pass-2026"
# Every bench staff account's TOTP secret (base32), so the load generator can pass the
# two-factor step as a real clinician or admin would.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
EMAIL_DOMAIN = "bench.painapp.test"


def environ() -> dict[str, str]:
    """The environment every bench process (and gunicorn and Celery) runs with:
    production settings (DEBUG off) as the README deploys them behind a TLS proxy."""
    name = urlparse(DATABASE_URL).path.lstrip("/")
    if "bench" not in name:
        sys.exit(
            f"BENCH_DATABASE_URL must name a database with 'bench' in it (got {name!r}):"
            " the generator drops and recreates it."
        )
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "painapp.settings",
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": REDIS_URL,
            "DEBUG": "false",
            # Not a secret: only signs bench sessions on a throwaway database.
            "SECRET_KEY": "bench-only-" + "k" * 60,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SITE_URL": "https://127.0.0.1",
            # Behind a TLS proxy, as the README deploys it: the load generator plays the
            # proxy (on this machine) by sending X-Forwarded-Proto: https.
            "TRUSTED_PROXIES": "127.0.0.1,::1",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(WORK_DIR / "mail"),
            "PAINAPP_VAR_DIR": str(WORK_DIR / "var"),
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL") or "WARNING",
            # The baseline page (/bench/baseline/) exists only where this is set: for the
            # gunicorn that bench.http measures and the in-process bench.queries/profile.
            "BENCH_VIEWS": "true",
        }
    )
    return env


def setup_django() -> None:
    """Point this process at the bench database and Redis, then set Django up."""
    os.environ.update(environ())
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def collectstatic() -> None:
    """Production settings serve static files through whitenoise's manifest, which
    every page needs: build it (quick when nothing changed)."""
    import subprocess

    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=environ(),
        check=True,
    )


def write_phase(name: str, data: dict) -> Path:
    """Keep one phase's figures for the report (var/bench/<name>.json)."""
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    path = WORK_DIR / f"{name}.json"
    data = {
        "phase": name,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        **data,
    }
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def read_phase(name: str) -> dict | None:
    path = WORK_DIR / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


class Timer:
    """`with Timer("step") as t:` prints and keeps how long a step took."""

    def __init__(self, label: str, into: dict | None = None):
        self.label, self.into, self.seconds = label, into, 0.0

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        print(f"  {self.label} …", end="", flush=True)
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = round(time.perf_counter() - self.start, 2)
        print(f" {self.seconds:.1f} s", flush=True)
        if self.into is not None:
            self.into[self.label] = self.seconds
