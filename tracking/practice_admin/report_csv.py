"""The outcomes report's CSV (tracking/practice_admin/reports.py): one row per cohort
enrollment, under a pseudonymous code, never a name or an email. The header and the
values are in English whatever the admin's language, so files from two admins match."""

from __future__ import annotations

from typing import Any

from programs.models import EnrollmentStatus
from tracking import rules
from tracking.practice_admin.reports import CohortRow, OutcomesReport


def _score(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _flag(row: CohortRow, score: float | None, reached: bool, test: Any) -> str:
    """A responder flag: "yes", "no" (a missing score is "no"), or "" when the row is
    not counted there (baseline below the floor, or the point not reached yet)."""
    if not row.eligible or not reached:
        return ""
    return "yes" if test(row.baseline, score) else "no"


def _reached(row: CohortRow, score: float | None, reached: bool) -> str:
    """Whether the row got to a follow-up: "yes", "withdrew before" (counted there as
    not a responder, the trial's rule, without having reached it) or "not yet"."""
    if not reached:
        return "not yet"
    return "yes" if rules.arrived_at_point(status=row.status, score=score) else "withdrew before"


def _pain_free(_baseline: float | None, score: float | None) -> bool:
    return rules.is_pain_free_or_nearly(score)


CSV_HEADER = [
    "Enrollment (pseudonymous)",
    "Clinician",
    "Status",
    "Patient language",
    "Cohort date (end check-in or withdrawal)",
    "Baseline average pain",
    "End average pain",
    *(f"Average pain {label}" for _slot, label in rules.FOLLOWUP_SLOTS),
    "Counted as a responder (baseline at or above the floor)",
    "End: pain-free or nearly",
    "End: real improvement (2 points or 30%)",
    "End: down 2 points or more",
    "End: down 30% or more",
    *(
        f"{label}: {what}"
        for _slot, label in rules.FOLLOWUP_SLOTS
        for what in ("reached", "pain-free or nearly", "real improvement")
    ),
    "Mind-brain score, first three causes (0–3)",
    "Mind-brain score, last three causes (0–3)",
    "Mind-brain coded by",
]

_CODERS = {rules.CODED_BY_CLINICIAN: "clinician", rules.CODED_BY_PATIENT: "self-coded"}


def report_rows(report: OutcomesReport) -> list[list[Any]]:
    """One row per cohort enrollment: a pseudonymous id, never a name or an email."""
    out = []
    for r in report.rows:
        follow = []
        for i in range(len(rules.FOLLOWUP_SLOTS)):
            score, reached = r.followups[i], r.followups_reached[i]
            follow += [
                _reached(r, score, reached),
                _flag(r, score, reached, _pain_free),
                _flag(r, score, reached, rules.is_real_improvement),
            ]
        out.append(
            [
                r.pseudonym,
                r.clinician,
                EnrollmentStatus(r.status).label,
                r.language,
                r.cohort_date,
                _score(r.baseline),
                _score(r.end),
                *(_score(s) for s in r.followups),
                "yes" if r.eligible else "no",
                _flag(r, r.end, True, _pain_free),
                _flag(r, r.end, True, rules.is_real_improvement),
                _flag(r, r.end, True, rules.improved_by_points),
                _flag(r, r.end, True, rules.improved_by_percent),
                *follow,
                "" if r.mb_first is None or not r.mb_coder else r.mb_first,
                "" if r.mb_last is None else r.mb_last,
                _CODERS.get(r.mb_coder, ""),
            ]
        )
    return out
