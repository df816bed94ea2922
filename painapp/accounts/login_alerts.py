"""Repeated failed logins on one account: tell its owner, at most once per window.

Throttling itself is allauth's (settings.ACCOUNT_RATE_LIMITS["login_failed"], keyed
per client address and per (address, account) by painapp.accounts.adapter), so failures
from elsewhere never lock the owner out. What those limits cannot stop is slow guessing
from many addresses; this counts every failed password on an account, from any
address, and once LOGIN_ALERT_FAILURES of them fall in one window of
LOGIN_ALERT_WINDOW_SECONDS, emails the owner a short plain notice (no health data).
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.emails import send_email
from painapp.accounts.models import Membership, Role, User
from painapp.formats import clock

logger = logging.getLogger(__name__)

ALERT_TASK = "painapp.accounts.tasks.send_login_alert"


def _window_key(kind: str, login: str) -> tuple[str, int]:
    # A hash, not the address: cache keys can be listed by anyone with Redis access.
    digest = hashlib.sha256(login.strip().lower().encode()).hexdigest()
    period = settings.LOGIN_ALERT_WINDOW_SECONDS
    return f"login-alert:{kind}:{digest}:{int(time.time() // period)}", period + 5


def login_failure_record(*, login: str) -> bool:
    """Count one failed password for `login` (the address typed). Returns True when this
    failure is the one that crosses the threshold and the owner's notice was queued.

    The count and the claim live in the shared cache (Redis), so every web process
    agrees; `cache.add` is atomic, so one process claims the window's notice. The
    owner is looked up only at the crossing, for known and unknown addresses alike.
    """
    if not login:
        return False
    key, timeout = _window_key("failures", login)
    count = 1 if cache.add(key, 1, timeout=timeout) else cache.incr(key)
    if count < settings.LOGIN_ALERT_FAILURES:
        return False
    claim, timeout = _window_key("sent", login)
    if not cache.add(claim, 1, timeout=timeout):
        return False  # this window's notice is already on its way
    owner = (
        User.objects.filter(email=login.strip().lower(), is_invitee=False, is_active=True)
        .values_list("pk", flat=True)
        .first()
    )
    if owner is None:
        return False
    from painapp.celery import publish

    # Sent by a worker, so the response to this attempt takes no longer for an address
    # that has an account than for one that has not.
    if not publish(ALERT_TASK, kwargs={"user_id": owner}):
        cache.delete(claim)  # the broker is down: a later failure tries again
        return False
    return True


def login_alert_send(*, user_id: int) -> bool:
    """Email the owner that someone keeps failing to log in as them. Returns whether it
    was sent. Says when and what to do; never a place, an address or health data."""
    user = User.objects.filter(pk=user_id, is_active=True, is_invitee=False).first()
    if user is None:
        return False
    # The time in it on the clock of a patient's country (painapp.formats.clock): here
    # their time zone's country (the country they chose is on their enrollment, the
    # programs app's). Staff keep the 24-hour clock of their pages.
    roles = set(Membership.objects.filter(user=user, is_active=True).values_list("role", flat=True))
    country = clock.clock_country("", user.timezone) if roles == {Role.PATIENT} else ""
    try:
        with clock.override(country):
            send_email(
                "emails/login_failures",
                to=user.email,
                context={
                    "name": user.display_name,
                    "failures": settings.LOGIN_ALERT_FAILURES,
                    "minutes": settings.LOGIN_ALERT_WINDOW_SECONDS // 60,
                    "at": timezone.now(),  # shown in their zone: tz below
                    "reset_url": settings.SITE_URL + reverse("account_reset_password"),
                },
                language=user.language,
                tz=user.tzinfo,
            )
    except OSError as error:
        logger.warning("Login alert for user %s could not be sent: %s", user_id, error)
        return False
    return True
