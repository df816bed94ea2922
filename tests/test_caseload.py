"""The clinician's caseload: only their own patients, the numbers that matter for each,
sorting, filters and pages kept in the URL (the name search never: it is posted and
kept in the session), htmx swaps that degrade to plain links and forms, a constant
number of queries, and an audit trail of who saw whom."""

from __future__ import annotations

import dataclasses
import itertools
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent
from programs.enrollment_status import status_key, with_accepted
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
from tracking import rules
from tracking.access import EnrollmentScope, enrollment_scope, visible_enrollments
from tracking.checkins.schedule import checkins_update_statuses
from tracking.clinic.caseload import SORTS, CaseloadQuery, caseload_page
from tracking.models import Alert, CheckIn, EnrollmentSummary, SavedCaseloadFilter

# session, user, membership; how many patients match; the page's rows; the audit events,
# one per patient shown (one INSERT). Was 4 when the page, its count and its audit were
# one hand-written statement (issue 13: one ORM path, the count as Django's paginator
# takes it, and the audit events written apart). Plus, since issue 16, the count of
# causes waiting in the clinician's coding queue (the menu's "Code causes (n)"), and
# the menu's open-alert count (issue 15), one query on every staff page. Plus, since
# issue 19, the clinician's saved filters (one query, however many), and the menu's
# unread messages with the practice's messaging switch (one query).
CASELOAD_QUERIES = 8  # the menu badges from the cache (painapp.accounts.badges)


def patient(cast, name: str, version, **kwargs):
    user = make_member(
        cast.practice, Role.PATIENT, f"{name.lower().replace(' ', '.')}@p.test", name=name
    )
    return make_enrollment(user, cast.clinician, cast.practice, version=version, **kwargs)


def checkins(enrollment, pains: list[int | None], *, fear: int = 6, now=None):
    """A baseline with pains[0], then one weekly check-in per further value (None: missed),
    a week apart, the last one opened 4 days ago (so its window has closed)."""
    now = now or timezone.now()
    first = now - timedelta(days=7 * (len(pains) - 1) + 4)
    for i, pain in enumerate(pains):
        at = first + timedelta(days=7 * i)
        scores = None if pain is None else Scores(pain, min(10, pain + 1), fear)
        add_checkin(
            enrollment,
            slot="baseline" if i == 0 else f"week-{i}",
            kind=CheckIn.Kind.BASELINE if i == 0 else CheckIn.Kind.WEEKLY,
            week=None if i == 0 else i,
            opens_at=at,
            keys=BASELINE_KEYS if i == 0 else WEEKLY_KEYS,
            scores=scores,
            status=CheckIn.Status.MISSED if pain is None else CheckIn.Status.COMPLETED,
        )


def names_in(response) -> list[str]:
    return [row.name for row in response.context["page"].rows]


def search(client, q: str, **filters):
    """The filter form posted without JavaScript, and the page it leads to."""
    return client.post(reverse("caseload"), {"q": q, **filters}, follow=True)


@pytest.fixture
def clin(client, cast):
    client.force_login(cast.clinician)
    return client


# ------------------------------------------------------------------ who is listed
def test_it_lists_only_the_clinicians_own_patients(
    clin, cast, enrollment, other_enrollment, program_version
):
    make_enrollment(
        cast.outsider_patient, cast.outsider_clinician, cast.other_practice, version=program_version
    )
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
    build_history(
        enrollment, weeks=6, pain_start=7, pain_end=3, fear_start=8, fear_end=4, practice_per_week=5
    )
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
    assert (
        row.practice_7d
        == PracticeSession.objects.filter(
            practiced_at__gte=timezone.now() - timedelta(days=7)
        ).count()
        > 0
    )
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
    assert row.pain_current == 6 and row.pain_change is None and row.baseline_only
    page = " ".join(clin.get(reverse("caseload")).content.decode().split())
    assert "No answers yet" not in page
    # Only the baseline: said so, not "6 from 6" (which reads like "no change").
    assert (
        'average pain <span class="num">6</span> <span class="muted">(baseline only)</span>' in page
    )
    assert "from 6" not in page


def test_it_says_baseline_only_in_spanish_and_from_once_there_is_a_change(
    clin, cast, enrollment, program_version
):
    checkins(enrollment, [6])
    later = patient(cast, "Later One", program_version)
    checkins(later, [7, 5])
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    page = " ".join(clin.get(reverse("caseload")).content.decode().split())
    assert page.count("(solo el valor inicial)") == 2  # pain and fear of the first row
    assert "desde 7</span>" in page


def test_it_shows_a_safety_hold(clin, enrollment):
    enrollment.screening = Screening.HOLD
    enrollment.save()
    assert "Safety hold" in clin.get(reverse("caseload")).content.decode()


