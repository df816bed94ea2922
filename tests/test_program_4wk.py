"""The 4-week "trial dose" program (issue 19): two sessions a week for four weeks, the
research trial's schedule, built from the 8-week program's own lesson files (nothing
written twice), in English and Spanish, loaded and versioned like any program, with the
check-in schedule of a 4-week program."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime

import pytest
import textstat
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from programs.content import CONTENT_ROOT, read_program, split_front_matter
from programs.models import Enrollment, Program, ProgramVersion
from programs.services import enrollment_create
from tests.factories import Role, make_enrollment, make_member
from tests.test_i18n import english_in
from tracking.checkins.schedule import checkins_schedule
from tracking.models import CheckIn

EN = CONTENT_ROOT / "prt-back-4wk"
ES = CONTENT_ROOT / "prt-back-4wk.es"
PROGRAMS = {"en": read_program(EN), "es": read_program(ES)}
EIGHT = {
    "en": read_program(CONTENT_ROOT / "prt-back-8wk"),
    "es": read_program(CONTENT_ROOT / "prt-back-8wk.es"),
}


def activities(program):
    return [a for w in program.weeks for a in w.activities]


def plain_text(markdown: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"^\s*(#+|>|[-*+]|\d+\.)\s*", "", text, flags=re.MULTILINE)
    return re.sub(r"[*_`]", "", text)


# ---------------------------------------------------------------- structure


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_has_four_weeks_of_two_sessions_each_a_lesson_and_practice(language):
    program = PROGRAMS[language]
    assert program.slug == "prt-back-4wk" and program.language == language
    assert [w.number for w in program.weeks] == [1, 2, 3, 4]
    for week in program.weeks:
        assert [s.number for s in week.sessions] == [1, 2], week.number
        kinds = {a.slug: a.kind for a in week.activities}
        # Every activity is in exactly one session, in the session's order.
        assert [slug for s in week.sessions for slug in s.activities] == [
            a.slug for a in week.activities
        ]
        for session in week.sessions:
            assert session.title and session.intro_md, (week.number, session.number)
            session_kinds = [kinds[slug] for slug in session.activities]
            assert "lesson" in session_kinds, (week.number, session.number)
            assert set(session_kinds) - {"lesson", "checkin"}, "a session has practice too"
        # One daily somatic-tracking practice and one check-in each week.
        assert [a.kind for a in week.activities if a.daily] == ["practice"], week.number
        assert list(kinds.values()).count("checkin") == 1, week.number
    assert sum(len(w.sessions) for w in program.weeks) == 8


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_teaches_every_lesson_of_the_8_week_program_and_its_five_components(language):
    four, eight = PROGRAMS[language], EIGHT[language]
    lessons = [a.slug for a in activities(four) if a.kind == "lesson"]
    assert lessons == [a.slug for a in activities(eight) if a.kind == "lesson"]
    kinds = {a.kind for a in activities(four)}
    assert kinds == {
        "lesson",
        "practice",
        "exposure",
        "reflection",
        "attribution",
        "evidence",
        "checkin",
    }
    by_week = {w.number: [a.kind for a in w.activities] for w in four.weeks}
    # The three causes at the start, halfway (week 3 opens on day 14) and the end.
    assert [n for n, kinds in by_week.items() if "attribution" in kinds] == [1, 3, 4]
    assert "exposure" in by_week[2] and "exposure" not in by_week[1]
    assert four.tracking_guide == eight.tracking_guide


def test_nothing_is_written_twice():
    """The 4-week folders hold only their own introductions: every lesson and activity
    is the 8-week program's file, named in program.md."""
    for folder, source in (
        (EN, CONTENT_ROOT / "prt-back-8wk"),
        (ES, CONTENT_ROOT / "prt-back-8wk.es"),
    ):
        names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.md"))
        assert names == ["program.md"] + [
            f"week-0{n}/{f}"
            for n in range(1, 5)
            for f in ("session-1.md", "session-2.md", "week.md")
        ]
        theirs = {
            para.strip()
            for path in source.rglob("*.md")
            for para in split_front_matter(path)[1].split("\n\n")
            if len(para.strip()) > 40
        }
        for path in folder.rglob("*.md"):
            for para in split_front_matter(path)[1].split("\n\n"):
                assert para.strip() not in theirs, (path, para[:60])


