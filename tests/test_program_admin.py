"""Staff can author and edit programs in the Django admin, and copy a version."""

from __future__ import annotations

from django.urls import reverse

from painapp.accounts.models import User
from programs.models import ProgramVersion


def test_staff_edit_a_week_and_copy_a_version(client, program_version):
    staff = User.objects.create_superuser(email="ops@painapp.test", password="x" * 12)
    from tests.factories import enable_totp

    enable_totp(staff)
    client.force_login(staff)
    week = program_version.weeks.get(number=1)
    page = client.get(reverse("admin:programs_week_change", args=[week.pk]))
    assert page.status_code == 200 and week.title in page.content.decode()
    response = client.post(
        reverse("admin:programs_programversion_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [program_version.pk]},
    )
    assert response.status_code == 302
    copy = ProgramVersion.objects.get(number=2)
    assert copy.weeks.count() == 8
    assert sum(w.activities.count() for w in copy.weeks.all()) == sum(
        w.activities.count() for w in program_version.weeks.all()
    )
