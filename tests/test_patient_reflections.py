"""The clinician sees what the patient was told is shared (issue 16, Build 7).

The patient's detail has a "Reflections and clues" section: every reflection and clue
checklist, newest first, with its activity's title, except entries the patient kept
private, which appear only as a count ("1 private entry"), never their text. The look
is audited, outsiders get a 404, and the page costs the same queries however many
entries there are.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent
from programs.models import Activity, ActivityKind, Reflection
from programs.services import reflection_save

SECRET = "The letter to my father I will never send"
SECTION_QUERIES = 7  # session, user, membership, enrollment, audit event, entries, count
# (the menu's badges from the cache after the first page: painapp.accounts.badges)


def activity(enrollment, slug) -> Activity:
    return Activity.objects.get(week__version=enrollment.program_version, slug=slug)


def url(enrollment) -> str:
    return reverse("patient_reflections", args=[enrollment.pk])


@pytest.fixture
def writing(enrollment):
    """A clue checklist, a reflection, a structured timeline, and one private entry."""
    evidence = activity(enrollment, "evidence-week-1")
    keys = [i["key"] for i in evidence.data["items"]][:2]
    reflection_save(
        enrollment=enrollment, activity=evidence, checked=keys, text="Worse on work days"
    )
    reflection_save(
        enrollment=enrollment, activity=activity(enrollment, "kind-voice"), text="Go gently"
    )
    reflection_save(
        enrollment=enrollment,
        activity=activity(enrollment, "life-stress-timeline"),
        text="When did your back pain begin?\nSpring 2019",
        answers={"onset": "Spring 2019"},
    )
    reflection_save(
        enrollment=enrollment, activity=activity(enrollment, "expressive-writing"), text=SECRET
    )
    # Oldest first: the checklist, then the reflection, the timeline, the private one.
    now = timezone.now()
    for n, r in enumerate(Reflection.objects.order_by("pk")):
        Reflection.objects.filter(pk=r.pk).update(updated_at=now - timedelta(days=10 - n))
    return evidence, keys


def test_it_shows_shared_entries_newest_first_and_only_counts_private_ones(
    client, cast, enrollment, writing
):
    evidence, keys = writing
    client.force_login(cast.clinician)
    response = client.get(url(enrollment))
    assert response.status_code == 200
    page = response.content.decode()
    assert SECRET not in page
    assert "<strong>1 private entry.</strong>" in page
    titles = ["Your life around the time your pain began", "Finding a kinder voice"]
    assert page.index(titles[0]) < page.index(titles[1]) < page.index(evidence.title)
    assert "Go gently" in page and "Spring 2019" in page and "Worse on work days" in page
    for item in evidence.data["items"][:2]:
        assert item["text"] in page  # the clues ticked, in words
    assert evidence.data["items"][2]["text"] not in page
    assert "Clues ticked (2):" in page
    assert 'aria-current="page">Reflections and clues</a>' in page
    # The private entry's title is not listed either: only the count.
    assert "Write it out" not in page


def test_it_says_when_every_entry_is_private_and_when_there_are_none(client, cast, enrollment):
    client.force_login(cast.clinician)
    assert "Nothing written yet." in client.get(url(enrollment)).content.decode()
    writing = activity(enrollment, "expressive-writing")
    reflection_save(enrollment=enrollment, activity=writing, text=SECRET)
    page = client.get(url(enrollment)).content.decode()
    assert "<strong>1 private entry.</strong>" in page and "Nothing written yet." not in page
    assert SECRET not in page
    # Shared by the patient: shown, and no longer counted as private.
    reflection_save(enrollment=enrollment, activity=writing, text=SECRET, shared=True)
    page = client.get(url(enrollment)).content.decode()
    assert SECRET in page and "private entr" not in page


def test_it_counts_several_private_entries(client, cast, enrollment):
    writing = activity(enrollment, "expressive-writing")
    reflection_save(enrollment=enrollment, activity=writing, text=SECRET)
    # A second private entry (a practice's own private-by-default activity).
    kind_voice = activity(enrollment, "kind-voice")
    Reflection.objects.create(enrollment=enrollment, activity=kind_voice, text="x", private=True)
    client.force_login(cast.admin)
    page = client.get(url(enrollment)).content.decode()
    assert "<strong>2 private entries.</strong>" in page


def test_the_look_is_audited(client, cast, enrollment, writing):
    client.force_login(cast.clinician)
    client.get(url(enrollment), REMOTE_ADDR="198.51.100.7")
    event = AuditEvent.objects.get(action="patient.reflections_viewed")
    assert (event.actor, event.subject, event.practice) == (
        cast.clinician,
        cast.patient,
        cast.practice,
    )
    assert (event.object_type, event.object_id, event.ip) == (
        "programs.enrollment",
        str(enrollment.pk),
        "198.51.100.7",
    )


@pytest.mark.parametrize("who", ["other_clinician", "outsider_admin", "outsider_clinician"])
def test_it_hides_the_section_from_other_staff(client, cast, enrollment, writing, who):
    client.force_login(getattr(cast, who))
    response = client.get(url(enrollment))
    assert response.status_code == 404
    assert "Go gently" not in response.content.decode()
    denied = AuditEvent.objects.get(action="access.denied")
    assert (denied.object_id, denied.subject) == (str(enrollment.pk), None)
    assert not AuditEvent.objects.filter(action="patient.reflections_viewed").exists()


@pytest.mark.parametrize("who", ["patient", "other_patient"])
def test_it_is_not_for_patients(client, cast, enrollment, writing, who):
    client.force_login(getattr(cast, who))
    assert client.get(url(enrollment)).status_code == 404


@pytest.mark.parametrize("everything", [False, True])
def test_it_costs_the_same_queries_however_many_entries(
    client, cast, enrollment, everything, django_assert_num_queries
):
    activities = Activity.objects.filter(
        week__version=enrollment.program_version,
        kind__in=[ActivityKind.LESSON, ActivityKind.REFLECTION, ActivityKind.EVIDENCE],
    )
    if not everything:
        activities = activities[:1]
    for a in activities:
        reflection_save(enrollment=enrollment, activity=a, text=f"About {a.slug}")
    assert Reflection.objects.count() > (20 if everything else 0)
    client.force_login(cast.clinician)
    client.get(url(enrollment))  # the session's first write is not the page's cost
    with django_assert_num_queries(SECTION_QUERIES):
        response = client.get(url(enrollment))
    page = response.content.decode()
    assert (
        page.count('<li class="card" id="reflection-')
        == Reflection.objects.filter(private=False).count()
    )


# ------------------------------------------------------------------ exports
def test_no_staff_export_holds_a_private_entry(client, cast, enrollment, writing):
    client.force_login(cast.clinician)
    for name in ("patient_summary", "patient_csv", "patient_fhir"):
        response = client.get(reverse(name, args=[enrollment.pk]))
        assert response.status_code == 200, name
        body = b"".join(response) if response.streaming else response.content
        assert SECRET.encode() not in body, name
    client.force_login(cast.admin)
    for name in ("admin_outcomes_csv", "admin_audit_csv"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        body = b"".join(response) if response.streaming else response.content
        assert SECRET.encode() not in body, name


def test_the_patients_own_export_holds_private_entries_marked_private(cast, enrollment, writing):
    import io
    import json
    import zipfile

    from painapp.accounts.data_export import data_export_build

    export = data_export_build(user=cast.patient)
    document = json.loads(zipfile.ZipFile(io.BytesIO(export.content)).read("my-data.json"))
    rows = {r["text"]: r for r in document["tables"]["programs.reflection"]}
    assert rows[SECRET]["private"] is True
    assert rows[SECRET]["activity_title"] == "Write it out"
    assert rows["Go gently"]["private"] is False
    timeline = rows["When did your back pain begin?\nSpring 2019"]
    assert timeline["answers"] == {"onset": "Spring 2019"}