@pytest.fixture
def starting(cast, program_version):
    """Three patients whose enrollment is still "invited" (onboarding not done): Ivy
    has not accepted the invitation; Marta has and is onboarding; Hal has, and his
    screening found red flags."""
    ivy = make_member(cast.practice, Role.PATIENT, "ivy@p.test", name="Ivy Waiting", active=False)
    marta = patient(cast, "Marta Ruiz", program_version, onboarded=False)
    hal = patient(cast, "Hal Held", program_version, onboarded=False)
    hal.consented_at, hal.screening = timezone.now(), Screening.HOLD
    hal.save()
    ivy_enrollment = make_enrollment(
        ivy, cast.clinician, cast.practice, version=program_version, onboarded=False
    )
    for enrollment in (ivy_enrollment, marta, hal):
        Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.INVITED)
    return ivy_enrollment, marta, hal


def status_of(response, name: str) -> str:
    return next(row.status_label for row in response.context["page"].rows if row.name == name)


@pytest.mark.parametrize(
    ("language", "invited", "onboarding", "hold"),
    [
        ("en", "Invited", "Onboarding", "On hold: safety review"),
        ("es", "Invitado", "En primeros pasos", "En espera: revisión de seguridad"),
    ],
)
def test_a_patient_who_accepted_shows_as_onboarding_not_invited(
    clin, cast, starting, language, invited, onboarding, hold
):
    cast.clinician.language = language
    cast.clinician.save(update_fields=["language"])
    response = clin.get(reverse("caseload"))
    assert status_of(response, "Ivy Waiting") == invited
    assert status_of(response, "Marta Ruiz") == onboarding
    assert status_of(response, "Hal Held") == hold
    page = response.content.decode()
    assert onboarding in page and hold in page


def test_it_filters_invited_apart_from_onboarding_and_on_hold(clin, starting):
    """Each status lists the patients whose badge says it: Hal, on hold, is not also
    "Onboarding" (programs.enrollment_status.status_filter)."""
    assert names_in(clin.get(reverse("caseload"), {"status": "invited"})) == ["Ivy Waiting"]
    assert names_in(clin.get(reverse("caseload"), {"status": "onboarding"})) == ["Marta Ruiz"]
    assert names_in(clin.get(reverse("caseload"), {"status": "hold"})) == ["Hal Held"]


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


@pytest.mark.parametrize(
    "sort,direction,expected",
    [
        ("name", "asc", ["Ann Able", "Pat One", "Zed Last"]),
        ("name", "desc", ["Zed Last", "Pat One", "Ann Able"]),
        ("week", "desc", ["Ann Able", "Pat One", "Zed Last"]),
        ("week", "asc", ["Zed Last", "Pat One", "Ann Able"]),
        # Patients with no change yet go last whichever way.
        ("pain", "desc", ["Ann Able", "Pat One", "Zed Last"]),
        ("pain", "asc", ["Pat One", "Ann Able", "Zed Last"]),
        # No check-in yet is the oldest: first oldest-first, last newest-first.
        ("last", "desc", ["Pat One", "Ann Able", "Zed Last"]),
        ("last", "asc", ["Zed Last", "Ann Able", "Pat One"]),
        ("alerts", "desc", ["Ann Able", "Zed Last", "Pat One"]),
        ("alerts", "asc", ["Pat One", "Zed Last", "Ann Able"]),
    ],
)
def test_it_sorts_by_each_column(clin, three, sort, direction, expected):
    response = clin.get(reverse("caseload"), {"sort": sort, "dir": direction})
    assert names_in(response) == expected


def test_it_sorts_by_alerts_first_by_default(clin, three):
    assert names_in(clin.get(reverse("caseload"))) == ["Ann Able", "Zed Last", "Pat One"]


