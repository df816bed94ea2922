"""Each enrollment's check-in figures, kept ready for the caseload and the outcomes report.

The caseload shows, for up to a few hundred patients at once, the baseline and latest
average pain and fear, how many check-ins are done and when the last one was; the
outcomes report needs the baseline and end scores of a whole practice. Computing those
from the responses on every page load meant a dozen correlated subqueries per patient
(bench, 200 patients × 52 weeks: 120 ms of SQL for the caseload, 250 ms for a
1,000-patient report). `EnrollmentSummary` holds them instead, one row per enrollment.

Correctness rule: every check-in is added exactly once, by the service that records
it, in the same transaction:

- `tracking.checkins.checkin_record` (the only writer of responses in the app) adds it
  with `summary_record_checkin`, one upsert written in terms of the row's current
  values, tested equal to a full recompute (on Postgres the same upsert, from
  `summary_checkin_upsert`, is part of the statement that claims the check-in);
- data set builders that write responses directly (the demo, the bench, test helpers)
  call `summaries_refresh`, which recomputes every figure from the responses (and each
  check-in's own figures, tracking.figures).

Deleting an enrollment deletes its summary (CASCADE). `manage.py refresh_summaries`
recomputes them all, for example after restoring a backup.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.db import connection, transaction
from django.db.models import (
    F,
    FloatField,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from programs.models import Enrollment
from tracking.checkins.figures import figures_refresh
from tracking.expressions import count_per_enrollment
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


def _score_of(key: str, responses: QuerySet, order: list[str]) -> Subquery:
    return Subquery(responses.filter(instrument_key=key).order_by(*order)
                    .annotate(value=_total()).values("value")[:1], output_field=FloatField())


def _figures() -> dict:
    """Every summary figure as an annotation of Enrollment, from the responses.

    Baseline: the first completed baseline check-in (there is one, in slot "baseline").
    Current: the most recently completed check-in with that answer. End: the
    end-of-program check-in (slot "end"). Only responses that have a total count.
    """
    # A total that is there and not JSON null, as summary_record_checkin counts it.
    completed = Response.objects.filter(checkin__enrollment=OuterRef("pk"),
                                        checkin__status=CheckIn.Status.COMPLETED,
                                        scores__total__isnull=False).exclude(scores__total=None)
    baseline = completed.filter(checkin__kind=CheckIn.Kind.BASELINE)
    end = completed.filter(checkin__slot=END_SLOT)
    first = ["checkin__opens_at", "checkin_id"]
    latest = ["-checkin__completed_at", "-checkin__opens_at", "-checkin_id"]
    checkins = CheckIn.objects.filter(enrollment=OuterRef("pk"),
                                      status=CheckIn.Status.COMPLETED)
    return {
        "last_checkin_at": Subquery(checkins.order_by("-completed_at")
                                    .values("completed_at")[:1]),
        "weekly_done": count_per_enrollment(checkins.filter(kind=CheckIn.Kind.WEEKLY)),
        "pain_checkins": count_per_enrollment(completed.filter(instrument_key=PAIN_AVG)
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
    many were written. Two statements, inside the caller's transaction when there is
    one (no savepoint), so recording a check-in stays within its query budget.

    Concurrency: the first statement creates each missing summary row and takes a row
    lock on every one (an upsert that "updates" the key to itself), in id order. The
    second computes the figures from the responses and writes them. Postgres takes the
    second statement's snapshot when it starts, after the locks are held, so of two
    check-ins of one patient recorded at the same moment the second to get the lock
    reads the first one's committed responses: the last writer always writes figures
    that include both. Only this function and summary_record_checkin (one row, by its
    upsert) lock summary rows, so the lock cannot deadlock with the check-in or
    enrollment locks their callers hold.
    """
    ids = sorted({int(pk) for pk in enrollment_ids})
    if not ids:
        return 0
    table = connection.ops.quote_name(EnrollmentSummary._meta.db_table)
    key = connection.ops.quote_name(EnrollmentSummary._meta.pk.column)
    columns = [connection.ops.quote_name(EnrollmentSummary._meta.get_field(f).column)
               for f in FIELDS]
    defaults = [EnrollmentSummary._meta.get_field(f).get_default() for f in FIELDS]
    select, params = (Enrollment.objects.filter(pk__in=ids).order_by()
                      .annotate(**_figures()).values_list("pk", *FIELDS)
                      .query.sql_with_params())
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns)
    placeholders = ", ".join(["%s"] * (len(FIELDS) + 1))
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key}, {', '.join(columns)}) VALUES "  # noqa: S608
            + ", ".join([f"({placeholders})"] * len(ids))
            + f" ON CONFLICT ({key}) DO UPDATE SET {key} = excluded.{key}",
            [value for pk in ids for value in (pk, *defaults)])
        # WHERE is always there (pk IN …): SQLite needs one to read ON CONFLICT here.
        cursor.execute(
            f"INSERT INTO {table} ({key}, {', '.join(columns)}) {select}"  # noqa: S608
            f" ON CONFLICT ({key}) DO UPDATE SET {updates}", params)
        figures_refresh(enrollment_ids=ids)  # the check-ins' own figures (tracking.figures)
    return len(ids)


