"""Each enrollment's check-in figures, rule results and alert counts, kept ready for the
caseload and the outcomes report.

The caseload shows, for up to a few hundred patients at once, the baseline and latest
average pain and fear, how many check-ins are done and when the last one was, and
filters and sorts by "not improving", the change in pain and the alerts; the outcomes
report needs the baseline and end scores of a whole practice. Computing those from the
responses and alerts on every page load meant a dozen correlated subqueries per
patient (bench, 200 patients × 52 weeks: 120 ms of SQL for the caseload, 250 ms for a
1,000-patient report). `EnrollmentSummary` holds them instead, one row per enrollment.

What SQL filters or sorts by a clinical rule reads the rule's result from a column
here, computed in Python by tracking.rules when the figures change: no rule is written
a second time in SQL.

Correctness rule: every change is applied exactly once, by the service that makes it,
in the same transaction:

- `tracking.checkins.services.checkin_record` (the only writer of responses in the
  app) adds each check-in with `summary_record_checkin`: one upsert written in terms of
  the row's current values, then the rules' verdicts on the figures it returns; tested
  equal to a full recompute;
- `tracking.alerts.services` (alert_raise, alert_acknowledge, alert_resolve, the only
  writers of alerts) recount the enrollment's alerts with `summary_alerts_recount`;
- data set builders that write rows directly (the demo, the bench, test helpers) call
  `summaries_refresh`, which recomputes every column from the rows (and each check-in's
  own figures, tracking.checkins.figures).

Deleting an enrollment deletes its summary (CASCADE). `manage.py refresh_summaries`
recomputes them all, for example after restoring a backup.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    F,
    Field,
    FloatField,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from programs.models import Enrollment
from tracking import rules
from tracking.checkins.figures import figures_refresh
from tracking.expressions import count_per_enrollment
from tracking.models import Alert, CheckIn, EnrollmentSummary, Response

# The check-in figures, from the responses.
FIGURES = (
    "last_checkin_at",
    "weekly_done",
    "pain_checkins",
    "pain_baseline",
    "pain_current",
    "pain_end",
    "fear_baseline",
    "fear_current",
    "fear_end",
)
# tracking.rules' verdicts on those figures (rule_results).
RULE_RESULTS = ("pain_change", "not_improving")
# From the alerts.
ALERT_COUNTS = ("alerts_unresolved", "alerts_open", "alerts_urgent")
FIELDS = FIGURES + RULE_RESULTS + ALERT_COUNTS
# Enrollments per recompute in a full refresh.
CHUNK = 2000


def rule_results(
    *, pain_baseline: float | None, pain_current: float | None, pain_checkins: int, weekly_done: int
) -> dict[str, Any]:
    """What the summary stores of tracking.rules for these figures: the change in
    average pain shown (and sorted by) on the caseload, and "not improving"."""
    shown = rules.shows_change(
        baseline=pain_baseline, current=pain_current, pain_checkins=pain_checkins
    )
    return {
        "pain_change": rules.change_points(pain_baseline, pain_current) if shown else None,
        "not_improving": rules.is_not_improving(
            weekly_done=weekly_done, baseline=pain_baseline, current=pain_current
        ),
    }


def _total() -> Cast:
    """A response's score total as a number (scores are JSON: {"total": 6, ...})."""
    return Cast(KeyTextTransform("total", "scores"), FloatField())


def _score_of(key: str, responses: QuerySet, order: list[str]) -> Subquery:
    return Subquery(
        responses.filter(instrument_key=key)
        .order_by(*order)
        .annotate(value=_total())
        .values("value")[:1],
        output_field=FloatField(),
    )


def _figures() -> dict[str, Any]:
    """Every check-in figure as an annotation of Enrollment, from the responses.

    Baseline: the first completed baseline check-in (there is one, in slot "baseline").
    Current: the most recently completed check-in with that answer. End: the
    end-of-program check-in (slot "end"). Only responses that have a total count.
    """
    # A total that is there and not JSON null, as summary_record_checkin counts it.
    completed = Response.objects.filter(
        checkin__enrollment=OuterRef("pk"),
        checkin__status=CheckIn.Status.COMPLETED,
        scores__total__isnull=False,
    ).exclude(scores__total=None)
    baseline = completed.filter(checkin__kind=CheckIn.Kind.BASELINE)
    end = completed.filter(checkin__slot=rules.END_SLOT)
    first = ["checkin__opens_at", "checkin_id"]
    latest = ["-checkin__completed_at", "-checkin__opens_at", "-checkin_id"]
    checkins = CheckIn.objects.filter(enrollment=OuterRef("pk"), status=CheckIn.Status.COMPLETED)
    return {
        "last_checkin_at": Subquery(checkins.order_by("-completed_at").values("completed_at")[:1]),
        "weekly_done": count_per_enrollment(checkins.filter(kind=CheckIn.Kind.WEEKLY)),
        "pain_checkins": count_per_enrollment(
            completed.filter(instrument_key=rules.PAIN_AVG).annotate(
                enrollment=F("checkin__enrollment")
            )
        ),
        "pain_baseline": _score_of(rules.PAIN_AVG, baseline, first),
        "pain_current": _score_of(rules.PAIN_AVG, completed, latest),
        "pain_end": _score_of(rules.PAIN_AVG, end, latest),
        "fear_baseline": _score_of(rules.FEAR_MOVEMENT, baseline, first),
        "fear_current": _score_of(rules.FEAR_MOVEMENT, completed, latest),
        "fear_end": _score_of(rules.FEAR_MOVEMENT, end, latest),
    }


