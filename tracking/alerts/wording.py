"""Where a patient wrote what raised a self-harm alert, in plain words for staff.

The one place that turns an alert's entry kind (the scanner's details["entry"], the
part of its `source` before ":"; a check-in's alert has "checkin:<pk>") into a phrase
such as "in a message to the care team". The urgent email, the alert page and the
patient overview all say it from here, in the reader's language. Never the text the
patient wrote, never the phrase that matched: staff open the entry (audited) to read it.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    BooleanField,
    Count,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import get_text_list
from django.utils.timesince import timesince
from django.utils.translation import gettext, gettext_lazy, ngettext

from painapp.accounts.models import User
from tracking import rules as clinical
from tracking.alerts.due import alert_clock
from tracking.instruments.registry import with_shipped_rules
from tracking.models import Alert, AlertContactAttempt, AlertResolution, CheckIn, Response

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


def safety_item_name(item_key: str) -> str:
    """A questionnaire's safety question named as the self-harm alert names it, for
    staff: "PHQ-9 item 9 (thoughts …)"; a practice's own instrument's safety question
    by what it asks about."""
    if item_key == clinical.PHQ9_SAFETY_ITEM:
        return gettext(
            "PHQ-9 item 9 (thoughts that they would be better off dead, or of hurting themselves)"
        )
    return gettext("Safety question (thoughts of self-harm)")


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


def alert_title(alert: Alert) -> str:
    """The alert's kind as its title, with where the patient said it when the kind
    alone does not tell: emergency signs come from a check-in answer or from words
    they wrote (tracking.safety.scanner: details "written" and "entry")."""
    kind = alert.get_kind_display()
    if alert.kind != Alert.Kind.EMERGENCY_SYMPTOMS:
        return kind
    if not ((alert.details or {}).get("written") or from_checkin(alert)):
        return kind  # where is not known: the kind alone
    # Translators: an alert's title: its kind ("Emergency signs reported"), then where
    # the patient said it ("in a pain and fear diary entry").
    return gettext("%(kind)s %(where)s") % {"kind": kind, "where": written_where(alert)}


def from_checkin(alert: Alert) -> bool:
    """The alert came from a check-in (an answer or its text), not other writing."""
    return entry_kind(alert) == CHECKIN


def acknowledged_message(alert: Alert) -> str:
    """What staff are told on acknowledging `alert` (just acknowledged, so it has its
    resolve time), wherever they acknowledged it: the deadline (`due_phrase`), in the
    reader's zone (UserTimezoneMiddleware) and language, and what happens if it is
    missed."""
    return gettext(
        "Alert acknowledged. Please contact the patient and resolve it %(when)s. "
        "If it is not resolved by then, your practice's escalation chain is told."
    ) % {"when": due_phrase(alert.resolve_by, timezone.now())}


# ---------------------------------------------------------------- when it is due
def due_phrase(deadline: datetime | None, now: datetime) -> str:
    """The one way every "when" about an alert is said (the urgent email, the inbox, the
    alert page, the patient's page, the messages after acting on one), from its actual
    deadline (tracking.rules.due_when), in the reader's zone and language (a page: the
    viewer's, UserTimezoneMiddleware; an email: its recipient's, build_email): "today by
    17:30", "by Tue 8 Dec 2026, 10:00", "now — overdue since Mon 7 Dec 2026, 10:00". A
    deadline not known (a row from before they were kept): "as soon as you can"."""
    if deadline is None:
        return gettext("as soon as you can")
    when = clinical.due_when(deadline, now=now, tz=timezone.get_current_timezone())
    if when == clinical.DueWhen.OVERDUE:
        return gettext("now — overdue since %(when)s") % {"when": alert_time(deadline)}
    if when == clinical.DueWhen.TODAY:
        return gettext("today by %(time)s") % {
            "time": date_format(timezone.localtime(deadline), "H:i")
        }
    return gettext("by %(when)s") % {"when": alert_time(deadline)}


def contact_when(alert: Alert, now: datetime) -> str:
    """When the patient must be contacted, from the deadline the alert is late against
    (tracking.rules.alert_clock: open, its first due time; acknowledged, its resolve
    time), in `due_phrase`'s words."""
    return due_phrase(alert_clock(alert, now).deadline, now)


def acknowledged_late(alert: Alert, now: datetime) -> str:
    """ "Acknowledged 6 days after it was due (Tue 1 Dec 2026, 10:00)." for an alert
    acknowledged after its first due time (tracking.rules.alert_clock's
    `acknowledged_late_since`), else "": its resolve clock runs on, but the lateness
    stays said on the alert page and in the inbox."""
    missed = alert_clock(alert, now).acknowledged_late_since
    if missed is None or alert.acknowledged_at is None:
        return ""
    return gettext("Acknowledged %(late)s after it was due (%(when)s).") % {
        "late": timesince(missed, alert.acknowledged_at),
        "when": alert_time(missed),
    }


