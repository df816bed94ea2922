"""Recording a check-in's answers: drafts, the final submit, and what follows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from painapp import edit_version
from programs.models import Enrollment
from programs.views.lengths import LessonCheckIn
from tracking import rules as clinical  # `rules` is a PracticeSettings here
from tracking.checkins.figures import figures_of
from tracking.checkins.selectors import (
    OpenCheckIn,
    is_available,
    minutes_to_answer,
    week_checkins,
)
from tracking.checkins.summaries import summary_record_checkin
from tracking.instruments import registry
from tracking.instruments.scoring import AnswerError, clean_answers, score
from tracking.models import CheckIn, Instrument, PracticeSettings, Response

if TYPE_CHECKING:
    from tracking.alerts.evaluate import DraftSafety


class AlreadyDone(Exception):
    """The check-in was already recorded (a double submit, a second tab)."""

    def __init__(self, checkin: CheckIn):
        super().__init__(f"Check-in {checkin.pk} is already done")
        self.checkin = checkin


class NotAvailable(Exception):
    """The check-in is not open: not yet, or its window has closed."""

    def __init__(self, checkin: CheckIn, reason: str):
        super().__init__(reason)
        self.checkin = checkin
        self.reason = reason  # "not_open_yet" | "closed" | "inactive"


class CheckInAnswerError(ValueError):
    """Answers that cannot be recorded: {instrument_key: {item_key: message}}."""

    def __init__(self, errors: dict[str, dict[str, str]]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


# ---------------------------------------------------------------- answering


def checkin_instruments(
    checkin: CheckIn,
    practice_id: int,
    current_ids: list[int] | None = None,
    *,
    language: str | None = None,
) -> list[Instrument]:
    """The current version of each of the check-in's instruments the patient is asked,
    in its order: those with a version in the patient's language (`language`, default
    the patient's own; registry.asked_of, the one rule).

    `current_ids`: the ids of the current versions of its keys, shipped and the
    practice's own, if already read (patient_checkin): no query then, unless a key has
    no current version (the shipped ones are stored first, below)."""
    if current_ids is not None:
        by_key: dict[str, Instrument] = {}
        for instrument in registry.instruments_by_id(current_ids):
            if instrument.key not in by_key or instrument.practice_id is not None:
                by_key[instrument.key] = instrument  # the practice's own version wins
        if all(key in by_key for key in checkin.instrument_keys):
            return _asked([by_key[key] for key in checkin.instrument_keys], checkin, language)
    try:
        found = registry.current_instruments(list(checkin.instrument_keys), practice_id)
    except IntegrityError:
        # Two first-ever requests stored the shipped instruments at once; the other won.
        found = registry.current_instruments(list(checkin.instrument_keys), practice_id)
    return _asked([found[key] for key in checkin.instrument_keys], checkin, language)


@dataclass(frozen=True)
class CheckInLength:
    """How long a check-in is for the patient: the questions they are really asked
    (in their language) and about how many minutes those take."""

    questions: int
    minutes: int


def checkin_length(
    found: OpenCheckIn, practice_id: int, *, language: str | None = None
) -> CheckInLength:
    """The one rule for "N short questions, about M minutes", wherever a patient is
    told how long a check-in takes (Today, the results page's offer, the reminders).
    No query once the instruments' versions have been read (registry.instruments_by_id).
    `language`: the patient's (default: read from found.checkin.enrollment)."""
    instruments = checkin_instruments(
        found.checkin, practice_id, found.instrument_ids, language=language
    )
    questions = registry.question_count(instruments) - answered_before_count(found.checkin)
    return CheckInLength(questions=questions, minutes=minutes_to_answer(questions))


def answered_before_count(checkin: CheckIn) -> int:
    """How many of the check-in's questions were answered before (CheckIn.answered_before)
    and are not asked again."""
    return sum(len(items) for items in (checkin.answered_before or {}).values())


def with_answered_before(checkin: CheckIn, answers_by_instrument: dict) -> dict:
    """The answers sent, with those given before (CheckIn.answered_before) in their
    place: the check-in is recorded and scored on every item, as if all were asked."""
    before = checkin.answered_before or {}
    return {
        **answers_by_instrument,
        **{
            key: {**(answers_by_instrument.get(key) or {}), **given}
            for key, given in before.items()
        },
    }


def week_lesson_checkins(
    enrollment: Enrollment, weeks: set[int], week_count: int
) -> dict[int, LessonCheckIn]:
    """For a check-in lesson of each of program weeks `weeks` (of `week_count`): the
    patient's own check-in of that week (selectors.week_checkins), which the lesson's
    button opens, with its minutes (checkin_length, as Today's card says), for the
    weeks that have one. One query (none for no weeks). Registered on
    programs.views.lengths.checkin_lessons."""
    return {
        week: LessonCheckIn(
            pk=found.checkin.pk, minutes=checkin_length(found, enrollment.practice_id).minutes
        )
        for week, found in week_checkins(enrollment, weeks, week_count).items()
    }


def _asked(instruments: list[Instrument], checkin: CheckIn, language: str | None):
    if language is None:
        language = checkin.enrollment.patient.language
    return registry.asked_of(instruments, language)


def _clean_all(
    instruments: list[Instrument], answers_by_instrument: dict, *, allow_missing: bool
) -> tuple[dict[str, dict], dict[str, dict[str, str]]]:
    """Validate every instrument's answers; return (valid answers, errors), both by key.

    With `allow_missing` (drafts) the valid answers of an instrument are kept even when
    others in it are wrong.
    """
    clean: dict[str, dict] = {}
    errors: dict[str, dict[str, str]] = {}
    for instrument in instruments:
        spec = registry.spec_of(instrument)
        raw = answers_by_instrument.get(instrument.key) or {}
        try:
            clean[instrument.key] = clean_answers(spec, raw, allow_missing=allow_missing)
        except AnswerError as error:
            errors[instrument.key] = error.errors
            if allow_missing:
                rest = {k: v for k, v in raw.items() if k not in error.errors}
                clean[instrument.key] = clean_answers(spec, rest, allow_missing=True)
    return clean, errors


# What the check-in form's version is of (painapp.edit_version): its saved draft.
DRAFT_VERSION = ("draft",)


def draft_version(checkin: CheckIn) -> str:
    """The version of the check-in's draft a form filled in from it carries."""
    return edit_version.version_of(checkin, DRAFT_VERSION)


def _loses_answers(saved: dict, sent: dict) -> bool:
    """Whether saving `sent` as the draft would lose an answer `saved` holds (one
    missing from `sent`, or different there)."""
    return any(
        (sent.get(key) or {}).get(item) != answer
        for key, answers in (saved or {}).items()
        for item, answer in (answers or {}).items()
    )


@dataclass(frozen=True)
class DraftSaved:
    # The answers not stored, with what was wrong with each.
    errors: dict[str, dict[str, str]]
    # What the answers as sent acted on (alerts.evaluate.evaluate_draft): a safety
    # answer kept, or crisis words in what was typed, kept or not.
    safety: DraftSafety


def checkin_save_draft(
    *,
    checkin: CheckIn,
    answers_by_instrument: dict,
    now: datetime | None = None,
    instruments: list[Instrument] | None = None,
    edited_from: str | None = None,
) -> DraftSaved:
    """Keep the valid answers so far (replacing the previous draft) and return the
    errors of the others, which are not stored, with what the answers as sent acted on
    (the page shows its help). Raises AlreadyDone / NotAvailable.

    `instruments`: the check-in's instruments if the caller has already loaded them
    (`checkin_instruments`, as the form does), to save reading them again.

    `edited_from`: the version of the draft the form was filled in from
    (painapp.edit_version, `draft_version`; None: not checked). If the draft was saved
    since (another tab, another device) and these answers would lose one it holds now,
    nothing is saved and EditConflict holds the check-in as it is now; the caller scans
    what was sent as not saved (checkin_safety_unsaved). A newer draft these answers
    only add to is not a conflict: nothing saved is lost."""
    now = now or timezone.now()
    enrollment = checkin.enrollment
    if checkin.status == CheckIn.Status.COMPLETED:
        raise AlreadyDone(checkin)
    if not is_available(checkin, now, enrollment):
        raise NotAvailable(checkin, _reason(checkin, now, enrollment))
    if instruments is None:
        instruments = checkin_instruments(checkin, enrollment.practice_id)
    clean, errors = _clean_all(instruments, answers_by_instrument, allow_missing=True)
    draft = {key: answers for key, answers in clean.items() if answers}
    with transaction.atomic():
        locked = (
            CheckIn.objects.select_for_update()
            .filter(pk=checkin.pk, status__in=clinical.CHECKIN_PENDING)
            .only("pk", "draft")
            .first()
        )
        if locked is None:
            raise AlreadyDone(checkin)
        stale = edited_from is not None and not edit_version.is_current(
            locked, edited_from, DRAFT_VERSION
        )
        if stale and _loses_answers(locked.draft, draft):
            checkin.draft = locked.draft
            raise edit_version.EditConflict(checkin)
        CheckIn.objects.filter(pk=checkin.pk).update(draft=draft)
    checkin.draft = draft
    # Safety answers act the moment they are saved, not at the submit: a patient who
    # answers item 9 and leaves is covered (tracking.alerts.evaluate.evaluate_draft).
    from tracking.alerts.evaluate import evaluate_draft

    safety = evaluate_draft(
        checkin, draft=draft, instruments=instruments, typed=answers_by_instrument
    )
    return DraftSaved(errors=errors, safety=safety)


def checkin_safety_unsaved(
    *,
    checkin: CheckIn,
    answers_by_instrument: dict,
    instruments: list[Instrument] | None = None,
    rules: PracticeSettings | None = None,
):
    """Answers the check-in could not take (NotAvailable: its window closed while the
    form was open, or the program was paused; AlreadyDone: sent again from a second tab
    or after Back): nothing is stored, but the answers that
    act at once still do, by the draft's rules (tracking.alerts.evaluate.evaluate_draft):
    the self-harm item above 0 or crisis words raise the URGENT self-harm alert, a yes
    to "any new symptoms?" the HIGH one, each saying the answers were not saved (once
    per check-in: answers already recorded and alerted on raise nothing again). Returns
    what they found (alerts.evaluate.DraftSafety), for the page to show its panels."""
    enrollment = checkin.enrollment
    if instruments is None:
        instruments = checkin_instruments(checkin, enrollment.practice_id)
    clean, _errors = _clean_all(instruments, answers_by_instrument, allow_missing=True)
    from tracking.alerts.evaluate import evaluate_draft

    return evaluate_draft(
        checkin,
        draft={key: answers for key, answers in clean.items() if answers},
        instruments=instruments,
        rules=rules,
        typed=answers_by_instrument,
        unsaved=True,
    )


def _reason(checkin: CheckIn, now: datetime, enrollment: Enrollment) -> str:
    if enrollment.status not in clinical.LIVE_ENROLLMENT_STATUSES:
        return "inactive"
    return "not_open_yet" if checkin.opens_at > now else "closed"


def checkin_record(
    *,
    checkin: CheckIn,
    answers_by_instrument: dict,
    now: datetime | None = None,
    instruments: list[Instrument] | None = None,
    rules: PracticeSettings | None = None,
    language: str | None = None,
) -> CheckIn:
    """Record a check-in: one Response per instrument, scored by its current version.

    Every instrument's answers are checked first (all errors together, nothing saved:
    CheckInAnswerError). Then, in one transaction, the check-in row is locked, so of
    any number of simultaneous submits (double clicks, a second tab) exactly one
    records; the others raise AlreadyDone. The check-in is added to the enrollment's
    summary (the caseload's and reports' figures) and the alert rules run in the same
    transaction, so a recorded check-in never lacks either.

    The lock is taken by the write itself: one conditional UPDATE (still pending,
    window open now) marks the check-in done, and the responses and the summary are
    written only if it matched, all in the same transaction. A
    simultaneous submit waits on that row lock, then finds the row no longer pending
    and writes nothing; only then (and when the answers have errors) is the row read,
    locked, to say why.

    `instruments`: the check-in's instruments if the caller has already loaded them
    (`checkin_instruments`, as the form does), to save reading them again; `rules`:
    the practice's settings, likewise (the check-in view loads them with the
    check-in: `practice_rules`). `language`: the language the questions were shown in
    (default: the patient's, the language `checkin_instruments` asks in); each Response
    records it, or English for an instrument version without that language.
    """
    now = now or timezone.now()
    enrollment = checkin.enrollment
    if instruments is None:
        instruments = checkin_instruments(checkin, enrollment.practice_id)
    answers_by_instrument = with_answered_before(checkin, answers_by_instrument)
    clean, errors = _clean_all(instruments, answers_by_instrument, allow_missing=False)
    # Scored before the transaction: no lock is held while Python works.
    responses = (
        []
        if errors
        else _scored_responses(
            checkin, instruments, clean, now, language or enrollment.patient.language
        )
    )
    try:
        with transaction.atomic():
            claimed, pain_baseline = False, None
            if not errors and enrollment.status in clinical.LIVE_ENROLLMENT_STATUSES:
                claimed, pain_baseline = _claim_and_write(checkin, responses, now)
            if not claimed:
                locked = CheckIn.objects.select_for_update().get(pk=checkin.pk)
                if locked.status == CheckIn.Status.COMPLETED:
                    raise AlreadyDone(locked)
                if not is_available(locked, now, enrollment):
                    raise NotAvailable(locked, _reason(locked, now, enrollment))
                if errors:
                    raise CheckInAnswerError(errors)
                # Pending and open by the rules, yet the UPDATE matched nothing: the row
                # changed between the two statements. Say it is not available.
                raise NotAvailable(locked, _reason(locked, now, enrollment))
            _evaluate_alerts(checkin, responses, rules, pain_baseline)
            _offer_full_phq9(checkin, responses, now)
    except IntegrityError:
        # The unique constraints caught a race the lock did not (it should not happen).
        raise AlreadyDone(checkin) from None
    checkin.status, checkin.completed_at, checkin.draft = CheckIn.Status.COMPLETED, now, {}
    return checkin


def _claim_and_write(
    checkin: CheckIn, responses: list[Response], now: datetime
) -> tuple[bool, float | None]:
    """Claim the check-in (the conditional UPDATE that marks it done: still pending, its
    window open now) and, only if that matched, insert its responses and add it to the
    enrollment's summary. Returns (claimed, the summary's baseline pain after it).

    Inside checkin_record's transaction. A simultaneous submit waits on the row lock the
    UPDATE takes, then finds the row no longer pending and writes nothing.
    """
    checkin.completed_at = now  # the summary's "last check-in" (and unused if not claimed)
    claimed = CheckIn.objects.filter(
        pk=checkin.pk,
        # As loaded: a program switch may have made the end check-in a mid-program
        # one since (tracking.clinic.tailoring), and this answer must not count as
        # the end (its summary scores, its full PHQ-9).
        slot=checkin.slot,
        kind=checkin.kind,
        status__in=clinical.CHECKIN_PENDING,
        opens_at__lte=now,
        closes_at__gt=now,
    ).update(
        status=CheckIn.Status.COMPLETED, completed_at=now, draft={}, figures=_figures(responses)
    )
    if not claimed:
        return False, None
    Response.objects.bulk_create(responses)
    return True, summary_record_checkin(checkin=checkin, responses=responses)


def _scored_responses(
    checkin: CheckIn,
    instruments: list[Instrument],
    clean: dict[str, dict],
    now: datetime,
    language: str | None = None,
) -> list[Response]:
    """One unsaved Response per instrument, scored by that version's rules."""
    return [
        Response(
            checkin=checkin,
            instrument=instrument,
            instrument_key=instrument.key,
            instrument_version=instrument.version,
            answers=clean[instrument.key],
            scores=score(registry.spec_of(instrument), clean[instrument.key]),
            created_at=now,
            language=registry.shown_language(instrument, language),
        )
        for instrument in instruments
    ]


def _figures(responses: list[Response]) -> dict:
    """The check-in's figures (tracking.figures), from the responses about to be written."""
    return figures_of((r.instrument_key, r.scores, r.answers) for r in responses)


def _evaluate_alerts(
    checkin: CheckIn,
    responses: list[Response],
    rules: PracticeSettings | None,
    pain_baseline: float | None,
) -> None:
    # Inside the recording transaction: an urgent alert exists the moment the answers do.
    # The responses just written are passed in, not read back, and so is the baseline
    # pain the summary holds.
    from tracking.alerts.evaluate import PainBaseline, evaluate_checkin

    evaluate_checkin(
        checkin, responses=responses, rules=rules, pain_baseline=PainBaseline(pain_baseline)
    )


def _offer_full_phq9(checkin: CheckIn, responses: list[Response], now: datetime) -> None:
    """A positive PHQ-2 (rules.offers_full_phq9) in a check-in without the PHQ-9 opens
    an extra check-in with the full PHQ-9 today, open as long as any check-in is. Its
    items this check-in asked (rules.phq9_answers_given) are not asked again."""
    if checkin.kind == CheckIn.Kind.EXTRA or any(
        r.instrument_key == clinical.PHQ9 for r in responses
    ):
        return
    phq2 = next((r for r in responses if r.instrument_key == clinical.PHQ2), None)
    if phq2 is None or not clinical.offers_full_phq9((phq2.scores or {}).get("total")):
        return
    from tracking.checkins.schedule import checkin_open_extra

    given = clinical.phq9_answers_given({r.instrument_key: r.answers for r in responses})
    checkin_open_extra(
        checkin.enrollment,
        after=checkin,
        instrument_keys=[clinical.PHQ9],
        now=now,
        answered_before={clinical.PHQ9: given} if given else {},
    )
