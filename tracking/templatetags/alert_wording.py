"""`{% load alert_wording %}`: where a patient wrote what raised an alert
(tracking.alerts.wording), for the alert page and the patient overview."""

from __future__ import annotations

from django import template

from tracking.alerts import wording
from tracking.models import Alert

register = template.Library()


@register.filter
def written_where(alert: Alert) -> str:
    """`{{ alert|written_where }}`: "in a message to the care team", "in a check-in", …"""
    return wording.written_where(alert)


@register.filter
def from_checkin(alert: Alert) -> bool:
    """`{% if alert|from_checkin %}`: raised by a check-in, not other writing."""
    return wording.from_checkin(alert)
