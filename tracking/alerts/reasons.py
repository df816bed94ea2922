"""Why the patient's clinician gets the urgent email: each kind of alert names its own
reason, in one table (`URGENT_REASONS`), in the reader's language.

The email goes out for every alert that needs prompt contact (tracking.rules.
needs_prompt_contact: self-harm, red flags, new symptoms, and any URGENT alert, such as a
PHQ-9 of 20 or more). Each reason says which kind of thing happened and where (a
check-in, screening, something they wrote), never what: no answers, no scores, no name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from painapp.accounts.zone_names import zone_label
from tracking import rules as clinical
from tracking.alerts import wording
from tracking.models import Alert


@dataclass(frozen=True)
class UrgentReason:
    """One row of the table. `reason` may use %(practice)s, %(where)s and %(when)s."""

    subject: Promise
    reason: Promise
    then: Promise | None = None
    """What the patient was told, or what follows, after the reason."""
    contact: bool = True
    """"Please contact them <when>." follows (the self-harm reason says when itself)."""
    next_step: bool = True
    """Who is told next if nobody acknowledges it in time (the practice's chain)."""


_CONTACT_NOW = gettext_lazy("They have been shown your practice's crisis resources.")
_GO_TO_ED = gettext_lazy("They were told to go to the emergency department today.")
_ON_HOLD = gettext_lazy(
    "They were told to go to the emergency department today. Their program is on hold "
    "until you review it with them."
)
_CHECKIN_REVIEW = gettext_lazy("A patient's check-in needs your review")

# A self-harm alert and a red flag each have two reasons: where the patient said it (a
# check-in answer or something they wrote), and whether a red flag is an emergency sign.
SELF_HARM_WRITTEN = "self_harm_written"
RED_FLAG_EMERGENCY = "red_flag_emergency"
# Emergency signs, too: a check-in answer, or words the patient wrote that describe them.
EMERGENCY_WRITTEN = "emergency_written"

URGENT_REASONS: dict[str, UrgentReason] = {
    Alert.Kind.SELF_HARM: UrgentReason(
        subject=gettext_lazy("Urgent: a patient needs a call %(when)s"),
        reason=gettext_lazy(
            "A patient on your caseload at %(practice)s gave an answer in their check-in "
            "that means they need a call from you %(when)s."
        ),
        then=_CONTACT_NOW,
        contact=False,
    ),
    SELF_HARM_WRITTEN: UrgentReason(
        subject=gettext_lazy("Urgent: a patient needs a call %(when)s"),
        reason=gettext_lazy(
            "A patient on your caseload at %(practice)s wrote something %(where)s that "
            "means they need a call from you %(when)s."
        ),
        then=_CONTACT_NOW,
        contact=False,
    ),
    RED_FLAG_EMERGENCY: UrgentReason(
        subject=gettext_lazy("Urgent: a patient's screening shows emergency signs"),
        reason=gettext_lazy(
            "A patient on your caseload at %(practice)s reported emergency signs at screening."
        ),
        then=_ON_HOLD,
    ),
    Alert.Kind.RED_FLAG: UrgentReason(
        subject=gettext_lazy("A patient's screening needs your review"),
        reason=gettext_lazy(
            "A patient on your caseload at %(practice)s reported a red flag at screening. "
            "Their program is on hold until you review it with them."
        ),
        contact=False,
        next_step=False,
    ),
    Alert.Kind.EMERGENCY_SYMPTOMS: UrgentReason(
        subject=gettext_lazy("Urgent: a patient's check-in shows emergency signs"),
        reason=gettext_lazy(
            "A patient on your caseload at %(practice)s reported emergency signs at a "
            "weekly check-in."
        ),
        then=_GO_TO_ED,
    ),
    EMERGENCY_WRITTEN: UrgentReason(
        subject=gettext_lazy("Urgent: a patient wrote about emergency signs"),
        reason=gettext_lazy(
            "A patient on your caseload at %(practice)s wrote something %(where)s that "
            "seems to describe emergency signs."
        ),
        then=_GO_TO_ED,
    ),
    Alert.Kind.NEW_SYMPTOMS: UrgentReason(
        subject=gettext_lazy("A patient reported new symptoms at a check-in"),
        reason=gettext_lazy(
            "A patient on your caseload at %(practice)s reported new symptoms at a weekly "
            "check-in that need a doctor to check them."
        ),
    ),
    Alert.Kind.DEPRESSION: UrgentReason(
        subject=_CHECKIN_REVIEW,
        reason=gettext_lazy(
            "A patient on your caseload at %(practice)s had a very high score on the "
            "depression questionnaire (PHQ-9) at a check-in."
        ),
    ),
    Alert.Kind.DEPRESSION_SCREEN: UrgentReason(
        subject=_CHECKIN_REVIEW,
        reason=gettext_lazy(
            "A patient on your caseload at %(practice)s had a positive depression screen "
            "(PHQ-2) at a check-in."
        ),
    ),
    Alert.Kind.ANXIETY: UrgentReason(
        subject=_CHECKIN_REVIEW,
        reason=gettext_lazy(
            "A patient on your caseload at %(practice)s had a high score on the anxiety "
            "questionnaire (GAD-7) at a check-in."
        ),
    ),
    Alert.Kind.PAIN_UP: UrgentReason(
        subject=_CHECKIN_REVIEW,
        reason=gettext_lazy(
            "A patient on your caseload at %(practice)s reported pain well above their "
            "starting level on recent check-ins."
        ),
    ),
    Alert.Kind.FEAR_HIGH: UrgentReason(
        subject=_CHECKIN_REVIEW,
        reason=gettext_lazy(
            "A patient on your caseload at %(practice)s reported a high fear of movement "
            "at a check-in."
        ),
    ),
    Alert.Kind.MISSED: UrgentReason(
        subject=gettext_lazy("A patient has missed check-ins"),
        reason=gettext_lazy(
            "A patient on your caseload at %(practice)s has missed several check-ins in a row."
        ),
    ),
}


def urgent_reason_key(alert: Alert) -> str:
    """The row of `URGENT_REASONS` for `alert`: its kind, or the kind's other reason."""
    if alert.kind == Alert.Kind.SELF_HARM and not wording.from_checkin(alert):
        return SELF_HARM_WRITTEN
    if alert.kind == Alert.Kind.EMERGENCY_SYMPTOMS and (alert.details or {}).get("written"):
        return EMERGENCY_WRITTEN
    if alert.kind == Alert.Kind.RED_FLAG and clinical.red_flags_urgent(
        (alert.details or {}).get("red_flags", [])
    ):
        return RED_FLAG_EMERGENCY
    return alert.kind


@dataclass(frozen=True)
class UrgentWords:
    """The urgent email's reason for `alert`, said when the email is rendered (so in its
    reader's language and zone: painapp.accounts.emails.build_email), from its row."""

    row: UrgentReason
    practice: str
    where: Promise
    deadline: datetime | None
    now: datetime

    @classmethod
    def of(cls, alert: Alert, *, deadline: datetime | None, now: datetime) -> UrgentWords:
        return cls(
            row=URGENT_REASONS[urgent_reason_key(alert)],
            practice=alert.practice.name,
            where=wording.where_phrase(alert),
            deadline=deadline,
            now=now,
        )

    def _when(self) -> str:
        """`wording.due_phrase`, with the reader's zone named (an email has no page
        around it saying which): "by Tue 8 Dec 2026, 05:00 (America / New York time)"."""
        when = wording.due_phrase(self.deadline, self.now)
        if self.deadline is None:
            return when
        zone = zone_label(timezone.get_current_timezone_name())
        return gettext("%(when)s (%(zone)s time)") % {"when": when, "zone": zone}

    def _say(self, text: Promise) -> str:
        return str(text) % {
            "practice": self.practice,
            "where": str(self.where),
            "when": self._when(),
        }

    @property
    def subject(self) -> str:
        return self._say(self.row.subject)

    @property
    def reason(self) -> str:
        """The sentence that says why: what kind of thing happened, and where."""
        return self._say(self.row.reason)

    @property
    def then(self) -> str:
        """What the patient was told and when to contact them, after the reason."""
        parts = [str(self.row.then)] if self.row.then else []
        if self.row.contact:
            when = self._when()
            parts.append(gettext("Please contact them %(when)s.") % {"when": when})
        return " ".join(parts)

    @property
    def next_step(self) -> bool:
        return self.row.next_step
