"""Alert rules, the self-harm safety workflow and the clinicians' daily digest.

Rules (thresholds per practice, `PracticeSettings`):
- self-harm: the safety item of a questionnaire (PHQ-9 item 9) above 0, or one of the
  practice's crisis words in free text → URGENT alert, clinician told at once,
  escalated to the practice admins if nobody acknowledges it in time;
- pain up: average pain ≥ baseline + `pain_rise_points` on `pain_rise_checkins`
  check-ins in a row → HIGH;
- fear high: fear of movement ≥ `fear_high_threshold` → ROUTINE (a treatment target,
  not a danger: it goes in the digest);
- missed: the last `missed_in_a_row` closed check-ins all missed → ROUTINE;
- red flag at screening: raised by the screening view (HIGH, clinician told at once).

Alert lifecycle writes (raise, acknowledge, resolve) live in tracking/services.py.
Emails never carry health data or the patient's name: they say something needs a
look and link to the app, where access is checked and audited.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from painapp.accounts.audit import audit
from painapp.accounts.emails import send_email
from painapp.accounts.models import Membership, Role, User
from programs.markdown import render_markdown
from programs.models import Enrollment, EnrollmentStatus
from tracking.access import visible_enrollments
from tracking.models import (
    Alert,
    CheckIn,
    DigestLog,
    Notification,
    OutboxTask,
    PracticeSettings,
    Response,
)
from tracking.outbox import outbox_add
from tracking.services import alert_raise

logger = logging.getLogger(__name__)

PAIN_KEY = "pain_avg"
FEAR_KEY = "fear_movement"
# Trend alerts: while one of a kind is still unresolved for a patient, the next
# check-in that meets the rule adds nothing new (the clinician already knows).
# Self-harm is never folded: every such answer gets its own alert.
TREND_KINDS = (Alert.Kind.PAIN_UP, Alert.Kind.FEAR_HIGH, Alert.Kind.MISSED)
# Missed check-ins older than this are not looked at again by the sweep.
MISSED_LOOKBACK = timedelta(days=14)
DIGEST_LOCAL_HOUR = 7
# The first digest a clinician gets covers the day before it.
FIRST_DIGEST_WINDOW = timedelta(hours=24)


# ------------------------------------------------------------------ check-in rules
@dataclass
class CheckinEvaluation:
    """What evaluating a check-in found. `safety` is True whenever the self-harm rule
    matched (even if the alert already existed): show the crisis resources."""

    safety: bool = False
    alerts: list[Alert] = field(default_factory=list)


@dataclass(frozen=True)
class PainBaseline:
    """The enrollment's baseline average pain as its summary holds it (None: it has
    none), for a caller that has it: checkin_record gets it from the summary upsert."""

    value: float | None


def evaluate_checkin(checkin: CheckIn, *, responses: list[Response] | None = None,
                     rules: PracticeSettings | None = None,
                     pain_baseline: PainBaseline | None = None) -> CheckinEvaluation:
    """Apply the alert rules to one check-in whose Response rows exist.

    Called by `checkin_record` inside its transaction, with the responses it has just
    written (each with its `instrument`), the practice's settings if it has them, and
    the baseline average pain its summary upsert returned; what is not given is read.
    Safe to call twice: alerts are unique per (enrollment, kind, "checkin:<pk>"). A
    constant handful of queries, whatever the history: settings, the responses (only if
    not given), the pain baseline and latest check-ins (only if pain was answered and,
    with `pain_baseline` given, only if there is one and this check-in's pain reaches
    it + the rise), open trend alerts (only if a trend rule matched), then the inserts.
    """
    enrollment = checkin.enrollment
    if rules is None:
        rules = PracticeSettings.for_practice(enrollment.practice_id)
    if responses is None:
        responses = list(Response.objects.filter(checkin=checkin).select_related("instrument"))
    by_key = {r.instrument_key: r for r in responses}
    source = f"checkin:{checkin.pk}"
    result = CheckinEvaluation()

    self_harm = _self_harm_details(responses, rules.crisis_words or [])
    if self_harm is not None:
        result.safety = True
        alert = alert_raise(enrollment=enrollment, kind=Alert.Kind.SELF_HARM,
                            severity=Alert.Severity.URGENT, source=source, details=self_harm)
        if alert is not None:
            result.alerts.append(alert)

    trends: list[tuple[str, str, dict]] = []
    pain_now = _total(by_key.get(PAIN_KEY))
    # The rule needs a baseline and this check-in's pain at it + the rise. The summary's
    # baseline is the one its read would find (the enrollment's one baseline check-in):
    # given it, without one or below that, the history cannot matter and is not read.
    if pain_now is not None and (pain_baseline is None or (
            pain_baseline.value is not None
            and pain_now >= pain_baseline.value + rules.pain_rise_points)):
        pain = _pain_rise(checkin, rules)
        if pain is not None:
            trends.append((Alert.Kind.PAIN_UP, Alert.Severity.HIGH, pain))
    fear = _total(by_key.get(FEAR_KEY))
    if fear is not None and fear >= rules.fear_high_threshold:
        trends.append((Alert.Kind.FEAR_HIGH, Alert.Severity.ROUTINE,
                       {"fear": fear, "threshold": rules.fear_high_threshold}))
    if trends:
        unresolved = _unresolved_trend_kinds([enrollment.pk]).get(enrollment.pk, set())
        for kind, severity, details in trends:
            if kind in unresolved:
                continue
            alert = alert_raise(enrollment=enrollment, kind=kind, severity=severity,
                                source=source, details=details)
            if alert is not None:
                result.alerts.append(alert)
    return result


def _total(response: Response | None) -> int | float | None:
    if response is None:
        return None
    return (response.scores or {}).get("total")


def _self_harm_details(responses: list[Response], crisis_words: list[str]) -> dict | None:
    details: dict[str, Any] = {}
    for response in responses:
        safety_item = (response.instrument.scoring or {}).get("safety_item")
        if safety_item:
            value = response.answers.get(safety_item)
            if isinstance(value, int) and value > 0:
                # "item9" for PHQ-9; any other instrument's safety item by its own key.
                name = "item9" if safety_item == "phq9" else safety_item
                details[name] = value
    pattern = _crisis_pattern(crisis_words)
    if pattern is not None and any(pattern.search(text) for r in responses
                                   for text in _free_texts(r.answers)):
        # Which words matched is not stored: details never hold patient free text.
        details["crisis_words"] = True
    return details or None


def _crisis_pattern(words: list[str]) -> re.Pattern | None:
    words = [w.strip() for w in words if isinstance(w, str) and w.strip()]
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)",
                      re.IGNORECASE)


def _free_texts(answers: dict) -> list[str]:
    out = []
    for value in (answers or {}).values():
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict) and isinstance(value.get("text"), str):
            out.append(value["text"])
    return out


# The pain rule's one read, written out: the ORM took longer to compile its UNION
# than the database took to run it (issue 7). The first baseline, then the latest
# others, each with its score's total; only this check-in or completed ones, none
# opening after this one. Each part is a subquery so its ORDER BY and LIMIT hold on
# SQLite (the demo) as on Postgres.
_PAIN_ROWS_SQL = """
SELECT * FROM (
    SELECT r.checkin_id, c.kind, c.opens_at, {total}
    FROM {response} r INNER JOIN {checkin} c ON c.id = r.checkin_id
    WHERE c.enrollment_id = %s AND r.instrument_key = %s AND c.opens_at <= %s
      AND (c.status = %s OR c.id = %s) AND c.kind = %s
    ORDER BY c.opens_at, c.id LIMIT 1) first_baseline
