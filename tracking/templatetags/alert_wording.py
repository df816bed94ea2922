"""`{% load alert_wording %}`: where a patient wrote what raised an alert
(tracking.alerts.wording), for the alert page and the patient overview, and how late
an alert is (tracking.alerts.due.alert_clock), for the alert page and the inbox."""

from __future__ import annotations

from datetime import datetime

from django import template

from tracking import rules
from tracking.alerts import due, wording
from tracking.models import Alert

register = template.Library()


@register.filter
def written_where(alert: Alert) -> str:
    """`{{ alert|written_where }}`: "in a message to the care team", "in a check-in", …"""
    return wording.written_where(alert)


@register.filter
def alert_title(alert: Alert) -> str:
    """`{{ alert|alert_title }}`: its kind, and where the patient said it if that is
    not plain from the kind ("Emergency signs reported in a check-in")."""
    return wording.alert_title(alert)


@register.filter
def from_checkin(alert: Alert) -> bool:
    """`{% if alert|from_checkin %}`: raised by a check-in, not other writing."""
    return wording.from_checkin(alert)


@register.filter
def alert_time(when: datetime | None) -> str:
    """`{{ alert.created_at|alert_time }}`: every time on the alert pages, one way
    ("Tue 8 Dec 2026, 11:00"), in the viewer's zone and language."""
    return wording.alert_time(when)


@register.filter
def again_times(alert: Alert) -> list[datetime]:
    """`{{ alert|again_times }}`: when crisis words came again while it was open and
    nobody had acknowledged it (tracking.alerts.services.alert_again), oldest first."""
    return [datetime.fromisoformat(hit["at"]) for hit in alert.details.get("again", [])]


@register.filter
def told_names(alert: Alert) -> str:
    """`{{ alert|told_names }}`: who the escalation chain told of it, by name, or ""."""
    return wording.told_names(alert)


@register.filter
def alert_clock(alert: Alert, now: datetime) -> rules.AlertClock:
    """`{% with clock=alert|alert_clock:now %}`: its deadline, whether it is overdue,
    and when it escalates next."""
    return due.alert_clock(alert, now)


@register.filter
def due_phrase(deadline: datetime | None, now: datetime) -> str:
    """`{{ deadline|due_phrase:now }}`: "today by 17:30", "by Tue 8 Dec 2026, 10:00",
    "now — overdue since …" (tracking.alerts.wording.due_phrase), in the reader's zone
    and language."""
    return wording.due_phrase(deadline, now)


@register.filter
def contact_when(alert: Alert, now: datetime) -> str:
    """`{{ alert|contact_when:now }}`: when the patient must be contacted, from the
    alert's own deadline (tracking.alerts.wording.contact_when)."""
    return wording.contact_when(alert, now)


@register.filter
def acknowledged_late(alert: Alert, now: datetime) -> str:
    """`{{ alert|acknowledged_late:now }}`: "Acknowledged 6 days after it was due (…)."
    for an alert acknowledged late, else "" (tracking.alerts.wording.acknowledged_late)."""
    return wording.acknowledged_late(alert, now)


@register.filter
def resolve_clock_said(alert: Alert, now: datetime) -> str:
    """`{{ alert|resolve_clock_said:now }}`: by when it must be resolved, and whether the
    escalation chain was told already and is told again
    (tracking.alerts.wording.resolve_clock_said)."""
    return wording.resolve_clock_said(alert, now)
