"""The menu's badges (open alerts, alerts nobody acknowledged, unread messages), kept
in the cache per person so that drawing the menu does not cost every page two counting
queries.

A badge must not lag what its reader just did, nor what someone just did that concerns
them. So every change that can move a count calls `badges_changed(practice_id)`: once
its transaction commits, the practice's generation goes up, and each member's badges are
counted afresh on their next page. The callers: creating, acknowledging, resolving and
escalating an alert (tracking.alerts), sending and reading a message
(tracking.messaging), moving patients to another clinician (programs.enrollments), and
the practice's messaging switch and escalation chain (tracking.safety). Anything else
that moves a count (an account deleted, a role changed) shows within BADGES_SECONDS.

What is cached is counts only, never a name or an answer. With the cache unreachable
the badges are counted on every page, as if nothing were cached.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TypeVar

import redis
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The longest a badge can lag a change that does not call badges_changed.
BADGES_SECONDS = 60


def _generation_key(practice_id: int) -> str:
    return f"badges:generation:{practice_id}"


def badges_changed(practice_id: int) -> None:
    """Every member of the practice gets freshly counted badges on their next page.

    Counted now, and again once the current transaction commits: a page drawn in
    between may have cached the counts from before the change."""

    def bump() -> None:
        key = _generation_key(practice_id)
        try:
            cache.add(key, 0, timeout=None)
            cache.incr(key)
        except redis.RedisError:
            logger.warning("Menu badges of practice %s: the cache is unreachable", practice_id)

    bump()
    transaction.on_commit(bump)


def cached_badges(practice_id: int, membership_id: int, count: Callable[[], T]) -> T:
    """The badges of one membership (a person in one practice, in one role): from the
    cache while nothing in the practice changed them, else `count()` and kept."""
    try:
        generation = cache.get(_generation_key(practice_id), 0)
        key = f"badges:{practice_id}:{generation}:{membership_id}"
        badges = cache.get(key)
    except redis.RedisError:
        return count()
    if badges is None:
        badges = count()
        with contextlib.suppress(redis.RedisError):  # else counted again next time
            cache.set(key, badges, timeout=BADGES_SECONDS)
    return badges