UNION ALL
SELECT * FROM (
    SELECT r.checkin_id, c.kind, c.opens_at, {total}
    FROM {response} r INNER JOIN {checkin} c ON c.id = r.checkin_id
    WHERE c.enrollment_id = %s AND r.instrument_key = %s AND c.opens_at <= %s
      AND (c.status = %s OR c.id = %s) AND c.kind <> %s
    ORDER BY c.opens_at DESC, c.id DESC LIMIT %s) latest
"""
_pain_rows_sql: dict[str, str] = {}


def _pain_rows(checkin: CheckIn, needed: int) -> list[tuple]:
    """(checkin_id, kind, opens_at, total) of the first baseline and the latest
    `needed` other check-ins with average pain, up to this one."""
    vendor = connection.vendor
    sql = _pain_rows_sql.get(vendor)
    if sql is None:
        total = ("json_extract(r.scores, '$.total')" if vendor == "sqlite"
                 else "r.scores ->> 'total'")
        sql = _pain_rows_sql[vendor] = _PAIN_ROWS_SQL.format(
            total=total, response=Response._meta.db_table, checkin=CheckIn._meta.db_table)
    opens_at = connection.ops.adapt_datetimefield_value(checkin.opens_at)
    part = [checkin.enrollment_id, PAIN_KEY, opens_at, CheckIn.Status.COMPLETED.value,
            checkin.pk, CheckIn.Kind.BASELINE.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*part, *part, needed])
        rows = cursor.fetchall()
    # Postgres gives the total as JSON text ("4", "4.5"); SQLite as a number.
    return [(pk, kind, opens_at, json.loads(total) if isinstance(total, str) else total)
            for pk, kind, opens_at, total in rows]


def _pain_rise(checkin: CheckIn, rules: PracticeSettings) -> dict | None:
    """Pain ≥ baseline + points on this check-in and the ones just before it.

    "In a row" counts check-ins where pain was recorded: a missed week says nothing
    about pain (the missed rule covers it), so it neither breaks nor extends a run.

    One query of at most `pain_rise_checkins` + 1 rows, however long the history: the
    first baseline and the latest others, each with only its score's total.
    """
    needed = max(1, rules.pain_rise_checkins)
    rows = _pain_rows(checkin, needed)
    baseline = next((total for _, kind, _, total in rows if kind == CheckIn.Kind.BASELINE), None)
    if baseline is None:
        return None
    run = sorted(((opens_at, pk, total) for pk, kind, opens_at, total in rows
                  if kind != CheckIn.Kind.BASELINE), key=lambda r: (r[0], r[1]))
    run = [(pk, total) for _, pk, total in run]
    if len(run) < needed or run[-1][0] != checkin.pk:
        return None
    limit = baseline + rules.pain_rise_points
    if all(total is not None and total >= limit for _, total in run):
        return {"baseline": baseline, "recent": [t for _, t in run],
                "rise_points": rules.pain_rise_points}
    return None


def _unresolved_trend_kinds(enrollment_ids: list[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    rows = (Alert.objects.filter(enrollment_id__in=enrollment_ids, kind__in=TREND_KINDS)
            .exclude(status=Alert.Status.RESOLVED).values_list("enrollment_id", "kind"))
    for enrollment_id, kind in rows:
        found[enrollment_id].add(kind)
    return found


def crisis_resources(practice_id: int) -> SafeString:
    """The practice's crisis resources as safe HTML, to show a patient at once."""
    return render_markdown(PracticeSettings.for_practice(practice_id).crisis_resources_md)


