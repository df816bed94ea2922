"""The alert page (and its resolve form) links to the patient's record and to the staff
view that shows the entry which raised the alert (tracking.alerts.links): following it
shows what the patient wrote, with the read audited there as always; staff who may not
open the record get no link, and outsiders still get a 404."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent
from tests.test_free_text_scanning import CRISIS, WRITERS
from tracking.diary.models import DiaryEntry
from tracking.models import Alert, EscalationStep


def links_of(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<a [^>]*href="([^"]+)"', page)]


def entry_link(client, alert: Alert, page_name: str = "alert_detail") -> str:
    page = client.get(reverse(page_name, args=[alert.pk])).content.decode()
    section = page[page.index('class="actions alert-links"') :]
    section = section[: section.index("</p>")]
    found = links_of(section)
    assert found[0] == reverse("patient_detail", args=[alert.enrollment_id])
    assert len(found) == 2, found
    return found[1]


def open_link(client, url: str):
    path, _, fragment = url.partition("#")
    response = client.get(path)
    assert response.status_code == 200, url
    page = response.content.decode()
    if fragment:
        assert f'id="{fragment}"' in page, fragment  # the anchor is on the page
    return page


# Where each writer's words are shown to staff in full.
SHOWN = {
    "tracking.DiaryEntry.self_talk",
    "tracking.DiaryEntry.activity_note",
    "tracking.Message.body",
    "programs.Reflection.text",
    "programs.AttributionCause.text",
    "programs.FearItem.label",
}


@pytest.mark.parametrize("field", sorted(WRITERS))
def test_the_alert_links_to_the_entry_that_raised_it(cast, client, enrollment, field):
    WRITERS[field](enrollment, CRISIS)
    alert = Alert.objects.get(enrollment=enrollment, kind=Alert.Kind.SELF_HARM)
    client.force_login(cast.clinician)
    for page_name in ("alert_detail", "alert_resolve"):
        url = entry_link(client, alert, page_name)
        assert url.startswith(f"/patients/{enrollment.pk}/")
        assert CRISIS not in url  # never the words in a URL
        target = open_link(client, url)
        if field in SHOWN:
            assert CRISIS in html.unescape(target), (field, url)


def test_the_diary_link_shows_the_entry_even_when_it_is_not_among_the_newest(
    cast, client, enrollment
):
    WRITERS["tracking.DiaryEntry.self_talk"](enrollment, CRISIS)
    flagged = DiaryEntry.objects.get(enrollment=enrollment)
    DiaryEntry.objects.filter(pk=flagged.pk).update(occurred_at=timezone.now() - timedelta(days=20))
    for n in range(6):  # six newer episodes: the page lists the newest five
        WRITERS["tracking.DiaryEntry.activity_note"](enrollment, f"Walked to the shop {n}")
    alert = Alert.objects.get(enrollment=enrollment, kind=Alert.Kind.SELF_HARM)
    client.force_login(cast.clinician)
    url = entry_link(client, alert)
    assert url == (reverse("patient_diary", args=[enrollment.pk]) + f"?entry={flagged.pk}#diary")
    before = AuditEvent.objects.filter(action="patient.diary_viewed").count()
    page = html.unescape(open_link(client, url))
    assert CRISIS in page
    # Read like any view of the diary: audited, against the patient.
    assert AuditEvent.objects.filter(action="patient.diary_viewed").count() == before + 1
    read = AuditEvent.objects.filter(action="patient.diary_viewed").latest("pk")
    assert (read.actor, read.subject) == (cast.clinician, cast.patient)
    # Without the id the newest five only, as before.
    plain = client.get(reverse("patient_diary", args=[enrollment.pk])).content.decode()
    plain = html.unescape(plain)
    assert CRISIS not in plain


def test_another_patients_entry_is_never_shown_and_outsiders_get_a_404(
    cast, client, enrollment, other_enrollment
):
    WRITERS["tracking.DiaryEntry.self_talk"](other_enrollment, CRISIS)
    theirs = DiaryEntry.objects.get(enrollment=other_enrollment)
    client.force_login(cast.clinician)
    # This clinician's own patient, with the other patient's entry id: not shown.
    mine = client.get(reverse("patient_diary", args=[enrollment.pk]), {"entry": theirs.pk})
    assert CRISIS not in html.unescape(mine.content.decode())
    # A junk or huge id is ignored, never an error.
    for junk in ("x", "99999999999999999999999", "-1"):
        response = client.get(reverse("patient_diary", args=[enrollment.pk]), {"entry": junk})
        assert response.status_code == 200
    alert = Alert.objects.get(enrollment=other_enrollment, kind=Alert.Kind.SELF_HARM)
    for who in ("clinician", "outsider_admin", "outsider_clinician"):
        client.force_login(getattr(cast, who))
        assert client.get(reverse("alert_detail", args=[alert.pk])).status_code == 404
        response = client.get(
            reverse("patient_diary", args=[other_enrollment.pk]), {"entry": theirs.pk}
        )
        assert response.status_code == 404


def test_someone_the_chain_brought_it_to_is_told_who_can_open_the_record(cast, client, enrollment):
    WRITERS["tracking.Message.body"](enrollment, CRISIS)
    alert = Alert.objects.get(enrollment=enrollment, kind=Alert.Kind.SELF_HARM)
    EscalationStep.objects.filter(practice=cast.practice).delete()
    EscalationStep.objects.create(
        practice=cast.practice, position=1, target="staff", user=cast.other_clinician
    )
    Alert.objects.filter(pk=alert.pk).update(
        escalation_position=1, escalation_tier=1, escalated_to=[cast.other_clinician.pk]
    )
    client.force_login(cast.other_clinician)
    page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "alert-links" not in page
    assert reverse("patient_detail", args=[enrollment.pk]) not in page
    assert "Only the patient's clinician and your practice's admins" in html.unescape(page)
    # The admin, who may open every record, gets the links.
    client.force_login(cast.admin)
    url = entry_link(client, alert)
    assert url == reverse("patient_messages", args=[enrollment.pk]) + "#conversation"
    assert CRISIS in html.unescape(open_link(client, url))


def test_the_links_are_in_spanish(cast, client, enrollment):
    WRITERS["tracking.DiaryEntry.self_talk"](enrollment, CRISIS)
    alert = Alert.objects.get(enrollment=enrollment, kind=Alert.Kind.SELF_HARM)
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    client.force_login(cast.clinician)
    page = html.unescape(client.get(reverse("alert_detail", args=[alert.pk])).content.decode())
    assert f"Abrir el expediente de {cast.patient.display_name}" in page
    assert "Leer la entrada del diario" in page