def _alert_counts() -> dict[str, Any]:
    """The alert counts of the enrollment `OuterRef("pk")`: an Enrollment annotation,
    or an UPDATE of its summary (whose primary key is the enrollment's id)."""
    unresolved = Alert.objects.filter(enrollment=OuterRef("pk")).exclude(
        status=Alert.Status.RESOLVED
    )
    return {
        "alerts_unresolved": count_per_enrollment(unresolved),
        "alerts_open": count_per_enrollment(unresolved.filter(status=Alert.Status.OPEN)),
        "alerts_urgent": count_per_enrollment(unresolved.filter(severity=Alert.Severity.URGENT)),
    }


def _field(name: str) -> Field:
    field = EnrollmentSummary._meta.get_field(name)
    assert isinstance(field, Field)  # every name here is a concrete column
    return field


def _column(name: str) -> str:
    return connection.ops.quote_name(str(_field(name).column))


_TABLE = connection.ops.quote_name(EnrollmentSummary._meta.db_table)
_KEY = _column("enrollment")
_COLUMNS = [_column(f) for f in FIELDS]
# A new row starts from the model's defaults (the columns have no database default).
_DEFAULTS = [_field(f).get_default() for f in FIELDS]
_LOCK = (
    f"INSERT INTO {_TABLE} ({_KEY}, {', '.join(_COLUMNS)})"  # noqa: S608 (names from the model)
    f" SELECT id, {', '.join(['%s'] * len(FIELDS))} FROM unnest(%s::bigint[]) AS id"
    f" ON CONFLICT ({_KEY}) DO UPDATE SET {_KEY} = excluded.{_KEY}"
)


def _lock(ids: list[int]) -> None:
    """Create the summary rows that are missing and lock every one of `ids` (sorted),
    in one statement: an upsert that "updates" the key to itself. Inside a transaction.

    What is read after this, in a later statement, sees every change committed by a
    transaction that held one of these locks before: Postgres (READ COMMITTED) takes
    each statement's snapshot when it starts. So a recompute after the lock never
    overwrites a concurrent writer's figures with older ones."""
    with connection.cursor() as cursor:
        cursor.execute(_LOCK, [*_DEFAULTS, ids])


def summaries_refresh(*, enrollment_ids: Iterable[int]) -> int:
    """Recompute the summaries of these enrollments from their responses and alerts.
    Returns how many were written. Three statements (lock, read, write) and the
    check-ins' own figures, inside the caller's transaction when there is one (no
    savepoint).

    Concurrency: `_lock` creates each missing row and locks every one, in id order, so
    of a refresh and a check-in or alert change of one patient at the same moment the
    later to get the lock reads the earlier one's committed rows: the last writer
    always writes figures that include both. Only this module locks summary rows, one
    enrollment at a time except here (in id order), so the lock cannot deadlock with the
    check-in or alert locks their callers hold.
    """
    ids = sorted({int(pk) for pk in enrollment_ids})
    if not ids:
        return 0
    with transaction.atomic(savepoint=False):
        _lock(ids)
        fresh = (
            Enrollment.objects.filter(pk__in=ids)
            .order_by()
            .annotate(**_figures(), **_alert_counts())
            .values("pk", *FIGURES, *ALERT_COUNTS)
        )
        summaries = []
        for row in fresh:
            pk = row.pop("pk")
            row.update(
                rule_results(
                    pain_baseline=row["pain_baseline"],
                    pain_current=row["pain_current"],
                    pain_checkins=row["pain_checkins"],
                    weekly_done=row["weekly_done"],
                )
            )
            summaries.append(EnrollmentSummary(enrollment_id=pk, **row))
        # Every row exists and is locked: an upsert writes them all in one statement.
        EnrollmentSummary.objects.bulk_create(
            summaries,
            update_conflicts=True,
            unique_fields=["enrollment"],
            update_fields=list(FIELDS),
        )
        figures_refresh(enrollment_ids=ids)  # the check-ins' own figures
    return len(ids)


