"""The clinician's caseload: only their own patients, the numbers that matter for each,
sorting, filters, search and pages kept in the URL, htmx swaps that degrade to plain
links, a constant number of queries, and an audit trail of who saw whom."""

from __future__ import annotations

import dataclasses
import itertools
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.audit import ReadEvent
from painapp.accounts.models import AuditEvent
from programs.models import Enrollment, EnrollmentStatus, PracticeSession, Screening
from tests.clinical_data import (
    BASELINE_KEYS,
    WEEKLY_KEYS,
    Scores,
    add_alert,
    add_checkin,
    build_history,
)
from tests.factories import Role, make_enrollment, make_member
from tracking.access import EnrollmentScope, enrollment_scope, visible_enrollments
from tracking.clinic.caseload import (
    SORTS,
    CaseloadQuery,
    _caseload_page_orm,
    _caseload_page_sql,
    shown_reads,
)
from tracking.clinic.forms import CaseloadFilterForm
from tracking.models import Alert, CheckIn

# session, user, membership, and the page: its rows, how many match, and an audit event
# for each patient shown, in one statement
CASELOAD_QUERIES = 4


def patient(cast, name: str, version, **kwargs):
    user = make_member(cast.practice, Role.PATIENT, f"{name.lower().replace(' ', '.')}@p.test",
                       name=name)
    return make_enrollment(user, cast.clinician, cast.practice, version=version, **kwargs)


def checkins(enrollment, pains: list[int | None], *, fear: int = 6, now=None):
    """A baseline with pains[0], then one weekly check-in per further value (None: missed),
    a week apart, the last one opened 4 days ago (so its window has closed)."""
    now = now or timezone.now()
    first = now - timedelta(days=7 * (len(pains) - 1) + 4)
    for i, pain in enumerate(pains):
        at = first + timedelta(days=7 * i)
        scores = None if pain is None else Scores(pain, min(10, pain + 1), fear)
        add_checkin(enrollment, slot="baseline" if i == 0 else f"week-{i}",
                    kind=CheckIn.Kind.BASELINE if i == 0 else CheckIn.Kind.WEEKLY,
                    week=None if i == 0 else i, opens_at=at,
                    keys=BASELINE_KEYS if i == 0 else WEEKLY_KEYS, scores=scores,
                    status=CheckIn.Status.MISSED if pain is None else CheckIn.Status.COMPLETED)


def names_in(response) -> list[str]:
    return [row.name for row in response.context["page"].rows]


@pytest.fixture
def clin(client, cast):
    client.force_login(cast.clinician)
    return client


# ------------------------------------------------------------------ who is listed
def test_it_lists_only_the_clinicians_own_patients(clin, cast, enrollment, other_enrollment,
                                                   program_version):
    make_enrollment(cast.outsider_patient, cast.outsider_clinician, cast.other_practice,
                    version=program_version)
    response = clin.get(reverse("caseload"))
    assert response.status_code == 200
    assert names_in(response) == ["Pat One"]
    page = response.content.decode()
    assert "Pat One" in page and cast.other_patient.display_name not in page
    assert f'href="{reverse("patient_detail", args=[enrollment.pk])}"' in page


@pytest.mark.parametrize("who", ["admin", "patient", "outsider_admin"])
def test_it_is_for_clinicians_only(client, cast, enrollment, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("caseload")).status_code == 404


def test_it_shows_each_patients_numbers(clin, cast, enrollment):
    build_history(enrollment, weeks=6, pain_start=7, pain_end=3, fear_start=8, fear_end=4,
                  practice_per_week=5)
    add_alert(enrollment, Alert.Kind.SELF_HARM, Alert.Severity.URGENT, details={"item9": 1})
    add_alert(enrollment, status=Alert.Status.ACKNOWLEDGED)
    add_alert(enrollment, status=Alert.Status.RESOLVED)
    response = clin.get(reverse("caseload"))
    row = response.context["page"].rows[0]
    assert row.week == 7 and row.week_count == 8
    assert (row.pain_baseline, row.pain_current, row.pain_change) == (7, 3, 4)
    assert row.pain_change_percent == 57 and row.is_real_improvement
    assert (row.fear_baseline, row.fear_current, row.fear_change) == (8, 4, 4)
    # The last 7 days of the history: practice_per_week sessions in its last week.
    assert row.practice_7d == PracticeSession.objects.filter(
        practiced_at__gte=timezone.now() - timedelta(days=7)).count() > 0
    assert (row.alerts_urgent, row.alerts_open, row.alerts_unresolved) == (1, 1, 2)
    last = CheckIn.objects.filter(status="completed").order_by("-completed_at").first()
    assert row.last_checkin_at == last.completed_at
    page = response.content.decode()
    assert "down 4 pts (57%)" in page and "from 7" in page
    assert "1 urgent" in page and "1 seen" in page
    assert "from 8</span>" in page  # fear of movement against its baseline


