"""Where on the clinician's pages staff read what raised an alert.

An alert's `source` names the entry behind it ("diary:12", "message:40", "checkin:7",
"reflection:3", "safety_plan:2", …; tracking.alerts.wording reads its kind). The alert
page links to the patient's record and to the existing staff view that shows that
entry: a section of the patient's record (at the entry's anchor where the section has
one) or their message thread. Those pages look the patient up and audit the read as
they always do (tracking.access): the alert page itself never shows what was written.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from tracking.alerts.wording import entry_kind
from tracking.models import Alert


@dataclass(frozen=True)
class EntryLink:
    url: str
    label: Promise


# Each kind of entry: the staff view that shows it, the anchor of one entry there
# ("" if the view has none; {pk} is the entry's id), and the link's words.
_VIEWS: dict[str, tuple[str, str, Promise]] = {
    "diary": ("patient_diary", "diary", gettext_lazy("Read the diary entry")),
    "message": ("patient_messages", "conversation", gettext_lazy("Read the message thread")),
    "checkin": ("patient_checkins", "ci-{pk}-h", gettext_lazy("See the check-in answers")),
    "reflection": (
        "patient_reflections",
        "reflection-{pk}",
        gettext_lazy("See their lesson answers"),
    ),
    "attribution": ("patient_causes", "causes-{pk}", gettext_lazy("See the causes they named")),
    "practice": ("patient_practice", "", gettext_lazy("See their practice log")),
    "fear_item": ("patient_exposures", "rung-{pk}-h", gettext_lazy("See their fear ladder")),
    "exposure": ("patient_exposures", "", gettext_lazy("See their fear ladder")),
    "exposure-after": ("patient_exposures", "", gettext_lazy("See their fear ladder")),
    "custom_exercise": ("patient_program", "", gettext_lazy("See their tailored program")),
    "safety_plan": ("patient_safety_plan", "", gettext_lazy("See their safety plan")),
    "missed": ("patient_checkins", "", gettext_lazy("See the check-in answers")),
    "screening": ("patient_screening", "", gettext_lazy("See the screening answers")),
}


def patient_url(alert: Alert) -> str:
    """The patient's record (its alerts section)."""
    return reverse("patient_detail", args=[alert.enrollment_id])


def entry_link(alert: Alert) -> EntryLink | None:
    """The staff view showing what raised `alert`, or None for a source no view shows."""
    kind = entry_kind(alert)
    found = _VIEWS.get(kind) or _VIEWS.get((alert.source or "").split(":", 1)[0])
    if found is None:
        return None
    name, anchor, label = found
    entry_id = (alert.source or "").partition(":")[2]
    url = reverse(name, args=[alert.enrollment_id])
    if name == "patient_diary" and entry_id.isdigit():
        url += f"?entry={entry_id}"  # shown even when older than the newest episodes
    if anchor and ("{pk}" not in anchor or entry_id.isdigit()):
        url += "#" + anchor.format(pk=entry_id)
    return EntryLink(url=url, label=label)
