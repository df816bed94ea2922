"""A small fixed-window rate limit on the shared cache (Redis in production)."""

from __future__ import annotations

import time

from django.core.cache import cache

from painapp.accounts.audit import client_ip


def allow(request, scope: str, *, limit: int, period: int) -> bool:
    """Count one attempt for (scope, client address); False once over `limit` per
    `period` seconds. Counts are shared by every web process through the cache."""
    window = int(time.time() // period)
    key = f"throttle:{scope}:{client_ip(request)}:{window}"
    added = cache.add(key, 1, timeout=period + 5)
    count = 1 if added else cache.incr(key)
    return count <= limit
