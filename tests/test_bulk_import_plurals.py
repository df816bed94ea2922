"""The import's closing message uses the right plural form for each count, in English
and Spanish ("1 row had a problem and was skipped", not "… and were skipped")."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.test_bulk_import import csv_file, good, upload

MESSAGES = {
    ("en", 1): (
        "1 patient enrolled. Their invitation is being sent. 1 row had a problem and was skipped."
    ),
    ("en", 2): (
        "2 patients enrolled. Their invitations are being sent. "
        "2 rows had problems and were skipped."
    ),
    ("es", 1): "1 paciente inscrito. Su invitación se está enviando. "
    "1 fila tenía un problema y se omitió.",
    ("es", 2): "2 pacientes inscritos. Sus invitaciones se están enviando. "
    "2 filas tenían problemas y se omitieron.",
}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("n", [1, 2])
def test_the_closing_message_agrees_with_its_count(client, cast, program_version, language, n):
    cast.admin.language = language
    cast.admin.save(update_fields=["language"])
    client.force_login(cast.admin)
    today = timezone.localdate()
    rows = [good(i) for i in range(n)] + [
        f"Bad {i},bad-email-{i},clin@riverside.test,{today},UTC," for i in range(n)
    ]
    record = upload(client, csv_file(*rows))
    response = client.post(reverse("admin_import_confirm", args=[record.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [MESSAGES[language, n]]