def _settings_by_practice(practice_ids) -> dict[int, PracticeSettings]:
    """Each practice's settings in one query; a practice without a row gets defaults."""
    found = {s.practice_id: s for s in PracticeSettings.objects.filter(
        practice_id__in=set(practice_ids))}
    return {pid: found.get(pid) or PracticeSettings(practice_id=pid) for pid in practice_ids}


# ------------------------------------------------------------------ missed check-ins
def alerts_for_missed_checkins(now: datetime | None = None) -> list[Alert]:
    """Sweep: raise a MISSED alert for every active enrollment whose last
    `missed_in_a_row` closed check-ins were all missed. Safe to run any number of
    times: the alert's source is the last missed check-in. Constant queries plus one
    insert per new alert."""
    now = now or timezone.now()
    enrollment_ids = (CheckIn.objects.filter(status=CheckIn.Status.MISSED,
                                             closes_at__lte=now,
                                             closes_at__gt=now - MISSED_LOOKBACK)
                      .values_list("enrollment_id", flat=True).distinct())
    enrollments = list(Enrollment.objects.filter(pk__in=enrollment_ids,
                                                 status=EnrollmentStatus.ACTIVE)
                       .select_related("patient", "practice"))
    return _missed_alerts(enrollments, now)


def evaluate_missed(enrollment: Enrollment, now: datetime | None = None) -> Alert | None:
    """The missed-in-a-row rule for one enrollment (e.g. right after marking one missed)."""
    if enrollment.status != EnrollmentStatus.ACTIVE:
        return None
    alerts = _missed_alerts([enrollment], now or timezone.now())
    return alerts[0] if alerts else None


