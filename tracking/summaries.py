"""Each enrollment's check-in figures, kept ready for the caseload and the outcomes report.

The caseload shows, for up to a few hundred patients at once, the baseline and latest
average pain and fear, how many check-ins are done and when the last one was; the
outcomes report needs the baseline and end scores of a whole practice. Computing those
from the responses on every page load meant a dozen correlated subqueries per patient
(bench, 200 patients × 52 weeks: 120 ms of SQL for the caseload, 250 ms for a
1,000-patient report). `EnrollmentSummary` holds them instead, one row per enrollment.

Correctness rule: a summary is never edited piecemeal. `summaries_refresh` recomputes
every figure from the responses themselves, and each service that changes what a
summary is made of calls it in the same transaction:

- `tracking.checkins.checkin_record` (the only writer of responses in the app);
- data set builders that write responses directly (the demo, the bench, test helpers)
  call it once at the end, as a service would.

Deleting an enrollment deletes its summary (CASCADE). `manage.py refresh_summaries`
recomputes them all, for example after restoring a backup.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import (
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce

from programs.models import Enrollment
from tracking.models import CheckIn, EnrollmentSummary, Response

PAIN_AVG = "pain_avg"
FEAR = "fear_movement"
END_SLOT = "end"
FIELDS = ("last_checkin_at", "weekly_done", "pain_checkins", "pain_baseline", "pain_current",
          "pain_end", "fear_baseline", "fear_current", "fear_end")
# Enrollments per recompute statement in a full refresh.
CHUNK = 2000


def _total() -> Cast:
    """A response's score total as a number (scores are JSON: {"total": 6, ...})."""
    return Cast(KeyTextTransform("total", "scores"), FloatField())


def _count(queryset: QuerySet) -> Coalesce:
    """COUNT(*) of a correlated subquery, 0 when nothing matches."""
    return Coalesce(
        Subquery(queryset.order_by().values("enrollment").annotate(n=Count("pk")).values("n")[:1],
                 output_field=IntegerField()),
        Value(0),
    )


def _score_of(key: str, responses: QuerySet, order: list[str]) -> Subquery:
    return Subquery(responses.filter(instrument_key=key).order_by(*order)
                    .annotate(value=_total()).values("value")[:1], output_field=FloatField())


def _figures() -> dict:
    """Every summary figure as an annotation of Enrollment, from the responses.

    Baseline: the first completed baseline check-in (there is one, in slot "baseline").
    Current: the most recently completed check-in with that answer. End: the
    end-of-program check-in (slot "end"). Only responses that have a total count.
    """
    completed = Response.objects.filter(checkin__enrollment=OuterRef("pk"),
                                        checkin__status=CheckIn.Status.COMPLETED,
                                        scores__total__isnull=False)
    baseline = completed.filter(checkin__kind=CheckIn.Kind.BASELINE)
    end = completed.filter(checkin__slot=END_SLOT)
    first = ["checkin__opens_at", "checkin_id"]
    latest = ["-checkin__completed_at", "-checkin__opens_at", "-checkin_id"]
    checkins = CheckIn.objects.filter(enrollment=OuterRef("pk"),
                                      status=CheckIn.Status.COMPLETED)
    return {
        "last_checkin_at": Subquery(checkins.order_by("-completed_at")
                                    .values("completed_at")[:1]),
        "weekly_done": _count(checkins.filter(kind=CheckIn.Kind.WEEKLY)),
        "pain_checkins": _count(completed.filter(instrument_key=PAIN_AVG)
                                .annotate(enrollment=F("checkin__enrollment"))),
        "pain_baseline": _score_of(PAIN_AVG, baseline, first),
        "pain_current": _score_of(PAIN_AVG, completed, latest),
        "pain_end": _score_of(PAIN_AVG, end, latest),
        "fear_baseline": _score_of(FEAR, baseline, first),
        "fear_current": _score_of(FEAR, completed, latest),
        "fear_end": _score_of(FEAR, end, latest),
    }


def summaries_refresh(*, enrollment_ids: Iterable[int]) -> int:
    """Recompute the summaries of these enrollments from their responses. Returns how
    many were written.

    Concurrency: the summary rows are created if missing and then locked, in id order,
    before anything is read. Two check-ins of one patient recorded at the same moment
    therefore refresh one after the other, and the second (under READ COMMITTED, which
    reads afresh at every statement) sees the first one's committed responses: the last
    writer always writes figures that include both. Only this function locks summary
    rows, so the lock cannot deadlock with the check-in or enrollment locks its callers
    hold. Run inside the caller's transaction when there is one.
    """
    ids = sorted({int(pk) for pk in enrollment_ids})
    if not ids:
        return 0
    with transaction.atomic():
        EnrollmentSummary.objects.bulk_create(
            [EnrollmentSummary(enrollment_id=pk) for pk in ids], ignore_conflicts=True)
        list(EnrollmentSummary.objects.select_for_update().filter(enrollment_id__in=ids)
             .order_by("enrollment_id").values_list("enrollment_id", flat=True))
        rows = (Enrollment.objects.filter(pk__in=ids).order_by()
                .annotate(**_figures()).values("pk", *FIELDS))
        # An upsert (INSERT … ON CONFLICT DO UPDATE) of rows that exist and are locked:
        # one statement per 500, where bulk_update would build a CASE per field.
        EnrollmentSummary.objects.bulk_create(
            [EnrollmentSummary(enrollment_id=row.pop("pk"), **row) for row in rows],
            update_conflicts=True, unique_fields=["enrollment"], update_fields=FIELDS,
            batch_size=500)
    return len(ids)


def summaries_refresh_all(*, chunk: int = CHUNK) -> int:
    """Recompute every enrollment's summary (after a restore or a bulk load)."""
    done = 0
    ids = list(Enrollment.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        done += summaries_refresh(enrollment_ids=ids[start:start + chunk])
    return done
