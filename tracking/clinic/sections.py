"""The other sections of one patient's detail: answers, practice log, fear ladder, causes,
reflections and clues."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    F,
    Q,
    Sum,
)
from django.utils import formats, translation
from django.utils.translation import gettext, gettext_lazy

from programs.exposure.rules import Direction, average_direction
from programs.exposure.selectors import LADDER_ORDER
from programs.models import (
    Activity,
    ActivityKind,
    Attribution,
    AttributionCategory,
    AttributionCause,
    Enrollment,
    Exposure,
    FearItem,
    PracticeSession,
    Reflection,
)
from tracking import rules
from tracking.alerts.wording import safety_item_name
from tracking.band_labels import band_label
from tracking.checkins.schedule import extra_slot_after
from tracking.clinic.checkin_charts import CheckInItem, opened_checkins
from tracking.expressions import min_practice_seconds
from tracking.instruments import registry
from tracking.models import Response


# ---------------------------------------------------------------- check-in answers
@dataclass
class AnswerRow:
    text: str
    answer: str
    # The questionnaire's safety question: named as the self-harm alert names it
    # (wording.safety_item_name), and `flagged` when its answer starts the safety
    # workflow (rules.is_self_harm_answer).
    safety_name: str = ""
    flagged: bool = False
    # Not asked in this check-in but carried over from the one before it
    # (CheckIn.answered_before): that check-in's title ("Week 3 check-in").
    carried_from: str = ""


@dataclass
class ResponseView:
    key: str
    title: str
    version: int
    total: Any
    band: str | None
    answers: list[AnswerRow]
    # The language the patient answered in ("en", "es"), and a note saying so when it is
    # not the language the items are shown in here (the clinician's).
    language: str = "en"
    answered_in: str = ""

    @property
    def flagged(self) -> bool:
        """Its safety question was answered above 0 (AnswerRow.flagged)."""
        return any(a.flagged for a in self.answers)


# The name of each language, in the reader's language (registry.LANGUAGE_NAMES).
LANGUAGE_NAMES = registry.LANGUAGE_NAMES


def answered_in_note(answered: str, shown: str) -> str:
    """ "Answered in Spanish" when the patient's language differs from the one shown."""
    if answered == shown:
        return ""
    name = LANGUAGE_NAMES.get(answered, answered)
    return gettext("Answered in %(language)s") % {"language": name}


@dataclass
class CheckInAnswers:
    item: CheckInItem
    responses: list[ResponseView]


def _answer_text(item: dict, value: Any) -> str:
    if value is None:
        return gettext("No answer")
    if isinstance(value, dict):  # a cause: {"text", "category"}
        code = value.get("category", "")
        category = dict(AttributionCategory.choices).get(code, code)
        return f"{value.get('text', '')} ({category})"
    label = (item.get("labels") or {}).get(str(value))
    return f"{value} – {label}" if label else str(value)


def _item_text(item: dict) -> str:
    text = item.get("text") or item["key"]
    # Asked but not added to the total (PHQ-9's difficulty question): say so beside it.
    if item.get("scored") is False:
        return gettext("%(question)s (not scored)") % {"question": text}
    return text


def _answer_row(item: dict, value: Any, instrument: Any, *, carried_from: str = "") -> AnswerRow:
    row = AnswerRow(_item_text(item), _answer_text(item, value), carried_from=carried_from)
    if item.get("key") == (instrument.scoring or {}).get("safety_item"):
        row.safety_name = safety_item_name(item["key"])
        row.flagged = rules.is_self_harm_answer(value)
    return row