def test_it_marks_pain_free_or_nearly(clin, cast, enrollment, program_version):
    checkins(enrollment, [6, 3, 1])
    other = patient(cast, "Bea Two", program_version)
    checkins(other, [6, 5, 2])
    rows = {r.name: r for r in clin.get(reverse("caseload")).context["page"].rows}
    assert rows["Pat One"].pain_free and not rows["Bea Two"].pain_free
    page = clin.get(reverse("caseload")).content.decode()
    assert page.count('<span class="badge badge--ok">Yes</span>') == 1


def test_it_shows_no_change_until_a_check_in_after_the_baseline(clin, enrollment):
    checkins(enrollment, [6])
    row = clin.get(reverse("caseload")).context["page"].rows[0]
    assert row.pain_current == 6 and row.pain_change is None
    assert "No answers yet" not in clin.get(reverse("caseload")).content.decode()


def test_it_shows_a_safety_hold(clin, enrollment):
    enrollment.screening = Screening.HOLD
    enrollment.save()
    assert "Safety hold" in clin.get(reverse("caseload")).content.decode()


# ------------------------------------------------------------------ sorting
@pytest.fixture
def three(cast, enrollment, program_version):
    """Pat One (week 2, down 1, checked in 4 days ago), Ann Able (week 5, down 4, checked
    in 6 days ago, urgent alert), Zed Last (week 1, no check-ins yet, routine alert)."""
    checkins(enrollment, [6, 5])
    ann = patient(cast, "Ann Able", program_version, days_ago=30)
    checkins(ann, [8, 6, 4], now=timezone.now() - timedelta(days=2))
    add_alert(ann, Alert.Kind.SELF_HARM, Alert.Severity.URGENT)
    zed = patient(cast, "Zed Last", program_version, days_ago=2)
    add_alert(zed, Alert.Kind.MISSED, Alert.Severity.ROUTINE)
    return enrollment, ann, zed


@pytest.mark.parametrize("sort,direction,expected", [
    ("name", "asc", ["Ann Able", "Pat One", "Zed Last"]),
    ("name", "desc", ["Zed Last", "Pat One", "Ann Able"]),
    ("week", "desc", ["Ann Able", "Pat One", "Zed Last"]),
    ("week", "asc", ["Zed Last", "Pat One", "Ann Able"]),
    # Patients with no change yet go last whichever way.
    ("pain", "desc", ["Ann Able", "Pat One", "Zed Last"]),
    ("pain", "asc", ["Pat One", "Ann Able", "Zed Last"]),
    ("last", "desc", ["Pat One", "Ann Able", "Zed Last"]),
    ("last", "asc", ["Ann Able", "Pat One", "Zed Last"]),
    ("alerts", "desc", ["Ann Able", "Zed Last", "Pat One"]),
    ("alerts", "asc", ["Pat One", "Zed Last", "Ann Able"]),
])
def test_it_sorts_by_each_column(clin, three, sort, direction, expected):
    response = clin.get(reverse("caseload"), {"sort": sort, "dir": direction})
    assert names_in(response) == expected


def test_it_sorts_by_alerts_first_by_default(clin, three):
    assert names_in(clin.get(reverse("caseload"))) == ["Ann Able", "Zed Last", "Pat One"]


def test_it_marks_the_sorted_column_and_links_the_other_direction(clin, three):
    page = clin.get(reverse("caseload"), {"sort": "week", "dir": "asc", "has_alerts": "on"}
                    ).content.decode()
    assert 'aria-sort="ascending"><a id="sort-week"' in page
    assert page.count("aria-sort=") == 1
    # Descending is the default for every column but the name: it is left out.
    assert 'id="sort-week" class="sort-link" href="/caseload/?has_alerts=on&amp;sort=week"' in page
    # Other columns keep the filter and start from page 1.
    assert 'href="/caseload/?has_alerts=on&amp;sort=name"' in page


