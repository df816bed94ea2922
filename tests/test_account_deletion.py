"""A patient deletes their account: confirmed, behind their password, at once and for
good — reminders stop, sessions end, their data goes, only the audit trail stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from painapp.accounts import data_rights
from painapp.accounts.models import AuditEvent, Membership, User
from tests.data_rights_data import make_rich_data
from tests.factories import PASSWORD
from tests.test_data_export import STAFF_ONLY, rows_about, tables_about_people
from tracking.models import Alert, BulkImport, Delivery, Notification, ReminderSchedule
from tracking.reminders.schedules import schedules_sync
from tracking.reminders.sweep import sweep_due_reminders
from tracking.tasks import _send_one


def login(client, user) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def delete(client, **data):
    return client.post(reverse("account_delete"), {"confirm": "on", **data})


def is_logged_in(client) -> bool:
    return SESSION_KEY in client.session


@pytest.fixture
def rich(client, cast, enrollment, other_enrollment):
    login(client, cast.patient)
    mine = make_rich_data(enrollment, marker="MINE-7f3a", staff=cast.admin)
    theirs = make_rich_data(other_enrollment, marker="THEIRS-91bc", staff=cast.admin)
    return mine, theirs


def counts(user: User) -> dict[str, int]:
    return {label: rows_about(label, user) for label in tables_about_people()}


# ---------------------------------------------------------------- asking first
def test_it_explains_what_happens_and_deletes_nothing_on_a_get(client, cast, enrollment):
    login(client, cast.patient)
    page = client.get(reverse("account_delete"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Reminders stop right away" in body
    assert "cannot be undone" in body
    assert reverse("my_data") in body  # a copy first
    assert User.objects.get(pk=cast.patient.pk).is_active
    assert not AuditEvent.objects.filter(action="account.deleted").exists()


def test_it_needs_the_box_ticked(client, cast, enrollment):
    login(client, cast.patient)
    response = client.post(reverse("account_delete"), {})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Tick the box to confirm" in body
    assert 'aria-describedby="id_confirm_error"' in body
    assert User.objects.get(pk=cast.patient.pk).email == cast.patient.email
    assert is_logged_in(client)


def test_it_asks_for_the_password_again_after_five_minutes(client, cast, enrollment):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, cast.patient)
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        assert client.get(reverse("account_delete")).status_code == 302
        response = delete(client)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_reauthenticate"))
        assert User.objects.get(pk=cast.patient.pk).is_active
        # with the password, the deletion that was asked for goes ahead
        resumed = client.post(response.url, {"password": PASSWORD})
        assert resumed.status_code == 302 and resumed.url == reverse("account_deleted")
    assert not User.objects.get(pk=cast.patient.pk).is_active


def test_a_wrong_password_deletes_nothing(client, cast, enrollment):
    client.force_login(cast.patient)  # no password typed in this session
    response = delete(client)
    assert response.url.startswith(reverse("account_reauthenticate"))
    client.post(response.url, {"password": "not-my-password"})
    assert User.objects.get(pk=cast.patient.pk).is_active


@pytest.mark.parametrize("who", ["clinician", "admin"])
def test_staff_cannot_use_it(client, cast, enrollment, who):
    client.force_login(getattr(cast, who))
    assert delete(client).status_code == 404
    assert User.objects.get(pk=getattr(cast, who).pk).is_active


def test_a_patient_who_is_also_staff_asks_their_admin(client, cast, enrollment):
    from painapp.accounts.models import Role

    Membership.objects.create(
        user=cast.patient, practice=cast.other_practice, role=Role.CLINICIAN, is_active=True
    )
    login(client, cast.patient)
    assert delete(client).status_code == 404
    assert User.objects.get(pk=cast.patient.pk).is_active


def test_it_waits_until_the_care_team_has_resolved_a_safety_alert(client, cast, enrollment):
    from tests.test_alerts_factories import CONTACTED
    from tracking.alerts.services import alert_acknowledge, alert_raise, alert_resolve

    alert = alert_raise(
        enrollment=enrollment, kind="self_harm", severity="urgent", source="checkin:1"
    )
    login(client, cast.patient)
    page = client.get(reverse("account_delete"))
    assert "your care team is following up on it" in page.content.decode()
    assert delete(client).status_code == 409
    alert_acknowledge(alert=alert, by=cast.clinician)
    assert delete(client).status_code == 409  # seen, but nobody has reached them yet
    assert User.objects.get(pk=cast.patient.pk).is_active
    alert_resolve(alert=alert, by=cast.clinician, outcome=CONTACTED)
    assert delete(client).url == reverse("account_deleted")
    assert not User.objects.get(pk=cast.patient.pk).is_active


# Tracking holds the deletion back (its `deletion_on_hold`, with the rule
# tracking.rules.alert_holds_deletion) while a safety alert is not resolved; the other
# alerts do not hold it. Every kind and status: tests/test_deletion_hold.py.
@pytest.mark.parametrize(
    ("kind", "severity", "held"),
    [
        (Alert.Kind.SELF_HARM, Alert.Severity.URGENT, True),
        (Alert.Kind.RED_FLAG, Alert.Severity.HIGH, True),
        (Alert.Kind.PAIN_UP, Alert.Severity.HIGH, False),
        (Alert.Kind.FEAR_HIGH, Alert.Severity.ROUTINE, False),
        (Alert.Kind.MISSED, Alert.Severity.ROUTINE, False),
    ],
)
def test_only_an_unresolved_safety_alert_holds_the_deletion(cast, enrollment, kind, severity, held):
    from tests.test_alerts_factories import CONTACTED
    from tracking.alerts.services import alert_acknowledge, alert_raise, alert_resolve

    alert = alert_raise(enrollment=enrollment, kind=kind, severity=severity, source="test")
    assert data_rights.deletion_on_hold(cast.patient) is held
    alert_acknowledge(alert=alert, by=cast.clinician)
    assert data_rights.deletion_on_hold(cast.patient) is held
    alert_resolve(alert=alert, by=cast.clinician, outcome=CONTACTED)
    assert data_rights.deletion_on_hold(cast.patient) is False


# ---------------------------------------------------------------- what it does
def test_it_logs_out_and_says_the_account_is_deleted(client, cast, enrollment):
    login(client, cast.patient)
    response = delete(client)
    assert response.status_code == 302 and response.url == reverse("account_deleted")
    assert not is_logged_in(client)
    page = client.get(response.url)
    assert "Your account is deleted" in page.content.decode()
    assert client.get(reverse("today")).status_code == 302


def test_it_ends_the_patients_other_sessions(client, cast, enrollment):
    phone = Client()
    login(phone, cast.patient)
    assert phone.get(reverse("today")).status_code == 200
    login(client, cast.patient)
    delete(client)
    response = phone.get(reverse("today"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert phone.get(reverse("account_change_password")).status_code == 302


def test_the_old_email_cannot_log_in(client, cast, enrollment):
    login(client, cast.patient)
    delete(client)
    response = client.post(
        reverse("account_login"), {"login": "pat@riverside.test", "password": PASSWORD}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "is not right" in body  # the same words as for an unknown address
    assert "inactive" not in body.lower()
    assert not is_logged_in(client)


def test_it_removes_every_row_about_the_patient_and_no_one_elses(client, cast, rich):
    mine, theirs = rich
    patient_id = cast.patient.pk
    theirs_before = counts(cast.other_patient)
    audit_before = AuditEvent.objects.filter(subject_id=patient_id).count()
    assert all(
        counts(cast.patient)[label] for label in ("tracking.response", "programs.reflection")
    )
    delete(client)

    left = {label: n for label, n in counts(User.objects.get(pk=patient_id)).items() if n}
    # only the audit trail is left, with one more event: the tombstone
    assert set(left) == {"accounts.auditevent"}
    assert AuditEvent.objects.filter(subject_id=patient_id).count() == audit_before + 1
    # the other patient of the same practice keeps everything
    assert counts(cast.other_patient) == theirs_before
    # staff-only tables are not touched
    for label in STAFF_ONLY:
        assert label in tables_about_people()


def test_it_keeps_a_de_identified_account_row(client, cast, enrollment):
    login(client, cast.patient)
    delete(client)
    user = User.objects.get(pk=cast.patient.pk)
    assert user.email == f"deleted-{user.pk}@invalid"
    assert user.full_name == ""
    assert not user.has_usable_password()
    assert not user.is_active
    assert user.timezone == "UTC" and user.last_login is None


def test_it_keeps_an_audit_tombstone_with_ids_only(client, cast, enrollment):
    login(client, cast.patient)
    login_events = AuditEvent.objects.filter(actor_id=cast.patient.pk, action="login").count()
    delete(client)
    tombstone = AuditEvent.objects.get(action="account.deleted")
    assert (tombstone.actor_id, tombstone.subject_id) == (cast.patient.pk, cast.patient.pk)
    assert tombstone.practice_id == cast.practice.pk
    assert tombstone.ip is None
    assert "pat@riverside.test" not in str(tombstone.__dict__)
    assert "Pat One" not in str(tombstone.__dict__)
    # earlier events stay as they were
    assert (
        AuditEvent.objects.filter(actor_id=cast.patient.pk, action="login").count() == login_events
    )


def test_it_blanks_their_line_in_an_admins_upload(client, cast, enrollment):
    upload = BulkImport.objects.create(
        practice=cast.practice,
        created_by=cast.admin,
        file_hash="x" * 64,
        expires_at=timezone.now() + timedelta(hours=1),
        rows=[
            {"line": 2, "email": "pat@riverside.test", "full_name": "Pat One"},
            {"line": 3, "email": "pat2@riverside.test", "full_name": "Pat Two"},
        ],
    )
    login(client, cast.patient)
    delete(client)
    upload.refresh_from_db()
    assert upload.rows[0]["email"] == "" and "Pat One" not in str(upload.rows)
    assert upload.rows[1] == {"line": 3, "email": "pat2@riverside.test", "full_name": "Pat Two"}


def test_the_email_address_can_be_invited_again(client, cast, enrollment):
    login(client, cast.patient)
    delete(client)
    again = User.objects.create_user(email="pat@riverside.test", password=PASSWORD)
    assert again.pk != cast.patient.pk


def test_deleting_twice_changes_nothing_more(cast, enrollment):
    data_rights.account_delete(user=cast.patient)
    data_rights.account_delete(user=cast.patient)
    assert AuditEvent.objects.filter(action="account.deleted").count() == 1


# ---------------------------------------------------------------- reminders
def due_practice_reminder(enrollment):
    """The enrollment's practice reminder, synced now; the time it falls due."""
    schedules_sync(enrollment=enrollment, now=timezone.now())
    schedule = ReminderSchedule.objects.get(enrollment=enrollment, kind="practice")
    assert schedule.active
    return schedule, schedule.next_due_at


def test_reminders_stop_at_once(client, cast, enrollment):
    schedule, due = due_practice_reminder(enrollment)
    # one reminder already claimed by a sweep and queued, not yet sent
    pending = Delivery.objects.create(
        schedule=schedule, slot="practice:queued", channel="email", due_at=timezone.now()
    )
    login(client, cast.patient)
    delete(client)

    assert sweep_due_reminders(due) == 0
    assert sweep_due_reminders(due + timedelta(days=1)) == 0
    assert not Delivery.objects.filter(schedule__enrollment__patient=cast.patient).exists()
    assert _send_one(pending.pk) == "missing"  # the queued send finds nothing to send
    assert mail.outbox == []
    assert not Notification.objects.filter(user=cast.patient).exists()


def test_the_other_patients_reminders_carry_on(client, cast, enrollment, other_enrollment):
    due_practice_reminder(enrollment)
    _, due = due_practice_reminder(other_enrollment)
    login(client, cast.patient)
    delete(client)
    assert sweep_due_reminders(due) == 1
    assert Delivery.objects.filter(schedule__enrollment=other_enrollment).exists()