def patient_checkin_answers(enrollment: Enrollment, now: datetime) -> list[CheckInAnswers]:
    """Every check-in that has opened, newest first, with every answer as asked (the
    wording of the instrument version that was answered, in the reader's language where
    that version has it, with a note of the language the patient answered in). Two
    queries."""
    reader = translation.get_language()
    checkins = {item.pk: item for item in reversed(opened_checkins(enrollment, now))}
    # An extra check-in's answers carried over from the one that opened it are marked
    # with that check-in's title (schedule.extra_slot_after: the extra's slot).
    opened_by = {extra_slot_after(item.slot): item.title for item in checkins.values()}
    by_checkin: dict[int, list[ResponseView]] = {pk: [] for pk in checkins}
    for r in (
        Response.objects.filter(checkin__enrollment=enrollment, checkin__opens_at__lte=now)
        .select_related("instrument")
        .annotate(answered_before=F("checkin__answered_before"))
        .order_by("checkin_id", "pk")
    ):
        items = registry.items_in(r.instrument, reader) if r.instrument.items else []
        shown = registry.shown_language(r.instrument, reader)
        carried = (r.answered_before or {}).get(r.instrument_key) or {}
        before = opened_by.get(checkins[r.checkin_id].slot, "") if carried else ""
        by_checkin[r.checkin_id].append(
            ResponseView(
                key=r.instrument_key,
                title=registry.title_in(r.instrument, reader),
                version=r.instrument_version,
                total=(r.scores or {}).get("total"),
                band=band_label((r.scores or {}).get("band")) or None,
                answers=[
                    _answer_row(
                        i,
                        r.answers.get(i["key"]),
                        r.instrument,
                        carried_from=before if i["key"] in carried else "",
                    )
                    for i in items
                ],
                language=r.language,
                answered_in=answered_in_note(r.language, shown),
            )
        )

    def asked_order(item: CheckInItem):
        keys = item.instrument_keys
        return lambda rv: keys.index(rv.key) if rv.key in keys else len(keys)

    return [
        CheckInAnswers(item=item, responses=sorted(by_checkin[pk], key=asked_order(item)))
        for pk, item in checkins.items()
    ]


# ---------------------------------------------------------------- practice log
PRACTICE_SHOWN = 100


@dataclass
class PracticeLog:
    sessions: Sequence[PracticeSession]
    total: int  # sessions that count
    minutes_total: int  # their minutes
    weeks: list[tuple[int, int, int]]  # (week, sessions, minutes) of those that count
    short: int = 0  # sessions kept but not counted: shorter than the practice's minimum
    min_seconds: int = rules.DEFAULT_MIN_PRACTICE_SECONDS
    short_ids: set[int] = field(default_factory=set)  # of `sessions`, those not counted


def patient_practice(enrollment: Enrollment) -> PracticeLog:
    """The newest practice sessions, each marked whether it counts, and a per-week
    summary of those that count: a session shorter than the practice's minimum length
    is listed, labelled, but not counted (rules.counts_toward_practice). Two queries;
    the practice's minimum comes with them, as a subquery."""
    minimum = min_practice_seconds(enrollment.practice_id)
    sessions = list(
        PracticeSession.objects.filter(enrollment=enrollment)
        .annotate(min_seconds=minimum)
        .order_by("-practiced_at", "-pk")[:PRACTICE_SHOWN]
    )
    short_ids = {
        session.pk
        for session in sessions
        if not rules.counts_toward_practice(
            session.duration_seconds, min_seconds=session.min_seconds
        )
    }
    weeks: dict[int, list[int]] = {}
    total = seconds_total = short = 0
    min_seconds = rules.DEFAULT_MIN_PRACTICE_SECONDS
    counted = Q(duration_seconds__gte=F("min_seconds"))
    for day, seconds, n, not_counted, day_minimum in (
        PracticeSession.objects.filter(enrollment=enrollment)
        .annotate(min_seconds=minimum)
        .values("local_date", "min_seconds")
        .annotate(
            s=Sum("duration_seconds", filter=counted),
            n=Count("pk", filter=counted),
            short=Count("pk", filter=~counted),
        )
        .values_list("local_date", "s", "n", "short", "min_seconds")
    ):
        short += not_counted
        min_seconds = day_minimum  # the same on every row: the practice's
        if not n:
            continue
        week = weeks.setdefault(rules.week_of(enrollment.start_date, day), [0, 0])
        week[0] += n
        week[1] += seconds or 0
        total += n
        seconds_total += seconds or 0
    return PracticeLog(
        sessions=sessions,
        total=total,
        minutes_total=round(seconds_total / 60),
        weeks=[(w, n, round(s / 60)) for w, (n, s) in sorted(weeks.items())],
        short=short,
        min_seconds=min_seconds,
        short_ids=short_ids,
    )


