"""Writing a patient keeps to themselves (issue 16, Build 4 and 7).

A reflection whose front matter says `private: true` (expressive writing) is loaded as
private-by-default: each entry is saved private unless the patient ticks "Share this
entry with my care team", and they can change that each time they save. The
life-stress timeline is asked as structured prompts and saved as one reflection.
"""

from __future__ import annotations

import shutil

import pytest
from django.core.management import call_command
from django.urls import reverse

from programs.content import CONTENT_ROOT, ContentError, read_program
from programs.models import Activity, ProgramVersion, Reflection
from programs.services import enrollment_unlock_week, reflection_save
from tests.edit_versions import with_version


def activity(enrollment, slug) -> Activity:
    return Activity.objects.get(week__version=enrollment.program_version, slug=slug)


@pytest.fixture
def week5(client, cast, enrollment):
    enrollment_unlock_week(enrollment=enrollment, week=5)
    client.force_login(cast.patient)
    return client


# ------------------------------------------------------------------ the loader
def test_the_loader_keeps_the_private_key_and_the_prompts():
    program = read_program(CONTENT_ROOT / "prt-back-8wk")
    by_slug = {a.slug: a for w in program.weeks for a in w.activities}
    assert by_slug["expressive-writing"].data == {"private": True}
    timeline = by_slug["life-stress-timeline"].data
    assert "private" not in timeline
    assert [f["key"] for f in timeline["fields"]] == ["onset", "before", "flares", "feelings"]
    assert all(f["label"] for f in timeline["fields"])
    # Nothing else is private.
    assert [s for s, a in by_slug.items() if a.data.get("private")] == ["expressive-writing"]


def test_load_program_stores_the_private_flag(db):
    call_command("load_program", "--all")
    for version in ProgramVersion.objects.all():  # English and Spanish
        assert_only_expressive_writing_is_private(version)


def assert_only_expressive_writing_is_private(version):
    writing = Activity.objects.get(week__version=version, slug="expressive-writing")
    assert writing.data["private"] is True
    assert not Activity.objects.filter(week__version=version, data__private=True).exclude(
        pk=writing.pk
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("private: true", "private: yes please"), "private must be true or false"),
        (("kind: reflection", "kind: lesson"), "only a reflection can be private"),
    ],
)
def test_the_loader_refuses_a_bad_private_key(tmp_path, change, message):
    folder = tmp_path / "prt"
    shutil.copytree(CONTENT_ROOT / "prt-back-8wk", folder)
    path = folder / "week-05" / "05-expressive-writing.md"
    path.write_text(path.read_text().replace(*change))
    with pytest.raises(ContentError, match=message):
        read_program(folder)


def test_the_loader_refuses_prompts_without_labels(tmp_path):
    folder = tmp_path / "prt"
    shutil.copytree(CONTENT_ROOT / "prt-back-8wk", folder)
    path = folder / "week-05" / "04-life-stress-timeline.md"
    path.write_text(path.read_text().replace('label: "When did your back pain begin?"', ""))
    with pytest.raises(ContentError, match="needs a key and a label"):
        read_program(folder)


def test_false_is_the_same_as_leaving_it_out(tmp_path):
    folder = tmp_path / "prt"
    shutil.copytree(CONTENT_ROOT / "prt-back-8wk", folder)
    path = folder / "week-05" / "05-expressive-writing.md"
    path.write_text(path.read_text().replace("private: true", "private: false"))
    program = read_program(folder)
    writing = next(a for w in program.weeks for a in w.activities if a.slug == "expressive-writing")
    assert writing.data == {}


# ------------------------------------------------------------------ the service
def test_an_entry_on_a_private_activity_is_private_unless_shared(enrollment):
    writing = activity(enrollment, "expressive-writing")
    assert reflection_save(enrollment=enrollment, activity=writing, text="Mine").private
    shared = reflection_save(enrollment=enrollment, activity=writing, text="Mine", shared=True)
    assert not shared.private
    again = reflection_save(enrollment=enrollment, activity=writing, text="Mine again")
    assert again.private and Reflection.objects.count() == 1


def test_elsewhere_what_a_patient_writes_is_shared_as_consent_says(enrollment):
    kind_voice = activity(enrollment, "kind-voice")
    assert not reflection_save(enrollment=enrollment, activity=kind_voice, text="Be kind").private
    # "shared" cannot make writing private where the page never promised privacy.
    assert not reflection_save(
        enrollment=enrollment, activity=kind_voice, text="Be kind", shared=False
    ).private


