"""seed_demo shows the whole product, and running it twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.core.management import call_command

from painapp.accounts.models import User
from programs.enrollment_status import ON_HOLD, status_filter
from programs.models import Enrollment, Exposure, PracticeSession, ProgramVersion
from programs.practice.services import sensation_words, words_as_now
from tracking.models import Alert, CheckIn, ReminderSchedule, Response
from tracking.safety.resources import OTHER, suggested_country


def test_seed_demo_builds_a_realistic_practice_once(db, client):
    call_command("seed_demo")
    counts = (Enrollment.objects.count(), CheckIn.objects.count(), Alert.objects.count())
    call_command("seed_demo")
    assert (Enrollment.objects.count(), CheckIn.objects.count(), Alert.objects.count()) == counts

    sam = User.objects.get(email="clinician@demo.painapp.test")
    assert 28 <= Enrollment.objects.filter(clinician=sam).count() <= 32
    weeks = {
        e.patient.email: e.current_week()
        for e in Enrollment.objects.filter(
            patient__email__in=[
                "patient@demo.painapp.test",
                "patient2@demo.painapp.test",
                "patient3@demo.painapp.test",
            ]
        ).select_related("patient")
    }
    assert sorted(weeks.values()) == [2, 5, 8]
    # Each demo patient's crisis numbers are for the country of their time zone (Los
    # Angeles: the US, Sydney: Australia, Berlin: "another country"), not the practice's.
    countries = dict(
        Enrollment.objects.filter(patient__email__in=["patient2@demo.painapp.test",
                                                      "patient3@demo.painapp.test"])
        .values_list("patient__email", "country")
    )  # fmt: skip
    assert countries == {"patient2@demo.painapp.test": "US", "patient3@demo.painapp.test": "AU"}
    # Maria Santos reads the app in Spanish, and so has the Spanish program.
    maria = Enrollment.objects.select_related("patient", "program_version").get(
        patient__email="patient2@demo.painapp.test"
    )
    assert (maria.patient.language, maria.program_version.language) == ("es", "es")
    for e in Enrollment.objects.exclude(status="invited").select_related("patient"):
        assert e.country == (suggested_country(e.patient.timezone) or OTHER), e.patient.timezone
    # A demo patient on a safety hold is where onboarding leaves one: not started, and
    # found by the caseload's "On hold" filter.
    held = Enrollment.objects.filter(screening="hold")
    assert held.exists()
    assert set(held) == set(Enrollment.objects.filter(status_filter(ON_HOLD)))
    assert {(e.status, e.onboarded_at) for e in held} == {("invited", None)}
    # Onboarding asks for a date of birth: every demo patient past it has one, so staff
    # see "Born …" beside their name.
    onboarded = Enrollment.objects.filter(onboarded_at__isnull=False)
    assert onboarded.count() > 30 and not onboarded.filter(date_of_birth=None).exists()
    invited = Enrollment.objects.get(patient__email="patient4@demo.painapp.test")
    assert invited.country == "" and suggested_country(invited.patient.timezone) == "NZ"
    # Both programs in both languages; the 8-week one is everyone's but two of the
    # caseload's, who are on the 4-week trial-dose program.
    assert sorted(ProgramVersion.objects.values_list("program__slug", "language")) == [
        ("prt-back-4wk", "en"),
        ("prt-back-4wk", "es"),
        ("prt-back-8wk", "en"),
        ("prt-back-8wk", "es"),
    ]
    on = Enrollment.objects.values_list("program_version__program__slug", flat=True)
    assert on.filter(patient__email__startswith="patient").distinct().get() == "prt-back-8wk"
    assert on.filter(program_version__program__slug="prt-back-4wk").count() == 2
    assert PracticeSession.objects.count() > 500 and Exposure.objects.exists()
    assert CheckIn.objects.filter(status="completed").count() > 100
    assert CheckIn.objects.filter(status="missed").exists()
    assert {"self_harm", "red_flag", "pain_up"} <= set(Alert.objects.values_list("kind", flat=True))
    # The demo self-harm alert says what its check-in's answers say: the PHQ-9 safety
    # item (item 9) answered as the alert's page reports it, above 0.
    for alert in Alert.objects.filter(kind="self_harm"):
        checkin = CheckIn.objects.get(pk=int(alert.source.removeprefix("checkin:")))
        safety_answers = [
            r.answers[r.instrument.scoring["safety_item"]]
            for r in Response.objects.filter(checkin=checkin).select_related("instrument")
            if (r.instrument.scoring or {}).get("safety_item")
        ]
        assert safety_answers, alert.source
        assert all(value == alert.details["item9"] for value in safety_answers), (
            safety_answers,
            alert.details,
        )
        assert alert.details["item9"] > 0
    # A demo "pain up" alert is what the rule would raise, with the figures its page
    # shows: the latest check-ins' pain, each at least the rise above the baseline.
    for alert in Alert.objects.filter(kind="pain_up"):
        details = alert.details
        assert details["recent"], details
        assert all(p >= details["baseline"] + details["rise_points"] for p in details["recent"])
    assert ReminderSchedule.objects.filter(active=True).exists()
    # every demo login works and lands on its role's home
    from io import StringIO

    for email, home in [
        ("admin@demo.painapp.test", "/practice/"),
        ("clinician@demo.painapp.test", "/caseload/"),
        ("patient@demo.painapp.test", "/today/"),
        ("patient4@demo.painapp.test", "/today/"),
    ]:
        client.logout()
        cache.clear()  # a person typing the same demo code twice waits 30 s; we don't
        response = client.post("/accounts/login/", {"login": email, "password": "demo-pass-2026"})
        if response.url == "/accounts/2fa/authenticate/":  # staff: the demo code
            code = StringIO()
            call_command("demo_code", stdout=code)
            response = client.post(response.url, {"code": code.getvalue().strip()})
        assert response.status_code == 302, email
        assert client.get("/").url == home
        assert client.get(home).status_code in (200, 302)
    client.logout()
    client.post(
        "/accounts/login/", {"login": "patient2@demo.painapp.test", "password": "demo-pass-2026"}
    )
    assert '<html lang="es"' in client.get("/today/").content.decode()


def test_the_demo_outcomes_report_has_real_figures(db, client):
    """A new admin opening the report sees non-zero outcomes (issue 16): patients past
    the end with end and follow-up scores, withdrawals, a baseline below the floor, and
    mind-brain pairs coded both ways."""
    from tracking.practice_admin.reports import OutcomeFilters, outcomes_report

    call_command("seed_demo")
    practice = Enrollment.objects.get(patient__email="patient@demo.painapp.test").practice
    r = outcomes_report(OutcomeFilters(practice=practice))
    assert r.cohort >= 14 and r.withdrawn == 3 and r.still_in_program >= 25
    assert r.end.change.n >= 10 and r.end.change.change < 0 and r.end.change.has_ci
    assert r.end.low_baseline == 1
    assert r.end.pain_free.count > 0 and r.end.real_improvement.count > 0
    one, three, _six, _twelve = r.followups  # 6 and 12 months: issue 19
    assert one.completers > 0 and one.real_improvement.count > 0
    assert three.completers > 0
    assert r.mind_brain.clinician.n >= 1 and r.mind_brain.self_coded.n >= 5
    assert r.mind_brain.self_coded.change > 0
    assert len(r.months) >= 2

    cache.clear()
    admin = User.objects.get(email="admin@demo.painapp.test")
    client.force_login(admin)
    text = client.get("/practice/reports/outcomes/").content.decode()
    assert "No one in the cohort has both" not in text and "95% confidence interval" in text


def test_every_demo_sensation_is_one_the_patients_program_lists(db):
    """The sensations the demo patients picked are words of their program (its list in
    the player), so the log says them in the patient's language."""
    call_command("seed_demo")
    sessions = PracticeSession.objects.select_related("enrollment__program_version")
    assert sessions.exists()
    for session in sessions:
        listed = sensation_words(session.enrollment)
        assert listed, session.enrollment.program_version
        assert set(words_as_now(session.enrollment, session.sensations)) <= set(listed)


