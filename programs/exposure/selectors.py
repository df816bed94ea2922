"""Reads for the graded-exposure pages, always for the patient's own enrollment."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programs.exposure.rules import MEANINGFUL_CHANGE, ExposureBand
from programs.models import Enrollment, Exposure, FearItem

# The ladder's one order, as FearItem's Meta declares it: its positions, which the
# services keep lowest rating first (programs.exposure.rules.ladder_slot) unless the
# patient moved a rung. The ladder page, Today's next rung (suggest_next_step), the plan
# form's list and the clinician's fear ladder all read it. Named because a query with
# an aggregate (ladder_rungs) drops the default ordering; `or ()` only because Django
# types Meta.ordering as optional.
LADDER_ORDER = FearItem._meta.ordering or ()
# A rung is "learned" once two exposures turned out less harmful than predicted.
LEARNED_AFTER = 2
# How many logged exposures the ladder page lists.
LOG_LENGTH = 30


def _points(n: int) -> str:
    return ngettext("%(n)s point", "%(n)s points", n) % {"n": n}


@dataclass
class RatingChange:
    """A rung's harm rating now against its first rating."""

    first: int
    now: int

    @property
    def change(self) -> int:
        """How far the rating fell (negative: it rose)."""
        return self.first - self.now

    @property
    def is_meaningful(self) -> bool:
        return abs(self.change) > MEANINGFUL_CHANGE

    @property
    def text(self) -> str:
        if self.change > 0:
            return _("down %(points)s since you added it") % {"points": _points(self.change)}
        if self.change < 0:
            return _("up %(points)s since you added it") % {"points": _points(-self.change)}
        return _("the same as when you added it")

    @property
    def since_added(self) -> str:
        """E.g. 'down 15 points from 20 when you added it to your ladder'."""
        if self.change > 0:
            return _("down %(points)s from %(first)s when you added it to your ladder") % {
                "points": _points(self.change),
                "first": self.first,
            }
        if self.change < 0:
            return _("up %(points)s from %(first)s when you added it to your ladder") % {
                "points": _points(-self.change),
                "first": self.first,
            }
        return _("the same as when you added it to your ladder")


@dataclass
class Rung:
    item: FearItem
    step: int
    tries: int
    wins: int  # completed exposures with actual harm below predicted harm

    @property
    def rating(self) -> RatingChange:
        return RatingChange(first=self.item.first_rating, now=self.item.harm_rating)

    @property
    def is_learned(self) -> bool:
        return self.wins >= LEARNED_AFTER


@dataclass
class Suggestion:
    """What to do next: 'start' (empty ladder), 'rung' (try this rung), 'harder'."""

    kind: str
    rung: Rung | None = None


@dataclass
class LadderPage:
    rungs: list[Rung]
    planned: list[Exposure]
    log: list[LogEntry]
    done_count: int
    suggestion: Suggestion = field(init=False)

    def __post_init__(self) -> None:
        self.suggestion = suggest_next_step(self.rungs)

    @property
    def meaningful_drops(self) -> int:
        return sum(1 for r in self.rungs if r.rating.change > MEANINGFUL_CHANGE)

    @property
    def rungs_tried(self) -> int:
        return sum(1 for r in self.rungs if r.tries)


def suggest_next_step(rungs: list[Rung]) -> Suggestion:
    """The first rung on the ladder (in LADDER_ORDER: lowest first unless the patient
    moved one) not yet learned. The ladder page and Today both ask this."""
    if not rungs:
        return Suggestion(kind="start")
    first_open = next((r for r in rungs if not r.is_learned), None)
    if first_open is None:
        return Suggestion(kind="harder")
    return Suggestion(kind="rung", rung=first_open)


def ladder_rungs(enrollment: Enrollment) -> list[Rung]:
    """The ladder in the patient's order, with exposure counts. One query."""
    done = Q(exposures__completed_at__isnull=False)
    items = (
        FearItem.objects.filter(enrollment=enrollment)
        .annotate(
            tries=Count("exposures", filter=done),
            wins=Count(
                "exposures",
                filter=done & Q(exposures__actual_harm__lt=F("exposures__predicted_harm")),
            ),
        )
        .order_by(*LADDER_ORDER)
    )
    return [
        Rung(item=item, step=n, tries=item.tries, wins=item.wins)
        for n, item in enumerate(items, start=1)
    ]


