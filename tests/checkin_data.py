"""Helpers for the check-in tests: a schedule made the way the app makes it, and
answers (as the form posts them, or as the service takes them)."""

from __future__ import annotations

from datetime import timedelta

from tracking.checkins.forms import SEP
from tracking.checkins.schedule import checkins_schedule, local_midnight
from tracking.checkins.services import checkin_record
from tracking.instruments.registry import normalise
from tracking.instruments.shipped import definition_for
from tracking.models import CheckIn

# Plain, unremarkable answers; PHQ-9 item 9 and "any new symptoms?" stay 0 (no)
# unless a test says otherwise.
DEFAULTS = {"pain_avg": 6, "pain_worst": 8, "fear_movement": 7}
CAUSES = {
    "cause1": {"text": "Stress at work", "category": "stress"},
    "cause2": {"text": "An old injury", "category": "injury"},
    "cause3": {"text": "Worry", "category": "psychological"},
}


def items(key: str) -> list[dict]:
    return normalise(definition_for(key))["items"]


def default_value(instrument_key: str, item: dict):
    if item.get("type") == "cause":
        return dict(CAUSES[item["key"]])
    if instrument_key in DEFAULTS:
        return DEFAULTS[instrument_key]
    # The safety questions answered "no" (0): item 9, and every new-symptoms question.
    return 0 if item["key"] == "phq9" or instrument_key == "new_symptoms" else 1


def answers_for(keys: list[str], **overrides: dict) -> dict[str, dict]:
    """{instrument: {item: value}} for the service; overrides by instrument key."""
    out = {}
    for key in keys:
        out[key] = {i["key"]: default_value(key, i) for i in items(key)}
        out[key].update(overrides.get(key, {}))
    return out


def post_for(keys: list[str], *, action: str = "submit", **overrides: dict) -> dict:
    """What the check-in form posts for these instruments."""
    data = {"action": action}
    for key, answers in answers_for(keys, **overrides).items():
        for item_key, value in answers.items():
            name = f"{key}{SEP}{item_key}"
            if isinstance(value, dict):
                data[f"{name}{SEP}text"] = value["text"]
                data[f"{name}{SEP}category"] = value["category"]
            elif value is not None:
                data[name] = str(value)
    return data


def schedule_from_start(enrollment) -> dict[str, CheckIn]:
    """Schedule as if it was done on the start date; the check-ins by slot."""
    at = local_midnight(enrollment.start_date, enrollment.patient.tzinfo) + timedelta(hours=1)
    checkins_schedule(enrollment, now=at)
    return {c.slot: c for c in CheckIn.objects.filter(enrollment=enrollment)}


def started_two_weeks_ago(enrollment, **baseline: dict) -> dict[str, CheckIn]:
    """Baseline done two weeks ago (default answers, or `baseline`'s); the week 3
    check-in opens today. The check-ins by slot."""
    enrollment.start_date = enrollment.local_date() - timedelta(days=14)
    enrollment.checkin_weekday = enrollment.start_date.weekday()
    enrollment.save()
    slots = schedule_from_start(enrollment)
    record_at_open(slots["baseline"], **baseline)
    return slots


def record_at_open(checkin: CheckIn, **overrides: dict) -> CheckIn:
    """Record a check-in an hour after it opened, with default answers."""
    return checkin_record(
        checkin=checkin,
        answers_by_instrument=answers_for(checkin.instrument_keys, **overrides),
        now=checkin.opens_at + timedelta(hours=1),
    )


def without_fingerprint(details: dict) -> dict:
    """A check-in self-harm alert's details but its keyed fingerprint of the answers
    (tracking.alerts.evaluate.safety_fingerprint), which it must have."""
    assert len(details.get("text_fingerprint", "")) == 64
    return {k: v for k, v in details.items() if k != "text_fingerprint"}