# ------------------------------------------------------------------ filters and search
def test_it_filters_by_status(clin, cast, three):
    _, ann, _ = three
    ann.status = EnrollmentStatus.PAUSED
    ann.save()
    assert names_in(clin.get(reverse("caseload"), {"status": "paused"})) == ["Ann Able"]
    assert "Ann Able" not in names_in(clin.get(reverse("caseload"), {"status": "active"}))


def test_it_filters_patients_on_safety_hold(clin, three):
    _, _, zed = three
    zed.screening = Screening.HOLD
    zed.save()
    assert names_in(clin.get(reverse("caseload"), {"status": "hold"})) == ["Zed Last"]


def test_it_filters_to_patients_with_open_alerts(clin, cast, three, program_version):
    resolved = patient(cast, "Res Olved", program_version)
    add_alert(resolved, status=Alert.Status.RESOLVED)
    response = clin.get(reverse("caseload"), {"has_alerts": "on", "sort": "name"})
    assert names_in(response) == ["Ann Able", "Zed Last"]


@pytest.mark.parametrize("pains,flagged", [
    ([6, 6, 6], True),  # no change
    ([6, 5, 5], True),  # 1 point, 17%: not enough
    ([6, 5, 4], False),  # 2 points
    ([10, 8, 7], False),  # 3 points
    ([3, 3, 2], False),  # 1 point but 33%
    ([7, 6, 8], True),  # worse
    ([2, 2, 2], True),  # 0% of 2
    ([6, 5, 1], False),  # pain-free or nearly is never "not improving"
    ([6, 6], False),  # only one weekly check-in: too early to say
    ([6, 6, None, 6], True),  # a missed week does not count, the two done ones do
])
def test_it_filters_patients_who_are_not_improving(clin, enrollment, pains, flagged):
    checkins(enrollment, pains)
    response = clin.get(reverse("caseload"), {"not_improving": "on"})
    assert names_in(response) == (["Pat One"] if flagged else [])
    if flagged:
        assert "Not improving" in response.content.decode()


def test_it_filters_patients_who_missed_a_check_in_lately(clin, cast, enrollment,
                                                          program_version):
    now = timezone.now()
    checkins(enrollment, [6, None, 5])  # missed one 11 days ago
    late = patient(cast, "Late Sweep", program_version)
    # Window closed yesterday; the minute sweep has not marked it missed yet.
    add_checkin(late, slot="week-1", kind=CheckIn.Kind.WEEKLY, week=1,
                opens_at=now - timedelta(days=4), keys=WEEKLY_KEYS, scores=None,
                status=CheckIn.Status.OPEN)
    old = patient(cast, "Long Ago", program_version)
    add_checkin(old, slot="week-1", kind=CheckIn.Kind.WEEKLY, week=1,
                opens_at=now - timedelta(days=30), keys=WEEKLY_KEYS, scores=None,
                status=CheckIn.Status.MISSED)
    still_open = patient(cast, "Still Open", program_version)
    add_checkin(still_open, slot="week-1", kind=CheckIn.Kind.WEEKLY, week=1,
                opens_at=now - timedelta(days=1), keys=WEEKLY_KEYS, scores=None,
                status=CheckIn.Status.OPEN)
    response = clin.get(reverse("caseload"), {"missed": "on", "sort": "name"})
    assert names_in(response) == ["Late Sweep", "Pat One"]
    assert "Missed recently" in response.content.decode()


def test_it_combines_filters(clin, three):
    _, ann, zed = three
    checkins(zed, [6, 6, 6])
    response = clin.get(reverse("caseload"), {"has_alerts": "on", "not_improving": "on"})
    assert names_in(response) == ["Zed Last"]


@pytest.mark.parametrize("q", ["ann", "ANN ABLE", "  able ", "ann.able@"])
def test_it_searches_by_name_or_email(clin, three, q):
    assert names_in(clin.get(reverse("caseload"), {"q": q})) == ["Ann Able"]


