"""The Spanish curriculum (issue 18): a faithful twin of the English, plain enough to read.

programs/content/prt-back-8wk.es/ mirrors programs/content/prt-back-8wk/ file for file.
The structure must match so both languages behave the same in the app (the same weeks,
activities, player steps, checklist items and prompts); the words are translated, the
identifiers (slug, kind, number, minutes, daily, keys, seconds, check-in config) are not.
When someone edits the English, this test says which Spanish file must follow.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import textstat
from django.core.management import call_command

from painapp.accounts.models import Membership
from programs.content import CONTENT_ROOT, folder_language, read_program, split_front_matter
from programs.models import Enrollment, Program, ProgramVersion
from programs.services import enrollment_create, enrollment_invite

EN = CONTENT_ROOT / "prt-back-8wk"
ES = CONTENT_ROOT / "prt-back-8wk.es"
# Every shipped program with its Spanish twin: the twin tests below run over each.
TWINS = {
    slug: (CONTENT_ROOT / slug, CONTENT_ROOT / f"{slug}.es")
    for slug in ("prt-back-8wk", "prt-back-4wk")
}
TWIN_FILES = [
    (slug, p.relative_to(en)) for slug, (en, _) in TWINS.items() for p in sorted(en.rglob("*.md"))
]
TWIN_IDS = [f"{slug}:{name}" for slug, name in TWIN_FILES]

# Front-matter values that are identifiers or numbers, not words: identical in every
# language. Everything else (titles, summaries, prompts, items, step texts, sensation
# words) is translated.
SAME_VALUE = {
    "slug",
    "kind",
    "number",
    "minutes",
    "daily",
    "private",
    "weeks",
    "checkins",
    # A program built from another's files (prt-back-4wk): the same files, in the same
    # sessions, in both languages.
    "source",
    "sessions",
    # A monthly booster after the last week (issue 19).
    "month",
}
SAME_IN_STEPS = {"key", "seconds"}


def headings(markdown: str) -> int:
    return len(re.findall(r"^#{1,6}\s", markdown, flags=re.MULTILINE))


def plain_text(markdown: str) -> str:
    """The text a patient reads: Markdown marks, and link targets, left out."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"^\s*(#+|>|[-*+]|\d+\.)\s*", "", text, flags=re.MULTILINE)
    return re.sub(r"[*_`]", "", text)


def test_the_spanish_folder_is_a_spanish_program():
    assert folder_language(ES) == "es" and folder_language(EN) == "en"
    assert read_program(ES).slug == read_program(EN).slug


@pytest.mark.parametrize("slug", TWINS)
def test_every_english_file_has_a_spanish_twin_and_no_spanish_file_is_extra(slug):
    en, es = TWINS[slug]
    en_files = {p.relative_to(en) for p in en.rglob("*.md")}
    es_files = {p.relative_to(es) for p in es.rglob("*.md")}
    assert en_files - es_files == set(), "English files without a Spanish twin"
    assert es_files - en_files == set(), "Spanish files without an English original"


@pytest.mark.parametrize(("slug", "name"), TWIN_FILES, ids=TWIN_IDS)
def test_each_twin_has_the_same_shape(slug: str, name: Path):
    EN, ES = TWINS[slug]
    en_meta, en_body = split_front_matter(EN / name)
    es_path = ES / name
    if not es_path.exists():
        pytest.fail(f"{name}: no Spanish twin in {ES.name}/")
    es_meta, es_body = split_front_matter(es_path)
    assert list(es_meta) == list(en_meta), f"{name}: front-matter keys differ"
    for key in SAME_VALUE & set(en_meta):
        assert es_meta[key] == en_meta[key], f"{name}: {key} must not be translated"
    assert headings(es_body) == headings(en_body), f"{name}: headings count differs"
    assert es_body.strip(), f"{name}: the Spanish body is empty"
    for key in ("title", "summary", "theme", "prompt"):
        if en_meta.get(key):
            assert es_meta[key] and es_meta[key] != en_meta[key], f"{name}: {key} untranslated"
    if "items" in en_meta:
        assert len(es_meta["items"]) == len(en_meta["items"]), f"{name}: items count"
        assert [i["key"] for i in es_meta["items"]] == [i["key"] for i in en_meta["items"]]
        for en_item, es_item in zip(en_meta["items"], es_meta["items"], strict=True):
            assert es_item["text"] != en_item["text"], f"{name}: item untranslated"
    if "steps" in en_meta:
        assert len(es_meta["steps"]) == len(en_meta["steps"]), f"{name}: player steps"
        for en_step, es_step in zip(en_meta["steps"], es_meta["steps"], strict=True):
            assert list(es_step) == list(en_step), f"{name}: step keys"
            for key in SAME_IN_STEPS:
                assert es_step[key] == en_step[key], f"{name}: step {key}"
            assert es_step["text"] != en_step["text"], f"{name}: step untranslated"
    if "sensation_words" in en_meta:
        assert len(es_meta["sensation_words"]) == len(en_meta["sensation_words"])
    # Numbered steps in the body (lesson step lists, flare plans) and bullet points.
    for pattern in (r"^\d+\.\s", r"^[-*]\s"):
        en_count = len(re.findall(pattern, en_body, flags=re.MULTILINE))
        es_count = len(re.findall(pattern, es_body, flags=re.MULTILINE))
        assert es_count == en_count, f"{name}: list items ({pattern}) differ"


ES_PROGRAM = read_program(ES) if ES.exists() else None
# Every Spanish program's lessons as its patients read them (the 4-week program reads
# the 8-week lessons with its own length wording settled).
ES_LESSONS = [
    (slug, a)
    for slug, (_, es) in TWINS.items()
    for w in read_program(es).weeks
    for a in w.activities
    if a.kind == "lesson"
]


@pytest.mark.parametrize(
    ("program", "lesson"), ES_LESSONS, ids=[f"{p}:{a.slug}" for p, a in ES_LESSONS]
)
def test_every_spanish_lesson_is_plain_and_the_right_length(program, lesson):
    text = plain_text(lesson.body_md)
    words = len(text.split())
    assert 600 <= words <= 1300, f"{lesson.slug}: {words} words"
    textstat.set_lang("es")
    try:
        score = textstat.fernandez_huerta(text)
    finally:
        textstat.set_lang("en_US")
    assert score >= 70, f"{lesson.slug}: Fernández-Huerta {score}"


ES_BOOSTERS = ES_PROGRAM.boosters if ES_PROGRAM else []


@pytest.mark.parametrize("booster", ES_BOOSTERS, ids=[b.slug for b in ES_BOOSTERS])
def test_every_spanish_booster_is_short_plain_and_sends_new_symptoms_to_the_doctor(booster):
    text = plain_text(booster.body_md)
    words = len(text.split())
    assert 150 <= words <= 650, f"{booster.slug}: {words} words"
    textstat.set_lang("es")
    try:
        score = textstat.fernandez_huerta(text)
    finally:
        textstat.set_lang("en_US")
    assert score >= 70, f"{booster.slug}: Fernández-Huerta {score}"
    assert "## Cuándo consultar a su médico" in booster.body_md
    assert "nuevo o distinto, o si tiene síntomas nuevos" in booster.body_md
    assert "siga tomando sus medicinas" in booster.body_md.lower()


def test_the_spanish_boosters_match_the_english_months():
    assert [b.month for b in ES_BOOSTERS] == [b.month for b in read_program(EN).boosters]
    assert [b.slug for b in ES_BOOSTERS] == [b.slug for b in read_program(EN).boosters]


def _spanish_text() -> str:
    return " ".join(
        p.read_text(encoding="utf-8") for _, es in TWINS.values() for p in sorted(es.rglob("*.md"))
    ).lower()


def _narration(text: str) -> str:
    """The text without quoted speech: what one says to a friend, or a child says, may
    use tú; the program itself speaks to the patient as usted."""
    return re.sub(r'"[^"\n]*"|«[^»]*»', " ", text)


def test_the_spanish_says_usted_and_never_tells_anyone_to_stop_medical_care():
    text = _spanish_text()
    for phrase in (
        "deje de tomar",
        "deje su medic",
        "deje de ver a su médico",
        "no necesita a su médico",
        "no necesita su médico",
    ):
        assert phrase not in text, phrase
    # tú forms give away a slip from usted (README "Languages").
    narration = _narration(text)
    for word in (" tú ", " tu dolor", " tienes ", " puedes ", " quieres ", " estás ", " eres "):
        assert word not in narration, word


def test_every_spanish_cauda_equina_warning_says_where_to_go_today():
    warnings = [
        (str(p.relative_to(ES)), para)
        for p in sorted(ES.rglob("*.md"))
        for para in re.split(r"\n\s*\n", p.read_text(encoding="utf-8"))
        if re.search(r"vejiga|intestin", para, re.IGNORECASE)
    ]
    assert len({name for name, _ in warnings}) >= 3
    for name, para in warnings:
        assert "vaya hoy a urgencias" in para.lower(), name
        assert "número de emergencias de su localidad" in para, name


def test_the_spanish_help_links_point_to_the_get_help_now_page():
    for name in (
        "week-05/01-emotional-threats.md",
        "week-05/03-feelings-under-the-pain.md",
        "week-05/04-life-stress-timeline.md",
        "week-05/05-expressive-writing.md",
    ):
        en = (EN / name).read_text(encoding="utf-8")
        es = (ES / name).read_text(encoding="utf-8")
        assert es.count("(/help/)") == en.count("(/help/)"), name


# ---------------------------------------------------------------- the loader


def test_both_languages_load_as_separate_versions_and_reloading_changes_nothing(db):
    call_command("load_program", "prt-back-8wk")
    program = Program.objects.get()
    en = program.versions.get(language="en")
    es = program.versions.get(language="es")
    assert (en.number, es.number) == (1, 1)
    assert es.weeks.count() == en.weeks.count() == 8
    assert es.title != en.title and program.title == en.title
    assert [s["key"] for s in es.tracking_guide["steps"]] == [
        s["key"] for s in en.tracking_guide["steps"]
    ]
    en_slugs = list(
        en.weeks.values_list("activities__slug", flat=True).order_by("number", "activities__order")
    )
    es_slugs = list(
        es.weeks.values_list("activities__slug", flat=True).order_by("number", "activities__order")
    )
    assert en_slugs == es_slugs
    assert program.current_version("es") == es and program.current_version("fr") == en
    assert program.latest_version == en
    counts = ProgramVersion.objects.count()
    call_command("load_program", "prt-back-8wk")
    assert ProgramVersion.objects.count() == counts == 2


def test_a_changed_spanish_file_makes_a_new_spanish_version_only(db, tmp_path):
    import shutil

    es = tmp_path / "prt-back-8wk.es"
    shutil.copytree(ES, es)
    call_command("load_program", "--path", str(EN))
    call_command("load_program", "--path", str(es))
    lesson = es / "week-01" / "01-how-pain-works.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nUna frase más.\n", encoding="utf-8")
    call_command("load_program", "--path", str(es))
    program = Program.objects.get()
    assert sorted(program.versions.values_list("language", "number")) == [
        ("en", 1),
        ("es", 1),
        ("es", 2),
    ]