def test_the_demo_alerts_agree_with_their_answers_and_the_chain(db):
    """Walk-through: a self-harm alert "raised 40 minutes ago" from a check-in two weeks
    old; Femi Hughes "invited, not set up yet" with a screening alert from October;
    alerts days overdue still "With the patient's clinician". Each alert is raised when
    the answer behind it was sent, and the escalation sweep Celery beat runs has moved
    the overdue ones up the chain, as production would have."""
    from django.utils import timezone

    from programs.patient_identity import enrollment_second_identifier_html

    call_command("seed_demo")
    now = timezone.now()
    harm = list(Alert.objects.filter(kind="self_harm"))
    assert harm
    for alert in harm:
        checkin = CheckIn.objects.get(pk=int(alert.source.removeprefix("checkin:")))
        assert alert.created_at == checkin.completed_at
    held = Enrollment.objects.select_related("patient").get(screening="hold")
    assert held.patient.full_name == "Femi Hughes"
    [flag] = Alert.objects.filter(enrollment=held, kind="red_flag")
    # She answered the screening (consent, date of birth) just before her alert.
    assert held.consented_at == flag.created_at
    assert timezone.localdate(flag.created_at) >= held.start_date - timedelta(days=1)
    assert "not set up yet" not in enrollment_second_identifier_html(held)
    overdue = Alert.objects.filter(status="open", first_due_at__lte=now)
    assert overdue.exists()
    for alert in overdue:
        assert alert.escalation_tier >= 1 or alert.chain_exhausted_at, alert.kind
        assert alert.escalated_at is not None
