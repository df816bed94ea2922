"""The clinicians' daily digest: one email a day at about 07:00 their time, counting
new alerts and missed check-ins since the last one; nothing when there is nothing new."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from tests.test_alerts_factories import make_checkin, run_outbox
from tracking.alerts.services import alert_raise
from tracking.models import Alert, CheckIn, DigestLog
from tracking.tasks import send_daily_digests, send_digest_email

DAY = datetime(2026, 1, 14, tzinfo=UTC)  # winter: New York is UTC−5, Tokyo UTC+9


def at(hours: float, day: datetime = DAY) -> time_machine.travel:
    return time_machine.travel(day + timedelta(hours=hours), tick=False)


def raise_routine(enrollment, kind=Alert.Kind.FEAR_HIGH, source="checkin:1"):
    return alert_raise(
        enrollment=enrollment, kind=kind, severity=Alert.Severity.ROUTINE, source=source
    )


def digests_for(mailoutbox, user):
    return [m for m in mailoutbox if m.to == [user.email]]


def test_it_sends_one_digest_with_the_counts_and_no_health_data(
    cast, enrollment, other_enrollment, mailoutbox
):
    with at(-12):  # yesterday 12:00 UTC
        raise_routine(enrollment, Alert.Kind.FEAR_HIGH, "checkin:1")
        raise_routine(enrollment, Alert.Kind.PAIN_UP, "checkin:2")
        raise_routine(enrollment, Alert.Kind.PAIN_UP, "checkin:3")
        make_checkin(enrollment, "week-1", days_ago=2.75, status=CheckIn.Status.MISSED)
        make_checkin(enrollment, "week-0", days_ago=9, status=CheckIn.Status.MISSED)  # old
        raise_routine(other_enrollment)  # another clinician's patient
    with at(7.1):
        assert send_daily_digests() == 2
        run_outbox()
    [email] = digests_for(mailoutbox, cast.clinician)
    assert email.subject == "Your painapp summary: 3 new alerts, 1 missed check-in"
    assert "Pain up from baseline: 2" in email.body
    assert "High fear of movement: 1" in email.body
    assert "/caseload/" in email.body
    for text in (email.subject, email.body, email.alternatives[0][0]):
        assert "Pat One" not in text and cast.patient.email not in text
    [other] = digests_for(mailoutbox, cast.other_clinician)
    assert other.subject == "Your painapp summary: 1 new alert"
    assert len(mailoutbox) == 2


def test_it_sends_nothing_when_there_is_nothing_new(cast, enrollment, mailoutbox):
    with at(7.1):
        assert send_daily_digests() == 0
        assert run_outbox() == []
    assert mailoutbox == []
    # The day is still recorded, so tomorrow counts from here.
    log = DigestLog.objects.get(clinician=cast.clinician)
    assert (log.local_date, log.sent_at) == (DAY.date(), None)


def test_it_sends_at_most_one_digest_a_day(cast, enrollment, mailoutbox):
    with at(-1):
        raise_routine(enrollment, source="checkin:1")
    with at(7.1):
        send_daily_digests()
        run_outbox()
    with at(9):
        raise_routine(enrollment, source="checkin:2")
        assert send_daily_digests() == 0
    with at(23.9):
        assert send_daily_digests() == 0
        assert run_outbox() == []
    assert len(digests_for(mailoutbox, cast.clinician)) == 1
    # The next morning: only what is new since yesterday's digest.
    with at(24 + 7.1):
        assert send_daily_digests() == 1
        run_outbox()
    first, second = digests_for(mailoutbox, cast.clinician)
    assert second.subject == "Your painapp summary: 1 new alert"


def test_it_waits_for_seven_in_the_clinicians_own_time_zone(
    cast, enrollment, other_enrollment, mailoutbox
):
    cast.clinician.timezone = "America/New_York"
    cast.clinician.save()
    cast.other_clinician.timezone = "Asia/Tokyo"
    cast.other_clinician.save()
    with at(-11.9):  # 07:06 yesterday in New York: nothing to say yet
        assert send_daily_digests() == 0
    with at(-5):
        raise_routine(enrollment)
        raise_routine(other_enrollment)
    with at(-2.5):  # 21:30 UTC = 06:30 in Tokyo, 16:30 yesterday in New York
        assert send_daily_digests() == 0
    with at(-1.9):  # 22:06 UTC = 07:06 in Tokyo
        assert send_daily_digests() == 1
        run_outbox()
    assert [m.to for m in mailoutbox] == [[cast.other_clinician.email]]
    latest = DigestLog.objects.filter(clinician=cast.other_clinician).latest("created_at")
    assert latest.local_date == DAY.date()
    with at(11.5):  # 06:30 in New York
        assert send_daily_digests() == 0
    with at(12.1):  # 07:06 in New York
        assert send_daily_digests() == 1
        run_outbox()
    assert [m.to for m in mailoutbox][-1] == [cast.clinician.email]
    assert len(mailoutbox) == 2


def test_it_sends_a_recorded_digest_once_even_if_the_task_runs_twice(cast, enrollment, mailoutbox):
    with at(-1):
        raise_routine(enrollment)
    with at(7.1):
        send_daily_digests()
    log = DigestLog.objects.get(clinician=cast.clinician)
    send_digest_email(digest_id=log.pk)
    send_digest_email(digest_id=log.pk)
    assert len(mailoutbox) == 1
    log.refresh_from_db()
    assert log.sent_at is not None


def test_it_leaves_out_clinicians_who_are_no_longer_active(cast, enrollment, mailoutbox):
    with at(-1):
        raise_routine(enrollment)
    cast.clinician.memberships.update(is_active=False)
    with at(7.1):
        assert send_daily_digests() == 0
    assert mailoutbox == []


def test_it_lists_alerts_acknowledged_but_not_yet_resolved_as_counts_and_a_link(
    cast, enrollment, other_enrollment, mailoutbox
):
    """Walk-through: the inbox, the alert page and the menu show alerts acknowledged and
    not yet resolved; the digest left them out. Their own short section now: how many,
    and a link to the alerts (no name, no kind, nothing the patient wrote)."""
    from django.urls import reverse

    from tracking.alerts.services import alert_acknowledge

    with at(-24 * 5):  # days ago: not new, still waiting
        old = raise_routine(enrollment, Alert.Kind.PAIN_UP, "checkin:1")
        also = raise_routine(enrollment, Alert.Kind.FEAR_HIGH, "checkin:2")
        theirs = raise_routine(other_enrollment, Alert.Kind.FEAR_HIGH, "checkin:3")
        for alert in (old, also, theirs):
            assert alert_acknowledge(alert=alert, by=cast.admin)
    with at(-12):
        raise_routine(enrollment, Alert.Kind.MISSED, "checkin:4")  # new, still open
    with at(7.1):
        assert send_daily_digests() == 2
        run_outbox()
    [email] = digests_for(mailoutbox, cast.clinician)
    assert email.subject == "Your painapp summary: 1 new alert, 2 to resolve"
    html = email.alternatives[0][0]
    assert "Still to resolve: 2 alerts acknowledged, not yet resolved" in email.body
    assert "Still to resolve: 2 alerts acknowledged, not yet resolved" in html
    assert reverse("alert_inbox") in email.body and reverse("alert_inbox") in html
    for text in (email.subject, email.body, html):
        assert "Pat One" not in text and cast.patient.email not in text
    # Counts only: the kinds of the waiting alerts are not named either.
    assert "Pain up" not in email.body and "fear" not in email.body.lower()
    [other] = digests_for(mailoutbox, cast.other_clinician)
    assert other.subject == "Your painapp summary: 1 to resolve"  # nothing new: still sent
    assert "Still to resolve: 1 alert acknowledged, not yet resolved" in other.body
    assert DigestLog.objects.get(clinician=cast.clinician).acknowledged_count == 2


def test_a_spanish_digest_says_the_same(cast, enrollment, mailoutbox):
    from tracking.alerts.services import alert_acknowledge

    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    with at(-24 * 5):
        alert = raise_routine(enrollment)
        assert alert_acknowledge(alert=alert, by=cast.clinician)
    with at(7.1):
        assert send_daily_digests() == 1
        run_outbox()
    [email] = digests_for(mailoutbox, cast.clinician)
    assert email.subject == "Su resumen de painapp: 1 por resolver"
    assert "Por resolver: 1 alerta reconocida, aún sin resolver" in email.body