def _missed_alerts(enrollments: list[Enrollment], now: datetime) -> list[Alert]:
    if not enrollments:
        return []
    ids = [e.pk for e in enrollments]
    rules = _settings_by_practice({e.practice_id for e in enrollments})
    closed: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for enrollment_id, pk, status in (
        CheckIn.objects.filter(enrollment_id__in=ids, closes_at__lte=now,
                               status__in=[CheckIn.Status.COMPLETED, CheckIn.Status.MISSED])
        .order_by("enrollment_id", "-opens_at").values_list("enrollment_id", "pk", "status")
    ):
        closed[enrollment_id].append((pk, status))
    unresolved = _unresolved_trend_kinds(ids)
    raised = []
    for enrollment in enrollments:
        needed = max(1, rules[enrollment.practice_id].missed_in_a_row)
        last = closed[enrollment.pk][:needed]
        if len(last) < needed or any(s != CheckIn.Status.MISSED for _, s in last):
            continue
        if Alert.Kind.MISSED in unresolved[enrollment.pk]:
            continue
        alert = alert_raise(enrollment=enrollment, kind=Alert.Kind.MISSED,
                            severity=Alert.Severity.ROUTINE, source=f"missed:{last[0][0]}",
                            details={"missed_in_a_row": needed})
        if alert is not None:
            raised.append(alert)
    return raised


# ------------------------------------------------------------------ escalation
def escalate_unacknowledged_alerts(now: datetime | None = None) -> int:
    """Escalate urgent alerts nobody acknowledged within the practice's
    `escalation_minutes` to every active admin of that practice. Returns how many.

    Each alert is claimed with a conditional UPDATE (escalated_at IS NULL and still
    open), so two sweeps running at once escalate it once. The claim, the admins'
    in-app notifications and one outbox email per admin commit together: the emails
    cannot be lost, and cannot be queued twice.
    """
    now = now or timezone.now()
    candidates = list(
        Alert.objects.filter(status=Alert.Status.OPEN, severity=Alert.Severity.URGENT,
                             escalated_at__isnull=True, created_at__lte=now)
        .values_list("pk", "practice_id", "created_at")
    )
    if not candidates:
        return 0
    rules = _settings_by_practice({practice_id for _, practice_id, _ in candidates})
    due = [(pk, practice_id) for pk, practice_id, created_at in candidates
           if created_at + timedelta(minutes=rules[practice_id].escalation_minutes) <= now]
    if not due:
        return 0
    admins: dict[int, list[User]] = defaultdict(list)
    for membership in (Membership.objects.filter(
            practice_id__in={p for _, p in due}, role=Role.ADMIN, is_active=True,
            user__is_active=True).select_related("user").order_by("pk")):
        admins[membership.practice_id].append(membership.user)
    escalated = 0
    for pk, practice_id in due:
        with transaction.atomic():
            claimed = Alert.objects.filter(
                pk=pk, status=Alert.Status.OPEN, escalated_at__isnull=True,
            ).update(escalated_at=now)
            if not claimed:
                continue  # acknowledged meanwhile, or another sweep got there first
            alert = Alert.objects.select_related("enrollment__patient", "practice").get(pk=pk)
            audit(None, "alert.escalated", practice=alert.practice,
                  subject=alert.enrollment.patient, obj=alert)
            url = reverse("alert_detail", args=[pk])
            if not admins[practice_id]:
                logger.error("Urgent alert %s not acknowledged and practice %s has no "
                             "active admin to escalate to", pk, practice_id)
            for admin in admins[practice_id]:
                Notification.objects.create(
                    user=admin, url=url, title="Urgent alert not yet acknowledged",
                    body="An urgent alert has not been acknowledged by the patient's "
                         "clinician. Please make sure someone contacts the patient today.")
                outbox_add("tracking.tasks_alerts.send_escalation_email", alert_id=pk,
                           user_id=admin.pk)
            escalated += 1
    return escalated