def test_both_languages_use_the_same_files_in_the_same_sessions():
    en_meta, _ = split_front_matter(EN / "program.md")
    es_meta, _ = split_front_matter(ES / "program.md")
    for key in ("slug", "weeks", "checkins", "source", "sessions"):
        assert es_meta[key] == en_meta[key], key
    for en_week, es_week in zip(PROGRAMS["en"].weeks, PROGRAMS["es"].weeks, strict=True):
        assert [s.activities for s in es_week.sessions] == [s.activities for s in en_week.sessions]
        assert es_week.title != en_week.title
        for en_s, es_s in zip(en_week.sessions, es_week.sessions, strict=True):
            assert es_s.title != en_s.title and es_s.intro_md != en_s.intro_md


def test_the_check_ins_fit_four_weeks():
    config = PROGRAMS["en"].checkin_config
    eight = EIGHT["en"].checkin_config
    # The longer midway check-in at the halfway point; the rest as the 8-week program.
    assert config["full_weeks"] == [2] and eight["full_weeks"] == [4]
    assert {k: v for k, v in config.items() if k != "full_weeks"} == {
        k: v for k, v in eight.items() if k != "full_weeks"
    }
    # The intro of week 2's check-in is the one that says it is longer.
    week2 = PROGRAMS["en"].weeks[1]
    checkin = next(a for a in week2.activities if a.kind == "checkin")
    assert "a little longer" in checkin.body_md


# ------------------------------------------------ wording that depends on the length

