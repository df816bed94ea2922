"""Settings for the test suite: always real Postgres and real Redis."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-" + "x" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/painapp")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
# Each pytest-xdist worker (gw0, gw1, …) gets its own Redis database, as it gets its
# own test database, so broker queues, caches and rate limits never mix. Workers
# inherit the controller's environment, so adjust once and mark it done (child
# processes such as Celery workers inherit the adjusted URL as it is).
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and not os.environ.get("PAINAPP_TEST_REDIS_ADJUSTED"):
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    os.environ["REDIS_URL"] = f"{_base}/{int(_db or 0) - int(_worker[2:])}"
    os.environ["PAINAPP_TEST_REDIS_ADJUSTED"] = "1"
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from painapp.settings import *  # noqa: E402,F403
from painapp.settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Child processes (workers in delivery tests) may write mail to files instead.
EMAIL_BACKEND = os.environ.get(
    "TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The browser tests talk plain HTTP to the live server.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
CELERY_TASK_ALWAYS_EAGER = False
# whitenoise warns when STATIC_ROOT is missing; tests serve static files from finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(exist_ok=True)  # noqa: F405
# Uploaded files (recorded audio) go to a folder of this run, never the checkout's var/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="painapp-test-media-"))