def test_a_spanish_patient_is_enrolled_on_the_spanish_version(cast):
    call_command("load_program", "prt-back-8wk")
    english = Program.objects.get().latest_version
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    enrollment = enrollment_create(
        patient=cast.patient,
        practice=cast.practice,
        clinician=cast.clinician,
        program_version=english,
        start_date=date(2026, 1, 5),
    )
    assert enrollment.program_version.language == "es"
    # An English-speaking patient keeps the English one.
    other = enrollment_create(
        patient=cast.other_patient,
        practice=cast.practice,
        clinician=cast.clinician,
        program_version=english,
        start_date=date(2026, 1, 5),
    )
    assert other.program_version == english


def test_an_invited_spanish_patient_gets_the_spanish_version_and_keeps_it(cast):
    call_command("load_program", "prt-back-8wk")
    english = Program.objects.get().latest_version
    # A former patient of the practice, invited again, whose language is Spanish.
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    Enrollment.objects.filter(patient=cast.patient).delete()
    Membership.objects.filter(user=cast.patient, practice=cast.practice).update(is_active=False)
    enrollment, _ = enrollment_invite(
        practice=cast.practice,
        invited_by=cast.admin,
        email=cast.patient.email,
        full_name=cast.patient.full_name,
        clinician=cast.clinician,
        program_version=english,
        start_date=date(2026, 1, 5),
        timezone_name="America/Mexico_City",
        send=False,
    )
    spanish = enrollment.program_version
    assert spanish.language == "es"
    # A later Spanish edition does not move an enrollment that has started.
    ProgramVersion.objects.filter(pk=spanish.pk).update(content_hash="older")
    call_command("load_program", "prt-back-8wk")
    enrollment.refresh_from_db()
    assert enrollment.program_version_id == spanish.pk
    assert Program.objects.get().current_version("es").number == 2