# ------------------------------------------------------------------ daily digest
def send_daily_digests(now: datetime | None = None) -> int:
    """Decide today's digest for every clinician whose local time is past 07:00 and
    who has none yet today. Returns how many digests were queued to send.

    A digest counts the clinician's patients' alerts created, and check-ins whose
    window closed as missed, since their previous digest (or the last 24 hours).
    With nothing new, the day is still recorded and nothing is sent. Constant
    queries, plus one insert (and one outbox row if there is news) per clinician.
    """
    now = now or timezone.now()
    clinicians = list(User.objects.filter(
        is_active=True, memberships__role=Role.CLINICIAN, memberships__is_active=True,
    ).distinct().only("pk", "timezone"))
    local_dates = {}
    for clinician in clinicians:
        local = timezone.localtime(now, clinician.tzinfo)
        if local.hour >= DIGEST_LOCAL_HOUR:
            local_dates[clinician.pk] = local.date()
    if not local_dates:
        return 0
    done_today = set(DigestLog.objects.filter(
        clinician_id__in=list(local_dates), local_date__in=set(local_dates.values()),
    ).values_list("clinician_id", "local_date"))
    due = {pk: day for pk, day in local_dates.items() if (pk, day) not in done_today}
    if not due:
        return 0
    last = dict(DigestLog.objects.filter(clinician_id__in=list(due))
                .values("clinician_id").annotate(last=Max("created_at"))
                .values_list("clinician_id", "last"))
    since = {pk: last.get(pk) or now - FIRST_DIGEST_WINDOW for pk in due}
    earliest = min(since.values())

    alert_counts: dict[int, Counter] = defaultdict(Counter)
    for clinician_id, kind, created_at in (
        Alert.objects.filter(enrollment__clinician_id__in=list(due), created_at__gt=earliest,
                             created_at__lte=now)
        .values_list("enrollment__clinician_id", "kind", "created_at")
    ):
        if created_at > since[clinician_id]:
            alert_counts[clinician_id][kind] += 1
    missed: Counter = Counter()
    for clinician_id, closes_at in (
        CheckIn.objects.filter(enrollment__clinician_id__in=list(due),
                               status=CheckIn.Status.MISSED, closes_at__gt=earliest,
                               closes_at__lte=now)
        .values_list("enrollment__clinician_id", "closes_at")
    ):
        if closes_at > since[clinician_id]:
            missed[clinician_id] += 1

    queued = 0
    for clinician_id, day in due.items():
        try:
            with transaction.atomic():
                log = DigestLog.objects.create(
                    clinician_id=clinician_id, local_date=day, since=since[clinician_id],
                    created_at=now, alert_counts=dict(alert_counts[clinician_id]),
                    missed_count=missed[clinician_id])
                if log.has_news:
                    outbox_add("tracking.tasks_alerts.send_digest_email", digest_id=log.pk)
                    queued += 1
        except IntegrityError:
            continue  # another sweep decided this clinician's day first
    return queued


