"""Where a patient wrote what raised a self-harm alert, in plain words for staff.

The one place that turns an alert's entry kind (the scanner's details["entry"], the
part of its `source` before ":"; a check-in's alert has "checkin:<pk>") into a phrase
such as "in a message to the care team". The urgent email, the alert page and the
patient overview all say it from here, in the reader's language. Never the text the
patient wrote, never the phrase that matched: staff open the entry (audited) to read it.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from tracking.models import Alert

CHECKIN = "checkin"

# Each kind of entry a patient writes (tracking.safety.scanner's `source` prefixes).
WRITTEN_WHERE: dict[str, Promise] = {
    CHECKIN: gettext_lazy("in a check-in"),
    "message": gettext_lazy("in a message to the care team"),
    "reflection": gettext_lazy("in a lesson answer"),
    "diary": gettext_lazy("in a pain and fear diary entry"),
    "attribution": gettext_lazy("in their answer about the causes of their pain"),
    "practice": gettext_lazy("in a practice-session note"),
    "fear_item": gettext_lazy("on their fear ladder"),
    "exposure": gettext_lazy("in an exposure plan"),
    "exposure-after": gettext_lazy("in a note after an exposure"),
    "custom_exercise": gettext_lazy("in a note on an exercise their clinician set"),
    "safety_plan": gettext_lazy("in their safety plan"),
}
# A kind added later and not named above yet.
WRITTEN_SOMEWHERE = gettext_lazy("in something they wrote in the app")


def entry_kind(alert: Alert) -> str:
    """The kind of entry that raised the alert: "message", "diary", "checkin", …"""
    entry = (alert.details or {}).get("entry")
    if isinstance(entry, str) and entry:
        return entry
    return (alert.source or "").split(":", 1)[0]


def where_phrase(alert: Alert) -> Promise:
    """Where the patient wrote it, translated when it is shown (an email is built in
    its reader's language, not the sender's)."""
    return WRITTEN_WHERE.get(entry_kind(alert), WRITTEN_SOMEWHERE)


def written_where(alert: Alert) -> str:
    """Where the patient wrote it, e.g. "in a lesson answer" (the active language)."""
    return str(where_phrase(alert))


def from_checkin(alert: Alert) -> bool:
    """The alert came from a check-in (an answer or its text), not other writing."""
    return entry_kind(alert) == CHECKIN


def acknowledged_message(alert: Alert) -> str:
    """What staff are told on acknowledging `alert` (just acknowledged, so it has its
    resolve time), wherever they acknowledged it: the deadline, in the reader's zone
    (UserTimezoneMiddleware) and language, and what happens if it is missed."""
    when = timezone.localtime(alert.resolve_by)
    return gettext(
        "Alert acknowledged. Please contact the patient and resolve it by %(when)s. "
        "If it is not resolved by then, your practice's escalation chain is told."
    ) % {"when": date_format(when, "WEEKDAY_DAY_MONTH_TIME_FORMAT")}
