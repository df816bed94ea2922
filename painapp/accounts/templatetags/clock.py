"""Clock times in templates on the reader's clock (painapp.formats.clock): on a
patient's page `{{ m.sent_at|when:"WEEKDAY_DAY_MONTH_TIME_FORMAT" }}` is "Mon 7 Dec,
9:00 AM" in the United States and "Mon 7 Dec, 09:00" in Spain; on a staff page it is
what `|date:` gives."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from painapp.formats import clock

register = template.Library()


# expects_localtime: like Django's |date, the value is first put in the current zone
# (the reader's, UserTimezoneMiddleware).
@register.filter(expects_localtime=True)
def when(value: datetime | None, format_name: str) -> str:
    if value in (None, ""):
        return ""
    return clock.when(value, format_name)


@register.filter
def ago(value: datetime, now: datetime | None = None) -> str:
    """How long ago, in words: "3 hours ago", and "just now" under a minute (where
    timesince says "0 minutes")."""
    now = now or timezone.now()
    if now - value < timedelta(minutes=1):
        return _("just now")
    return _("%(since)s ago") % {"since": timesince(value, now)}