def test_it_marks_the_sorted_column_and_links_the_other_direction(clin, three):
    page = clin.get(
        reverse("caseload"), {"sort": "week", "dir": "asc", "has_alerts": "on"}
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
    """Waiting for a safety review: a hold before the program started. A patient
    withdrawn while on hold keeps the hold on record but is "Withdrawn"."""
    pat, _, zed = three
    Enrollment.objects.filter(pk=zed.pk).update(
        status=EnrollmentStatus.INVITED, screening=Screening.HOLD
    )
    Enrollment.objects.filter(pk=pat.pk).update(
        status=EnrollmentStatus.WITHDRAWN, screening=Screening.HOLD
    )
    assert names_in(clin.get(reverse("caseload"), {"status": "hold"})) == ["Zed Last"]
    assert names_in(clin.get(reverse("caseload"), {"status": "withdrawn"})) == ["Pat One"]


def test_it_filters_to_patients_with_open_alerts(clin, cast, three, program_version):
    resolved = patient(cast, "Res Olved", program_version)
    add_alert(resolved, status=Alert.Status.RESOLVED)
    response = clin.get(reverse("caseload"), {"has_alerts": "on", "sort": "name"})
    assert names_in(response) == ["Ann Able", "Zed Last"]


@pytest.mark.parametrize(
    "pains,flagged",
    [
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
    ],
)
def test_it_filters_patients_who_are_not_improving(clin, enrollment, pains, flagged):
    checkins(enrollment, pains)
    response = clin.get(reverse("caseload"), {"not_improving": "on"})
    assert names_in(response) == (["Pat One"] if flagged else [])
    if flagged:
        assert "Not improving" in response.content.decode()


def test_it_filters_patients_who_missed_a_check_in_lately(clin, cast, enrollment, program_version):
    now = timezone.now()
    checkins(enrollment, [6, None, 5])  # missed one 11 days ago
    late = patient(cast, "Late Sweep", program_version)
    # Window closed yesterday, still "open" until the minute sweep marks it missed.
    add_checkin(
        late,
        slot="week-1",
        kind=CheckIn.Kind.WEEKLY,
        week=1,
        opens_at=now - timedelta(days=4),
        keys=WEEKLY_KEYS,
        scores=None,
        status=CheckIn.Status.OPEN,
    )
    old = patient(cast, "Long Ago", program_version)
    add_checkin(
        old,
        slot="week-1",
        kind=CheckIn.Kind.WEEKLY,
        week=1,
        opens_at=now - timedelta(days=30),
        keys=WEEKLY_KEYS,
        scores=None,
        status=CheckIn.Status.MISSED,
    )
    still_open = patient(cast, "Still Open", program_version)
    add_checkin(
        still_open,
        slot="week-1",
        kind=CheckIn.Kind.WEEKLY,
        week=1,
        opens_at=now - timedelta(days=1),
        keys=WEEKLY_KEYS,
        scores=None,
        status=CheckIn.Status.OPEN,
    )
    paused = patient(cast, "Paused Now", program_version)
    paused.status, paused.paused_on = EnrollmentStatus.PAUSED, paused.local_date(now)
    paused.save()
    add_checkin(
        paused,
        slot="week-1",
        kind=CheckIn.Kind.WEEKLY,
        week=1,
        opens_at=now - timedelta(days=4),
        keys=WEEKLY_KEYS,
        scores=None,
        status=CheckIn.Status.OPEN,
    )
    # The list reads the status the minute sweep stores: a window that closed since
    # its last run counts from its next one.
    assert names_in(clin.get(reverse("caseload"), {"missed": "on", "sort": "name"})) == ["Pat One"]
    checkins_update_statuses(now)
    response = clin.get(reverse("caseload"), {"missed": "on", "sort": "name"})
    assert names_in(response) == ["Late Sweep", "Pat One"]
    assert "Missed recently" in response.content.decode()


def test_it_combines_filters(clin, three):
    _, ann, zed = three
    checkins(zed, [6, 6, 6])
    response = clin.get(reverse("caseload"), {"has_alerts": "on", "not_improving": "on"})
    assert names_in(response) == ["Zed Last"]


@pytest.mark.parametrize("q", ["ann", "ANN ABLE", "  able ", "ann.able@", "able ann"])
def test_it_searches_by_name_or_email(clin, three, q):
    assert names_in(search(clin, q)) == ["Ann Able"]


@pytest.mark.parametrize(
    "q", ["O’Brien", "O'Brien", "obrien", "brien o", "vance liam", "Liam O’Brien-Vance", "jose"]
)
def test_the_search_finds_common_spellings_in_any_order(clin, cast, program_version, q):
    patient(cast, "Liam O'Brien-Vance", program_version, days_ago=3)
    patient(cast, "José Nuñez", program_version, days_ago=3)
    expected = ["José Nuñez"] if q == "jose" else ["Liam O'Brien-Vance"]
    assert names_in(search(clin, q)) == expected


def test_it_says_when_nothing_matches_and_how_to_clear(clin, three):
    page = search(clin, "nobody").content.decode()
    assert "No patients match “nobody”." in page
    assert "Clear the search</a>" in page
    page = clin.get(reverse("caseload"), {"has_alerts": "on", "missed": "on"}).content.decode()
    assert "No patients match these filters." in page
    assert 'href="/caseload/">Clear all filters' in page


def test_it_says_when_the_caseload_is_empty(clin, cast):
    page = clin.get(reverse("caseload")).content.decode()
    assert "You have no patients yet." in page


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "password"},
        {"dir": "sideways"},
        {"page": "x"},
        {"page": "-3"},
        {"status": "deleted"},
        {"has_alerts": "maybe"},
        {"q": "x" * 500},
    ],
)
def test_it_ignores_nonsense_in_the_url(clin, three, params):
    response = clin.get(reverse("caseload"), params)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "invalid"),
    [
        (
            {
                "q": "ann",
                "status": "paused",
                "has_alerts": "on",
                "not_improving": "on",
                "missed": "on",
            },
            (),
        ),
        ({"q": "x" * 150, "status": "deleted"}, ("q", "status")),
    ],
)
def test_it_shows_the_filters_as_asked_and_says_what_it_could_not_apply(
    clin, three, params, invalid
):
    """The filter form shows what was asked for; a value a hand-edited request made up
    is marked invalid, said why next to the field, and left out of the list."""
    response = search(clin, **params)
    page = response.content.decode()
    assert 'id="id_q"' in page and 'id="id_status"' in page
    assert f'value="{params["q"]}"' in page
    for name in ("has_alerts", "not_improving", "missed"):
        checkbox = (
            page.split(f'name="{name}"')[0].rsplit("<input", 1)[1]
            + page.split(f'name="{name}"')[1].split(">")[0]
        )
        assert ("checked" in checkbox) is (name in params), name
    if "status=paused" in urlsplit(f"/?{'&'.join(f'{k}={v}' for k, v in params.items())}").query:
        assert '<option value="paused" selected>' in page
    for name in ("q", "status"):
        shown = f'aria-describedby="id_{name}_error"' in page
        assert shown is (name in invalid), name
        assert (f'id="id_{name}_error"' in page) is (name in invalid), name
    if invalid:
        assert "this one was not applied" in page and "so it was not applied" in page
        # Neither filter narrowed the list.
        assert names_in(response) == names_in(clin.get(reverse("caseload")))


