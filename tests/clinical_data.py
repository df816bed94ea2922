"""Realistic clinical history for the clinician-screen tests: check-ins with scored
responses (through the real instrument registry and scoring), practice sessions, a
fear ladder with exposures, three-causes attributions and alerts.

Rows are written directly (bulk) rather than through the patient's forms: the tests
using this are about what staff see, and a 52-week history through the forms would
take minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from programs.models import (
    MIND_BRAIN,
    Attribution,
    AttributionCause,
    Enrollment,
    Exposure,
    FearItem,
    PracticeSession,
)
from tracking.checkins.summaries import summaries_refresh
from tracking.instruments.registry import current_instruments, spec_of
from tracking.instruments.scoring import score
from tracking.models import Alert, CheckIn, Response

BASELINE_KEYS = ["pain_avg", "pain_worst", "fear_movement", "fabq_pa", "phq9", "gad7"]
WEEKLY_KEYS = ["pain_avg", "pain_worst", "fear_movement", "phq2", "gad2"]


@dataclass
class Scores:
    pain: int
    worst: int
    fear: int
    mood: int = 1  # every PHQ/GAD item
    fabq: int = 3  # every FABQ item


CAUSE_ANSWERS = [
    {"text": "Stress at work", "category": "stress"},
    {"text": "An old injury", "category": "injury"},
    {"text": "Worry", "category": "psychological"},
]


def _answers(key: str, s: Scores, items: list[dict]) -> dict:
    if key == "causes":
        return {i["key"]: dict(c) for i, c in zip(items, CAUSE_ANSWERS, strict=True)}
    if key == "pain_avg":
        return {"pain_avg": s.pain}
    if key == "pain_worst":
        return {"pain_worst": s.worst}
    if key == "fear_movement":
        return {"fear_movement": s.fear}
    if key == "fabq_pa":
        return {i["key"]: s.fabq for i in items}
    # PHQ/GAD: item 9 (self-harm) stays 0.
    return {i["key"]: (0 if i["key"] == "phq9" else s.mood) for i in items}


def add_checkin(
    enrollment: Enrollment,
    *,
    slot: str,
    kind: str,
    week: int | None,
    opens_at: datetime,
    keys: list[str],
    scores: Scores | None,
    status: str = CheckIn.Status.COMPLETED,
    answers: dict[str, dict] | None = None,
) -> CheckIn:
    """One check-in; with `scores`, completed with a scored response per instrument
    (`answers` replaces the made-up answers of the instruments it names)."""
    checkin = CheckIn.objects.create(
        enrollment=enrollment,
        slot=slot,
        kind=kind,
        week=week,
        due_date=opens_at.date(),
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=3),
        status=status,
        instrument_keys=keys,
        completed_at=opens_at + timedelta(hours=5) if scores is not None else None,
    )
    if scores is not None:
        given = answers or {}
        instruments = current_instruments(keys, enrollment.practice_id)
        Response.objects.bulk_create(
            Response(
                checkin=checkin,
                instrument=inst,
                instrument_key=key,
                instrument_version=inst.version,
                answers=values,
                scores=score(spec_of(inst), values),
                created_at=checkin.completed_at,
            )
            for key, inst in instruments.items()
            for values in [given.get(key) or _answers(key, scores, inst.items)]
        )
        summaries_refresh(enrollment_ids=[enrollment.pk])
    return checkin


def build_history(
    enrollment: Enrollment,
    *,
    weeks: int,
    pain_start: int = 7,
    pain_end: int = 3,
    fear_start: int = 8,
    fear_end: int = 4,
    practice_per_week: int = 5,
    missed_weeks: tuple[int, ...] = (),
    now: datetime | None = None,
) -> Enrollment:
    """`weeks` weeks of program: a baseline, weekly check-ins with pain moving linearly
    from `pain_start` to `pain_end`, daily-ish practice, exposures on a three-rung
    ladder and the three causes in weeks 1, 4 and 8 (or as far as it got)."""
    now = now or timezone.now()
    start = now - timedelta(days=7 * weeks + 1)
    enrollment.start_date = timezone.localtime(start, enrollment.patient.tzinfo).date()
    enrollment.save(update_fields=["start_date"])

    add_checkin(
        enrollment,
        slot="baseline",
        kind=CheckIn.Kind.BASELINE,
        week=None,
        opens_at=start,
        keys=BASELINE_KEYS,
        scores=Scores(pain_start, min(10, pain_start + 2), fear_start, mood=2, fabq=4),
    )
    for n in range(1, weeks + 1):
        frac = n / weeks
        pain = round(pain_start + (pain_end - pain_start) * frac)
        fear = round(fear_start + (fear_end - fear_start) * frac)
        missed = n in missed_weeks
        add_checkin(
            enrollment,
            slot=f"week-{n}",
            kind=CheckIn.Kind.WEEKLY,
            week=n,
            opens_at=start + timedelta(days=7 * n - 3),
            keys=WEEKLY_KEYS,
            scores=None if missed else Scores(pain, min(10, pain + 2), fear),
            status=CheckIn.Status.MISSED if missed else CheckIn.Status.COMPLETED,
        )

    PracticeSession.objects.bulk_create(
        PracticeSession(
            enrollment=enrollment,
            practiced_at=at,
            local_date=timezone.localtime(at, enrollment.patient.tzinfo).date(),
            duration_seconds=420,
            pain_before=6,
            threat_before=6,
            pain_after=4,
            threat_after=3,
            sensations=["tight", "warm"],
            note="Calmer after.",
        )
        for w in range(weeks)
        for d in range(practice_per_week)
        for at in [start + timedelta(days=7 * w + d, hours=9)]
    )

    rungs = [
        FearItem.objects.create(
            enrollment=enrollment, label=label, harm_rating=h, first_rating=h + 20, position=i
        )
        for i, (label, h) in enumerate(
            [
                ("Bending to tie shoes", 20),
                ("Lifting a laundry basket", 45),
                ("Running for a bus", 70),
            ]
        )
    ]
    Exposure.objects.bulk_create(
        Exposure(
            enrollment=enrollment,
            fear_item=rungs[w % 3],
            activity=rungs[w % 3].label,
            predicted_pain=7,
            predicted_harm=60,
            actual_pain=4,
            actual_harm=25,
            fear_after=30,
            planned_at=start + timedelta(days=7 * w + 2),
            completed_at=start + timedelta(days=7 * w + 2, hours=2),
        )
        for w in range(weeks)
    )

    for n, cats in (
        (1, ["spinal", "injury", "stress"]),
        (4, ["spinal", "stress", "brain"]),
        (8, ["stress", "psychological", "brain"]),
    ):
        if n > weeks:
            break
        attribution = Attribution.objects.create(
            enrollment=enrollment,
            activity=None,
            mind_brain_score=sum(1 for c in cats if c in MIND_BRAIN),
            recorded_at=start + timedelta(days=7 * (n - 1) + 3),
        )
        AttributionCause.objects.bulk_create(
            AttributionCause(attribution=attribution, position=i, text=text, category=cat)
            for i, (text, cat) in enumerate(
                zip(["My discs", "Old fall", "Work stress"], cats, strict=True), start=1
            )
        )
    return enrollment


def add_alert(
    enrollment: Enrollment,
    kind: str = Alert.Kind.PAIN_UP,
    severity: str = Alert.Severity.HIGH,
    *,
    source: str = "",
    status: str = Alert.Status.OPEN,
    details: dict | None = None,
) -> Alert:
    alert = Alert.objects.create(
        enrollment=enrollment,
        practice_id=enrollment.practice_id,
        kind=kind,
        severity=severity,
        status=status,
        source=source or f"test:{Alert.objects.count() + 1}",
        details=details if details is not None else {"recent": [8, 8], "baseline": 6},
    )
    # Written directly, as the check-ins above: the summary's alert counts follow.
    summaries_refresh(enrollment_ids=[enrollment.pk])
    return alert