def ladder_page(enrollment: Enrollment) -> LadderPage:
    """Everything the ladder page shows. Four queries, however long the log grows."""
    exposures = Exposure.objects.filter(enrollment=enrollment)
    return LadderPage(
        rungs=ladder_rungs(enrollment),
        planned=list(exposures.filter(completed_at__isnull=True).order_by("-planned_at")),
        log=[
            LogEntry(exposure=e, outcome=exposure_outcome(e))
            for e in exposures.filter(completed_at__isnull=False).order_by("-completed_at")[
                :LOG_LENGTH
            ]
        ],
        done_count=exposures.filter(completed_at__isnull=False).count(),
    )


@dataclass
class Comparison:
    """One prediction against what happened, e.g. pain 7 expected, 4 felt."""

    what: str  # "pain" or "harm"
    expected: int
    actual: int
    scale: int

    @property
    def violation(self) -> int:
        """Predicted minus actual: positive means it went better than feared."""
        return self.expected - self.actual

    @property
    def tone(self) -> str:
        return "better" if self.violation > 0 else "same" if self.violation == 0 else "worse"

    @property
    def sentence(self) -> str:
        # Whole sentences per measure, so each language can order its own words.
        if self.what == "pain":
            if self.scale == 10:
                said = _("You expected pain %(expected)s, it was %(actual)s")
            else:
                said = _("You expected pain %(expected)s out of %(scale)s, it was %(actual)s")
        elif self.scale == 10:
            said = _("You expected harm %(expected)s, it was %(actual)s")
        else:
            said = _("You expected harm %(expected)s out of %(scale)s, it was %(actual)s")
        said = said % {"expected": self.expected, "actual": self.actual, "scale": self.scale}
        if self.violation > 0:
            return _("%(said)s: %(points)s better than you feared.") % {
                "said": said,
                "points": _points(self.violation),
            }
        if self.violation < 0:
            return _("%(said)s: %(points)s more than you expected.") % {
                "said": said,
                "points": _points(-self.violation),
            }
        return _("%(said)s: just what you expected.") % {"said": said}

    @property
    def short(self) -> str:
        if self.violation > 0:
            return _("%(points)s better") % {"points": _points(self.violation)}
        if self.violation < 0:
            return _("%(points)s more") % {"points": _points(-self.violation)}
        return _("as expected")


@dataclass
class Outcome:
    pain: Comparison
    harm: Comparison
    # How it went against the prediction (programs.exposure.rules.exposure_band): what
    # the patient is told after it.
    band: ExposureBand
    # For an exposure on a rung: its first rating against the fear rating given after.
    ladder: RatingChange | None = None


@dataclass
class LogEntry:
    exposure: Exposure
    outcome: Outcome | None


def exposure_outcome(exposure: Exposure, *, fear_item: FearItem | None = None) -> Outcome | None:
    """The expectation violation of a logged exposure (None until it is logged).

    Given the exposure's rung, it also compares the rung's first rating with the fear
    rating given after this exposure.
    """
    # exposure_complete writes the "after" half and completed_at in one UPDATE, so both
    # actual ratings are set exactly when the exposure is done.
    actual_pain, actual_harm, band = exposure.actual_pain, exposure.actual_harm, exposure.band
    if not exposure.is_done or actual_pain is None or actual_harm is None or band is None:
        return None
    ladder = None
    if fear_item is not None and exposure.fear_after is not None:
        ladder = RatingChange(first=fear_item.first_rating, now=exposure.fear_after)
    return Outcome(
        pain=Comparison("pain", exposure.predicted_pain, actual_pain, 10),
        harm=Comparison("harm", exposure.predicted_harm, actual_harm, 100),
        band=band,
        ladder=ladder,
    )


def fear_item_tries(fear_item: FearItem) -> int:
    return fear_item.exposures.filter(completed_at__isnull=False).count()


@dataclass
class SameStep:
    """A rung already on the ladder with the activity being added: its name and step."""

    label: str
    step: int


def _same_words(label: str) -> str:
    """An activity's name as compared for duplicates: case and spaces aside."""
    return "".join(label.split()).casefold()


def same_step(
    enrollment: Enrollment, label: str, *, editing: FearItem | None = None
) -> SameStep | None:
    """The rung on this patient's ladder (other than the one `editing`) that names the
    same activity as `label`, case and spaces aside, with its step number; None if
    there is none. One query."""
    wanted = _same_words(label)
    labels = FearItem.objects.filter(enrollment=enrollment).order_by(*LADDER_ORDER)
    for step, (pk, existing) in enumerate(labels.values_list("pk", "label"), start=1):
        if _same_words(existing) == wanted and (editing is None or pk != editing.pk):
            return SameStep(label=existing, step=step)
    return None
