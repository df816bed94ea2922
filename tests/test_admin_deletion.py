"""A site admin deletes a patient from the Django admin: the same deletion as the
patient's own "Delete my account" (painapp.accounts.data_rights.account_delete) — the
same rows removed, the account row kept de-identified, the same `account.deleted`
tombstone, with the admin as its actor. Staff who are no one's patient are deleted as
Django does; someone who is both a patient and staff is not deleted here."""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from painapp.accounts.models import AuditEvent, Membership, Role, User
from tests.data_rights_data import make_rich_data
from tests.test_account_deletion import counts, delete, login


def admin_delete(browser: Client, user: User):
    return browser.post(reverse("admin:accounts_user_delete", args=[user.pk]), {"post": "yes"})


def test_the_admin_deletes_a_patient_as_their_own_deletion_does(
    client, cast, enrollment, other_enrollment, superuser_client
):
    login(client, cast.other_patient)  # before their data adds a two-step device
    make_rich_data(enrollment, marker="MINE-7f3a", staff=cast.admin)
    make_rich_data(other_enrollment, marker="THEIRS-91bc", staff=cast.admin)
    # The patient's own deletion of the other patient is the yardstick.
    assert delete(client).url == reverse("account_deleted")
    by_themselves = counts(User.objects.get(pk=cast.other_patient.pk))
    audit_before = AuditEvent.objects.filter(subject_id=cast.patient.pk).count()

    response = admin_delete(superuser_client, cast.patient)

    assert response.status_code == 302
    user = User.objects.get(pk=cast.patient.pk)  # kept, de-identified
    assert user.email == f"deleted-{user.pk}@invalid"
    assert user.full_name == "" and not user.is_active and not user.has_usable_password()
    by_admin = counts(user)
    assert {k for k, n in by_admin.items() if n} == {"accounts.auditevent"}
    assert {k: bool(n) for k, n in by_admin.items()} == {
        k: bool(n) for k, n in by_themselves.items()
    }
    assert AuditEvent.objects.filter(subject_id=user.pk).count() == audit_before + 1
    root = User.objects.get(email="root@painapp.test")
    tombstone = AuditEvent.objects.get(action="account.deleted", subject_id=user.pk)
    assert (tombstone.actor_id, tombstone.practice_id) == (root.pk, cast.practice.pk)
    assert tombstone.ip is None
    # The admin's own history of the deletion no longer names them.
    entry = LogEntry.objects.get(object_id=str(user.pk), action_flag=3)
    assert entry.object_repr == "(account deleted)"


def test_a_member_of_staff_is_deleted_as_before(cast, superuser_client):
    staff = Membership.objects.create(
        user=User.objects.create_user(email="new@riverside.test", password="x" * 20),
        practice=cast.practice,
        role=Role.CLINICIAN,
        is_active=True,
    ).user

    assert admin_delete(superuser_client, staff).status_code == 302

    assert not User.objects.filter(pk=staff.pk).exists()
    assert not AuditEvent.objects.filter(action="account.deleted").exists()


def test_a_patient_who_is_also_staff_is_not_deleted_here(cast, enrollment, superuser_client):
    Membership.objects.create(
        user=cast.patient, practice=cast.other_practice, role=Role.CLINICIAN, is_active=True
    )
    url = reverse("admin:accounts_user_delete", args=[cast.patient.pk])

    assert superuser_client.get(url).status_code == 403
    assert admin_delete(superuser_client, cast.patient).status_code == 403

    user = User.objects.get(pk=cast.patient.pk)
    assert user.is_active and user.email == cast.patient.email
    assert user.enrollments.exists()


def test_a_practice_cannot_be_deleted_here(cast, enrollment, superuser_client):
    """Review: deleting a practice in the Django admin took its enrollments and their
    unresolved alerts with it, past the deletion hold."""
    url = reverse("admin:accounts_practice_delete", args=[cast.practice.pk])
    assert superuser_client.get(url).status_code == 403
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    change = superuser_client.get(
        reverse("admin:accounts_practice_change", args=[cast.practice.pk])
    )
    assert change.status_code == 200 and url not in change.content.decode()
    enrollment.refresh_from_db()
