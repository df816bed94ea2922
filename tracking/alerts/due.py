"""When an alert is due, from the practice's response settings (tracking.rules decides
how working time is counted), how late one is (tracking.rules.alert_clock), and the
promise a patient is told in words."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from tracking import rules
from tracking.models import Alert, PracticeSettings


def _time(value: time | str) -> time:
    # A settings row created in this process still holds the field's default as text.
    return value if isinstance(value, time) else time.fromisoformat(value)


def working_hours(s: PracticeSettings) -> tuple[time, time]:
    return _time(s.working_hours_start), _time(s.working_hours_end)


def response_minutes(practice_settings: PracticeSettings, severity: str) -> int:
    """The practice's response time for an alert of `severity` (within the limits)."""
    minutes = practice_settings.within_limits()
    if severity == Alert.Severity.URGENT:
        return minutes["response_minutes_urgent"]
    if severity == Alert.Severity.HIGH:
        return minutes["response_minutes_high"]
    return minutes["response_minutes_routine"]


def resolve_time(
    *,
    practice_settings: PracticeSettings,
    timezone_name: str,
    severity: str,
    acknowledged_at: datetime,
) -> datetime:
    """When an alert acknowledged at `acknowledged_at` must be resolved
    (tracking.rules.resolve_deadline: its response time again, in working time)."""
    start, end = working_hours(practice_settings)
    return rules.resolve_deadline(
        acknowledged_at,
        response_minutes(practice_settings, severity),
        tz=ZoneInfo(timezone_name or "UTC"),
        day_start=start,
        day_end=end,
        working_days=practice_settings.working_days or [],
    )


def step_minutes(practice_settings: PracticeSettings, severity: str) -> int:
    """How long each step of the chain has to acknowledge an alert of `severity`
    (tracking.rules.step_minutes: urgent alerts move up after the practice's escalation
    setting when it is sooner than their response time)."""
    return rules.step_minutes(
        response_minutes=response_minutes(practice_settings, severity),
        urgent=severity == Alert.Severity.URGENT,
        escalation_minutes=practice_settings.escalation_minutes,
    )


def due_time(
    *, practice_settings: PracticeSettings, timezone_name: str, severity: str, start: datetime
) -> datetime:
    """`start` plus the step time for `severity` (`step_minutes`), in working time: when
    an alert raised or escalated at `start` moves up the chain if nobody acknowledges it."""
    return rules.working_deadline(
        start,
        step_minutes(practice_settings, severity),
        tz=ZoneInfo(timezone_name or "UTC"),
        day_start=working_hours(practice_settings)[0],
        day_end=working_hours(practice_settings)[1],
        working_days=practice_settings.working_days or [],
    )


def alert_clock(alert: Alert, now: datetime) -> rules.AlertClock:
    """How late `alert` is at `now`: against its first due time while open, its resolve
    time once acknowledged; and when it escalates next (tracking.rules.alert_clock)."""
    return rules.alert_clock(
        acknowledged=alert.status == Alert.Status.ACKNOWLEDGED,
        first_due_at=alert.first_due_at,
        due_at=alert.due_at,
        resolve_by=alert.resolve_by,
        chain_exhausted=alert.chain_exhausted_at is not None,
        now=now,
        acknowledged_at=alert.acknowledged_at,
    )