LENGTH_WORDS = {
    "en": ("eight weeks", "8 weeks", "week 8"),
    "es": ("ocho semanas", "8 semanas", "semana 8"),
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_shared_lessons_name_the_right_length_and_weeks(language):
    four = activities(PROGRAMS[language])
    for activity in four:
        text = " ".join([activity.title, activity.prompt, activity.body_md, str(activity.data)])
        assert "[if " not in text.replace("[if assessed]", "").replace("[if not assessed]", "")
        for words in LENGTH_WORDS[language]:
            assert words not in text, (activity.slug, words)
    how = next(a for a in four if a.slug == "how-pain-works").body_md
    final = next(a for a in four if a.slug == "causes-week-8").body_md
    if language == "en":
        assert "Over the next four weeks" in how
        assert "on the same schedule of two sessions a week" in how
        assert "in week 1 and week 3" in final
    else:
        assert "En las próximas cuatro semanas" in how
        assert "con el mismo horario de dos sesiones por semana" in how
        assert "en la semana 1 y en la semana 3" in final


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_8_week_program_reads_exactly_as_before(language):
    """The length conditions settle to the 8-week wording for the 8-week program."""
    eight = activities(EIGHT[language])
    how = next(a for a in eight if a.slug == "how-pain-works").body_md
    assert ("Over the next eight weeks" if language == "en" else "próximas ocho semanas") in how
    for activity in eight:
        assert "[if 4 weeks]" not in activity.body_md + activity.prompt
        assert "cuatro semanas" not in activity.body_md and "four weeks" not in activity.body_md


# ---------------------------------------------------------------- new text

OVERVIEW_FACTS = {
    "en": (
        "Each week has two sessions",
        "Each session is a lesson and some practice",
        "8 one-to-one sessions with a therapist, two a week for 4 weeks",
        "saw a doctor once",
        "This app has not itself been tested in a trial",
        "Do not stop any medicine",
    ),
    "es": (
        "Cada semana tiene dos sesiones",
        "Cada sesión es una lección y algo de práctica",
        "8 sesiones individuales con un terapeuta, dos por semana durante 4 semanas",
        "vieron a un médico una vez",
        "no se ha probado en un ensayo clínico",
        "No deje ningún medicamento",
    ),
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_introduction_explains_the_schedule_and_claims_no_trial_result(language):
    overview = PROGRAMS[language].overview_md
    for fact in OVERVIEW_FACTS[language]:
        assert fact in overview, fact
    assert "66" not in overview and "two out of three" not in overview


def new_texts(language):
    program = PROGRAMS[language]
    yield "overview", program.overview_md
    for week in program.weeks:
        yield f"week-{week.number}", f"{week.theme}\n\n{week.intro_md}"
        for session in week.sessions:
            yield f"week-{week.number}/session-{session.number}", session.intro_md


@pytest.mark.parametrize(
    ("name", "text"), list(new_texts("en")), ids=[n for n, _ in new_texts("en")]
)
def test_the_new_english_text_is_plain(name, text):
    grade = textstat.flesch_kincaid_grade(plain_text(text))
    assert grade <= 8.0, f"{name}: grade {grade}"


@pytest.mark.parametrize(
    ("name", "text"), list(new_texts("es")), ids=[n for n, _ in new_texts("es")]
)
def test_the_new_spanish_text_is_plain_and_says_usted(name, text):
    textstat.set_lang("es")
    try:
        score = textstat.fernandez_huerta(plain_text(text))
    finally:
        textstat.set_lang("en_US")
    assert score >= 70, f"{name}: Fernández-Huerta {score}"
    for word in (" tú ", " tu ", " tienes ", " puedes ", " quieres ", " estás ", " eres "):
        assert word not in f" {text.lower()} ", (name, word)


# ---------------------------------------------------------------- the loader


def test_it_loads_in_both_languages_with_its_sessions_and_reloading_changes_nothing(db):
    call_command("load_program", "prt-back-4wk")
    program = Program.objects.get(slug="prt-back-4wk")
    en, es = program.versions.get(language="en"), program.versions.get(language="es")
    assert (en.number, es.number) == (1, 1)
    assert en.weeks.count() == es.weeks.count() == 4
    week = en.weeks.get(number=2)
    assert [s["number"] for s in week.sessions] == [1, 2]
    assert week.sessions[1]["activities"][0] == "fear-pain-cycle"
    assert week.sessions[1]["title"] == "Fear, and moving again"
    assert es.weeks.get(number=2).sessions[1]["title"] == "El miedo, y volver a moverse"
    assert en.checkin_config["full_weeks"] == [2]
    # Loading it did not load (or need) the 8-week program's rows.
    assert not Program.objects.filter(slug="prt-back-8wk").exists()
    call_command("load_program", "prt-back-4wk")
    call_command("load_program", "--all")
    assert ProgramVersion.objects.filter(program=program).count() == 2
    assert sorted(ProgramVersion.objects.values_list("program__slug", "language")) == [
        ("prt-back-4wk", "en"),
        ("prt-back-4wk", "es"),
        ("prt-back-8wk", "en"),
        ("prt-back-8wk", "es"),
    ]


@pytest.fixture
def copies(tmp_path):
    """Both programs in both languages, copied: the 4-week one reads the copy beside it."""
    for name in ("prt-back-8wk", "prt-back-8wk.es", "prt-back-4wk", "prt-back-4wk.es"):
        shutil.copytree(CONTENT_ROOT / name, tmp_path / name)
    return tmp_path


def test_a_changed_shared_lesson_makes_new_versions_and_enrollments_keep_theirs(cast, copies):
    call_command("load_program", "--path", str(copies / "prt-back-4wk"))
    v1 = ProgramVersion.objects.get(program__slug="prt-back-4wk", language="en")
    enrollment = enrollment_create(
        patient=cast.patient,
        practice=cast.practice,
        clinician=cast.clinician,
        program_version=v1,
        start_date=date(2026, 1, 5),
    )
    lesson = copies / "prt-back-8wk" / "week-01" / "01-how-pain-works.md"
    lesson.write_text(
        lesson.read_text().replace("Pain is made by your brain", "Your brain makes pain", 1)
    )
    call_command("load_program", "--path", str(copies / "prt-back-4wk"))
    call_command("load_program", "--path", str(copies / "prt-back-4wk"))
    program = Program.objects.get(slug="prt-back-4wk")
    v2 = program.current_version("en")
    assert (v1.number, v2.number) == (1, 2)
    assert (
        "Your brain makes pain"
        in v2.weeks.get(number=1).activities.get(slug="how-pain-works").body_md
    )
    enrollment.refresh_from_db()
    assert enrollment.program_version_id == v1.pk
    # A new session introduction is a new 4-week version too.
    intro = copies / "prt-back-4wk" / "week-03" / "session-2.md"
    intro.write_text(intro.read_text() + "\nOne more line.\n")
    call_command("load_program", "--path", str(copies / "prt-back-4wk"))
    assert program.current_version("en").number == 3


def test_a_spanish_patient_on_the_4_week_program_gets_its_spanish_version(cast):
    call_command("load_program", "--all")
    english = Program.objects.get(slug="prt-back-4wk").current_version("en")
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    enrollment = make_enrollment(cast.patient, cast.clinician, cast.practice, version=english)
    assert enrollment.program_version.program.slug == "prt-back-4wk"
    assert enrollment.program_version.language == "es"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("week-01/04-first-evidence.md", "week-01/04-no-such-file.md"),
            "not a file of prt-back-8wk",
        ),
        (("week-01/04-first-evidence.md", "week-01/01-how-pain-works.md"), "is used twice"),
        (
            ("week-01/04-first-evidence.md", "../prt-back-8wk/week-01/04-first-evidence.md"),
            "not a file",
        ),
        (("  week-04/session-2:", "  week-04/session-3:"), "lists no files for week-04/session-2"),
    ],
)
def test_a_bad_session_list_is_reported_plainly(db, copies, change, message):
    program = copies / "prt-back-4wk" / "program.md"
    old, new = change
    text = program.read_text()
    program.write_text(
        text.replace(old, new, 1)
        if old.startswith(" ")
        else text.replace(f"- {old}", f"- {new}", 1)
    )
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("load_program", "--path", str(copies / "prt-back-4wk"))
    assert not ProgramVersion.objects.exists()


