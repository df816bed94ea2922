"""Two patients with the same name are told apart wherever staff see a patient listed
or headed (programs.patient_identity): the caseload, the alerts inbox and alert page,
the message inbox and the patient page's header show the date of birth beside the
name ("Born 5 May 1980"), or, before there is one, the email ("Email: …", after
"Invited, not set up yet." before onboarding), which wraps only after its @ and dots."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from tests.clinical_data import add_alert
from tests.factories import Role, make_enrollment, make_member
from tracking.messaging.services import message_send
from tracking.models import Alert

NAME = "Maria Lopez"


@pytest.fixture
def twins(cast, program_version):
    """Two patients of cast.clinician named alike, born on different days, and a third
    named alike who was invited and has not set up yet (no date of birth)."""
    out = []
    for n, born in enumerate((date(1980, 5, 5), date(1991, 2, 3), None)):
        user = make_member(cast.practice, Role.PATIENT, f"maria{n}@riverside.test", name=NAME)
        e = make_enrollment(
            user, cast.clinician, cast.practice, version=program_version, onboarded=born is not None
        )
        e.date_of_birth = born
        e.save(update_fields=["date_of_birth"])
        out.append(e)
    return out


SECOND_IDS = (
    "Born 5 May 1980",
    "Born 3 Feb 1991",
    "Invited, not set up yet. Email: maria2@<wbr>riverside.<wbr>test",
)


def second_id_after(page: str, href: str) -> str:
    """The second identifier shown next after a link to `href`."""
    start = page.index(f'href="{href}"')
    found = re.search(r'<span class="patient-id">(.*?)</span>', page[start:])
    assert found, href
    return found.group(1)


def test_the_caseload_tells_same_name_patients_apart(cast, client, twins):
    client.force_login(cast.clinician)
    page = client.get(reverse("caseload")).content.decode()
    for e, expected in zip(twins, SECOND_IDS, strict=True):
        assert second_id_after(page, reverse("patient_detail", args=[e.pk])) == expected


def test_the_alert_inbox_and_alert_page_tell_same_name_patients_apart(cast, client, twins):
    alerts = [add_alert(e, Alert.Kind.FEAR_HIGH, Alert.Severity.ROUTINE) for e in twins]
    client.force_login(cast.clinician)
    page = client.get(reverse("alert_inbox")).content.decode()
    for alert, expected in zip(alerts, SECOND_IDS, strict=True):
        assert second_id_after(page, reverse("alert_detail", args=[alert.pk])) == expected
        detail = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
        assert f'{NAME} <span class="patient-id">{expected}</span>' in detail


def test_the_message_inbox_tells_same_name_patients_apart(cast, client, twins):
    for e in twins[:2]:
        message_send(enrollment=e, author=e.patient, body="Hello")
    client.force_login(cast.clinician)
    page = client.get(reverse("message_inbox")).content.decode()
    for e, expected in zip(twins[:2], SECOND_IDS[:2], strict=True):
        assert second_id_after(page, reverse("patient_messages", args=[e.pk])) == expected


def test_the_patient_page_header_says_the_second_identifier(cast, client, twins):
    client.force_login(cast.clinician)
    for e, expected in zip(twins, SECOND_IDS, strict=True):
        page = client.get(reverse("patient_detail", args=[e.pk])).content.decode()
        head = page[page.index('<header class="patient-head">') :]
        head = head[: head.index("</header>")]
        assert f'<span class="patient-id">{expected}</span>' in head


def test_it_is_said_in_spanish_and_kept_out_of_urls(cast, client, twins):
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    client.force_login(cast.clinician)
    page = client.get(reverse("caseload")).content.decode()
    assert "Fecha de nacimiento: 5 may 1980" in page
    assert "Invitado/a, aún sin configurar. Correo: maria2@<wbr>riverside.<wbr>test" in page
    for url in re.findall(r'href="([^"]*)"', page):
        assert "1980" not in url and "maria" not in url.lower()


def test_an_onboarded_patient_without_a_date_of_birth_reads_email(cast, client, twins):
    twins[0].date_of_birth = None
    twins[0].save(update_fields=["date_of_birth"])
    twins[0].patient.email = "o'<b>neil@mail.example.org"
    twins[0].patient.save(update_fields=["email"])
    client.force_login(cast.clinician)
    page = client.get(reverse("caseload")).content.decode()
    said = second_id_after(page, reverse("patient_detail", args=[twins[0].pk]))
    assert said == "Email: o&#x27;&lt;b&gt;neil@<wbr>mail.<wbr>example.<wbr>org"  # escaped
    assert "no date of birth" not in page
