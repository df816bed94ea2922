"""One patient's measurements and summary rows, for the CSV and the printable summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext

from programs.models import (
    Enrollment,
    Exposure,
    PracticeSession,
)
from tracking import rules
from tracking.clinic.caseload import change_text
from tracking.clinic.checkin_charts import opened_checkins
from tracking.clinic.overview import Overview
from tracking.clinic.sections import patient_attributions
from tracking.diary.selectors import diary_csv_rows
from tracking.models import CheckIn, Response
from tracking.session_notes.selectors import session_note_csv_rows

# ====================================================================== exports
MEASUREMENT_HEADER = [
    "recorded_at",
    "program_week",
    "source",
    "context",
    "measure",
    "item",
    "value",
    "band",
    "instrument_version",
    # The language a check-in answer was asked in ("en", "es"); empty on other rows.
    "language",
]


def patient_measurements(enrollment: Enrollment, now: datetime) -> list[list[Any]]:
    """Every measurement of the patient, one value per row, oldest first, for the CSV
    export: check-in answers and scores (and missed check-ins), practice ratings,
    exposures (predicted vs actual), the three causes with both codings, the pain and
    fear diary and PRT sessions. Seven queries."""
    rows: list[tuple[datetime, list[Any]]] = []

    def local_week(at: datetime) -> int:
        return rules.week_of(enrollment.start_date, enrollment.local_date(at))

    responses: dict[int, dict[str, dict[str, Any]]] = {}
    for checkin_id, key, scores, answers, version, language in Response.objects.filter(
        checkin__enrollment=enrollment, checkin__opens_at__lte=now
    ).values_list(
        "checkin_id", "instrument_key", "scores", "answers", "instrument_version", "language"
    ):
        responses.setdefault(checkin_id, {})[key] = {
            "scores": scores,
            "answers": answers,
            "version": version,
            "language": language,
        }
    for item in opened_checkins(enrollment, now):
        at = item.completed_at or item.closes_at
        week = item.week or local_week(at)
        if item.status != CheckIn.Status.COMPLETED:
            rows.append(
                (at, [at, week, "check-in", item.slot, "status", "", item.status_label, "", ""])
            )
            continue
        for key, response in sorted(responses.get(item.pk, {}).items()):
            version, language = response["version"], response["language"]
            for answer_key, value in sorted((response.get("answers") or {}).items()):
                if isinstance(value, dict):
                    for part in ("text", "category"):
                        rows.append(
                            (
                                at,
                                [
                                    at,
                                    week,
                                    "check-in",
                                    item.slot,
                                    key,
                                    f"{answer_key}.{part}",
                                    value.get(part, ""),
                                    "",
                                    version,
                                    language,
                                ],
                            )
                        )
                else:
                    rows.append(
                        (
                            at,
                            [at, week, "check-in", item.slot, key, answer_key, value, "", version]
                            + [language],
                        )
                    )
            scores = response.get("scores") or {}
            rows.append(
                (
                    at,
                    [
                        at,
                        week,
                        "check-in",
                        item.slot,
                        key,
                        "total",
                        scores.get("total"),
                        scores.get("band") or "",
                        version,
                        language,
                    ],
                )
            )
    for s in PracticeSession.objects.filter(enrollment=enrollment).order_by("practiced_at"):
        week = rules.week_of(enrollment.start_date, s.local_date)
        for measure in (
            "pain_before",
            "pain_after",
            "threat_before",
            "threat_after",
            "duration_seconds",
        ):
            rows.append(
                (
                    s.practiced_at,
                    [
                        s.practiced_at,
                        week,
                        "somatic tracking",
                        "",
                        measure,
                        "",
                        getattr(s, measure),
                        "",
                        "",
                    ],
                )
            )
    for e in Exposure.objects.filter(enrollment=enrollment).order_by("planned_at"):
        at = e.completed_at or e.planned_at
        week = local_week(at)
        for measure in (
            "predicted_pain",
            "predicted_harm",
            "actual_pain",
            "actual_harm",
            "fear_after",
            "pain_violation",
            "harm_violation",
        ):
            value = getattr(e, measure)
            if value is not None:
                rows.append((at, [at, week, "exposure", e.activity, measure, "", value, "", ""]))
    for view in patient_attributions(enrollment):
        a = view.attribution
        context = f"three causes, week {view.week}"
        rows.append(
            (
                a.recorded_at,
                [
                    a.recorded_at,
                    view.week,
                    "causes",
                    context,
                    "mind_brain_score",
                    "patient",
                    a.mind_brain_score,
                    "",
                    "",
                ],
            )
        )
        rows.append(
            (
                a.recorded_at,
                [
                    a.recorded_at,
                    view.week,
                    "causes",
                    context,
                    "mind_brain_score",
                    "clinician",
                    view.clinician_score,
                    "",
                    "",
                ],
            )
        )
        for cause in view.causes:
            for part, value in (
                ("text", cause.text),
                ("category", cause.category),
                ("clinician_category", cause.clinician_category),
            ):
                rows.append(
                    (
                        a.recorded_at,
                        [
                            a.recorded_at,
                            view.week,
                            "causes",
                            context,
                            f"cause{cause.position}",
                            part,
                            value,
                            "",
                            "",
                        ],
                    )
                )
    # Issue 19: the pain and fear diary, and PRT sessions (their own packages).
    rows += diary_csv_rows(enrollment, local_week)
    rows += session_note_csv_rows(enrollment, local_week)
    rows.sort(key=lambda pair: pair[0])
    # Rows with no language (not a check-in answer) leave that column empty.
    width = len(MEASUREMENT_HEADER)
    return [row + [""] * (width - len(row)) for _, row in rows]


@dataclass
class SummaryRow:
    label: str
    scale: str
    first: float | None
    first_when: str
    latest: float | None
    latest_when: str

    @property
    def change_text(self) -> str:
        if self.first is None or self.latest is None or self.first_when == self.latest_when:
            return ""
        return change_text(self.first - self.latest, None)


def summary_rows(overview: Overview) -> list[SummaryRow]:
    """First and latest value of each measure, for the printable summary."""
    rows = []
    scales = {
        "pain": "0–10",
        "worst": "0–10",
        "fear": "0–10",
        "fabq": "0–24",
        "phq": "0–6",
        "gad": "0–6",
        "mind": "0–3",
    }
    for series in overview.series:
        if series.key not in scales:
            continue
        done = [p for p in series.points if p.value is not None]
        first = done[0] if done else None
        latest = done[-1] if done else None
        rows.append(
            SummaryRow(
                series.title,
                scales[series.key],
                first.value if first else None,
                first.name if first else "",
                latest.value if latest else None,
                latest.name if latest else "",
            )
        )
    for label, attr, scale in (
        (gettext("PHQ-9 (depression)"), "phq9", "0–27"),
        (gettext("GAD-7 (anxiety)"), "gad7", "0–21"),
    ):
        scored = [f for f in overview.full_scores if getattr(f, attr) is not None]
        if scored:
            rows.append(
                SummaryRow(
                    label,
                    scale,
                    getattr(scored[0], attr),
                    scored[0].title,
                    getattr(scored[-1], attr),
                    scored[-1].title,
                )
            )
    return rows