def test_it_says_when_nothing_matches_and_how_to_clear(clin, three):
    page = clin.get(reverse("caseload"), {"q": "nobody"}).content.decode()
    assert "No patients match these filters." in page
    assert 'href="/caseload/">Clear all filters' in page


def test_it_says_when_the_caseload_is_empty(clin, cast):
    page = clin.get(reverse("caseload")).content.decode()
    assert "You have no patients yet." in page


@pytest.mark.parametrize("params", [
    {"sort": "password"}, {"dir": "sideways"}, {"page": "x"}, {"page": "-3"},
    {"status": "deleted"}, {"has_alerts": "maybe"}, {"q": "x" * 500},
])
def test_it_ignores_nonsense_in_the_url(clin, three, params):
    response = clin.get(reverse("caseload"), params)
    assert response.status_code == 200


@pytest.mark.parametrize("params", [
    {}, {"q": "  ann <b>", "status": "paused", "has_alerts": "on", "missed": "on"},
    {"status": "hold", "not_improving": "on"}, {"status": "deleted", "q": "x" * 150},
])
def test_it_writes_the_filter_fields_as_djangos_widgets_do(clin, three, params):
    """The template writes the form's inputs itself (rendering each widget through its
    own template cost more than the rest of the form): the same markup as {{ form.q }}
    and the others, but for the aria-describedby Django adds to an invalid field, which
    points at an error this form never shows."""
    def tidy(html: str) -> str:
        return " ".join(re.sub(r' aria-describedby="[^"]*"', "", html).split()).replace("> <", "><")

    page = tidy(clin.get(reverse("caseload"), params).content.decode())
    form = CaseloadFilterForm(params)
    form.is_valid()
    for name in ("q", "status", "has_alerts", "not_improving", "missed"):
        assert tidy(str(form[name])) in page, name


QUERY_STRINGS = [
    "", "q=ann", "q=%20%20ann%20%20lee%20", "q=" + "x" * 100, "q=" + "x" * 101, "q=a%00b",
    "status=active", "status=hold", "status=deleted", "status=", "has_alerts=on",
    "has_alerts=false", "has_alerts=0", "has_alerts=", "missed=1&not_improving=True",
    "sort=name", "sort=name&dir=desc", "sort=pain&dir=asc", "sort=nope&dir=sideways",
    "page=2", "page=0", "page=-3", "page=abc", "page=2.0", "page=%203%20", "page=1_0",
    "page=%D9%A3", "page=2&page=3", "q=a&q=b&status=paused&status=nope",
    "q=ann&status=active&has_alerts=on&not_improving=on&missed=on&sort=last&dir=asc&page=4",
    "unknown=1&csrfmiddlewaretoken=x",
]


@pytest.mark.parametrize("query_string", QUERY_STRINGS)
def test_reading_the_filters_without_the_form_gives_what_the_form_gives(query_string):
    """The view reads the query string with CaseloadFilterForm.read (the form's fields,
    without making a form): the same state and the same shown values as the form."""
    from django.http import QueryDict

    data = QueryDict(query_string)
    form = CaseloadFilterForm(data)
    assert CaseloadFilterForm.read(data) == (form.query(), form.shown)


# ------------------------------------------------------------------ pages
@pytest.fixture
def thirty(cast, program_version):
    return [patient(cast, f"Patient {n:02d}", program_version) for n in range(30)]


def test_it_shows_25_patients_a_page(clin, thirty):
    first = clin.get(reverse("caseload"), {"sort": "name"})
    assert names_in(first) == [f"Patient {n:02d}" for n in range(25)]
    page = first.content.decode()
    assert "Showing 1–25 of 30 patients" in page and "Page 1 of 2" in page
    assert ('id="page-next" class="button button--secondary" '
            'href="/caseload/?sort=name&amp;page=2"') in page
    assert 'id="page-prev"' not in page
    second = clin.get(reverse("caseload"), {"sort": "name", "page": 2})
    assert names_in(second) == [f"Patient {n:02d}" for n in range(25, 30)]
    assert 'href="/caseload/?sort=name"' in second.content.decode()  # previous: page 1


def test_it_shows_the_last_page_for_a_page_past_the_end(clin, thirty):
    response = clin.get(reverse("caseload"), {"page": 9})
    assert response.context["page"].page == 2 and len(response.context["page"].rows) == 5