def test_an_unclosed_length_condition_is_refused(db, copies):
    lesson = copies / "prt-back-8wk" / "week-01" / "03-three-causes.md"
    lesson.write_text(lesson.read_text().replace("week 8[end]", "week 8", 1))
    with pytest.raises(CommandError, match=r"not closed with \[end\]"):
        call_command("load_program", "--path", str(copies / "prt-back-4wk"))


# ---------------------------------------------------------------- the patient


@pytest.fixture
def four_week(cast):
    """cast.patient on the 4-week program, in week 4 (every week open)."""
    call_command("load_program", "prt-back-4wk")
    version = Program.objects.get(slug="prt-back-4wk").current_version("en")
    return make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=version, days_ago=22
    )


def test_a_patient_on_it_sees_four_weeks_with_two_sessions_each(client, cast, four_week):
    client.force_login(cast.patient)
    overview = client.get(reverse("program_overview")).content.decode()
    assert "Retrain your pain: a 4-week program for back pain, two sessions a week" in overview
    assert len(re.findall(r'class="week-item week-item--', overview)) == 4
    assert overview.count('class="week-item__sessions"') == 4
    for title in ("Session 1: How pain is made", "Session 2: Keeping it going"):
        assert title in overview
    for number in range(1, 5):
        html = client.get(reverse("program_week", args=[number])).content.decode()
        assert re.findall(r'<h2 id="session-(\d)-h">Session \1: ', html) == ["1", "2"], number
        assert "Also this week" not in html
    week2 = client.get(reverse("program_week", args=[2])).content.decode()
    session2 = week2.split('id="session-2-h"', 1)[1]
    assert "The fear and pain cycle" in session2 and "Build your fear ladder" in session2
    assert "The fear and pain cycle" not in week2.split('id="session-2-h"', 1)[0]
    assert client.get(reverse("program_week", args=[5])).status_code == 404
    today = client.get(reverse("today")).content.decode()
    assert "week 4 of 4" in today.lower()


def test_the_8_week_program_keeps_its_plain_week_pages(client, cast, enrollment):
    client.force_login(cast.patient)
    html = client.get(reverse("program_week", args=[1])).content.decode()
    assert "Session 1" not in html and 'class="activity-list"' in html
    overview = client.get(reverse("program_overview")).content.decode()
    assert "week-item__sessions" not in overview
    lesson = client.get(reverse("activity", args=["how-pain-works"])).content.decode()
    assert "Week 1: How pain works</a> · Lesson" in lesson