def test_a_bulk_imported_spanish_patient_gets_the_spanish_version(client, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from django.utils import timezone

    from painapp.accounts.models import Role
    from tests.factories import make_member
    from tracking.models import BulkImport
    from tracking.practice_admin import bulk_import

    call_command("load_program", "prt-back-8wk")
    former = make_member(cast.practice, Role.PATIENT, "vuelve@example.org", active=False)
    former.language = "es"
    former.save(update_fields=["language"])
    rows = (
        "full_name,email,clinician_email,start_date,timezone,program\n"
        f"Vuelve,vuelve@example.org,clin@riverside.test,{timezone.localdate()},UTC,\n"
        f"Nuevo,nuevo@example.org,clin@riverside.test,{timezone.localdate()},UTC,\n"
    )
    client.force_login(cast.admin)
    response = client.post(
        reverse("admin_import"),
        {"file": SimpleUploadedFile("p.csv", rows.encode(), content_type="text/csv")},
    )
    record = BulkImport.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    bulk_import.bulk_import_confirm(bulk_import=record, by=cast.admin)
    languages = dict(
        Enrollment.objects.filter(
            patient__email__in=["vuelve@example.org", "nuevo@example.org"]
        ).values_list("patient__email", "program_version__language")
    )
    assert languages == {"vuelve@example.org": "es", "nuevo@example.org": "en"}


def test_a_folder_in_a_language_the_app_does_not_speak_is_refused(db, tmp_path):
    import shutil

    from django.core.management.base import CommandError

    folder = tmp_path / "prt-back-8wk.fr"
    shutil.copytree(ES, folder)
    with pytest.raises(CommandError, match="not one of settings.LANGUAGES"):
        call_command("load_program", "--path", str(folder))
    assert not ProgramVersion.objects.exists()


# ------------------------------------------- the English safety tests, for the Spanish
ES_ACTIVITIES = [a for w in (ES_PROGRAM.weeks if ES_PROGRAM else []) for a in w.activities]


def _es(slug: str) -> str:
    return next(a for a in ES_ACTIVITIES if a.slug == slug).body_md


def test_a_spanish_flare_is_only_called_harmless_when_it_is_the_usual_pain():
    for activity in ES_ACTIVITIES:
        for match in re.finditer(
            r"crisis[^.]{0,40}no (?:es|son) señal de daño", activity.body_md, re.IGNORECASE
        ):
            assert "dolor de siempre" in match.group(0), (activity.slug, match.group(0))
    assert "Si el dolor de noche es nuevo" in _es("tracking-daily-life")


def test_the_spanish_says_the_pain_is_real_not_imaginary_and_clues_are_not_proof():
    assert "No es imaginario" in _es("how-pain-works")
    assert "en su cabeza" not in _es("how-pain-works")
    assert "## Las pistas no son pruebas" in _es("looking-for-clues")
    clues = _es("looking-for-clues")
    both_sides = clues.split("## Pista 4", 1)[1].split("## Pista 5", 1)[0]
    assert "las dos piernas" in both_sides and "vaya hoy a urgencias" in both_sides.lower()
    assert "media hora" in clues and "adormecimiento o debilidad" in clues


def test_spanish_checkin_intros_match_the_questions_recall_periods():
    intros = [a for a in ES_ACTIVITIES if a.kind == "checkin"]
    assert len(intros) == 8
    for intro in intros:
        assert "durante la última semana" in intro.body_md, intro.slug
        assert "ánimo durante las últimas 2 semanas" in intro.body_md, intro.slug


def test_spanish_expressive_writing_is_private_and_says_so():
    meta, body = split_front_matter(ES / "week-05/05-expressive-writing.md")
    assert meta["private"] is True
    assert "no se le muestra a su equipo de atención" in body
    assert "no es una forma de pedir ayuda" in body


def test_the_spanish_somatic_tracking_keeps_a_light_touch_and_claims_no_check():
    guide = ES_PROGRAM.tracking_guide if ES_PROGRAM else {}
    steps = {s["key"]: s["text"] for s in guide["steps"]}
    assert "ligereza" in guide["intro_md"] and "juguetona" in guide["intro_md"]
    assert "ligereza" in steps["describe"] and "ligero" in steps["outcome"]
    # The check is claimed only where a clinician recorded one (as in the English).
    claim = steps["safety"].split("[if assessed]")[1].split("[end]")[0]
    assert "médico le revisó la espalda" in claim
    assert "revis" not in steps["safety"].replace(f"[if assessed]{claim}[end]", "")
    assert "## Con ligereza" in _es("meet-somatic-tracking")


# "[if 4 weeks]": wording for the 4-week program that uses the 8-week lessons.
MEDICAL_CHECK_MARKERS = ("[if assessed]", "[if not assessed]", "[if 4 weeks]", "[else]", "[end]")


@pytest.mark.parametrize(("slug", "name"), TWIN_FILES, ids=TWIN_IDS)
def test_each_twin_claims_a_medical_check_under_the_same_condition(slug: str, name: Path):
    """Wording that says a doctor checked the back shows only when a clinician recorded
    the assessment ([if assessed] … [else] … [end]): the Spanish twin has the same
    conditions, so neither language claims a check nobody recorded. Likewise the
    wording that depends on the program's length ([if 4 weeks])."""
    en, es = TWINS[slug]
    english, spanish = (en / name).read_text(), (es / name).read_text()
    for marker in MEDICAL_CHECK_MARKERS:
        assert english.count(marker) == spanish.count(marker), (name, marker)
