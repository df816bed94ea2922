"""The clinician's coding queue (issue 16, point 5): blind, scoped, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from programs.models import ActivityKind, Attribution, AttributionCategory, AttributionCause
from programs.services import attribution_record
from tests.factories import make_enrollment

URL = "/coding/"


def record(enrollment, week, texts, categories):
    activity = enrollment.program_version.weeks.get(number=week).activities.get(
        kind=ActivityKind.ATTRIBUTION
    )
    return attribution_record(
        enrollment=enrollment, activity=activity, causes=list(zip(texts, categories, strict=True))
    )


@pytest.fixture
def mine(enrollment):
    return record(
        enrollment,
        1,
        ["Lifting at work", "A bulging disc", "Worry about money"],
        ["activity", "spinal", "stress"],
    )


@pytest.fixture
def theirs(other_enrollment):
    return record(
        other_enrollment,
        1,
        ["Their old football injury", "Their sofa", "Their genes"],
        ["injury", "sedentary", "hereditary"],
    )


def login(client, user):
    client.force_login(user)
    return client


def field(cause) -> str:
    return f"cause_{cause.pk}"


# ------------------------------------------------------------------ scope
def test_it_lists_the_clinicians_own_patients_causes(client, cast, mine, theirs):
    page = login(client, cast.clinician).get(URL).content.decode()
    for cause in mine.causes.all():
        assert cause.text in page
    assert "Their" not in page
    assert "3 causes waiting to be coded." in page


def test_an_admin_sees_the_whole_practice(client, cast, mine, theirs):
    page = login(client, cast.admin).get(URL).content.decode()
    assert "Lifting at work" in page and "Their sofa" in page
    assert "6 causes waiting" in page


@pytest.mark.parametrize("who", ["outsider_admin", "outsider_clinician"])
def test_another_practice_sees_nothing(client, cast, mine, theirs, who):
    page = login(client, getattr(cast, who)).get(URL).content.decode()
    assert "Lifting at work" not in page and "Their sofa" not in page
    assert "Nothing waiting to be coded." in page


def test_a_patient_gets_404(client, cast, mine):
    assert login(client, cast.patient).get(URL).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, mine):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response.url


def test_it_refuses_to_code_a_cause_outside_the_scope(client, cast, mine, theirs):
    cause = theirs.causes.first()
    response = login(client, cast.clinician).post(URL, {field(cause): "brain"})
    assert response.status_code == 404
    cause.refresh_from_db()
    assert cause.clinician_category == "" and cause.coded_by is None
    assert AuditEvent.objects.filter(
        action="access.denied", object_type="programs.attributioncause"
    ).exists()
    # Nothing of a mixed post is saved either.
    own = mine.causes.first()
    response = client.post(URL, {field(own): "brain", field(cause): "brain"})
    assert response.status_code == 404
    own.refresh_from_db()
    assert own.clinician_category == ""


# ------------------------------------------------------------------ blindness
def test_it_shows_the_text_only(client, cast, enrollment, mine):
    page = login(client, cast.clinician).get(URL).content.decode()
    main = page.split("<main", 1)[1]
    patient = enrollment.patient
    for secret in (patient.email, patient.full_name or patient.email, "Week", "week 1"):
        assert secret not in main
    # Not the patient's own category, in the patient's words or any other.
    for category in AttributionCategory:
        assert str(category.label) not in main
    # Nothing is chosen for the clinician: every select starts at "Not coded yet".
    form = main.split("<form", 1)[1]
    assert form.count("selected") == form.count('<option value="" selected>Not coded yet') == 3
    assert mine.recorded_at.strftime("%-d %b") not in main
    # A pseudonymous reference per cause, never an id of ours in sight.
    for cause in mine.causes.all():
        assert f'name="cause_{cause.pk}"' in main
        assert f">{cause.pk}<" not in main
    assert main.count("C-") >= 3


def test_the_order_is_a_stable_shuffle_not_the_order_of_writing(client, cast, enrollment):
    # Twelve causes over four attributions, written in order.
    for n in range(4):
        a = Attribution.objects.create(enrollment=enrollment, activity=None, mind_brain_score=0)
        AttributionCause.objects.bulk_create(
            AttributionCause(attribution=a, position=i, text=f"Cause {n}-{x}", category="other")
            for i, x in enumerate("abc", start=1)
        )
    client = login(client, cast.clinician)
    pages = [client.get(URL).content.decode() for _ in range(2)]
    written = list(AttributionCause.objects.order_by("pk").values_list("text", flat=True))

    def shown(page):
        return sorted(written, key=lambda text: page.index(f"<q>{text}</q>"))

    assert shown(pages[0]) == shown(pages[1])  # stable
    assert shown(pages[0]) != written  # not by date (12! orders; 1 in ~479 million)


# ------------------------------------------------------------------ coding
def test_it_saves_codes_with_who_and_when_and_scores_complete_attributions(
    client, cast, mine, django_capture_on_commit_callbacks
):
    lifting, disc, money = mine.causes.order_by("position")
    client = login(client, cast.clinician)
    response = client.post(URL, {field(lifting): "activity", field(disc): "", field(money): "x"})
    assert response.status_code == 400  # a category not in the scheme
    assert "Choose a category from the list." in response.content.decode()
    assert not AttributionCause.objects.exclude(clinician_category="").exists()

    response = client.post(URL, {field(lifting): "activity", field(disc): ""})
    assert response.status_code == 302
    lifting.refresh_from_db()
    disc.refresh_from_db()
    assert (lifting.clinician_category, lifting.coded_by) == ("activity", cast.clinician)
    assert lifting.coded_at is not None
    assert lifting.category == "activity"  # the patient's own category is kept
    assert disc.clinician_category == ""  # left for later
    mine.refresh_from_db()
    assert mine.clinician_mind_brain_score is None  # not all three coded yet
    page = client.get(URL).content.decode()
    assert "Lifting at work" not in page and "A bulging disc" in page
    assert "2 causes waiting" in page

    client.post(URL, {field(disc): "brain", field(money): "psychological"})
    mine.refresh_from_db()
    assert mine.mind_brain_score == 1  # the patient's own, kept
    assert mine.clinician_mind_brain_score == 2
    coded = AuditEvent.objects.filter(action="attribution.coded_blind")
    assert sorted(coded.values_list("object_id", flat=True)) == sorted(
        str(c.pk) for c in (lifting, disc, money)
    )
    assert set(coded.values_list("subject_id", flat=True)) == {mine.enrollment.patient_id}
    assert set(coded.values_list("actor_id", flat=True)) == {cast.clinician.pk}
    assert "Nothing waiting to be coded." in client.get(URL).content.decode()


def test_a_colleagues_code_is_never_overwritten(client, cast, mine):
    cause = mine.causes.first()
    login(client, cast.admin).post(URL, {field(cause): "injury"})
    login(client, cast.clinician).post(URL, {field(cause): "brain"})
    cause.refresh_from_db()
    assert (cause.clinician_category, cause.coded_by) == ("injury", cast.admin)


def test_saving_nothing_says_so(client, cast, mine):
    response = login(client, cast.clinician).post(URL, {}, follow=True)
    assert "Nothing to save" in response.content.decode()


def test_each_cause_shown_is_an_audited_read(client, cast, mine, theirs):
    login(client, cast.admin).get(URL)
    events = AuditEvent.objects.filter(action="causes.coding_queue_viewed")
    assert events.count() == 6
    assert set(events.values_list("subject_id", flat=True)) == {
        mine.enrollment.patient_id,
        theirs.enrollment.patient_id,
    }
    assert set(events.values_list("practice_id", flat=True)) == {cast.practice.pk}


def test_the_menu_counts_what_waits(client, cast, mine):
    page = login(client, cast.clinician).get(reverse("caseload")).content.decode()
    assert f'href="{URL}"' in page and "Code causes (3)" in page


def test_it_works_without_javascript_and_by_keyboard(client, cast, mine):
    page = login(client, cast.clinician).get(URL).content.decode()
    form = page.split('<form method="post" action="/coding/"', 1)[1].split("</form>", 1)[0]
    assert "<script" not in form and "data-hx" not in form
    # Every select has its own label (the cause's reference and text).
    for cause in mine.causes.all():
        assert f'<label for="id_cause_{cause.pk}">' in form
    assert '<button type="submit">Save codes</button>' in form


@pytest.mark.parametrize("patients", [1, 6])
def test_it_costs_the_same_queries_however_many_wait(
    client, cast, program_version, patients, django_assert_num_queries
):
    from tests.factories import make_member

    for n in range(patients):
        patient = make_member(cast.practice, "patient", f"coded{n}@riverside.test")
        enrollment = make_enrollment(
            patient, cast.clinician, cast.practice, version=program_version
        )
        record(enrollment, 1, ["a", "b", "c"], ["stress", "spinal", "injury"])
    client = login(client, cast.clinician)
    client.get(URL)
    # session, user, membership; the queue; its audit events (one INSERT); the count
    # (the menu's badges from the cache after the first page: painapp.accounts.badges).
    with django_assert_num_queries(6):
        assert client.get(URL).status_code == 200