def summaries_refresh_all(*, chunk: int = CHUNK) -> int:
    """Recompute every enrollment's summary (after a restore or a bulk load)."""
    done = 0
    ids = list(Enrollment.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        done += summaries_refresh(enrollment_ids=ids[start:start + chunk])
    return done


def summary_record_checkin(*, checkin: CheckIn, responses: Iterable[Response]) -> float | None:
    """Add one newly recorded check-in to its enrollment's summary: one statement.

    `checkin_record` calls this once per check-in, in the transaction that claims the
    check-in, so each check-in is added exactly once. The statement is an upsert whose
    update is written in terms of the row's current values (a count goes up by one,
    the latest score is replaced only by a later one, a baseline or end score is kept
    once set). Two check-ins of one patient recorded at the same moment therefore
    compose: the second waits for the first's row lock and applies its change to the
    committed row, so the result is what summaries_refresh would compute from scratch
    (tests/test_summaries.py checks exactly that). One corner differs: "current" means
    "of the latest check-in done", so a check-in with a pain score completed *before*
    an already-counted later one that had none leaves the older score in place, where
    a recompute would take it; every shipped check-in asks for pain, and
    refresh_summaries recomputes. The upsert locks only its own summary row.

    Returns the summary's baseline average pain after the update (None if there is
    none yet), which the pain-rise rule compares this check-in against.
    """
    with connection.cursor() as cursor:
        cursor.execute(summary_checkin_upsert(VALUES_SOURCE),
                       summary_checkin_params(checkin=checkin, responses=responses))
        return cursor.fetchone()[0]


# Where summary_checkin_upsert takes its one row of values from: a VALUES list, or
# (inside a larger statement, see tracking.checkins) the same values selected only if
# the check-in was claimed.
VALUES_SOURCE = "VALUES ({values})"


def summary_checkin_params(*, checkin: CheckIn, responses: Iterable[Response]) -> list:
    """The values summary_checkin_upsert takes for one check-in, in its column order."""
    totals = {r.instrument_key: (r.scores or {}).get("total") for r in responses}
    pain, fear = totals.get(PAIN_AVG), totals.get(FEAR)
    is_baseline = checkin.kind == CheckIn.Kind.BASELINE
    is_end = checkin.slot == END_SLOT
    completed_at = EnrollmentSummary._meta.get_field("last_checkin_at").get_db_prep_save(
        checkin.completed_at, connection)  # as the ORM stores it (SQLite: UTC text)
    # In FIELDS order, after the enrollment.
    return [checkin.enrollment_id, completed_at, int(checkin.kind == CheckIn.Kind.WEEKLY),
            int(pain is not None), pain if is_baseline else None, pain,
            pain if is_end else None, fear if is_baseline else None, fear,
            fear if is_end else None]


def summary_checkin_upsert(source: str) -> str:
    """The upsert of summary_record_checkin, its row from `source` (a format string
    with ``{values}`` where the placeholders go), returning the pain baseline."""
    return _checkin_upsert(connection.vendor, source)


@cache
def _checkin_upsert(vendor: str, source: str) -> str:
    # Built once per database (`vendor` keys the cache: quoting differs) and source; the
    # rest depends only on the model.
    q = connection.ops.quote_name
    table, key = q(EnrollmentSummary._meta.db_table), q(EnrollmentSummary._meta.pk.column)
    col = {f: q(EnrollmentSummary._meta.get_field(f).column) for f in FIELDS}
    old, new = (lambda f: f"{table}.{col[f]}"), (lambda f: f"excluded.{col[f]}")
    # This check-in is the latest done (so its scores are the current ones) unless one
    # completed later is already counted.
    latest = f"({old('last_checkin_at')} IS NULL OR {new('last_checkin_at')} >= " \
             f"{old('last_checkin_at')})"

    def current(f: str) -> str:
        return (f"CASE WHEN {new(f)} IS NOT NULL AND {latest} THEN {new(f)} "
                f"ELSE {old(f)} END")

    updates = {
        "last_checkin_at": f"CASE WHEN {latest} THEN {new('last_checkin_at')} "
                           f"ELSE {old('last_checkin_at')} END",
        "weekly_done": f"{old('weekly_done')} + {new('weekly_done')}",
        "pain_checkins": f"{old('pain_checkins')} + {new('pain_checkins')}",
        "pain_current": current("pain_current"),
        "fear_current": current("fear_current"),
        **{f: f"COALESCE({old(f)}, {new(f)})"
           for f in ("pain_baseline", "fear_baseline", "pain_end", "fear_end")},
    }
    values = ", ".join(["%s"] * (len(FIELDS) + 1))
    return (
        f"INSERT INTO {table} ({key}, {', '.join(col[f] for f in FIELDS)}) "  # noqa: S608
        + source.format(values=values)
        + " ON CONFLICT (" + key + ") DO UPDATE SET "
        + ", ".join(f"{col[f]} = {updates[f]}" for f in FIELDS)
        + f" RETURNING {col['pain_baseline']}")