def test_a_spanish_patient_sees_the_sessions_in_spanish(client, cast):
    call_command("load_program", "prt-back-4wk")
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    english = Program.objects.get(slug="prt-back-4wk").current_version("en")
    make_enrollment(cast.patient, cast.clinician, cast.practice, version=english, days_ago=22)
    client.force_login(cast.patient)
    names = ("Pat One", "Dr Kim", "Riverside", "PRT")
    overview = client.get(reverse("program_overview")).content.decode()
    assert "Sesión 1: Cómo se crea el dolor" in overview
    assert english_in(overview, allowed=names) == []
    for number in range(1, 5):
        html = client.get(reverse("program_week", args=[number])).content.decode()
        assert re.findall(r'<h2 id="session-(\d)-h">Sesión \1: ', html) == ["1", "2"]
        assert english_in(html, allowed=names + ("JAMA Psychiatry",)) == [], number
    lesson = client.get(reverse("activity", args=["fear-of-movement"])).content.decode()
    assert "Semana 2: Pistas y miedo</a> · Sesión 2 · Lección" in lesson


def test_today_suggests_the_fear_ladder_from_week_2(client, cast):
    call_command("load_program", "prt-back-4wk")
    version = Program.objects.get(slug="prt-back-4wk").current_version("en")
    from programs import selectors

    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=version, days_ago=8
    )
    overview = selectors.today_overview(enrollment)
    assert overview.exposure_from_week == 2 and overview.pmap.current_week == 2


# ---------------------------------------------------------------- check-ins

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday
BASELINE = ["pain_avg", "pain_worst", "fear_movement", "fabq_pa", "phq9", "gad7"]
WEEKLY = ["pain_avg", "pain_worst", "fear_movement", "phq2", "phq9_item9", "gad2", "new_symptoms"]


@time_machine.travel(START, tick=False)
def test_its_check_ins_are_baseline_weekly_a_longer_midway_end_and_follow_ups(cast):
    call_command("load_program", "prt-back-4wk")
    version = Program.objects.get(slug="prt-back-4wk").current_version("en")
    patient = make_member(cast.practice, Role.PATIENT, "four@riverside.test", tz="Europe/London")
    enrollment = make_enrollment(
        patient, cast.clinician, cast.practice, version=version, days_ago=0
    )
    assert checkins_schedule(enrollment) == 9
    slots = {c.slot: c for c in CheckIn.objects.filter(enrollment=enrollment)}
    assert {slot: c.due_date for slot, c in slots.items()} == {
        "baseline": date(2026, 3, 2),
        # Week 1's check-in day is the start date: the baseline is that check-in.
        "week-2": date(2026, 3, 9),
        "week-3": date(2026, 3, 16),
        "week-4": date(2026, 3, 23),
        "end": date(2026, 3, 30),  # the day after week 4 ends
        "followup-1m": date(2026, 4, 30),
        "followup-3m": date(2026, 6, 30),
        # The trial's gains held at a year: asked at 6 and 12 months, as for 8 weeks.
        "followup-6m": date(2026, 9, 30),
        "followup-12m": date(2027, 3, 30),
    }
    assert slots["baseline"].instrument_keys == BASELINE
    assert slots["week-2"].instrument_keys == BASELINE + ["new_symptoms"]  # halfway
    assert slots["week-3"].instrument_keys == WEEKLY
    assert slots["end"].kind == CheckIn.Kind.END
    assert "causes" in slots["followup-3m"].instrument_keys


@pytest.mark.parametrize(
    ("language", "finished", "plan"),
    [
        ("en", "finished the four weeks", "flare plan from week 4"),
        ("es", "terminó las cuatro semanas", "crisis de la semana 4"),
    ],
)
def test_it_has_the_monthly_boosters_worded_for_four_weeks(db, language, finished, plan):
    """The boosters after the last week come from the 8-week program's files, their
    week wording settled for four weeks (month 1 names the week of the flare plan)."""
    call_command("load_program", "--all")
    four = Program.objects.get(slug="prt-back-4wk").current_version(language)
    eight = Program.objects.get(slug="prt-back-8wk").current_version(language)
    assert list(four.boosters.values_list("month", flat=True)) == list(
        eight.boosters.values_list("month", flat=True)
    )
    first = four.boosters.get(month=1).body_md
    assert finished in first and plan in first
    assert "[if" not in "".join(four.boosters.values_list("body_md", flat=True))
    assert "ocho" not in first and "eight" not in first


