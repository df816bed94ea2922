"""Red flags done properly (issue 15, build item 9): the full onboarding list with
where to go for each, the date of birth and the practice's age range, the onset-age
flag, and the clinician's record of a medical assessment, which alone lets the content
say the patient's back has been checked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent
from programs.content_conditions import resolve
from programs.models import Enrollment, MedicalAssessment, Screening
from tests.factories import make_enrollment
from tests.test_onboarding import walk_to_screening
from tracking import rules
from tracking.clinic.services import medical_assessment_record
from tracking.models import Alert, PracticeSettings

ABOUT = {"date_of_birth": "1980-05-05", "onset_year": "2015"}


@pytest.fixture
def new_enrollment(cast, program_version):
    return make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, onboarded=False
    )


@pytest.fixture
def patient(client, cast, new_enrollment):
    client.force_login(cast.patient)
    walk_to_screening(client)
    return client


# ---------------------------------------------------------------- the screen
def test_it_asks_every_red_flag_in_plain_words_urgent_ones_apart(patient):
    page = patient.get(reverse("onboarding_safety")).content.decode()
    for flag in rules.RED_FLAGS:
        if flag.asked:
            assert flag.label.replace("'", "&#x27;") in page, flag.key
    # The onset-age flags are worked out, never asked as a tick-box.
    assert "first started when you were 50" not in page
    assert "In what year did this back pain first start?" in page
    assert "Your date of birth" in page
    head, tail = page.split("Signs to check with a doctor first")
    assert "go to the emergency department today" in head
    assert "Pain, numbness, tingling or weakness in both legs" in head
    assert "Having had cancer at any time" in tail


def test_it_does_not_ask_a_date_of_birth_the_practice_gave(patient, new_enrollment):
    Enrollment.objects.filter(pk=new_enrollment.pk).update(date_of_birth=date(1980, 5, 5))
    page = patient.get(reverse("onboarding_safety")).content.decode()
    assert "Your date of birth" not in page
    response = patient.post(
        reverse("onboarding_safety"), {"onset_year": "2015", "none_apply": "on"}
    )
    assert response.url == reverse("today")


def test_bad_answers_get_a_clear_message_and_keep_what_was_typed(patient, new_enrollment):
    next_year = timezone.localdate().year + 1
    response = patient.post(
        reverse("onboarding_safety"),
        {"date_of_birth": "1980-05-05", "onset_year": str(next_year), "red_flags": ["weight_loss"]},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "That year has not happened yet" in body
    assert 'value="1980-05-05"' in body and f'value="{next_year}"' in body
    assert 'value="weight_loss"' in body and "checked" in body
    response = patient.post(
        reverse("onboarding_safety"),
        {"onset_year": "1970", "none_apply": "on", "date_of_birth": "1980-05-05"},
    )
    assert "before you were born" in response.content.decode()
    response = patient.post(reverse("onboarding_safety"), {"none_apply": "on"})
    body = response.content.decode()
    assert "Please enter your date of birth." in body
    assert "Please tell us the year your back pain first started" in body
    new_enrollment.refresh_from_db()
    assert new_enrollment.screening == Screening.PENDING and new_enrollment.date_of_birth is None


def test_an_urgent_flag_tells_the_patient_to_go_to_the_emergency_department(
    patient, new_enrollment
):
    response = patient.post(reverse("onboarding_safety"), {**ABOUT, "urgent_flags": ["both_legs"]})
    page = patient.get(response.url).content.decode()
    assert "Get help today" in page
    # The patient said they are in the US (onboarding, step 5): its number, to tap and call.
    assert 'go to the emergency department today, or call <a href="tel:911">911</a>.' in page
    alert = Alert.objects.get()
    # Told the emergency department today: the clinician's alert is URGENT, not HIGH.
    assert (alert.kind, alert.severity) == (Alert.Kind.RED_FLAG, Alert.Severity.URGENT)
    assert alert.details == {"red_flags": ["both_legs"]}


def test_a_see_your_doctor_flag_holds_without_sending_them_to_the_emergency_department(
    patient, new_enrollment
):
    response = patient.post(
        reverse("onboarding_safety"), {**ABOUT, "red_flags": ["iv_drug_use", "thoracic_pain"]}
    )
    page = patient.get(response.url).content.decode()
    assert "Get help today" not in page
    assert "book a medical check with your doctor" in page
    assert "upper or middle back" in page
    new_enrollment.refresh_from_db()
    assert new_enrollment.on_safety_hold
    assert new_enrollment.red_flags == ["iv_drug_use", "thoracic_pain"]


def test_back_pain_that_started_after_50_holds_the_program(patient, new_enrollment):
    response = patient.post(
        reverse("onboarding_safety"),
        {"date_of_birth": "1960-03-01", "onset_year": "2022", "none_apply": "on"},
    )
    assert response.url == reverse("safety_hold")
    page = patient.get(response.url).content.decode()
    assert "first started when you were 50 or older" in page
    new_enrollment.refresh_from_db()
    assert new_enrollment.red_flags == ["onset_after_50"]
    assert (new_enrollment.date_of_birth, new_enrollment.back_pain_onset_year) == (
        date(1960, 3, 1),
        2022,
    )
    assert Alert.objects.get().details == {"red_flags": ["onset_after_50"]}


# ---------------------------------------------------------------- the age range
def test_a_patient_outside_the_age_range_cannot_go_on(client, cast, patient, new_enrollment):
    settings = PracticeSettings.for_practice(cast.practice.pk)
    settings.age_min, settings.age_max = 21, 70
    settings.save()
    typed = {"date_of_birth": "1940-01-01", "onset_year": "2015", "none_apply": "on"}
    # Asked once (a slip of the year must not lock them out), then held when confirmed.
    patient.post(reverse("onboarding_safety"), typed)
    response = patient.post(
        reverse("onboarding_safety"),
        {**typed, "date_of_birth_asked": "1940-01-01", "date_of_birth_confirmed": "on"},
    )
    body = response.content.decode()
    assert "Please contact your practice" in body and "your age is outside it" in body
    new_enrollment.refresh_from_db()
    assert new_enrollment.screening == Screening.PENDING and new_enrollment.needs_onboarding
    assert new_enrollment.date_of_birth == date(1940, 1, 1)
    assert not Alert.objects.exists()
    assert AuditEvent.objects.filter(action="screening.age_outside_range").count() == 1
    # Coming back later shows the same page; the program does not open.
    assert (
        "Please contact your practice" in patient.get(reverse("onboarding_safety")).content.decode()
    )
    # … and Today leads back to that page (the step they reached), not the welcome.
    assert patient.get(reverse("today")).url == reverse("onboarding_safety")
    # The clinician sees why.
    client.force_login(cast.clinician)
    page = client.get(reverse("patient_detail", args=[new_enrollment.pk])).content.decode()
    assert "Outside the practice's age range" in page
    assert "range for the program is 21 to 70" in page


def _slip(patient, today: date, **more) -> str:
    born = today.replace(year=today.year - 10) - timedelta(days=1)
    response = patient.post(
        reverse("onboarding_safety"),
        {
            "date_of_birth": f"{born:%Y-%m-%d}",
            "onset_year": str(today.year - 1),
            "none_apply": "on",
            **more,
        },
    )
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


@pytest.mark.parametrize(
    ("language", "asked", "confirm"),
    [
        ("en", "would make you 10 years old. Is that right?", "is my date of birth"),
        ("es", "usted tendría 10 años. ¿Es correcto?", "es mi fecha de nacimiento"),
    ],
)
def test_a_date_of_birth_outside_the_range_is_asked_about_and_can_be_put_right(
    cast, patient, new_enrollment, language, asked, confirm
):
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    today = new_enrollment.local_date()
    page = _slip(patient, today)
    # The form again, with what they typed, and the question: not the locked page.
    assert "Please contact your practice" not in page
    assert "comuníquese con su consultorio" not in page
    assert asked in page and confirm in page
    assert f'name="onset_year" value="{today.year - 1}"' in page
    born = today.replace(year=today.year - 10) - timedelta(days=1)
    assert f'value="{born:%Y-%m-%d}"' in page
    new_enrollment.refresh_from_db()
    assert new_enrollment.date_of_birth is None and new_enrollment.needs_onboarding
    assert not AuditEvent.objects.filter(action="screening.age_outside_range").exists()

    # The slip put right: they go on.
    response = patient.post(reverse("onboarding_safety"), {**ABOUT, "none_apply": "on"})
    assert response.status_code == 302 and response.url == reverse("today")
    new_enrollment.refresh_from_db()
    assert new_enrollment.date_of_birth == date(1980, 5, 5)
    assert not new_enrollment.needs_onboarding


def test_a_confirmed_date_outside_the_range_holds_as_before(patient, new_enrollment):
    today = new_enrollment.local_date()
    born = today.replace(year=today.year - 10) - timedelta(days=1)
    _slip(patient, today)
    # A tick for another date does not count: asked again about the new one.
    other = born - timedelta(days=3)
    page = _slip(
        patient, today, date_of_birth_asked=f"{other:%Y-%m-%d}", date_of_birth_confirmed="on"
    )
    assert "Is that right?" in page
    assert f'name="date_of_birth_asked" value="{born:%Y-%m-%d}"' in page
    assert 'name="date_of_birth_confirmed" checked' not in page
    page = _slip(
        patient, today, date_of_birth_asked=f"{born:%Y-%m-%d}", date_of_birth_confirmed="on"
    )
    assert "Please contact your practice" in page
    new_enrollment.refresh_from_db()
    assert new_enrollment.date_of_birth == born and new_enrollment.needs_onboarding
    assert AuditEvent.objects.filter(action="screening.age_outside_range").count() == 1
    assert (
        "Please contact your practice" in patient.get(reverse("onboarding_safety")).content.decode()
    )


def test_a_date_of_birth_given_at_invitation_is_checked_at_onboarding(
    patient, cast, new_enrollment
):
    Enrollment.objects.filter(pk=new_enrollment.pk).update(
        date_of_birth=timezone.localdate() - timedelta(days=365 * 16)
    )
    page = patient.get(reverse("onboarding_safety")).content.decode()
    assert "Please contact your practice" in page


def test_the_admin_may_give_a_date_of_birth_at_invitation(client, cast, program_version):
    client.force_login(cast.admin)
    data = {
        "full_name": "Ivy Invited",
        "email": "ivy@riverside.test",
        "clinician": cast.clinician.pk,
        "program_version": program_version.pk,
        "start_date": f"{timezone.localdate():%Y-%m-%d}",
        "timezone": "Europe/London",
    }
    future = {**data, "date_of_birth": f"{timezone.localdate() + timedelta(days=2):%Y-%m-%d}"}
    body = client.post(reverse("patient_invite"), future).content.decode()
    assert "cannot be in the future" in body and "Ivy Invited" in body
    client.post(reverse("patient_invite"), {**data, "date_of_birth": "1975-08-31"})
    assert Enrollment.objects.get(patient__email="ivy@riverside.test").date_of_birth == date(
        1975, 8, 31
    )
    # Optional for the admin.
    client.post(reverse("patient_invite"), {**data, "email": "ned@riverside.test"})
    assert Enrollment.objects.get(patient__email="ned@riverside.test").date_of_birth is None


# ---------------------------------------------------------------- medical assessment
@pytest.mark.parametrize(
    ("text", "assessed", "expected"),
    [
        ("No condition here.", True, "No condition here."),
        ("A [if assessed]B[end] C", True, "A B C"),
        ("A [if assessed]B[end] C", False, "A  C"),
        ("[if assessed]yes[else]no[end]", True, "yes"),
        ("[if assessed]yes[else]no[end]", False, "no"),
        ("[if not assessed]please ask[end]", False, "please ask"),
        ("[if not assessed]please ask[end]", True, ""),
        ("[if assessed]1[end] and [if assessed]2[else]3[end]", False, " and 3"),
        ("[if assessed]across\nlines[end]", True, "across\nlines"),
    ],
)
def test_content_conditions(text, assessed, expected):
    assert resolve(text, assessed=assessed) == expected


def test_text_without_a_condition_never_asks():
    def boom() -> bool:
        raise AssertionError("asked")

    assert resolve("plain", assessed=boom) == "plain"


CLAIM = "A doctor has checked your back"
LESSON_CLAIM = "That is why a doctor checked your back before you started."
LESSON_NEUTRAL = "If you have not had this yet, please ask your doctor for a check."


def test_the_content_claims_a_check_only_with_a_recorded_assessment(client, cast, enrollment):
    client.force_login(cast.patient)
    player = client.get(reverse("practice")).content.decode()
    lesson = client.get(reverse("activity", args=["how-pain-works"])).content.decode()
    assert CLAIM not in player and "[if" not in player
    assert LESSON_CLAIM not in lesson and LESSON_NEUTRAL in lesson and "[if" not in lesson

    medical_assessment_record(
        enrollment=enrollment,
        by=cast.clinician,
        assessor_name="Dr Ana Silva",
        assessor_role="gp",
        assessed_on=timezone.localdate() - timedelta(days=10),
    )
    player = client.get(reverse("practice")).content.decode()
    lesson = client.get(reverse("activity", args=["how-pain-works"])).content.decode()
    assert CLAIM in player
    assert LESSON_CLAIM in lesson and LESSON_NEUTRAL not in lesson


@pytest.fixture
def clin(client, cast):
    client.force_login(cast.clinician)
    return client


def test_a_clinician_records_a_medical_assessment(clin, cast, enrollment):
    detail = reverse("patient_screening", args=[enrollment.pk])
    url = reverse("patient_medical_assessment", args=[enrollment.pk])
    assert "No medical assessment recorded" in clin.get(detail).content.decode()
    page = clin.get(url).content.decode()
    assert "primary chronic back pain, with red flags excluded" in page
    good = {
        "assessor_name": "Dr Ana Silva",
        "assessor_role": "gp",
        "assessed_on": f"{timezone.localdate() - timedelta(days=3):%Y-%m-%d}",
        "confirm": "on",
    }
    refused = clin.post(url, {**good, "confirm": ""})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Tick the box to confirm the finding" in body and 'value="Dr Ana Silva"' in body
    future = {**good, "assessed_on": f"{timezone.localdate() + timedelta(days=3):%Y-%m-%d}"}
    assert "cannot be in the future" in clin.post(url, future).content.decode()
    assert clin.post(url, {**good, "assessor_role": "wizard"}).status_code == 400
    assert not MedicalAssessment.objects.exists()

    response = clin.post(url, good)
    assert response.url == detail
    row = MedicalAssessment.objects.get()
    assert (row.enrollment, row.assessor_name, row.assessor_role, row.recorded_by) == (
        enrollment,
        "Dr Ana Silva",
        "gp",
        cast.clinician,
    )
    assert row.statement == "Primary chronic back pain, red flags excluded."
    event = AuditEvent.objects.get(action="medical_assessment.recorded")
    assert (event.actor, event.subject, event.object_type, event.object_id) == (
        cast.clinician,
        enrollment.patient,
        "programs.medicalassessment",
        str(row.pk),
    )
    page = clin.get(detail).content.decode()
    assert "Dr Ana Silva (GP or family doctor)" in page
    assert "No medical assessment recorded" not in page


def test_staff_export_includes_the_medical_assessment(clin, cast, enrollment):
    medical_assessment_record(
        enrollment=enrollment,
        by=cast.clinician,
        assessor_name="Dr Ana Silva",
        assessor_role="specialist",
        assessed_on=timezone.localdate() - timedelta(days=10),
    )
    summary = clin.get(reverse("patient_summary", args=[enrollment.pk])).content.decode()
    assert "Dr Ana Silva" in summary
