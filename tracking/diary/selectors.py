"""Reads of the diary: the patient's own list, their clues to link, and the charts
(the patient's progress page and the clinician's patient detail)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from painapp.formats import clock
from programs.models import ActivityKind, Enrollment, Reflection
from tracking.charts import Chart, Point, score_text
from tracking.diary.models import DiaryEntry

# The diary list shows this many episodes per page; the charts the newest this many
# (a month of daily episodes), so each page is the same few queries however long the
# diary grows.
PAGE_SIZE = 20
# Past any real diary (20 million episodes), and an OFFSET Postgres can hold.
MAX_PAGE = 1_000_000
CHART_EPISODES = 30


@dataclass(frozen=True)
class Clue:
    value: str  # "<reflection id>:<clue key>", the form's choice
    text: str


def patient_clues(enrollment: Enrollment) -> list[Clue]:
    """The clues the patient ticked in their evidence checklists (programs' evidence
    activities: Reflection.checked keys of the activity's items), one query."""
    clues: list[Clue] = []
    seen: set[str] = set()
    rows = (
        Reflection.objects.filter(enrollment=enrollment, activity__kind=ActivityKind.EVIDENCE)
        .select_related("activity")
        .order_by("-updated_at", "-pk")
    )
    for r in rows:
        items = {i.get("key"): i.get("text", "") for i in r.activity.data.get("items", [])}
        for key in r.checked or []:
            text = items.get(key)
            if text and text not in seen:
                seen.add(text)
                clues.append(Clue(f"{r.pk}:{key}", text))
    return clues


def clue_text(entry: DiaryEntry) -> str:
    """The linked clue's words (needs clue_reflection__activity loaded), or ""."""
    r = entry.clue_reflection
    if r is None or not entry.clue_key:
        return ""
    items = {i.get("key"): i.get("text", "") for i in r.activity.data.get("items", [])}
    return items.get(entry.clue_key, "")


def diary_page(enrollment: Enrollment, page: int) -> tuple[list[DiaryEntry], bool, int]:
    """One page of the patient's episodes, newest first, whether there are more, and
    the page shown. One query; a page past the end (a typed or old link, or a number
    too big for the database's OFFSET) shows the last page instead, as Django's
    Paginator.get_page does, with a count and a second query."""
    entries = DiaryEntry.objects.filter(enrollment=enrollment)

    def rows_of(page: int) -> list[DiaryEntry]:
        start = (page - 1) * PAGE_SIZE
        return list(
            entries.select_related("clue_reflection__activity").order_by("-occurred_at", "-pk")[
                start : start + PAGE_SIZE + 1
            ]
        )

    page = min(max(page, 1), MAX_PAGE)
    rows = rows_of(page)
    if not rows and page > 1:
        page = max(1, -(-entries.count() // PAGE_SIZE))
        rows = rows_of(page)
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE, page


def _when(entry: DiaryEntry, tz: ZoneInfo) -> tuple[str, str]:
    local = entry.occurred_at.astimezone(tz)
    return (
        formats.date_format(local, "DAY_MONTH_FORMAT"),
        clock.when(local, "DAY_MONTH_YEAR_TIME_FORMAT"),  # on the reader's clock
    )


@dataclass(frozen=True)
class DiaryOverview:
    """The diary on the clinician's patient page: the charts, and the newest episodes
    with their context and the patient's words."""

    charts: list[Chart]
    latest: list[tuple[DiaryEntry, str]]  # (episode, its clue's words or "")


# The patient page lists this many of the newest episodes in words under the charts.
LATEST_SHOWN = 5


def _newest(enrollment: Enrollment) -> list[DiaryEntry]:
    return list(
        DiaryEntry.objects.filter(enrollment=enrollment)
        .select_related("clue_reflection__activity")
        .order_by("-occurred_at", "-pk")[:CHART_EPISODES]
    )


def diary_overview(enrollment: Enrollment) -> DiaryOverview:
    """The charts and the newest LATEST_SHOWN episodes, from one query."""
    rows = _newest(enrollment)
    return DiaryOverview(
        charts=_charts(enrollment, rows, for_patient=False),
        latest=[(e, clue_text(e)) for e in rows[:LATEST_SHOWN]],
    )


def diary_charts(enrollment: Enrollment, *, for_patient: bool) -> list[Chart]:
    """Pain and fear in the newest CHART_EPISODES episodes, oldest to newest, times in
    the patient's zone. One query. No charts when there are no episodes."""
    return _charts(enrollment, _newest(enrollment), for_patient=for_patient)


def _charts(enrollment: Enrollment, newest: list[DiaryEntry], *, for_patient: bool) -> list[Chart]:
    if not newest:
        return []
    rows = list(reversed(newest))
    tz = enrollment.patient.tzinfo
    when = [_when(e, tz) for e in rows]
    charts = []
    for key, title, unit, values in (
        (
            "diary-pain",
            _("Pain in diary episodes"),
            _("Pain (0 to 10)"),
            [e.pain for e in rows],
        ),
        (
            "diary-fear",
            _("Fear in diary episodes"),
            _("Fear (0 to 10)"),
            [e.fear for e in rows],
        ),
    ):
        points = [
            Point(label=short, name=full, value=v)
            for (short, full), v in zip(when, values, strict=True)
        ]
        n = len(points)
        first, last = values[0], values[-1]
        if for_patient:
            summary = ngettext(
                "Your one episode so far: %(last)s out of 10.",
                "Your last %(n)s episodes, oldest to newest: from %(first)s to %(last)s "
                "out of 10. Ups and downs are normal.",
                n,
            ) % {"n": n, "first": score_text(first), "last": score_text(last)}
        else:
            summary = ngettext(
                "The only episode so far: %(last)s of 10.",
                "The newest %(n)s episodes, oldest to newest: %(first)s then %(last)s of 10.",
                n,
            ) % {"n": n, "first": score_text(first), "last": score_text(last)}
        charts.append(Chart(key, title, unit, summary, points, y_max=10, tick_step=2))
    return charts


def diary_csv_rows(enrollment: Enrollment, week_of) -> list[tuple]:
    """The patient's diary as measurement-CSV rows (tracking.exports.measurements), as
    (sort time, row): when, program week, "diary", the activity, one measure a row
    (pain, fear, stress). Their words are in their record's pages, not in the CSV of
    numbers. One query."""
    rows: list[tuple] = []
    for e in DiaryEntry.objects.filter(enrollment=enrollment).order_by("occurred_at", "pk"):
        at = e.occurred_at
        for measure in ("pain", "fear", "stress"):
            value = getattr(e, measure)
            if value is not None:
                rows.append((at, [at, week_of(at), "diary", e.activity, measure, "", value]))
    return rows
