""" "Get help now" sits in the header of every page a patient can open: every URL the
resolver knows that the access matrix lets a patient see (tests/test_access_matrix.py),
so a new patient page without it fails here."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.test_access_matrix import EXPECTED, OK, all_url_names, kwargs_for
from tests.test_access_matrix import world as world  # noqa: F401 — the matrix's fixture

HEADER = re.compile(r'<header class="site-header">(.*?)</header>', re.S)


def patient_urls(world) -> list[tuple[str, str]]:
    return [
        (name, reverse(name, kwargs=kwargs_for(name, route, world)))
        for name, route in sorted(all_url_names().items())
        if EXPECTED[name]["patient"] == OK
    ]


@pytest.mark.parametrize("stage", ["onboarded", "onboarding"])
def test_every_patient_page_has_the_get_help_link(client, cast, world, stage):
    if stage == "onboarding":
        from programs.models import Enrollment

        Enrollment.objects.filter(pk=world["_enrollment"]).update(
            onboarded_at=None, consented_at=timezone.now(), screening=""
        )
    client.force_login(cast.patient)
    link = f'href="{reverse("get_help")}" data-get-help'
    checked, missing = [], []
    for name, url in patient_urls(world):
        response = client.get(url, follow=True)
        if response.status_code == 405 or "text/html" not in response.get("Content-Type", ""):
            continue  # a POST-only action, or a download
        body = response.content.decode()
        header = HEADER.search(body)
        checked.append(name)
        if header is None or link not in header.group(1):
            missing.append(f"{name} ({url} -> {response.redirect_chain or 'itself'})")
    assert not missing, "no Get help now link in the header of: " + ", ".join(missing)
    assert len(checked) > 20


def test_staff_pages_keep_their_header_for_their_own_menu(client, cast):
    client.force_login(cast.clinician)
    body = client.get(reverse("caseload")).content.decode()
    assert "data-get-help" not in body
    assert f'<a href="{reverse("get_help")}">Get help now</a>' in body  # the footer's