# ---------------------------------------------------------------- choosing the program


def test_the_invitation_form_offers_both_programs_with_the_8_week_one_chosen(client, cast):
    # The 4-week program loaded first: it would be the first choice by its place alone.
    call_command("load_program", "prt-back-4wk")
    call_command("load_program", "prt-back-8wk")
    eight = Program.objects.get(slug="prt-back-8wk").current_version("en")
    four = Program.objects.get(slug="prt-back-4wk").current_version("en")
    client.force_login(cast.admin)
    page = client.get(reverse("patient_invite")).content.decode()
    assert re.search(rf'<option value="{eight.pk}" selected>Retrain your pain: an 8-week', page)
    assert re.search(rf'<option value="{four.pk}">Retrain your pain: a 4-week', page)
    response = client.post(
        reverse("patient_invite"),
        {
            "full_name": "New Person",
            "email": "four@example.org",
            "timezone": "Europe/London",
            "clinician": cast.clinician.pk,
            "program_version": four.pk,
            "start_date": timezone.localdate().isoformat(),
            "language": "es",
        },
    )
    assert response.status_code == 302
    chosen = Enrollment.objects.get(patient__email="four@example.org").program_version
    assert (chosen.program.slug, chosen.language) == ("prt-back-4wk", "es")


def test_a_spanish_admin_sees_the_program_names_in_spanish(client, cast):
    call_command("load_program", "--all")
    cast.admin.language = "es"
    cast.admin.save(update_fields=["language"])
    client.force_login(cast.admin)
    page = client.get(reverse("patient_invite")).content.decode()
    assert "Reentrene su dolor: un programa de 4 semanas" in page
    assert "Reentrene su dolor: un programa de 8 semanas" in page


def test_a_bulk_imported_row_without_a_program_gets_the_8_week_one(client, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from tracking.models import BulkImport
    from tracking.practice_admin import bulk_import

    call_command("load_program", "prt-back-8wk")
    call_command("load_program", "prt-back-4wk")
    rows = (
        "full_name,email,clinician_email,start_date,timezone,program\n"
        f"Uno,uno@example.org,clin@riverside.test,{timezone.localdate()},UTC,\n"
        f"Dos,dos@example.org,clin@riverside.test,{timezone.localdate()},UTC,prt-back-4wk\n"
    )
    client.force_login(cast.admin)
    response = client.post(
        reverse("admin_import"),
        {"file": SimpleUploadedFile("p.csv", rows.encode(), content_type="text/csv")},
    )
    record = BulkImport.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    bulk_import.bulk_import_confirm(bulk_import=record, by=cast.admin)
    programs = dict(
        Enrollment.objects.filter(
            patient__email__in=["uno@example.org", "dos@example.org"]
        ).values_list("patient__email", "program_version__program__slug")
    )
    assert programs == {"uno@example.org": "prt-back-8wk", "dos@example.org": "prt-back-4wk"}


def test_an_activity_no_session_lists_still_shows_on_its_week(client, cast, four_week):
    """One added to a week in the Django admin shows after the sessions."""
    from programs.models import Activity

    week = four_week.program_version.weeks.get(number=1)
    Activity.objects.create(week=week, order=99, kind="reflection", slug="extra", title="A note")
    client.force_login(cast.patient)
    html = client.get(reverse("program_week", args=[1])).content.decode()
    assert html.index("Session 2: A calm way") < html.index("Also this week") < html.index("A note")


def test_the_week_partial_for_htmx_shows_the_sessions_too(client, cast, four_week):
    client.force_login(cast.patient)
    html = client.get(reverse("program_week", args=[3]), HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="week-body">') and "<html" not in html
    assert "Session 1: Tracking in daily life" in html
    assert 'href="/program/tracking-daily-life/"' in html


def test_an_activity_page_names_its_session(client, cast, four_week):
    client.force_login(cast.patient)
    html = client.get(reverse("activity", args=["fear-of-movement"])).content.decode()
    assert "Week 2: Clues and fear</a> · Session 2 · Lesson" in html