# ---------------------------------------------------------------- fear hierarchy
@dataclass
class Rung:
    item: FearItem
    exposures: list[Exposure]

    @property
    def rating_change(self) -> int:
        return self.item.first_rating - self.item.harm_rating


@dataclass
class Hierarchy:
    rungs: list[Rung]
    unlinked: list[Exposure]

    @property
    def done(self) -> list[Exposure]:
        return [e for r in self.rungs for e in r.exposures if e.is_done] + [
            e for e in self.unlinked if e.is_done
        ]

    @property
    def mean_pain_violation(self) -> float | None:
        values = [e.pain_violation for e in self.done if e.pain_violation is not None]
        return round(sum(values) / len(values), 1) if values else None

    @property
    def mean_harm_violation(self) -> float | None:
        values = [e.harm_violation for e in self.done if e.harm_violation is not None]
        return round(sum(values) / len(values), 1) if values else None

    @property
    def average_text(self) -> str | None:
        """How what happened went against the predictions, on average, in plain words
        (versus_prediction); None before any exposure is logged."""
        pain, harm = self.mean_pain_violation, self.mean_harm_violation
        if pain is None or harm is None:
            return None
        return gettext("On average pain was %(pain)s, and harm %(harm)s.") % {
            "pain": versus_prediction(pain, top=10),
            "harm": versus_prediction(harm, top=100),
        }


def versus_prediction(mean_violation: float, *, top: int) -> str:
    """An average violation (predicted − actual) on a 0–`top` scale in words, its
    direction by programs.exposure.rules.average_direction: "2.5 points lower than
    predicted", "5.8 points higher than predicted", "about the same as predicted"."""
    direction = average_direction(mean_violation, top=top)
    if direction == Direction.ABOUT_THE_SAME:
        return gettext("about the same as predicted")
    points = formats.number_format(abs(mean_violation), 1)
    if direction == Direction.LOWER:
        return gettext("%(points)s points lower than predicted") % {"points": points}
    return gettext("%(points)s points higher than predicted") % {"points": points}


def patient_hierarchy(enrollment: Enrollment) -> Hierarchy:
    """The fear ladder in the patient's own order (programs.exposure.selectors.
    LADDER_ORDER: lowest harm first unless they moved a rung), with each rung's
    exposures, newest first, and exposures not tied to a rung. Two queries."""
    items = list(FearItem.objects.filter(enrollment=enrollment).order_by(*LADDER_ORDER))
    rungs = {i.pk: Rung(item=i, exposures=[]) for i in items}
    unlinked: list[Exposure] = []
    for e in Exposure.objects.filter(enrollment=enrollment).order_by("-planned_at", "-pk"):
        rung = rungs.get(e.fear_item_id) if e.fear_item_id is not None else None
        (rung.exposures if rung is not None else unlinked).append(e)
    return Hierarchy(rungs=list(rungs.values()), unlinked=unlinked)


# ---------------------------------------------------------------- three causes
# The coding scheme's own names (Ashar et al. 2023), for staff; patients see the
# plain-language labels of AttributionCategory.
CODING_LABELS = {
    "spinal": gettext_lazy("Spinal condition"),
    "injury": gettext_lazy("Injury"),
    "activity": gettext_lazy("Activity"),
    "sedentary": gettext_lazy("Sedentary"),
    "posture": gettext_lazy("Posture or physiology"),
    "age": gettext_lazy("Age"),
    "hereditary": gettext_lazy("Hereditary"),
    "negligence": gettext_lazy("Negligence"),
    "other": gettext_lazy("Other"),
    "stress": gettext_lazy("Stress (mind-brain)"),
    "psychological": gettext_lazy("Psychological (mind-brain)"),
    "brain": gettext_lazy("Brain (mind-brain)"),
}


def coding_label(category: str) -> str:
    return str(CODING_LABELS.get(category, category))


@dataclass
class AttributionView:
    attribution: Attribution
    week: int | None
    causes: list[AttributionCause]

    @property
    def clinician_score(self) -> int | None:
        """The mind-brain score from the clinician's coding, once all three causes are
        coded (tracking.rules.clinician_mind_brain_score); None until then."""
        return rules.clinician_mind_brain_score([c.clinician_category for c in self.causes])

    @property
    def coded(self) -> int:
        """How many of the causes a clinician has coded."""
        return sum(1 for c in self.causes if c.clinician_category)

    @property
    def is_recoded(self) -> bool:
        return any(c.clinician_category and c.clinician_category != c.category for c in self.causes)


