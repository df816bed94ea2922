"""Saved caseload filters (issue 19, point 7): a clinician names the caseload's current
filter set, finds it in a short list on the caseload and reapplies it with one link.
Each list belongs to one user at one practice; anyone else's filter is a 404. Bad names
get a plain message, the caseload as it was, and the name as typed."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from programs.enrollment_status import status_filter
from programs.models import Enrollment
from tracking.clinic.caseload import CaseloadQuery
from tracking.clinic.saved_filters import (
    SavedFilterError,
    saved_filter_create,
    saved_filter_delete,
    saved_filters_for,
)
from tracking.models import SavedCaseloadFilter
from tracking.saved_filters.models import SAVED_FILTERS_MAX

SAVE = "caseload_filter_save"


@pytest.fixture
def clin(client, cast):
    client.force_login(cast.clinician)
    return client


def test_it_saves_the_current_filters_and_lists_them_as_a_link(clin, cast, enrollment):
    response = clin.post(
        reverse(SAVE),
        {
            "name": "  Urgent   first ",
            "has_alerts": "on",
            "missed": "on",
            "status": "active",
            "sort": "pain",
            "dir": "asc",
            "q": "Pat",
        },
    )
    assert response.status_code == 302
    saved = SavedCaseloadFilter.objects.get()
    assert (saved.user, saved.practice, saved.name) == (
        cast.clinician,
        cast.practice,
        "Urgent first",
    )
    assert (saved.status, saved.has_alerts, saved.not_improving, saved.missed) == (
        "active",
        True,
        False,
        True,
    )
    assert (saved.sort, saved.direction) == ("pain", "asc")
    # Back on the caseload with the filters applied; the name search is never kept.
    assert response.url == "/caseload/?status=active&has_alerts=on&missed=on&sort=pain&dir=asc"
    page = clin.get(response.url)
    body = page.content.decode()
    assert "Saved your filters as “Urgent first”." in body
    link = page.context["saved_filters"][0]
    assert link.name == "Urgent first" and link.url == response.url and link.current
    assert (
        f'href="{response.url.replace("&", "&amp;")}" aria-current="true">Urgent first</a>' in body
    )


def test_reapplying_a_saved_filter_shows_what_it_filters(clin, cast, enrollment, other_enrollment):
    saved_filter_create(
        user=cast.clinician,
        practice_id=cast.practice.pk,
        name="Holds",
        query=CaseloadQuery(status="hold"),
    )
    url = clin.get(reverse("caseload")).context["saved_filters"][0].url
    assert url == "/caseload/?status=hold"
    response = clin.get(url)
    assert response.context["query"].status == "hold"
    assert response.context["saved_filters"][0].current


def test_the_save_form_carries_the_filters_shown(clin, enrollment):
    body = clin.post(
        reverse("caseload"), {"not_improving": "on", "sort": "week", "q": "x"}, follow=True
    ).content.decode()
    assert 'value="x"' in body  # the search is on
    assert '<input type="hidden" name="not_improving" value="on" form="caseload-save">' in body
    assert '<input type="hidden" name="sort" value="week" form="caseload-save">' in body
    assert 'name="q" value="x" form="caseload-save"' not in body


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give these filters a name, such as “Urgent first”."),
        ("    ", "Give these filters a name, such as “Urgent first”."),
        ("x" * 61, "Keep the name to 60 characters or fewer."),
        ("tab\x07bell", "Use letters, numbers and spaces in the name."),
    ],
)
def test_a_bad_name_gets_a_plain_message_and_keeps_the_page(clin, enrollment, name, message):
    response = clin.post(reverse(SAVE), {"name": name, "has_alerts": "on"})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and 'aria-invalid="true"' in body
    assert response.context["query"].has_alerts  # the caseload as it was
    assert not SavedCaseloadFilter.objects.exists()
    if name.strip() and len(name) > 60:
        assert f'value="{name}"' in body  # what was typed, to correct


def test_a_name_already_used_gets_a_plain_message(clin, cast, enrollment):
    clin.post(reverse(SAVE), {"name": "Mondays", "missed": "on"})
    response = clin.post(reverse(SAVE), {"name": "mondays", "has_alerts": "on"})
    assert response.status_code == 400
    assert "You already have saved filters called “mondays”. Choose another name." in (
        response.content.decode()
    )
    assert SavedCaseloadFilter.objects.get().missed


def test_the_list_has_a_limit_said_in_words(cast):
    for i in range(SAVED_FILTERS_MAX):
        saved_filter_create(
            user=cast.clinician, practice_id=cast.practice.pk, name=f"F{i}", query=CaseloadQuery()
        )
    with pytest.raises(SavedFilterError) as raised:
        saved_filter_create(
            user=cast.clinician,
            practice_id=cast.practice.pk,
            name="One more",
            query=CaseloadQuery(),
        )
    assert raised.value.code == "too_many"


def test_each_list_is_one_users_at_one_practice(client, cast, enrollment):
    mine = saved_filter_create(
        user=cast.clinician, practice_id=cast.practice.pk, name="Mine", query=CaseloadQuery()
    )
    # The same name is free for a colleague and at another practice.
    saved_filter_create(
        user=cast.other_clinician, practice_id=cast.practice.pk, name="Mine", query=CaseloadQuery()
    )
    saved_filter_create(
        user=cast.outsider_clinician,
        practice_id=cast.other_practice.pk,
        name="Theirs",
        query=CaseloadQuery(),
    )
    assert list(saved_filters_for(user=cast.clinician, practice_id=cast.practice.pk)) == [mine]
    assert not saved_filters_for(user=cast.clinician, practice_id=cast.other_practice.pk).exists()
    client.force_login(cast.other_clinician)
    links = client.get(reverse("caseload")).context["saved_filters"]
    assert [link.pk for link in links] != [mine.pk] and len(links) == 1


@pytest.mark.parametrize("who", ["other_clinician", "outsider_clinician", "admin", "patient"])
def test_nobody_else_can_delete_a_saved_filter(client, cast, who):
    mine = saved_filter_create(
        user=cast.clinician, practice_id=cast.practice.pk, name="Mine", query=CaseloadQuery()
    )
    client.force_login(getattr(cast, who))
    response = client.post(reverse("caseload_filter_delete", args=[mine.pk]))
    assert response.status_code == 404
    assert SavedCaseloadFilter.objects.filter(pk=mine.pk).exists()
    with pytest.raises(Http404):
        saved_filter_delete(user=getattr(cast, who), practice_id=cast.practice.pk, pk=mine.pk)


def test_the_owner_deletes_their_saved_filter(clin, cast):
    mine = saved_filter_create(
        user=cast.clinician, practice_id=cast.practice.pk, name="Mine", query=CaseloadQuery()
    )
    response = clin.post(reverse("caseload_filter_delete", args=[mine.pk]), follow=True)
    assert "Deleted the saved filters “Mine”." in response.content.decode()
    assert not SavedCaseloadFilter.objects.exists()


@pytest.mark.parametrize("who", ["admin", "patient", "outsider_admin"])
def test_saving_is_for_clinicians_only(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.post(reverse(SAVE), {"name": "Mine"}).status_code == 404
    assert not SavedCaseloadFilter.objects.exists()


def test_a_page_with_a_bad_name_still_audits_the_patients_it_shows(clin, cast, enrollment):
    clin.post(reverse(SAVE), {"name": ""})
    assert AuditEvent.objects.filter(action="caseload.viewed", actor=cast.clinician).count() == 1


def test_a_saved_filter_holding_an_unknown_status_still_opens_the_caseload(clin, cast, enrollment):
    # Saved before a status was renamed or dropped: saved filters are not re-checked.
    SavedCaseloadFilter.objects.create(
        user=cast.clinician, practice_id=cast.practice.pk, name="Old", status="bogus"
    )
    page = clin.get(reverse("caseload"))
    assert page.status_code == 200
    url = page.context["saved_filters"][0].url
    response = clin.get(url)
    assert response.status_code == 200
    # The unknown status filters nothing: the patient is still listed.
    assert enrollment.patient.full_name in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_status_filters_nothing(enrollment):
    assert Enrollment.objects.filter(status_filter("bogus")).count() == Enrollment.objects.count()
    assert Enrollment.objects.filter(status_filter("withdrawn")).count() == 0