# ------------------------------------------------------------------ pages
@pytest.fixture
def thirty(cast, program_version):
    return [patient(cast, f"Patient {n:02d}", program_version) for n in range(30)]


def test_it_shows_25_patients_a_page(clin, thirty):
    first = clin.get(reverse("caseload"), {"sort": "name"})
    assert names_in(first) == [f"Patient {n:02d}" for n in range(25)]
    page = first.content.decode()
    assert "Showing 1–25 of 30 patients" in page and "Page 1 of 2" in page
    assert (
        'id="page-next" class="button button--secondary" href="/caseload/?sort=name&amp;page=2"'
    ) in page
    assert 'id="page-prev"' not in page
    second = clin.get(reverse("caseload"), {"sort": "name", "page": 2})
    assert names_in(second) == [f"Patient {n:02d}" for n in range(25, 30)]
    assert 'href="/caseload/?sort=name"' in second.content.decode()  # previous: page 1


def test_it_shows_the_last_page_for_a_page_past_the_end(clin, thirty):
    response = clin.get(reverse("caseload"), {"page": 9})
    assert response.context["page"].page == 2 and len(response.context["page"].rows) == 5


def test_it_keeps_filters_and_sort_in_page_links(clin, thirty):
    page = search(clin, "patient", sort="name", dir="desc").content.decode()
    link = page.split('id="page-next" class="button button--secondary" href="')[1].split('"')[0]
    link = link.replace("&amp;", "&")
    params = parse_qs(urlsplit(link).query)
    # The search is kept (in the session), not written in the link.
    assert params == {"search": ["on"], "sort": ["name"], "dir": ["desc"], "page": ["2"]}
    assert names_in(clin.get(link)) == [f"Patient {n:02d}" for n in range(4, -1, -1)]


