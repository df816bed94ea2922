"""Reads of one patient's tailoring, for their own pages and their clinician's."""

from __future__ import annotations

from dataclasses import dataclass, field

from programs.models import Enrollment
from programs.tailoring.models import (
    ActivityAdjustment,
    CustomExercise,
    ExposureSuggestion,
    ProgramSwitch,
    SuggestionStatus,
)


@dataclass
class Tailoring:
    """What a clinician changed for one enrollment, as the patient's pages need it."""

    adjustments: dict[int, ActivityAdjustment] = field(default_factory=dict)  # by activity id
    custom: list[CustomExercise] = field(default_factory=list)  # not withdrawn
    latest_switch: ProgramSwitch | None = None

    def of_action(self, action: str) -> set[int]:
        return {pk for pk, a in self.adjustments.items() if a.action == action}

    def recent(self, since) -> list:
        """Changes made since `since`, newest first (for Today's note)."""
        items: list = [a for a in self.adjustments.values() if a.created_at >= since]
        items += [c for c in self.custom if c.created_at >= since]
        if self.latest_switch and self.latest_switch.created_at >= since:
            items.append(self.latest_switch)
        return sorted(items, key=lambda x: x.created_at, reverse=True)


def tailoring_for(enrollment: Enrollment) -> Tailoring:
    """The enrollment's changes: no query for a patient who was never tailored
    (`Enrollment.tailored_at`), three otherwise, however many changes there are.
    Cached on the enrollment for the request."""
    cached = getattr(enrollment, "_tailoring", None)
    if cached is not None:
        return cached
    if enrollment.tailored_at is None:
        tailoring = Tailoring()
    else:
        tailoring = Tailoring(
            adjustments={
                a.activity_id: a
                for a in ActivityAdjustment.objects.filter(enrollment=enrollment).order_by(
                    "created_at"
                )
            },
            custom=list(
                CustomExercise.objects.filter(enrollment=enrollment, withdrawn_at__isnull=True)
            ),
            latest_switch=ProgramSwitch.objects.filter(enrollment=enrollment)
            .select_related("from_version", "to_version")
            .first(),
        )
    enrollment._tailoring = tailoring  # type: ignore[attr-defined]
    return tailoring


def pending_suggestions(enrollment: Enrollment) -> list[ExposureSuggestion]:
    """The clinician's ladder suggestions the patient has not answered. No query for a
    patient who was never tailored."""
    if enrollment.tailored_at is None:
        return []
    return list(
        ExposureSuggestion.objects.filter(enrollment=enrollment, status=SuggestionStatus.PENDING)
    )