def patient_attributions(enrollment: Enrollment) -> list[AttributionView]:
    """Each time the patient named their three causes, oldest first. One query."""
    views: dict[int, AttributionView] = {}
    for cause in (
        AttributionCause.objects.filter(attribution__enrollment=enrollment)
        .select_related("attribution__activity__week")
        .order_by("attribution__recorded_at", "attribution_id", "position")
    ):
        a = cause.attribution
        view = views.get(a.pk)
        if view is None:
            # activity came with select_related: reading it costs no query.
            week = (
                a.activity.week.number
                if a.activity is not None
                else rules.week_of(enrollment.start_date, enrollment.local_date(a.recorded_at))
            )
            view = views[a.pk] = AttributionView(attribution=a, week=week, causes=[])
        view.causes.append(cause)
    return list(views.values())


# ---------------------------------------------------------------- reflections and clues
@dataclass(frozen=True)
class Clue:
    """A ticked clue (a fixed checklist item) as the reader reads it: in their language
    where the program has the same item in it (an item's key is the same in every
    language), with "Answered in Spanish" when the patient ticked it in another; else
    as the patient saw it, in their language."""

    text: str
    language: str
    answered_in: str = ""


class ClueWords:
    """The words of the clues of one patient's checklists for the reader: the patient's
    program's checklists in the reader's language (the newest version of the same
    program that has each one), read once, and only when the patient's program is in
    another language. One query then, none otherwise."""

    def __init__(self, enrollment: Enrollment, slugs: set[str]) -> None:
        version = enrollment.program_version
        self.patient_language = version.language
        self.reader = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
        self.items: dict[str, dict[str, str]] = {}
        if self.reader == self.patient_language or not slugs:
            return
        for row in (
            Activity.objects.filter(
                week__version__program_id=version.program_id,
                week__version__language=self.reader,
                kind=ActivityKind.EVIDENCE,
                slug__in=slugs,
            )
            .order_by("slug", "-week__version__number")
            .values("slug", "data")
        ):
            self.items.setdefault(
                row["slug"],
                {i.get("key"): i.get("text", "") for i in (row["data"] or {}).get("items", [])},
            )

    def clue(self, activity: Activity, key: str) -> Clue:
        translated = self.items.get(activity.slug, {}).get(key)
        if translated:
            return Clue(
                translated, self.reader, answered_in_note(self.patient_language, self.reader)
            )
        items = {i.get("key"): i.get("text", "") for i in activity.data.get("items", [])}
        return Clue(items.get(key) or key, self.patient_language)


@dataclass
class SharedEntry:
    """One reflection or clue checklist the patient shared (consent says answers are
    shared), with its activity's title and week, and for a checklist the clues ticked."""

    reflection: Reflection
    week: int
    clues: list[Clue]

    @property
    def answered_in(self) -> str:
        """ "Answered in Spanish" when a clue is shown in another language than ticked."""
        return next((c.answered_in for c in self.clues if c.answered_in), "")


@dataclass
class SharedWriting:
    entries: list[SharedEntry]
    private_count: int


def patient_reflections(enrollment: Enrollment) -> SharedWriting:
    """What the patient wrote for lessons, reflections and clue checklists, newest
    first, except entries they kept private: of those only how many there are (their
    text is never read here). The clues ticked are in the reader's language where the
    program has them in it (ClueWords: "Answered in Spanish"); what the patient typed
    stays as typed. Two queries, however many entries (three when the patient's program
    is in another language than the reader's)."""
    rows = (
        Reflection.objects.filter(enrollment=enrollment, private=False)
        .select_related("activity__week")
        .order_by("-updated_at", "-pk")
    )
    shared = list(rows)
    words = ClueWords(enrollment, {r.activity.slug for r in shared if r.checked})
    entries = [
        SharedEntry(
            reflection=r,
            week=r.activity.week.number,
            clues=[words.clue(r.activity, key) for key in r.checked],
        )
        for r in shared
    ]
    private_count = Reflection.objects.filter(enrollment=enrollment, private=True).count()
    return SharedWriting(entries=entries, private_count=private_count)