# ---------------------------------------------------------------- not reached
def _plans_in_words(*, handing_risk_on: bool) -> str:
    """The resolve form's plans that do (or do not) hand the risk on
    (tracking.rules.PLANS_HANDING_RISK_ON), each in quotes, as a list in a sentence:
    “Safety plan made”, “Pause the program” and “Withdraw from the program”."""
    return get_text_list(
        [
            f"“{label}”"
            for value, label in AlertResolution.form_plan_choices()
            if clinical.PLANS_HANDING_RISK_ON.get(value, False) == handing_risk_on
        ],
        gettext("and"),
    )


def plans_handing_risk_on() -> str:
    """The plans that resolve an alert that needs prompt contact without reaching the
    patient (tracking.rules.PLANS_HANDING_RISK_ON), in words: “Emergency services
    called”."""
    return _plans_in_words(handing_risk_on=True)


def plans_needing_contact() -> str:
    """The plans that do not resolve such an alert without reaching the patient, in
    words (the rest of tracking.rules.PLANS_HANDING_RISK_ON)."""
    return _plans_in_words(handing_risk_on=False)


def resolve_clock_said(alert: Alert, now: datetime) -> str:
    """What happens if nobody resolves `alert` (not resolved) in time, from its state:
    by when, and whether the escalation chain was already told (at its `resolve_told_at`)
    and is told again (tracking.rules.resolve_clock_after_attempt). Told, and its
    deadline passed with no attempt since: the next attempt starts a new deadline."""
    told = alert.status == Alert.Status.ACKNOWLEDGED and alert.resolve_told_at is not None
    if not told:
        return gettext(
            "It must be resolved %(when)s. If it is not resolved by then, your practice's "
            "escalation chain is told."
        ) % {"when": contact_when(alert, now)}
    if alert.resolve_escalated_at is not None:
        return gettext(
            "It was not resolved in time: your practice's escalation chain was told "
            "%(told)s. Each try you record starts a new deadline; if nobody reaches them "
            "by then, the chain is told again."
        ) % {"told": alert_time(alert.resolve_told_at)}
    return gettext(
        "Your practice's escalation chain was told %(told)s that it was not resolved in "
        "time. If nobody reaches them %(when)s, the chain is told again."
    ) % {"told": alert_time(alert.resolve_told_at), "when": contact_when(alert, now)}


def attempt_message(alert: Alert, plan: list[str]) -> str:
    """What staff are told after "we could not reach them" on an alert that needs prompt
    contact: the attempt is kept, the alert is not resolved and why, and by when."""
    said = (
        gettext(
            "Your attempt to reach the patient is recorded. The alert is not resolved: it "
            "stays open until someone reaches them. Please keep trying."
        )
        + " "
        + resolve_clock_said(alert, timezone.now())
    )
    if plan:
        labels = dict(AlertResolution.Plan.choices)
        said += " " + gettext(
            "Without reaching them, it can be resolved only with a plan that hands the risk "
            "to someone who acts now (%(plans)s). The plan you chose (%(chosen)s) needs the "
            "patient reached first."
        ) % {
            "plans": plans_handing_risk_on(),
            "chosen": "; ".join(str(labels.get(p, p)) for p in plan),
        }
    return said


# How every time on the alert pages is written (the inbox, an alert, its resolve form,
# the alerts on a patient's record, the messages after acting on one): weekday, day,
# month, year and time, in the viewer's zone (UserTimezoneMiddleware) and language
# (painapp/formats): "Tue 8 Dec 2026, 11:00", "mar 8 dic 2026, 11:00".
ALERT_TIME_FORMAT = "WEEKDAY_DAY_MONTH_YEAR_TIME_FORMAT"


def alert_time(when: datetime | None) -> str:
    """`when` as the alert pages write a time (ALERT_TIME_FORMAT), or ""."""
    if when is None:
        return ""
    return date_format(timezone.localtime(when), ALERT_TIME_FORMAT)