def test_it_keeps_filters_and_sort_in_page_links(clin, thirty):
    page = clin.get(reverse("caseload"), {"q": "patient", "sort": "name", "dir": "desc"}
                    ).content.decode()
    link = page.split('id="page-next" class="button button--secondary" href="')[1].split('"')[0]
    params = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert params == {"q": ["patient"], "sort": ["name"], "dir": ["desc"], "page": ["2"]}


# ------------------------------------------------------------------ htmx
def test_it_swaps_only_the_results_for_htmx(clin, three):
    response = clin.get(reverse("caseload"), {"has_alerts": "on"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<h1" not in body
    assert '<table class="caseload__table">' in body
    # The count goes to the live region outside the swapped area.
    assert 'id="caseload-status"' in body and 'data-hx-swap-oob="true"' in body
    assert "Showing 1 to 2 of 2 patients" in body
    # The address bar gets the short form of the state.
    assert response["HX-Push-Url"] == "/caseload/?has_alerts=on"
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_it_serves_the_whole_page_without_htmx_and_links_work_plainly(clin, three):
    body = clin.get(reverse("caseload")).content.decode()
    assert "<h1>Your caseload</h1>" in body
    assert 'method="get" action="/caseload/"' in body
    assert 'data-hx-get="/caseload/" data-hx-target="#caseload-results"' in body
    assert 'data-hx-push-url="true"' in body
    # Every htmx link is also a real link to the same place.
    for tag in (chunk.split(">")[0] for chunk in body.split("<a ")[1:]):
        if "data-hx-get=" in tag:
            href = tag.split('href="')[1].split('"')[0]
            assert f'data-hx-get="{href}"' in tag
    assert body.count('class="sort-link" href="/caseload/') == 5


# ------------------------------------------------------------------ cost and audit
def grow_caseload(cast, version, n: int) -> None:
    for i in range(n):
        e = patient(cast, f"Load {i:03d}", version)
        checkins(e, [7, 6, 6] if i % 2 else [5, 4, None])
        if i % 3 == 0:
            add_alert(e)
        PracticeSession.objects.create(
            enrollment=e, local_date=timezone.localdate(), duration_seconds=300,
            pain_before=5, threat_before=5, pain_after=3, threat_after=2)


@pytest.mark.parametrize("n", [5, 200])
def test_it_costs_the_same_queries_for_5_or_200_patients(client, cast, program_version, n,
                                                         django_assert_num_queries):
    grow_caseload(cast, program_version, n)
    client.force_login(cast.clinician)
    client.get(reverse("caseload"))  # the session's first write is not the page's cost
    for params in ({}, {"not_improving": "on", "sort": "week"}, {"missed": "on", "q": "load"},
                   {"page": 2, "sort": "pain", "dir": "asc"}):
        with django_assert_num_queries(CASELOAD_QUERIES):
            response = client.get(reverse("caseload"), params)
        assert response.status_code == 200
    assert response.context["page"].total == n


def test_it_audits_which_patients_were_shown(clin, cast, three):
    AuditEvent.objects.all()  # nothing before
    clin.get(reverse("caseload"), {"has_alerts": "on"}, REMOTE_ADDR="203.0.113.7",
             HTTP_X_REQUEST_ID="caseload-req-1")
    events = AuditEvent.objects.filter(action="caseload.viewed")
    assert {e.subject.display_name for e in events} == {"Ann Able", "Zed Last"}
    assert {(e.actor, e.practice, e.ip, e.request_id) for e in events} == {
        (cast.clinician, cast.practice, "203.0.113.7", "caseload-req-1")}


# ------------------------------------------------------------------ the two paths agree
# Time zones a day apart (UTC+14, UTC−11) so that, whatever the hour, patients' local
# dates differ from each other and from UTC's.
ZONES = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kolkata", "UTC", "America/New_York"]
NAMES = ["Ann Able", "ann able", "", "Zed Last", "Émile Ödegaard", "Sam Same", "Sam Same",
         "bea"]


@pytest.fixture
def varied(cast, program_version):
    """34 patients between them covering what the caseload computes and sorts on: names
    that tie or are empty (the email's name shows), five time zones, starts from next
    week to past the program's end, pauses (now and earlier), weeks opened early, every
    status and a safety hold, no check-ins or one or several, pain up, down and
    pain-free, alerts of each status and severity, missed and pending check-ins, and
    practice inside and outside the last 7 days."""
    now = timezone.now()
    pains = [[], [6], [6, 6, 6], [8, 5, 3], [7, 8, 9], [3, 3, 2], [6, None, 5], [2, 1, 0],
             [10, 8, 7]]
    statuses = [EnrollmentStatus.ACTIVE] * 5 + [EnrollmentStatus.PAUSED,
                                                EnrollmentStatus.COMPLETED,
                                                EnrollmentStatus.WITHDRAWN,
                                                EnrollmentStatus.INVITED]
    for i in range(34):
        user = make_member(cast.practice, Role.PATIENT, f"pt{i:02d}.x@p.test",
                           name=NAMES[i % len(NAMES)] or "x", tz=ZONES[i % len(ZONES)])
        if not NAMES[i % len(NAMES)]:
            user.full_name = ""
            user.save(update_fields=["full_name"])
        e = make_enrollment(user, cast.clinician, cast.practice, version=program_version,
                            days_ago=[-6, 0, 1, 6, 7, 13, 20, 45, 80][i % 9])
        e.status = statuses[i % len(statuses)]
        if e.status == EnrollmentStatus.PAUSED:
            e.paused_on = e.start_date + timedelta(days=i % 5)
        e.paused_days = [0, 0, 3, 9][i % 4]
        e.unlocked_through_week = [0, 0, 0, 5, 2][i % 5]
        e.screening = Screening.HOLD if i % 11 == 4 else e.screening
        e.save()
        if pains[i % len(pains)]:
            checkins(e, pains[i % len(pains)], fear=3 + i % 6,
                     now=now - timedelta(days=i % 10))
        if i % 4 == 1:  # a window closed a day ago, not yet marked missed by the sweep
            add_checkin(e, slot="late", kind=CheckIn.Kind.WEEKLY, week=9,
                        opens_at=now - timedelta(days=4), keys=WEEKLY_KEYS, scores=None,
                        status=CheckIn.Status.OPEN)
        for n, (kind, severity, status) in enumerate([
            (Alert.Kind.PAIN_UP, Alert.Severity.HIGH, Alert.Status.OPEN),
            (Alert.Kind.SELF_HARM, Alert.Severity.URGENT, Alert.Status.ACKNOWLEDGED),
            (Alert.Kind.MISSED, Alert.Severity.ROUTINE, Alert.Status.RESOLVED),
            (Alert.Kind.SELF_HARM, Alert.Severity.URGENT, Alert.Status.OPEN),
        ]):
            if i % (n + 2) == 0:
                add_alert(e, kind, severity, status=status)
        PracticeSession.objects.bulk_create(
            PracticeSession(enrollment=e, practiced_at=now - timedelta(days=d, hours=1),
                            local_date=timezone.localdate(), duration_seconds=300,
                            pain_before=5, threat_before=5, pain_after=3, threat_after=2)
            for d in range(i % 4 * 3))


FILTERS = [{}, {"q": "able"}, {"q": "PT0"}, {"q": "_"}, {"status": "active"},
           {"status": "paused"}, {"status": "hold"}, {"has_alerts": True}, {"missed": True},
           {"not_improving": True}, {"has_alerts": True, "missed": True, "q": "a"}]


@pytest.mark.parametrize("hours_later", [0, 11])
def test_the_sql_and_orm_paths_give_the_same_pages(cast, varied, hours_later):
    """The page is one hand-written statement on Postgres and annotated querysets on
    SQLite (the demo): on the same data, both give the same rows in the same order, with
    the same figures, for every sort, direction, filter and page."""
    now = timezone.now() + timedelta(hours=hours_later)
    scope = EnrollmentScope(cast.practice.pk, cast.clinician.pk)
    compared = 0
    queries = [CaseloadQuery(sort=sort, direction=direction, page=page, **filters)
               for sort, direction, filters, page
               in itertools.product(SORTS, ("asc", "desc"), FILTERS, (1, 2))]
    # Past the end: the last page.
    queries += [CaseloadQuery(sort=sort, page=9) for sort in SORTS]
    for query in queries:
        sql = _caseload_page_sql(scope, query, now)
        orm = _caseload_page_orm(scope.enrollments(), query, now)
        assert (sql.total, sql.page, sql.pages) == (orm.total, orm.page, orm.pages), query
        assert ([dataclasses.asdict(row) for row in sql.rows]
                == [dataclasses.asdict(row) for row in orm.rows]), query
        compared += len(sql.rows)
    assert compared > 1000
    # Every filter keeps some patients and drops others: none is compared on nothing.
    # "_" is searched as itself (no name has one), not as LIKE's any-character.
    totals = {str(f): _caseload_page_sql(scope, CaseloadQuery(**f), now).total
              for f in FILTERS[1:]}
    assert totals.pop(str({"q": "_"})) == 0
    assert all(0 < total < 34 for total in totals.values()), totals


def test_the_sql_path_shows_nobody_for_an_empty_scope(cast, varied):
    page = _caseload_page_sql(None, CaseloadQuery(), timezone.now())
    assert (page.rows, page.total, page.page, page.pages) == ([], 0, 1, 1)


@pytest.mark.parametrize("who", ["clinician", "other_clinician", "admin", "outsider_clinician",
                                 "outsider_admin", "patient"])
def test_each_role_sees_the_same_patients_in_sql_as_through_the_orm(
        cast, varied, other_enrollment, program_version, who):
    """The page's statement writes out the scope tracking.access gives (EnrollmentScope
    .sql) rather than compiling visible_enrollments: for every role, both list the same
    enrollments, across every page. A clinician sees their own patients, an admin the
    whole practice, anyone of another practice none of them, a patient nobody."""
    from django.test import RequestFactory

    from painapp.accounts.models import Membership

    make_enrollment(cast.outsider_patient, cast.outsider_clinician, cast.other_practice,
                    version=program_version)
    user = getattr(cast, who)
    request = RequestFactory().get("/")
    request.user = user
    request.membership = Membership.objects.get(user=user)
    scope = enrollment_scope(request)
    now = timezone.now()
    first = _caseload_page_sql(scope, CaseloadQuery(sort="name"), now)
    shown = [row.enrollment_id for page in range(1, first.pages + 1)
             for row in _caseload_page_sql(scope, CaseloadQuery(sort="name", page=page),
                                           now).rows]
    visible = visible_enrollments(request)
    assert len(shown) == first.total == visible.count()
    assert set(shown) == set(visible.values_list("pk", flat=True))
    own = Enrollment.objects.filter(practice=cast.practice, clinician=cast.clinician)
    assert first.total == {"clinician": own.count(), "other_clinician": 1,
                           "admin": own.count() + 1, "outsider_clinician": 1,
                           "outsider_admin": 1, "patient": 0}[who]


def test_the_sql_path_audits_the_rows_it_shows_as_the_orm_path_does(cast, varied):
    """With an audit event, the page's statement also records one event per patient on
    screen: the same rows as without it, and the same events as the portable path (the
    ORM page, then ReadEvent.record)."""
    now = timezone.now()
    scope = EnrollmentScope(cast.practice.pk, cast.clinician.pk)
    event = ReadEvent(actor_id=cast.clinician.pk, practice_id=cast.practice.pk,
                      action="caseload.viewed", at=now, ip="198.51.100.4", request_id="r1")

    def events(action):
        return sorted(AuditEvent.objects.filter(action=action).values_list(
            "actor_id", "practice_id", "subject_id", "object_type", "object_id", "at", "ip",
            "request_id"))

    for i, query in enumerate((CaseloadQuery(), CaseloadQuery(page=2, sort="pain"),
                               CaseloadQuery(page=9), CaseloadQuery(q="nobody-has-this-name"))):
        sql_action, orm_action = f"caseload.sql.{i}", f"caseload.orm.{i}"
        audited = _caseload_page_sql(scope, query, now,
                                     audit=dataclasses.replace(event, action=sql_action))
        plain = _caseload_page_sql(scope, query, now)
        assert [dataclasses.asdict(r) for r in audited.rows] == [
            dataclasses.asdict(r) for r in plain.rows]
        assert audited.total == plain.total
        portable = _caseload_page_orm(scope.enrollments(), query, now)
        dataclasses.replace(event, action=orm_action).record(shown_reads(portable.rows))
        assert events(sql_action) == events(orm_action)
        assert len(events(sql_action)) == len(plain.rows)