# ------------------------------------------------------------------ the pages
def test_expressive_writing_is_private_by_default_and_the_patient_can_share_it(week5, enrollment):
    url = reverse("activity", args=["expressive-writing"])
    page = week5.get(url).content.decode()
    assert "<strong>Private.</strong> Only you can read what you write here" in page
    assert 'name="share"' in page and "Share this entry with my care team" in page
    assert (
        'name="share" checked' not in page and "checked" not in page.split('name="share"')[1][:40]
    )

    response = week5.post(url, {"text": "The year Dad was ill."}, follow=True)
    saved = Reflection.objects.get(enrollment=enrollment)
    assert saved.private and saved.text == "The year Dad was ill."
    assert "Saved, just for you. Your care team cannot see it." in response.content.decode()

    response = week5.post(
        url, with_version(week5, url, {"text": "The year Dad was ill.", "share": "on"}), follow=True
    )
    saved.refresh_from_db()
    assert not saved.private
    body = response.content.decode()
    assert "Saved and shared with your care team." in body
    assert "<strong>Shared.</strong> Your care team can read this entry." in body
    assert (
        'type="checkbox" name="share"' in body and " checked" in body.split('name="share"')[1][:60]
    )

    # Unticked and saved again: private again.
    week5.post(url, with_version(week5, url, {"text": "The year Dad was ill."}))
    saved.refresh_from_db()
    assert saved.private


def test_a_bad_entry_keeps_what_was_typed_and_the_choice(week5, enrollment):
    url = reverse("activity", args=["expressive-writing"])
    response = week5.post(url, {"text": "x" * 5001, "share": "on"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please keep this under 5,000 characters." in body
    assert "x" * 5001 in body
    assert not Reflection.objects.exists()


def test_the_timeline_asks_structured_prompts_and_saves_one_reflection(week5, enrollment):
    url = reverse("activity", args=["life-stress-timeline"])
    page = week5.get(url).content.decode()
    for name in ("answer_onset", "answer_before", "answer_flares", "answer_feelings"):
        assert f'name="{name}"' in page
    assert 'name="share"' not in page  # shared with the care team, and the page says so
    assert "Your care team can read what you save here." in page

    empty = week5.post(url, {"answer_onset": "  ", "answer_before": ""})
    assert "Write a few words in at least one box before you save." in empty.content.decode()
    assert not Reflection.objects.exists()

    week5.post(
        url,
        {
            "answer_onset": "Spring 2019",
            "answer_before": "Moved house; Mum's illness",
            "answer_feelings": "I kept busy and never cried.",
        },
    )
    saved = Reflection.objects.get(enrollment=enrollment)
    assert not saved.private
    assert saved.answers == {
        "onset": "Spring 2019",
        "before": "Moved house; Mum's illness",
        "flares": "",
        "feelings": "I kept busy and never cried.",
    }
    assert saved.text == (
        "When did your back pain begin?\nSpring 2019\n\n"
        "What was going on in your life in the year or two before it began?\n"
        "Moved house; Mum's illness\n\n"
        "How did you feel at those times? Did you let yourself feel it, or push it "
        "down and carry on?\nI kept busy and never cried."
    )
    # Opened again, each box holds its own answer.
    again = week5.get(url).content.decode()
    assert "Moved house; Mum&#x27;s illness</textarea>" in again


def test_the_new_activity_pages_and_their_prompts_read_at_grade_8_or_lower():
    # The lessons have their own test (tests/test_curriculum.py); the reflections the
    # feelings lesson leads to, with their prompts, and the tracking script are held to
    # the same grade.
    import textstat

    from tests.test_curriculum import plain_text

    program = read_program(CONTENT_ROOT / "prt-back-8wk")
    by_slug = {a.slug: a for w in program.weeks for a in w.activities}
    for slug in ("life-stress-timeline", "expressive-writing"):
        a = by_slug[slug]
        prompts = " ".join(f"{f['label']} {f['help']}" for f in a.data.get("fields", []))
        for text in (plain_text(a.body_md), a.prompt, prompts):
            if text:
                assert textstat.flesch_kincaid_grade(text) <= 8.0, (slug, text[:60])
    guide = program.tracking_guide
    for text in (guide["intro_md"], *(s["text"] for s in guide["steps"])):
        assert textstat.flesch_kincaid_grade(text) <= 8.0, text[:60]
