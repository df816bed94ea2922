"""Alert rules: what a check-in's answers, or missed check-ins, raise."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeString

from programs.models import Enrollment, EnrollmentStatus
from programs.safety import Crisis
from tracking import rules as clinical
from tracking.alerts.services import alert_raise
from tracking.models import (
    Alert,
    CheckIn,
    PracticeSettings,
    Response,
)
from tracking.safety.resources import crisis_html, crisis_resources_for
from tracking.safety.scanner import (
    self_harm_alert_unless_seen,
    text_fingerprint,
    texts_with_crisis_words,
    texts_with_emergency_signs,
)

logger = logging.getLogger(__name__)

# The thresholds and definitions are tracking.rules' (imported as `clinical`: here
# `rules` is the practice's PracticeSettings, as checkin_record passes it). This module
# reads the rows each rule needs and raises the alerts.

# Trend alerts: while one of a kind is still unresolved for a patient, the next
# check-in that meets the rule adds nothing new (the clinician already knows).
# Self-harm is never folded: every such answer gets its own alert.
TREND_KINDS = (Alert.Kind.PAIN_UP, Alert.Kind.FEAR_HIGH, Alert.Kind.MISSED)


# ------------------------------------------------------------------ check-in rules
@dataclass
class CheckinEvaluation:
    """What evaluating a check-in found. `safety` is True whenever the self-harm rule
    matched (even if the alert already existed): show the crisis resources."""

    safety: bool = False
    alerts: list[Alert] = field(default_factory=list)
    # With `safety`: TOLD (the check-in has a self-harm alert not resolved yet, raised
    # now or before) or SEEN (the same answers as its resolved alert: nobody told again).
    crisis: Crisis = Crisis.NONE


@dataclass(frozen=True)
class PainBaseline:
    """The enrollment's baseline average pain as its summary holds it (None: it has
    none), for a caller that has it: checkin_record gets it from the summary upsert."""

    value: float | None


def evaluate_checkin(
    checkin: CheckIn,
    *,
    responses: list[Response] | None = None,
    rules: PracticeSettings | None = None,
    pain_baseline: PainBaseline | None = None,
) -> CheckinEvaluation:
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
    settings = rules if rules is not None else PracticeSettings.for_practice(enrollment.practice_id)
    if responses is None:
        responses = list(Response.objects.filter(checkin=checkin).select_related("instrument"))
    by_key = {r.instrument_key: r for r in responses}
    source = f"checkin:{checkin.pk}"
    result = CheckinEvaluation()

    # Answers carried over from the check-in before (rules.asked_here) raised their own.
    self_harm = self_harm_details(responses, settings, answered_before=checkin.answered_before)
    if self_harm is not None:
        result.safety = True
        result.crisis, alert = self_harm_alert_unless_seen(
            enrollment, source=source, fingerprint=self_harm[1], details=self_harm[0]
        )
        if alert is not None:
            result.alerts.append(alert)
    _, alert = written_signs_alert(
        enrollment, source, [t for r in responses for t in _free_texts(r.answers)]
    )
    if alert is not None:
        result.alerts.append(alert)

    for kind, severity, details in screening_alerts(by_key):
        alert = alert_raise(
            enrollment=enrollment, kind=kind, severity=severity, source=source, details=details
        )
        if alert is not None:
            result.alerts.append(alert)

    trends: list[tuple[str, str, dict]] = []
    pain_now = _total(by_key.get(clinical.PAIN_AVG))
    # The rule needs a baseline and this check-in's pain at it + the rise. The summary's
    # baseline is the one its read would find (the enrollment's one baseline check-in):
    # given it, without one or below that, the history cannot matter and is not read.
    if pain_now is not None and (
        pain_baseline is None
        or clinical.reaches_pain_rise(
            pain_now, baseline=pain_baseline.value, rise_points=settings.pain_rise_points
        )
    ):
        pain = pain_rise(checkin, settings)
        if pain is not None:
            trends.append((Alert.Kind.PAIN_UP, Alert.Severity.HIGH, pain))
    fear = _total(by_key.get(clinical.FEAR_MOVEMENT))
    if clinical.is_fear_high(fear, threshold=settings.fear_high_threshold):
        trends.append(
            (
                Alert.Kind.FEAR_HIGH,
                Alert.Severity.ROUTINE,
                {"fear": fear, "threshold": settings.fear_high_threshold},
            )
        )
    if trends:
        unresolved = _unresolved_trend_kinds([enrollment.pk]).get(enrollment.pk, set())
        for kind, severity, details in trends:
            if kind in unresolved:
                continue
            alert = alert_raise(
                enrollment=enrollment, kind=kind, severity=severity, source=source, details=details
            )
            if alert is not None:
                result.alerts.append(alert)
    return result


def _total(response: Response | None) -> int | float | None:
    if response is None:
        return None
    return (response.scores or {}).get("total")


def screening_alerts(by_key: dict[str, Response]) -> list[tuple[str, str, dict]]:
    """(kind, severity, details) of each screening rule (tracking.rules) the check-in's
    scores meet: PHQ-2, PHQ-9 and GAD-7 totals and the weekly "any new symptoms?"."""
    found: list[tuple[str, str, dict]] = []
    phq2 = _total(by_key.get(clinical.PHQ2))
    if severity := clinical.phq2_alert_severity(phq2):
        found.append((Alert.Kind.DEPRESSION_SCREEN, severity, {"phq2": phq2}))
    phq9 = _total(by_key.get(clinical.PHQ9))
    if severity := clinical.phq9_alert_severity(phq9):
        found.append(
            (Alert.Kind.DEPRESSION, severity, {"phq9": phq9, "band": clinical.phq9_severity(phq9)})
        )
    gad7 = _total(by_key.get(clinical.GAD7))
    if severity := clinical.gad7_alert_severity(gad7):
        found.append(
            (Alert.Kind.ANXIETY, severity, {"gad7": gad7, "band": clinical.gad7_severity(gad7)})
        )
    symptoms = by_key.get(clinical.NEW_SYMPTOMS)
    if symptoms is not None:
        found.extend(symptom_alerts(clinical.new_symptom_groups(symptoms.answers)))
    return found


def symptom_alerts(groups: Iterable[str], **marker: bool) -> list[tuple[str, str, dict]]:
    """(kind, severity, details) of the alerts a yes in each of these new-symptom groups
    raises (tracking.rules.new_symptom_groups): an emergency sign its own URGENT alert
    (a kind of its own, so a yes to a sign for a doctor soon saved first never stands in
    for it: one alert per kind and check-in), the rest the HIGH new-symptoms alert,
    whose details say which group (none: version 1's one question, which cannot say).
    One alert per kind: the first group of each (SYMPTOM_GROUPS' order)."""
    found: dict[str, tuple[str, str, dict]] = {}
    for group in groups:
        severity = clinical.new_symptoms_alert_severity(group)
        details: dict[str, object]
        if group == clinical.SYMPTOMS_EMERGENCY:
            kind, details = Alert.Kind.EMERGENCY_SYMPTOMS, {"emergency_signs": True}
        elif group == clinical.SYMPTOMS_DOCTOR_SOON:
            kind, details = Alert.Kind.NEW_SYMPTOMS, {"new_symptoms": True, "group": group}
        else:
            kind, details = Alert.Kind.NEW_SYMPTOMS, {"new_symptoms": True}
        found.setdefault(kind, (kind, severity, {**details, **marker}))
    return list(found.values())


@dataclass
class DraftSafety:
    """What a saved draft's answers start at once: the crisis panel (`self_harm`) and
    the where-to-get-care guidance (`new_symptoms`, for the groups in `symptom_groups`:
    tracking.rules.SYMPTOM_GROUPS)."""

    self_harm: bool = False
    # Whether a safety answer (PHQ-9 item 9 above 0) says so, not only crisis words in
    # free text: what the patient is told the clinic heard of (an answer, or words).
    by_answer: bool = False
    # With `self_harm`: TOLD (the check-in has a self-harm alert not resolved yet, raised
    # now or before) or SEEN (these answers were alerted on and it was resolved: nobody
    # is told again). With `new_symptoms`: whether its alert is not resolved yet.
    crisis: Crisis = Crisis.NONE
    symptoms_told: bool = False

    @property
    def seen_before(self) -> bool:
        return self.crisis == Crisis.SEEN

    @property
    def told(self) -> bool:
        """Whether the clinic has (or was just given) an alert about these answers."""
        return (self.self_harm and self.crisis == Crisis.TOLD) or (
            self.new_symptoms and self.symptoms_told
        )

    symptom_groups: tuple[str, ...] = ()

    @property
    def new_symptoms(self) -> bool:
        return bool(self.symptom_groups)

    @property
    def symptom_guidance(self) -> clinical.SymptomGuidance:
        return clinical.symptom_guidance(self.symptom_groups)


def draft_safety(draft: dict, instruments: list) -> DraftSafety:
    """Read a draft's answers (by instrument key, as CheckIn.draft holds them) for the
    answers that act at once. No query."""
    found = DraftSafety()
    for instrument in instruments:
        answers = draft.get(instrument.key) or {}
        safety_item = (instrument.scoring or {}).get("safety_item")
        if safety_item and clinical.is_self_harm_answer(answers.get(safety_item)):
            found.self_harm = found.by_answer = True
        if instrument.key == clinical.NEW_SYMPTOMS:
            found.symptom_groups = clinical.new_symptom_groups(answers)
    return found


def evaluate_draft(
    checkin: CheckIn,
    *,
    draft: dict,
    instruments: list,
    rules: PracticeSettings | None = None,
    typed: dict | None = None,
    unsaved: bool = False,
) -> DraftSafety:
    """The rules that cannot wait for the submit, on a saved draft: a self-harm answer
    (or crisis words in the draft's free text) raises the URGENT self-harm alert, a yes
    to "any new symptoms?" the HIGH new-symptoms alert, each with the check-in's source,
    so the later submit (or another draft save) raises nothing twice. A patient who
    answers and leaves is covered: the alert exists from the first save.

    `typed`: the answers as sent, before checking: free text is scanned even where the
    answer is not kept (a cause typed without its category). `unsaved`: answers sent
    when the check-in could not take them (closed, already done, program paused): the
    alert says so
    (checkins.services.checkin_safety_unsaved)."""
    marker = "unsaved" if unsaved else "draft"
    enrollment = checkin.enrollment
    source = f"checkin:{checkin.pk}"
    found = draft_safety(draft, instruments)
    # Free text is a cause's {"text": …}; a scale answer typed as junk is not text.
    texts = [
        value["text"]
        for answers in (*draft.values(), *(typed or {}).values())
        if isinstance(answers, dict)
        for value in answers.values()
        if isinstance(value, dict) and isinstance(value.get("text"), str) and value["text"]
    ]
    crisis_texts: list[str] = []
    if texts:
        settings = (
            rules if rules is not None else PracticeSettings.for_practice(enrollment.practice_id)
        )
        crisis_texts = texts_with_crisis_words(texts, settings)
    if found.self_harm or crisis_texts:
        found.self_harm = True
        answers: dict[str, Any] = {}
        for instrument in instruments:
            item = (instrument.scoring or {}).get("safety_item")
            value = (draft.get(instrument.key) or {}).get(item) if item else None
            if item and clinical.is_self_harm_answer(value):
                answers["item9" if item == clinical.PHQ9_SAFETY_ITEM else str(item)] = value
        details: dict[str, Any] = {marker: True, **answers}
        if crisis_texts:
            details["crisis_words"] = True
        found.crisis, _raised = self_harm_alert_unless_seen(
            enrollment,
            source=source,
            fingerprint=safety_fingerprint(answers, crisis_texts),
            details=details,
        )
    signs, _raised = written_signs_alert(enrollment, source, texts, **{marker: True})
    if signs != Crisis.NONE and clinical.SYMPTOMS_EMERGENCY not in found.symptom_groups:
        found.symptom_groups = (clinical.SYMPTOMS_EMERGENCY, *found.symptom_groups)
    if found.new_symptoms:
        told = signs == Crisis.TOLD
        for kind, severity, details in symptom_alerts(found.symptom_groups, **{marker: True}):
            raised = alert_raise(
                enrollment=enrollment,
                kind=kind,
                severity=severity,
                source=source,
                details=details,
            )
            told = told or (
                raised is not None
                or Alert.objects.filter(enrollment=enrollment, kind=kind, source=source)
                .exclude(status=Alert.Status.RESOLVED)
                .exists()
            )
        found.symptoms_told = told
    return found


def written_signs_alert(
    enrollment: Enrollment, source: str, texts: list[str], **marker: bool
) -> tuple[Crisis, Alert | None]:
    """Emergency signs (tracking.rules.symptom_words) in a check-in's free text: the
    URGENT emergency-symptoms alert for the check-in's `source`, with the crisis words'
    de-duplication (one not resolved per source; after it was resolved, a new one only
    for other words: self_harm_alert_unless_seen). Crisis.NONE when none is written; the
    alert raised now, if any. A yes to the emergency signs in the same check-in shares
    that alert (one per kind and source)."""
    sign_texts = texts_with_emergency_signs(texts)
    if not sign_texts:
        return Crisis.NONE, None
    return self_harm_alert_unless_seen(
        enrollment,
        source=source,
        fingerprint=text_fingerprint(sorted(sign_texts)),
        details={"emergency_signs": True, "written": True, **marker},
        kind=Alert.Kind.EMERGENCY_SYMPTOMS,
    )


def safety_fingerprint(answers: dict[str, Any], crisis_texts: Iterable[str]) -> str:
    """What a check-in's self-harm alert was raised for, as the scanner's keyed
    fingerprint (tracking.safety.scanner.text_fingerprint): each safety answer ("item9"
    and its value) and each free text holding crisis words. A check-in whose only alert
    was resolved raises a new one when these differ (a changed answer, new words), and
    nothing for the same ones (tracking.rules.crisis_alert_decision). Order does not matter."""
    parts = [f"{name} {value}" for name, value in sorted(answers.items())]
    return text_fingerprint([*parts, *sorted(crisis_texts)])


def self_harm_details(
    responses: list[Response],
    settings: PracticeSettings,
    *,
    answered_before: dict | None = None,
) -> tuple[dict, str] | None:
    """The self-harm alert's details and `safety_fingerprint`, or None: no safety answer
    above 0 and no crisis words. The demo data (tracking.demo) builds its alert with
    this too, so the alert says what the check-in's answers say. `answered_before`: the
    check-in's answers carried over from the one before (CheckIn.answered_before), which
    are not read (rules.asked_here: that check-in's own alert covers them)."""
    answers: dict[str, Any] = {}
    carried = answered_before or {}
    for response in responses:
        safety_item = (response.instrument.scoring or {}).get("safety_item")
        if safety_item:
            asked = clinical.asked_here(response.answers, carried.get(response.instrument_key))
            value = asked.get(safety_item)
            if clinical.is_self_harm_answer(value):
                # "item9" for PHQ-9; any other instrument's safety item by its own key.
                name = "item9" if safety_item == clinical.PHQ9_SAFETY_ITEM else safety_item
                answers[name] = value
    crisis_texts = texts_with_crisis_words(
        [t for r in responses for t in _free_texts(r.answers)], settings
    )
    details: dict[str, Any] = dict(answers)
    if crisis_texts:
        # Which words matched is not stored: details never hold patient free text.
        details["crisis_words"] = True
    if not details:
        return None
    return details, safety_fingerprint(answers, crisis_texts)


def _free_texts(answers: dict) -> list[str]:
    out = []
    for value in (answers or {}).values():
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict) and isinstance(value.get("text"), str):
            out.append(value["text"])
    return out


def _pain_rows(checkin: CheckIn, needed: int) -> list[tuple]:
    """(checkin_id, kind, opens_at, total) of the first baseline and the latest
    `needed` other check-ins with average pain, up to this one: only this check-in or
    completed ones, none opening after it. One query (a UNION ALL of two sliced
    selects) of at most `needed` + 1 rows, however long the history."""
    answered = (
        Response.objects.filter(
            checkin__enrollment_id=checkin.enrollment_id,
            instrument_key=clinical.PAIN_AVG,
            checkin__opens_at__lte=checkin.opens_at,
        )
        .filter(Q(checkin__status=CheckIn.Status.COMPLETED) | Q(checkin_id=checkin.pk))
        .values_list("checkin_id", "checkin__kind", "checkin__opens_at", "scores__total")
    )
    first_baseline = answered.filter(checkin__kind=CheckIn.Kind.BASELINE).order_by(
        "checkin__opens_at", "checkin_id"
    )[:1]
    latest = answered.exclude(checkin__kind=CheckIn.Kind.BASELINE).order_by(
        "-checkin__opens_at", "-checkin_id"
    )[:needed]
    return list(first_baseline.union(latest, all=True))


def pain_rise(checkin: CheckIn, settings: PracticeSettings) -> dict | None:
    """The pain-up rule (`clinical.pain_has_risen`) on this check-in and the ones just
    before it. "In a row" counts check-ins where pain was recorded: a missed week says
    nothing about pain (the missed rule covers it), so it neither breaks nor extends a
    run; and the run must end with this check-in."""
    rows = _pain_rows(checkin, clinical.in_a_row_needed(settings.pain_rise_checkins))
    baseline = next((total for _, kind, _, total in rows if kind == CheckIn.Kind.BASELINE), None)
    run = [
        (pk, total)
        for opens_at, pk, total in sorted(
            (opens_at, pk, total)
            for pk, kind, opens_at, total in rows
            if kind != CheckIn.Kind.BASELINE
        )
    ]
    if not run or run[-1][0] != checkin.pk:
        return None
    recent = [total for _, total in run]
    if clinical.pain_has_risen(
        baseline=baseline,
        recent=recent,
        rise_points=settings.pain_rise_points,
        in_a_row=settings.pain_rise_checkins,
    ):
        return {"baseline": baseline, "recent": recent, "rise_points": settings.pain_rise_points}
    return None


def _unresolved_trend_kinds(enrollment_ids: list[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    rows = (
        Alert.objects.filter(enrollment_id__in=enrollment_ids, kind__in=TREND_KINDS)
        .exclude(status=Alert.Status.RESOLVED)
        .values_list("enrollment_id", "kind")
    )
    for enrollment_id, kind in rows:
        found[enrollment_id].add(kind)
    return found


def crisis_resources(practice_id: int, country: str = "") -> SafeString:
    """The practice's crisis resources for the patient's country as safe HTML, to show a
    patient at once (tracking.safety.resources)."""
    return crisis_html(crisis_resources_for(practice_id=practice_id, country=country))


def _settings_by_practice(practice_ids) -> dict[int, PracticeSettings]:
    """Each practice's settings in one query; a practice without a row gets defaults."""
    found = {
        s.practice_id: s for s in PracticeSettings.objects.filter(practice_id__in=set(practice_ids))
    }
    return {pid: found.get(pid) or PracticeSettings(practice_id=pid) for pid in practice_ids}


# ------------------------------------------------------------------ missed check-ins
def alerts_for_missed_checkins(now: datetime | None = None) -> list[Alert]:
    """Sweep: raise a MISSED alert for every active enrollment whose last
    `missed_in_a_row` closed check-ins were all missed. Safe to run any number of
    times: the alert's source is the last missed check-in. Constant queries plus one
    insert per new alert."""
    now = now or timezone.now()
    enrollment_ids = (
        CheckIn.objects.filter(
            status=CheckIn.Status.MISSED,
            closes_at__lte=now,
            closes_at__gt=now - clinical.MISSED_LOOKBACK,
        )
        .values_list("enrollment_id", flat=True)
        .distinct()
    )
    enrollments = list(
        Enrollment.objects.filter(
            pk__in=enrollment_ids, status=EnrollmentStatus.ACTIVE
        ).select_related("patient", "practice")
    )
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
    settings = _settings_by_practice({e.practice_id for e in enrollments})
    closed: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for enrollment_id, pk, status in (
        CheckIn.objects.filter(
            enrollment_id__in=ids,
            closes_at__lte=now,
            status__in=[CheckIn.Status.COMPLETED, CheckIn.Status.MISSED],
        )
        # An extra check-in a rule offered (the same-day PHQ-9) is not a scheduled one:
        # leaving it is not "missing a check-in".
        .exclude(kind=CheckIn.Kind.EXTRA)
        .order_by("enrollment_id", "-opens_at")
        .values_list("enrollment_id", "pk", "status")
    ):
        closed[enrollment_id].append((pk, status))
    unresolved = _unresolved_trend_kinds(ids)
    raised = []
    for enrollment in enrollments:
        in_a_row = settings[enrollment.practice_id].missed_in_a_row
        last = closed[enrollment.pk]
        if not clinical.missed_in_a_row([status for _, status in last], in_a_row=in_a_row):
            continue
        if Alert.Kind.MISSED in unresolved[enrollment.pk]:
            continue
        alert = alert_raise(
            enrollment=enrollment,
            kind=Alert.Kind.MISSED,
            severity=Alert.Severity.ROUTINE,
            source=f"missed:{last[0][0]}",
            details={"missed_in_a_row": clinical.in_a_row_needed(in_a_row)},
        )
        if alert is not None:
            raised.append(alert)
    return raised
