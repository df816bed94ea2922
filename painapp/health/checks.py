"""The readiness probe's checks: can this process reach what a request needs?

Each answers True or False and never raises; what went wrong is logged by its type
only (an error's text may hold a host name or a user name), and the probe's answer
names the check, never the error.
"""

from __future__ import annotations

import logging
import os

import redis
from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 2


def database_ok() -> bool:
    """One round trip to Postgres through the app's own connection (and pool)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception as error:  # any failure means "not ready"
        logger.warning("Readiness: the database is unreachable (%s)", type(error).__name__)
        return False


def broker_ok() -> bool:
    """Redis (the Celery broker, also the cache and the rate limits) answers a PING; with
    the embedded filesystem broker, its folders are there and writable."""
    url = settings.CELERY_BROKER_URL
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            client = redis.Redis.from_url(
                url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
            )
            try:
                return bool(client.ping())
            finally:
                client.close()
        folder = str(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in") or "")
        return bool(folder) and os.access(folder, os.W_OK)
    except Exception as error:  # any failure means "not ready"
        logger.warning("Readiness: the broker is unreachable (%s)", type(error).__name__)
        return False
