"""The alert inbox (issue 15): one page of the alerts not yet resolved, overdue first,
scoped (a clinician their own patients', an admin the practice's), with the open count
in the staff menu at a constant cost; and resolving only with a documented contact."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from tests.factories import make_enrollment
from tracking.alerts.services import alert_raise
from tracking.models import Alert, AlertResolution

T0 = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)  # a Tuesday, in working hours


def raise_alert(enrollment, kind=Alert.Kind.SELF_HARM, severity=Alert.Severity.URGENT, n=1):
    alert = alert_raise(enrollment=enrollment, kind=kind, severity=severity, source=f"t:{n}")
    assert alert is not None
    return alert


@pytest.fixture
def alerts(cast, enrollment, other_enrollment):
    with time_machine.travel(T0, tick=False):
        urgent = raise_alert(enrollment)
        routine = raise_alert(enrollment, Alert.Kind.FEAR_HIGH, Alert.Severity.ROUTINE, 2)
        theirs = raise_alert(other_enrollment, Alert.Kind.PAIN_UP, Alert.Severity.HIGH, 3)
    return {"urgent": urgent, "routine": routine, "theirs": theirs}


def test_it_lists_a_clinicians_own_patients_alerts_overdue_first(cast, client, alerts):
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        client.force_login(cast.clinician)  # in the travelled time: staff sessions idle out
        page = client.get(reverse("alert_inbox")).content.decode()
    assert page.index("Thoughts of self-harm reported") < page.index("High fear of movement")
    # The urgent one: due an hour after it was raised.
    assert "Now — overdue since Tue 8 Dec 2026, 11:00</strong> (1\xa0hour late)" in page
    # The routine one: 3 working days, said from its due time (wording.due_phrase).
    assert "Due by Fri 11 Dec 2026, 10:00" in page
    assert cast.patient.display_name in page
    assert cast.other_patient.display_name not in page  # not their patient
    assert reverse("alert_detail", args=[alerts["theirs"].pk]) not in page
    # The menu counts their open alerts.
    assert 'class="nav__badge">2<' in page
    assert AuditEvent.objects.filter(action="alert.inbox_viewed", actor=cast.clinician).count() == 2


def test_a_fresh_urgent_alert_comes_before_weeks_overdue_high_ones(cast, client, enrollment):
    """Overdue first only within a severity: a self-harm alert due in minutes must not
    wait at the bottom below old "pain up" alerts nobody acknowledged."""
    with time_machine.travel(T0 - timedelta(weeks=3), tick=False):
        stale = raise_alert(enrollment, Alert.Kind.PAIN_UP, Alert.Severity.HIGH, 2)
    with time_machine.travel(T0, tick=False):
        routine = raise_alert(enrollment, Alert.Kind.FEAR_HIGH, Alert.Severity.ROUTINE, 3)
        urgent = raise_alert(enrollment)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        client.force_login(cast.clinician)
        page = client.get(reverse("alert_inbox")).content.decode()
    order = [page.index(reverse("alert_detail", args=[a.pk])) for a in (urgent, stale, routine)]
    assert order == sorted(order)
    assert "Urgent ones come first, then the most overdue." in page


def test_each_alert_says_how_long_it_has_waited_even_once_escalated(cast, client, alerts):
    """Escalation gives the next person a new "Due in": how long the alert has been open
    is on the card too."""
    alerts["routine"].escalation_tier = 1
    alerts["routine"].save(update_fields=["escalation_tier"])
    with time_machine.travel(T0 + timedelta(days=3, hours=2), tick=False):
        client.force_login(cast.clinician)
        page = client.get(reverse("alert_inbox")).content.decode()
        cast.clinician.language = "es"
        cast.clinician.save(update_fields=["language"])
        spanish = client.get(reverse("alert_inbox")).content.decode()
    assert page.count("(3\xa0days, 2\xa0hours ago)") == 2
    assert spanish.count("(hace 3\xa0días, 2\xa0horas)") == 2


def test_it_shows_an_admin_the_whole_practice(cast, client, alerts):
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        client.force_login(cast.admin)
        page = client.get(reverse("alert_inbox")).content.decode()
    for alert in alerts.values():
        assert reverse("alert_detail", args=[alert.pk]) in page
    assert 'class="nav__badge">3<' in page


def test_it_shows_outsiders_nothing(cast, client, alerts):
    client.force_login(cast.outsider_admin)
    page = client.get(reverse("alert_inbox")).content.decode()
    assert "No alerts to follow up" in page
    for alert in alerts.values():
        assert client.get(reverse("alert_detail", args=[alert.pk])).status_code == 404
        assert client.get(reverse("alert_resolve", args=[alert.pk])).status_code == 404
        assert client.post(reverse("alert_resolve", args=[alert.pk]), {}).status_code == 404
    client.force_login(cast.patient)
    assert client.get(reverse("alert_inbox")).status_code in (403, 404)


@pytest.mark.parametrize("role", ["clinician", "admin"])
def test_it_costs_the_same_queries_for_few_or_many_alerts(
    cast, client, program_version, django_assert_num_queries, role
):
    from tests.factories import Role, make_member

    client.force_login(getattr(cast, role))
    counts = []
    for size in (2, 20):
        with time_machine.travel(T0, tick=False):
            while Alert.objects.filter(practice=cast.practice).count() < size:
                n = Alert.objects.count()
                patient = make_member(cast.practice, Role.PATIENT, f"p{n}@riverside.test")
                enrollment = make_enrollment(
                    patient, cast.clinician, cast.practice, version=program_version
                )
                raise_alert(enrollment, n=n)
        client.get(reverse("alert_inbox"))  # warm the session
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("alert_inbox"))
        assert response.status_code == 200
        assert response.content.decode().count("Record contact and resolve<") == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    with django_assert_num_queries(counts[1]):
        client.get(reverse("alert_inbox"))


def test_it_refuses_to_resolve_without_a_contact_outcome_and_keeps_what_was_typed(
    cast, client, alerts
):
    alert = alerts["urgent"]
    client.force_login(cast.clinician)
    response = client.post(
        reverse("alert_resolve", args=[alert.pk]),
        {"contacted": "yes", "note": "Rang twice, spoke at 3pm <b>", "plan": ["safety_plan"]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The alert is not resolved yet" in page
    assert "Enter when the contact happened." in page
    assert "Choose how the contact happened." in page
    assert "Choose the risk level you judged after contact." in page
    assert "Rang twice, spoke at 3pm &lt;b&gt;" in page  # kept, and escaped
    assert re.search(r'value="safety_plan"[^>]*checked', page)
    alert.refresh_from_db()
    assert alert.status == "open"
    assert not AlertResolution.objects.exists()

    response = client.post(reverse("alert_resolve", args=[alert.pk]), {})
    assert response.status_code == 400
    assert "Say whether someone made contact with the patient." in response.content.decode()


def test_it_resolves_with_the_documented_contact(cast, client, alerts):
    alert = alerts["urgent"]
    # Raised before the contact below (a contact before the alert is refused).
    Alert.objects.filter(pk=alert.pk).update(created_at=datetime(2026, 11, 30, 9, tzinfo=UTC))
    client.force_login(cast.clinician)
    response = client.post(
        reverse("alert_resolve", args=[alert.pk]),
        {
            "contacted": "yes",
            "contacted_at": "2026-12-01T14:05",
            "method": "video",
            "risk_after": "medium",
            "plan": ["safety_plan", "crisis_team"],
            "note": "Agreed a safety plan; crisis team referral made.",
        },
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.resolved_by) == ("resolved", cast.clinician)
    r = alert.resolution
    assert (r.contacted, r.method, r.risk_after, r.plan, r.created_by) == (
        True,
        "video",
        "medium",
        ["safety_plan", "crisis_team"],
        cast.clinician,
    )
    page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "Contact outcome" in page and "Referred to a crisis team" in page
    # The printable summary, a staff export, carries it too.
    summary = client.get(reverse("patient_summary", args=[alert.enrollment_id])).content.decode()
    assert "Agreed a safety plan" in summary and "by video" in summary
    assert "patient contacted 1 Dec 2026, 14:05 by video; risk after contact: medium" in summary
    assert AuditEvent.objects.filter(action="alert.resolved", object_id=str(alert.pk)).count() == 1


def test_it_shows_the_patients_numbers_on_the_alert_and_audits_the_read(
    cast, client, enrollment, alerts
):
    enrollment.contact_phone = "+44 7700 900123"
    enrollment.emergency_contact_name = "Sam Next"
    enrollment.emergency_contact_phone = "+44 7700 900456"
    enrollment.save()
    client.force_login(cast.clinician)
    page = client.get(reverse("alert_detail", args=[alerts["urgent"].pk])).content.decode()
    assert 'href="tel:+44 7700 900123"' in page
    assert "Sam Next" in page and "+44 7700 900456" in page
    event = AuditEvent.objects.get(action="alert.contact_details_viewed")
    assert (event.actor, event.subject, event.object_id) == (
        cast.clinician,
        cast.patient,
        str(alerts["urgent"].pk),
    )


def test_the_menu_count_and_the_inbox_say_in_words_what_each_counts(cast, client, alerts):
    """Walk-through: the menu's number (alerts that need you now) and the inbox's (every
    alert not yet resolved) differed with nothing saying why."""
    from tracking.alerts.resolve_clock import escalate_unresolved_alerts
    from tracking.alerts.services import alert_acknowledge

    enrollment = alerts["urgent"].enrollment
    with time_machine.travel(T0, tick=False):
        late = raise_alert(enrollment, Alert.Kind.PAIN_UP, Alert.Severity.HIGH, 4)
        assert alert_acknowledge(alert=late, by=cast.clinician)
        assert alert_acknowledge(alert=alerts["routine"], by=cast.clinician)
    with time_machine.travel(T0 + timedelta(days=1, minutes=5), tick=False):
        assert escalate_unresolved_alerts() == 1  # `late` is past its resolve time
        client.force_login(cast.clinician)
        page = client.get(reverse("alert_inbox")).content.decode()
        cast.clinician.language = "es"
        cast.clinician.save(update_fields=["language"])
        spanish = client.get(reverse("alert_inbox")).content.decode()
    # The menu: 1 to acknowledge + 1 past its resolve time; the acknowledged one still
    # in time is in the inbox only.
    assert (
        'Alerts <span class="nav__badge">2<span class="visually-hidden"> (1 needs '
        "acknowledging · 1 acknowledged and past its resolve time)</span>"
    ) in page
    assert (
        "3 alerts to follow up:</strong> 1 needs acknowledging · 2 acknowledged, not yet "
        "resolved (1 acknowledged and past its resolve time)."
    ) in page
    assert "The number beside Alerts in the menu counts only the alerts that need you now" in page
    assert (
        '<span class="nav__badge">2<span class="visually-hidden"> (1 por reconocer · 1 '
        "reconocida y fuera de su plazo para resolverla)</span>"
    ) in spanish
    assert (
        "3 alertas por atender:</strong> 1 por reconocer · 2 reconocidas, aún sin "
        "resolver (1 reconocida y fuera de su plazo para resolverla)."
    ) in spanish


def test_every_alert_page_writes_times_one_way_in_the_viewers_zone_and_language(
    cast, client, alerts
):
    """Walk-through: the inbox wrote "8 Dec 2026, 10:00", the alert and its resolve
    page "8 December 2026, 10:00", the patient's record a third way. One format now
    (tracking.alerts.wording.alert_time), in the viewer's zone: New York, five hours
    behind the practice's UTC."""
    from tracking.alerts.services import alert_acknowledge

    alert = alerts["urgent"]
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        assert alert_acknowledge(alert=alert, by=cast.clinician)
    cast.clinician.timezone = "America/New_York"
    cast.clinician.save(update_fields=["timezone"])
    pages = [
        reverse("alert_inbox"),
        reverse("alert_detail", args=[alert.pk]),
        reverse("alert_resolve", args=[alert.pk]),
        reverse("patient_detail", args=[alert.enrollment_id]),
    ]
    for language, raised, acknowledged in (
        ("en", "Tue 8 Dec 2026, 05:00", "Tue 8 Dec 2026, 05:10"),
        ("es", "mar 8 dic 2026, 05:00", "mar 8 dic 2026, 05:10"),
    ):
        cast.clinician.language = language
        cast.clinician.save(update_fields=["language"])
        with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
            client.force_login(cast.clinician)
            for url in pages:
                page = client.get(url).content.decode()
                assert raised in page, (language, url)
                for other_way in ("December", "diciembre", "8 Dec 2026, 10:00", "8 Dec, 05:"):
                    assert other_way not in page, (language, url, other_way)
            detail = client.get(pages[1]).content.decode()
            assert acknowledged in detail, language