def with_told(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """`told_people` on each alert, in the same query: who the escalation chain (or its
    end) told of it (`Alert.escalated_to`), in the order they were told."""
    told = OuterRef("escalated_to")
    people = (
        # `id = ANY(escalated_to)`: the primary key's index, not a scan of every user.
        User.objects.filter(
            Func(
                F("pk"),
                told,
                arg_joiner=" = ANY(",
                template="%(expressions)s)",
                output_field=BooleanField(),
            )
        )
        .annotate(
            told_order=Func(told, F("pk"), function="array_position", output_field=IntegerField())
        )
        .order_by("told_order")
        .values(person=JSONObject(full_name="full_name", email="email"))
    )
    return alerts.annotate(told_people=ArraySubquery(people))


def with_attempts(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """`attempt_count` and `last_attempt_at` on each alert, in the same query: the
    tries to reach the patient that did not get through (AlertContactAttempt)."""
    tries = AlertContactAttempt.objects.filter(alert=OuterRef("pk")).order_by().values("alert")
    return alerts.annotate(
        attempt_count=Coalesce(
            Subquery(tries.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
            0,
        ),
        last_attempt_at=Subquery(tries.annotate(at=Max("attempted_at")).values("at")[:1]),
    )


def told_names(alert: Alert) -> str:
    """Who the chain told of `alert`, by name ("On Call, Sam Admin"), or "" when it has
    told nobody by name (still with the patient's clinician, or escalated before names
    were kept). From `with_told`'s annotation."""
    people = getattr(alert, "told_people", None) or []
    return ", ".join(User(full_name=p["full_name"], email=p["email"]).display_name for p in people)


# ---------------------------------------------------------------- counts in words
# The menu's badge counts the alerts that need the person now (to acknowledge, or past
# their resolve time); the inbox lists every alert not yet resolved. Both say which
# they count in these words, so the two numbers never differ without a reason given.


def need_acknowledging(n: int) -> str:
    return ngettext("%(n)s needs acknowledging", "%(n)s need acknowledging", n) % {"n": n}


def past_resolve(n: int) -> str:
    return ngettext(
        "%(n)s acknowledged and past its resolve time",
        "%(n)s acknowledged and past their resolve time",
        n,
    ) % {"n": n}


def acknowledged_not_resolved(n: int) -> str:
    return ngettext(
        "%(n)s acknowledged, not yet resolved", "%(n)s acknowledged, not yet resolved", n
    ) % {"n": n}


def menu_count_label(*, unacknowledged: int, past_resolve_time: int) -> str:
    """The menu badge's words: "(2 need acknowledging · 1 acknowledged and past its
    resolve time)"."""
    parts = [need_acknowledging(unacknowledged)] if unacknowledged else []
    if past_resolve_time:
        parts.append(past_resolve(past_resolve_time))
    return f"({' · '.join(parts)})" if parts else ""


def inbox_count_line(alerts: list[Alert]) -> str:
    """The inbox's count of what it lists: "2 need acknowledging · 3 acknowledged, not
    yet resolved (1 acknowledged and past its resolve time)"."""
    open_ = sum(a.status == Alert.Status.OPEN for a in alerts)
    acknowledged = [a for a in alerts if a.status == Alert.Status.ACKNOWLEDGED]
    late = sum(a.resolve_escalated_at is not None for a in acknowledged)
    parts = [need_acknowledging(open_)] if open_ else []
    if acknowledged:
        said = acknowledged_not_resolved(len(acknowledged))
        parts.append(f"{said} ({past_resolve(late)})" if late else said)
    return " · ".join(parts)


def draft_answer_then_sent(alert: Alert) -> str:
    """For a self-harm alert raised by a PHQ-9 item 9 answer saved before the check-in
    was finished (details "draft" and "item9"): what the check-in said when it was
    sent, in plain words for staff, or "" (not such an alert, or not sent yet: the
    alert page then says they may not have sent it). The alert stands either way: the
    earlier answer was seen. Two queries, on the alert page only."""
    details = alert.details or {}
    earlier = details.get("item9")
    pk = (alert.source or "").partition(":")[2]
    if not details.get("draft") or earlier is None or entry_kind(alert) != CHECKIN:
        return ""
    if not pk.isdigit():
        return ""
    checkin = CheckIn.objects.filter(pk=int(pk), enrollment_id=alert.enrollment_id).first()
    if checkin is None or checkin.status != CheckIn.Status.COMPLETED:
        return ""
    sent = None
    for response in Response.objects.filter(checkin=checkin).select_related("instrument"):
        scoring = with_shipped_rules(response.instrument).scoring or {}
        if scoring.get("safety_item") == clinical.PHQ9_SAFETY_ITEM:
            sent = response.answers.get(clinical.PHQ9_SAFETY_ITEM)
    if sent is None:
        return gettext(
            "They then submitted the check-in without an answer to item 9. The earlier "
            "answer of %(earlier)s was seen, so this alert stands: please contact them."
        ) % {"earlier": earlier}
    if sent == earlier:
        return gettext("They then submitted the check-in with the same answer.")
    if sent == 0:
        return gettext(
            "They then submitted the check-in with item 9 answered 0 (not at all), after "
            "this earlier answer of %(earlier)s. The earlier answer was seen, so this "
            "alert stands: please still contact them."
        ) % {"earlier": earlier}
    return gettext(
        "They then submitted the check-in with item 9 answered %(sent)s out of 3, after "
        "this earlier answer of %(earlier)s."
    ) % {"sent": sent, "earlier": earlier}