# ------------------------------------------------------------------ emails
def _outbox_pending(outbox_id: int | None) -> bool:
    """False when this outbox task already finished (a redelivered message)."""
    if not outbox_id:
        return True
    return OutboxTask.objects.filter(pk=outbox_id, done_at__isnull=True).exists()


def _app_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def alert_email_send(*, alert_id: int, outbox_id: int | None = None) -> bool:
    """Email the patient's clinician about a self-harm or red-flag alert. Skipped if
    already sent or already acknowledged. No name, answers or scores in the email."""
    if not _outbox_pending(outbox_id):
        return False
    alert = (Alert.objects.select_related("enrollment__clinician", "practice")
             .filter(pk=alert_id).first())
    if alert is None or alert.status != Alert.Status.OPEN:
        return False
    clinician = alert.enrollment.clinician
    if not clinician.is_active:
        logger.error("Alert %s: the clinician's account is inactive; no email sent", alert_id)
        return False
    send_email("emails/alert_urgent", to=clinician.email, context={
        "name": clinician.display_name,
        "practice": alert.practice,
        "is_self_harm": alert.kind == Alert.Kind.SELF_HARM,
        "url": _app_url(reverse("alert_detail", args=[alert.pk])),
    })
    return True


def escalation_email_send(*, alert_id: int, user_id: int,
                          outbox_id: int | None = None) -> bool:
    """Email one practice admin that an urgent alert is still unacknowledged. Skipped if
    already sent, if the alert has been acknowledged since, or if they are no longer
    an active admin of the practice."""
    if not _outbox_pending(outbox_id):
        return False
    alert = (Alert.objects.select_related("enrollment__clinician", "practice")
             .filter(pk=alert_id).first())
    if alert is None or alert.status != Alert.Status.OPEN:
        return False
    admin = User.objects.filter(
        pk=user_id, is_active=True, memberships__practice_id=alert.practice_id,
        memberships__role=Role.ADMIN, memberships__is_active=True).first()
    if admin is None:
        return False
    minutes = PracticeSettings.for_practice(alert.practice_id).escalation_minutes
    send_email("emails/alert_escalation", to=admin.email, context={
        "name": admin.display_name,
        "practice": alert.practice,
        "clinician": alert.enrollment.clinician.display_name,
        "waited": _duration(minutes),
        "url": _app_url(reverse("alert_detail", args=[alert.pk])),
    })
    return True


def digest_email_send(*, digest_id: int, outbox_id: int | None = None) -> bool:
    """Send one recorded digest (counts only). Skipped if already sent."""
    log = DigestLog.objects.select_related("clinician").filter(pk=digest_id).first()
    if log is None or log.sent_at is not None or not log.has_news:
        return False
    labels = dict(Alert.Kind.choices)
    order = [k for k, _ in Alert.Kind.choices]
    counts = sorted(((k, n) for k, n in log.alert_counts.items() if n),
                    key=lambda kn: order.index(kn[0]) if kn[0] in order else len(order))
    total = sum(n for _, n in counts)
    send_email("emails/digest", to=log.clinician.email, context={
        "name": log.clinician.display_name,
        "alerts_total": total,
        "alert_counts": [(labels.get(k, k), n) for k, n in counts],
        "missed": log.missed_count,
        "url": _app_url(reverse("caseload")),
    })
    DigestLog.objects.filter(pk=log.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def _duration(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"


# ------------------------------------------------------------------ staff access
def alert_for_staff(request: HttpRequest, pk: int) -> Alert:
    """One alert of a patient the staff member may see (tracking.access decides:
    a clinician their own patients, a practice admin their practice, who also get
    urgent alerts escalated to them), or 404 with the denial audited."""
    alert = (Alert.objects.select_related("enrollment__patient", "enrollment__clinician",
                                          "practice", "acknowledged_by", "resolved_by")
             .filter(pk=pk, enrollment__in=visible_enrollments(request)).first())
    if alert is None:
        audit(request, "access.denied", practice=request.membership.practice,
              object_type="tracking.alert", object_id=str(pk))
        raise Http404
    return alert