def summaries_refresh_all(*, chunk: int = CHUNK) -> int:
    """Recompute every enrollment's summary (after a restore or a bulk load)."""
    done = 0
    ids = list(Enrollment.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        done += summaries_refresh(enrollment_ids=ids[start : start + chunk])
    return done


def summary_alerts_recount(*, enrollment_id: int) -> None:
    """Recount one enrollment's alerts into its summary, after an alert of it was
    raised, acknowledged or resolved: two statements, in the caller's transaction (the
    alert's own change commits with its count). The row is locked first, so the count
    that follows sees every alert change committed before the lock: two alerts raised
    at once are both counted, whichever commits last."""
    with transaction.atomic(savepoint=False):
        _lock([enrollment_id])
        EnrollmentSummary.objects.filter(pk=enrollment_id).update(**_alert_counts())


# The check-in's figures added to the row as it is (a count goes up by one, the latest
# score is replaced only by a later one, a baseline or end score is kept once set),
# returning the figures the rules read. Table and column names from the model; every
# value is a parameter, in the order of `_checkin_values`.
def _checkin_upsert() -> str:
    col = {f: _column(f) for f in FIGURES}
    old, new = (lambda f: f"{_TABLE}.{col[f]}"), (lambda f: f"excluded.{col[f]}")
    # This check-in is the latest done (so its scores are the current ones) unless one
    # completed later is already counted.
    latest = (
        f"({old('last_checkin_at')} IS NULL OR {new('last_checkin_at')} >= "
        f"{old('last_checkin_at')})"
    )

    def current(f: str) -> str:
        return f"CASE WHEN {new(f)} IS NOT NULL AND {latest} THEN {new(f)} ELSE {old(f)} END"

    updates = {
        "last_checkin_at": f"CASE WHEN {latest} THEN {new('last_checkin_at')} "
        f"ELSE {old('last_checkin_at')} END",
        "weekly_done": f"{old('weekly_done')} + {new('weekly_done')}",
        "pain_checkins": f"{old('pain_checkins')} + {new('pain_checkins')}",
        "pain_current": current("pain_current"),
        "fear_current": current("fear_current"),
        **{
            f: f"COALESCE({old(f)}, {new(f)})"
            for f in ("pain_baseline", "fear_baseline", "pain_end", "fear_end")
        },
    }
    returned = ("pain_baseline", "pain_current", "pain_checkins", "weekly_done")
    # A new row also needs the other columns (the model's defaults: _checkin_values).
    return (
        f"INSERT INTO {_TABLE} ({_KEY}, {', '.join(_COLUMNS)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * (len(FIELDS) + 1))})"
        f" ON CONFLICT ({_KEY}) DO UPDATE SET "
        + ", ".join(f"{col[f]} = {updates[f]}" for f in FIGURES)
        + f" RETURNING {', '.join(col[f] for f in returned)}"
    )


_CHECKIN_UPSERT = _checkin_upsert()


def _checkin_values(checkin: CheckIn, responses: Iterable[Response]) -> list[Any]:
    """The upsert's values for one check-in: the enrollment, then FIELDS' order (the
    check-in's figures, then the defaults of the columns it does not set)."""
    totals = {r.instrument_key: (r.scores or {}).get("total") for r in responses}
    pain, fear = totals.get(rules.PAIN_AVG), totals.get(rules.FEAR_MOVEMENT)
    is_baseline = checkin.kind == CheckIn.Kind.BASELINE
    is_end = checkin.slot == rules.END_SLOT
    return [
        checkin.enrollment_id,
        checkin.completed_at,
        int(checkin.kind == CheckIn.Kind.WEEKLY),
        int(pain is not None),
        pain if is_baseline else None,
        pain,
        pain if is_end else None,
        fear if is_baseline else None,
        fear,
        fear if is_end else None,
        *_DEFAULTS[len(FIGURES) :],
    ]


def summary_record_checkin(*, checkin: CheckIn, responses: Iterable[Response]) -> float | None:
    """Add one newly recorded check-in to its enrollment's summary: two statements.

    `checkin_record` calls this once per check-in, in the transaction that claims the
    check-in, so each check-in is added exactly once. The first statement is an upsert
    whose update is written in terms of the row's current values (a count goes up by
    one, the latest score is replaced only by a later one, a baseline or end score is
    kept once set). Two check-ins of one patient recorded at the same moment therefore
    compose: the second waits for the first's row lock and applies its change to the
    committed row, so the result is what summaries_refresh would compute from scratch
    (tests/test_summaries.py checks exactly that). The second statement stores the
    rules' verdicts (rule_results) on the figures the upsert returned, while the upsert's
    row lock is held. One corner differs: "current" means "of the latest check-in done",
    so a check-in with a pain score completed *before* an already-counted later one that
    had none leaves the older score in place, where a recompute would take it; every
    shipped check-in asks for pain, and refresh_summaries recomputes.

    Returns the summary's baseline average pain after the update (None if there is
    none yet), which the pain-rise rule compares this check-in against.
    """
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute(_CHECKIN_UPSERT, _checkin_values(checkin, responses))
            pain_baseline, pain_current, pain_checkins, weekly_done = cursor.fetchone()
        EnrollmentSummary.objects.filter(pk=checkin.enrollment_id).update(
            **rule_results(
                pain_baseline=pain_baseline,
                pain_current=pain_current,
                pain_checkins=pain_checkins,
                weekly_done=weekly_done,
            )
        )
    return pain_baseline