# ------------------------------------------------------------------ htmx
def test_it_swaps_only_the_results_for_htmx(clin, three):
    response = clin.get(reverse("caseload"), {"has_alerts": "on"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<h1" not in body
    assert '<table class="caseload__table">' in body
    # The count goes to the live region outside the swapped area.
    assert 'id="caseload-status"' in body and 'data-hx-swap-oob="true"' in body
    assert "2 patients matching your filters, sorted by" in body
    # The address bar gets the short form of the state.
    assert response["HX-Push-Url"] == "/caseload/?has_alerts=on"
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_it_serves_the_whole_page_without_htmx_and_links_work_plainly(clin, three):
    body = clin.get(reverse("caseload")).content.decode()
    assert "<h1>Your caseload</h1>" in body
    assert 'method="post" action="/caseload/"' in body
    assert 'data-hx-post="/caseload/" data-hx-target="#caseload-results"' in body
    assert 'data-hx-push-url="true"' in body  # the sort and page links
    # Every htmx link is also a real link to the same place.
    for tag in (chunk.split(">")[0] for chunk in body.split("<a ")[1:]):
        if "data-hx-get=" in tag:
            href = tag.split('href="')[1].split('"')[0]
            assert f'data-hx-get="{href}"' in tag
    assert body.count('class="sort-link" href="/caseload/') == 5


# ------------------------------------------------------------------ no name in a URL
_URL_ATTRS = re.compile(r'(?:href|action|data-hx-get|data-hx-post)="([^"]*)"')


def urls_in(body: str) -> list[str]:
    return _URL_ATTRS.findall(body)


@pytest.fixture
def quills(cast, program_version):
    """30 patients called Marta Quillfeather (two pages when searched), and one other."""
    patient(cast, "Ann Able", program_version)
    return [patient(cast, f"Marta Quillfeather {n:02d}", program_version) for n in range(30)]


def assert_no_name(*texts: str) -> None:
    for text in texts:
        assert "quill" not in text.lower() and "marta" not in text.lower(), text


def test_a_name_searched_without_javascript_is_in_no_url(clin, quills):
    """The form is posted; the answer is a redirect to the filters' URL, whose page,
    links and forms keep the search without writing it anywhere."""
    response = clin.post(reverse("caseload"), {"q": "Marta Quillfeather", "missed": ""})
    assert response.status_code == 302
    assert response["Location"] == "/caseload/?search=on"
    page = clin.get(response["Location"])
    body = page.content.decode()
    assert page.context["page"].total == 30 and "Showing results for your search." in body
    assert 'value="Marta Quillfeather"' in body  # in the box, where the clinician typed it
    urls = urls_in(body)
    assert len(urls) > 30  # the patients, the sorts, the next page, the forms
    assert_no_name(*urls)
    # The next page and a sort keep the search.
    next_url = body.split('id="page-next" class="button button--secondary" href="')[1]
    second = clin.get(next_url.split('"')[0].replace("&amp;", "&"))
    assert len(second.context["page"].rows) == 5
    assert_no_name(*urls_in(second.content.decode()))
    by_name = clin.get(reverse("caseload"), {"search": "on", "sort": "name", "dir": "desc"})
    assert names_in(by_name)[0] == "Marta Quillfeather 29"
    # "Clear the search" keeps the sort and drops the search, which is then forgotten.
    clear = re.search(r'<a href="([^"]*)">Clear the search', by_name.content.decode())
    assert clear and clear.group(1).replace("&amp;", "&") == "/caseload/?sort=name&dir=desc"
    assert clin.get(clear.group(1).replace("&amp;", "&")).context["page"].total == 31
    assert "caseload_search" not in clin.session
    assert clin.get(reverse("caseload"), {"search": "on"}).context["page"].total == 31


def test_a_name_searched_with_htmx_is_in_no_url(clin, quills):
    response = clin.post(
        reverse("caseload"),
        {"q": "quillfeather", "sort": "name", "dir": "asc"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<h1" not in body
    assert "Showing 1–25 of 30 patients matching your filters, sorted by name, ascending." in body
    assert response["HX-Push-Url"] == "/caseload/?search=on&sort=name"
    assert "Location" not in response
    urls = urls_in(body)
    assert len(urls) > 30
    assert_no_name(*urls)
    # A sort link, followed by htmx, keeps the search; its pushed URL has no name.
    sorted_ = clin.get(
        reverse("caseload"), {"search": "on", "sort": "pain"}, HTTP_HX_REQUEST="true"
    )
    assert "Showing 1–25 of 30 patients matching your filters, sorted by" in (
        sorted_.content.decode()
    )
    assert_no_name(sorted_["HX-Push-Url"], *urls_in(sorted_.content.decode()))
    # The whole page, reloaded at the pushed URL, shows the search in the box.
    reloaded = clin.get(response["HX-Push-Url"]).content.decode()
    assert 'value="quillfeather"' in reloaded and "Showing results for your search." in reloaded


def test_a_name_in_a_url_is_not_searched(clin, quills):
    """An old bookmark with ?q=: the name is not applied, nor written in the page's links."""
    response = clin.get(reverse("caseload"), {"q": "quillfeather"})
    assert response.context["page"].total == 31
    assert_no_name(*urls_in(response.content.decode()))


def test_a_search_is_kept_for_its_practice_only(clin, cast, quills):
    clin.post(reverse("caseload"), {"q": "quill"})
    session = clin.session
    session["caseload_search"] = [cast.practice.pk + 1000, "quill"]
    session.save()
    assert clin.get(reverse("caseload"), {"search": "on"}).context["page"].total == 31


# ------------------------------------------------------------------ cost and audit
def grow_caseload(cast, version, n: int) -> None:
    for i in range(n):
        e = patient(cast, f"Load {i:03d}", version)
        checkins(e, [7, 6, 6] if i % 2 else [5, 4, None])
        if i % 3 == 0:
            add_alert(e)
        PracticeSession.objects.create(
            enrollment=e,
            local_date=timezone.localdate(),
            duration_seconds=300,
            pain_before=5,
            threat_before=5,
            pain_after=3,
            threat_after=2,
        )


# 60 patients fill more than two pages of 25; `make bench` measures a 200-patient caseload.
@pytest.mark.parametrize("n", [5, 60])
def test_it_costs_the_same_queries_for_5_or_60_patients(
    client, cast, program_version, n, django_assert_num_queries
):
    grow_caseload(cast, program_version, n)
    for i in range(3):
        SavedCaseloadFilter.objects.create(
            user=cast.clinician, practice=cast.practice, name=f"Mine {i}", has_alerts=bool(i % 2)
        )
    client.force_login(cast.clinician)
    client.get(reverse("caseload"))  # the session's first write is not the page's cost
    totals = []
    for params in (
        {},
        {"not_improving": "on", "sort": "week"},
        {"page": 2, "sort": "pain", "dir": "asc"},
        {"missed": "on", "search": "on"},  # the search kept from the post before it
    ):
        if "search" in params:
            client.post(reverse("caseload"), {"q": "load", "missed": "on"})
        with django_assert_num_queries(CASELOAD_QUERIES):
            response = client.get(reverse("caseload"), params)
        assert response.status_code == 200
        totals.append(response.context["page"].total)
    assert totals[2] == n and 0 < totals[3] < n
    assert len(response.context["saved_filters"]) == 3


def test_it_audits_which_patients_were_shown(clin, cast, three):
    AuditEvent.objects.all()  # nothing before
    clin.get(
        reverse("caseload"),
        {"has_alerts": "on"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_REQUEST_ID="caseload-req-1",
    )
    events = AuditEvent.objects.filter(action="caseload.viewed")
    assert {e.subject.display_name for e in events} == {"Ann Able", "Zed Last"}
    assert {(e.actor, e.practice, e.ip, e.request_id) for e in events} == {
        (cast.clinician, cast.practice, "203.0.113.7", "caseload-req-1")
    }


# ------------------------------------------------------------------ the page and the rules
# Time zones a day apart (UTC+14, UTC−11) so that, whatever the hour, patients' local
# dates differ from each other and from UTC's.
ZONES = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kolkata", "UTC", "America/New_York"]
NAMES = ["Ann Able", "ann able", "", "Zed Last", "Émile Ödegaard", "Sam Same", "Sam Same", "bea"]


@pytest.fixture
def varied(cast, program_version):
    """34 patients between them covering what the caseload computes and sorts on: names
    that tie or are empty (the email's name shows), five time zones, starts from next
    week to past the program's end, pauses (now and earlier), weeks opened early, every
    status and a safety hold, no check-ins or one or several, pain up, down and
    pain-free, alerts of each status and severity, missed and pending check-ins, and
    practice inside and outside the last 7 days."""
    now = timezone.now()
    pains = [
        [],
        [6],
        [6, 6, 6],
        [8, 5, 3],
        [7, 8, 9],
        [3, 3, 2],
        [6, None, 5],
        [2, 1, 0],
        [10, 8, 7],
    ]
    statuses = [EnrollmentStatus.ACTIVE] * 5 + [
        EnrollmentStatus.PAUSED,
        EnrollmentStatus.COMPLETED,
        EnrollmentStatus.WITHDRAWN,
        EnrollmentStatus.INVITED,
    ]
    for i in range(34):
        user = make_member(
            cast.practice,
            Role.PATIENT,
            f"pt{i:02d}.x@p.test",
            name=NAMES[i % len(NAMES)] or "x",
            tz=ZONES[i % len(ZONES)],
        )
        if not NAMES[i % len(NAMES)]:
            user.full_name = ""
            user.save(update_fields=["full_name"])
        e = make_enrollment(
            user,
            cast.clinician,
            cast.practice,
            version=program_version,
            days_ago=[-6, 0, 1, 6, 7, 13, 20, 45, 80][i % 9],
        )
        e.status = statuses[i % len(statuses)]
        if e.status == EnrollmentStatus.PAUSED:
            e.paused_on = e.start_date + timedelta(days=i % 5)
        e.paused_days = [0, 0, 3, 9][i % 4]
        e.unlocked_through_week = [0, 0, 0, 5, 2][i % 5]
        e.screening = Screening.HOLD if i % 11 == 4 else e.screening
        e.save()
        if pains[i % len(pains)]:
            checkins(e, pains[i % len(pains)], fear=3 + i % 6, now=now - timedelta(days=i % 10))
        if i % 4 == 1:  # a window closed a day ago, marked missed by the sweep
            add_checkin(
                e,
                slot="late",
                kind=CheckIn.Kind.WEEKLY,
                week=9,
                opens_at=now - timedelta(days=4),
                keys=WEEKLY_KEYS,
                scores=None,
                status=CheckIn.Status.MISSED,
            )
        for n, (kind, severity, status) in enumerate(
            [
                (Alert.Kind.PAIN_UP, Alert.Severity.HIGH, Alert.Status.OPEN),
                (Alert.Kind.SELF_HARM, Alert.Severity.URGENT, Alert.Status.ACKNOWLEDGED),
                (Alert.Kind.MISSED, Alert.Severity.ROUTINE, Alert.Status.RESOLVED),
                (Alert.Kind.SELF_HARM, Alert.Severity.URGENT, Alert.Status.OPEN),
            ]
        ):
            if i % (n + 2) == 0:
                add_alert(e, kind, severity, status=status)
        PracticeSession.objects.bulk_create(
            PracticeSession(
                enrollment=e,
                practiced_at=now - timedelta(days=d, hours=1),
                local_date=timezone.localdate(),
                duration_seconds=300,
                pain_before=5,
                threat_before=5,
                pain_after=3,
                threat_after=2,
            )
            for d in range(i % 4 * 3)
        )


FILTERS = [
    {},
    {"q": "able"},
    {"q": "PT0"},
    {"q": "_"},
    {"status": "active"},
    {"status": "paused"},
    {"status": "hold"},
    {"has_alerts": True},
    {"missed": True},
    {"not_improving": True},
    {"has_alerts": True, "missed": True, "q": "a"},
]


def expected_figures(enrollment: Enrollment, now) -> dict:
    """What a row should say of one patient, worked out from the rows themselves and
    tracking.rules, not from the summary the page reads."""
    checkins = list(enrollment.checkins.order_by("opens_at"))
    pains = [
        (c, c.responses.get(instrument_key="pain_avg").scores["total"])
        for c in checkins
        if c.status == CheckIn.Status.COMPLETED
    ]
    baseline = pains[0][1] if pains else None
    current = max(pains, key=lambda p: p[0].completed_at)[1] if pains else None
    weekly_done = sum(
        c.status == CheckIn.Status.COMPLETED and c.kind == CheckIn.Kind.WEEKLY for c in checkins
    )
    alerts = list(enrollment.alerts.exclude(status=Alert.Status.RESOLVED))
    done = [c.completed_at for c in checkins if c.status == CheckIn.Status.COMPLETED]
    return {
        "week": enrollment.current_week(now),
        "last_checkin_at": max(done) if done else None,
        "pain_change": rules.change_points(baseline, current)
        if rules.shows_change(baseline=baseline, current=current, pain_checkins=len(pains))
        else None,
        "not_improving": rules.is_not_improving(
            weekly_done=weekly_done, baseline=baseline, current=current
        ),
        "pain_free": rules.is_pain_free_or_nearly(current),
        "alerts": (
            sum(a.severity == Alert.Severity.URGENT for a in alerts),
            sum(a.status == Alert.Status.OPEN for a in alerts),
            len(alerts),
        ),
        "missed_recent": any(
            c.status == CheckIn.Status.MISSED and now - rules.MISSED_LOOKBACK <= c.closes_at <= now
            for c in checkins
        ),
        "practice_7d": enrollment.practice_sessions.filter(
            practiced_at__gte=now - rules.PRACTICE_LOOKBACK
        ).count(),
    }


def name_ranks(enrollments: list[Enrollment]) -> dict[int, int]:
    """Each patient's place in name order (ties share one), in the database's collation:
    what the Name column shows, lower-cased."""
    names = {e.pk: (e.patient.full_name or e.patient.email).lower() for e in enrollments}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT n FROM unnest(%s::text[]) AS n ORDER BY n",
            [sorted(set(names.values()))],
        )
        rank = {name: i for i, (name,) in enumerate(cursor.fetchall())}
    return {pk: rank[name] for pk, name in names.items()}


def promised_order(
    query: CaseloadQuery, enrollments: list[Enrollment], figures: dict, names: dict[int, int]
) -> list[int]:
    """The enrollment ids in the order the caseload promises: the chosen column in the
    chosen direction, no value last either way (but first for the last check-in
    oldest-first), ties by name, then by id."""
    descending = (query.direction == "desc") != (query.sort == "week")

    def value(e: Enrollment):
        f = figures[e.pk]
        if query.sort == "week":  # the day week 1 opened, moved on by pauses already over
            return (e.start_date + timedelta(days=e.paused_days)).toordinal()
        if query.sort == "last":
            return f["last_checkin_at"].timestamp() if f["last_checkin_at"] else None
        return {"name": names[e.pk], "pain": f["pain_change"], "alerts": f["alerts"]}[query.sort]

    def key(e: Enrollment):
        v = value(e)
        if v is None:
            none_first = query.sort == "last" and not descending
            return (-1 if none_first else 1, (), names[e.pk], e.pk)
        v = v if isinstance(v, tuple) else (v,)
        return (0, tuple(-x for x in v) if descending else v, names[e.pk], e.pk)

    return [e.pk for e in sorted(enrollments, key=key)]


@pytest.mark.parametrize("hours_later", [0, 11])
def test_every_sort_filter_and_page_agrees_with_the_rules(cast, varied, hours_later):
    """On varied data, every sort, direction and filter lists, across its pages, the
    patients the rules say in the promised order, with the figures the rules give for
    each, worked out from the check-ins and alerts themselves (not the summary)."""
    now = timezone.now() + timedelta(hours=hours_later)
    scope = EnrollmentScope(cast.practice.pk, cast.clinician.pk)
    everyone = list(with_accepted(scope.enrollments()).select_related("patient"))
    figures = {e.pk: expected_figures(e, now) for e in everyone}
    names = name_ranks(everyone)

    def matches(e: Enrollment, query: CaseloadQuery) -> bool:
        f = figures[e.pk]
        return (
            (
                not query.q
                or query.q.lower() in e.patient.full_name.lower()
                or query.q.lower() in e.patient.email.lower()
            )
            # The status as the row's badge says it.
            and (not query.status or status_key(e.status, e.screening, e.accepted) == query.status)
            and (not query.has_alerts or f["alerts"][2] > 0)
            and (not query.missed or f["missed_recent"])
            and (not query.not_improving or f["not_improving"])
        )

    compared = 0
    for sort, direction, filters in itertools.product(SORTS, ("asc", "desc"), FILTERS):
        query = CaseloadQuery(sort=sort, direction=direction, **filters)
        expected = promised_order(query, [e for e in everyone if matches(e, query)], figures, names)
        pages = [caseload_page(scope, dataclasses.replace(query, page=n), now) for n in (1, 2)]
        assert [p.total for p in pages] == [len(expected)] * 2, query
        rows = pages[0].rows + (pages[1].rows if pages[0].pages > 1 else [])
        assert [row.enrollment_id for row in rows] == expected, query
        for row in rows:
            f = figures[row.enrollment_id]
            assert (
                row.week,
                row.pain_change,
                row.not_improving,
                row.pain_free,
                (row.alerts_urgent, row.alerts_open, row.alerts_unresolved),
                row.missed_recent,
                row.practice_7d,
                row.last_checkin_at,
            ) == (
                f["week"],
                f["pain_change"],
                f["not_improving"],
                f["pain_free"],
                f["alerts"],
                f["missed_recent"],
                f["practice_7d"],
                f["last_checkin_at"],
            ), (query, row.name)
        compared += len(rows)
    assert compared > 1000
    # Every filter keeps some patients and drops others: none is checked on nothing.
    # "_" is searched as itself (no name has one), not as LIKE's any-character.
    totals = {str(f): caseload_page(scope, CaseloadQuery(**f), now).total for f in FILTERS[1:]}
    assert totals.pop(str({"q": "_"})) == 0
    assert all(0 < total < 34 for total in totals.values()), totals


def test_the_week_sort_follows_the_start_net_of_pauses_already_over(cast, program_version, clin):
    """Sorting by week orders patients by the day their week 1 opened, moved on by the
    days they spent paused; the week each row shows is the patient's own."""
    early = patient(cast, "Early Start", program_version, days_ago=40)
    early.paused_days = 30  # a month's pause: effectively started 10 days ago
    early.save()
    patient(cast, "Mid Start", program_version, days_ago=20)
    patient(cast, "Late Start", program_version, days_ago=3)
    rows = clin.get(reverse("caseload"), {"sort": "week"}).context["page"].rows
    assert [(r.name, r.week) for r in rows] == [
        ("Mid Start", 3),
        ("Early Start", 2),
        ("Late Start", 1),
    ]


def test_it_shows_nobody_for_an_empty_scope(cast, varied):
    page = caseload_page(None, CaseloadQuery(), timezone.now())
    assert (page.rows, page.total, page.page, page.pages) == ([], 0, 1, 1)


@pytest.mark.parametrize(
    "who",
    ["clinician", "other_clinician", "admin", "outsider_clinician", "outsider_admin", "patient"],
)
def test_each_role_sees_exactly_the_patients_access_allows(
    cast, varied, other_enrollment, program_version, who
):
    """Across every page, the caseload lists the enrollments tracking.access lets the
    user see: a clinician their own patients, an admin the whole practice, anyone of
    another practice none of them, a patient nobody."""
    from django.test import RequestFactory

    from painapp.accounts.models import Membership

    make_enrollment(
        cast.outsider_patient, cast.outsider_clinician, cast.other_practice, version=program_version
    )
    user = getattr(cast, who)
    request = RequestFactory().get("/")
    request.user = user
    request.membership = Membership.objects.get(user=user)
    scope = enrollment_scope(request)
    now = timezone.now()
    first = caseload_page(scope, CaseloadQuery(sort="name"), now)
    shown = [
        row.enrollment_id
        for page in range(1, first.pages + 1)
        for row in caseload_page(scope, CaseloadQuery(sort="name", page=page), now).rows
    ]
    visible = visible_enrollments(request)
    assert len(shown) == first.total == visible.count()
    assert set(shown) == set(visible.values_list("pk", flat=True))
    own = Enrollment.objects.filter(practice=cast.practice, clinician=cast.clinician)
    assert (
        first.total
        == {
            "clinician": own.count(),
            "other_clinician": 1,
            "admin": own.count() + 1,
            "outsider_clinician": 1,
            "outsider_admin": 1,
            "patient": 0,
        }[who]
    )


def test_the_stored_rule_results_are_the_rules(cast, varied):
    """The summary columns the list filters and sorts by hold tracking.rules' verdicts
    on the figures beside them."""
    summaries = EnrollmentSummary.objects.all()
    assert summaries.filter(not_improving=True).exists()
    assert summaries.filter(not_improving=False, pain_change__isnull=False).exists()
    for s in summaries:
        shown = rules.shows_change(
            baseline=s.pain_baseline, current=s.pain_current, pain_checkins=s.pain_checkins
        )
        assert s.pain_change == (
            rules.change_points(s.pain_baseline, s.pain_current) if shown else None
        )
        assert s.not_improving is rules.is_not_improving(
            weekly_done=s.weekly_done, baseline=s.pain_baseline, current=s.pain_current
        )


# ------------------------------------------------------------------ the count's wording
def _count_of(body: str) -> str:
    return " ".join(re.search(r'<p class="caseload__count">(.*?)</p>', body, re.S).group(1).split())


def _status_of(body: str) -> str:
    return re.search(r'<p id="caseload-status"[^>]*>(.*?)</p>', body, re.S).group(1)


@pytest.mark.parametrize(
    ("language", "sorted_by"),
    [
        ("en", ", sorted by name, descending."),
        ("es", ", ordenados por nombre, de forma descendente."),
    ],
)
def test_the_count_reads_the_same_before_and_after_an_htmx_update(
    clin, cast, thirty, language, sorted_by
):
    """The visible count says the same thing on the first page and after htmx swaps
    the results, and the live region (for screen readers) says that sentence too,
    with the sort, which a sort link changes without changing the count."""
    cast.clinician.language = language
    cast.clinician.save(update_fields=["language"])
    params = {"sort": "name", "dir": "desc"}
    first = _count_of(clin.get(reverse("caseload"), params).content.decode())
    swapped_body = clin.get(reverse("caseload"), params, HTTP_HX_REQUEST="true").content.decode()
    assert _count_of(swapped_body) == first
    assert "25" in first and "30" in first
    assert _status_of(swapped_body) == first.removesuffix(".") + sorted_by
    filtered = clin.get(
        reverse("caseload"), {**params, "has_alerts": "on"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    # No match: the same sentence, without the "Clear all filters" link (in the live
    # region a link would be read out, and it is not where a keyboard goes).
    assert _status_of(filtered) in _count_of(filtered) and "<a" not in _status_of(filtered)
    assert _status_of(filtered) in (
        "No patients match these filters.",
        "Ningún paciente coincide con estos filtros.",
    )
