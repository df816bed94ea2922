"""Settings for the test suite: always real Postgres and real Redis."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-" + "x" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/painapp")
# Each pytest-xdist worker (gw0, gw1, …) gets its own Redis database, as it gets its
# own test database, so broker queues, caches and rate limits never mix.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_redis_db = 14 - int(_worker[2:]) if _worker.startswith("gw") else 14
os.environ.setdefault("REDIS_URL", f"redis://127.0.0.1:6379/{_redis_db}")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from painapp.settings import *  # noqa: E402,F403
from painapp.settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Child processes (workers in delivery tests) may write mail to files instead.
EMAIL_BACKEND = os.environ.get("TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
STORAGES = {**STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# The browser tests talk plain HTTP to the live server.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
CELERY_TASK_ALWAYS_EAGER = False
# whitenoise warns when STATIC_ROOT is missing; tests serve static files from finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(exist_ok=True)  # noqa: F405
