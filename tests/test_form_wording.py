"""Small wording: an error summary puts no colon after a label that ends in its own
punctuation (no "médica.: Por favor"), and a new patient is welcomed once, not twice."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse

from tests.factories import make_enrollment
from tests.test_invitations import accept, invite, link_from_last_email, path_of


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("Your name", "Your name: Say it."),
        (
            "I understand this does not replace my care.",
            "I understand this does not replace my care. Say it.",
        ),
        ("Is anyone at home?", "Is anyone at home? Say it."),
        ("Stop!", "Stop! Say it."),
        ("Reason:", "Reason: Say it."),
        (
            "Entiendo que no reemplaza mi atención médica.",
            "Entiendo que no reemplaza mi atención médica. Say it.",
        ),
    ],
)
def test_the_error_summary_adds_a_colon_only_where_the_label_has_no_punctuation(label, shown):
    class OneField(forms.Form):
        answer = forms.CharField(label=label, error_messages={"required": "Say it."})

    html = render_to_string("partials/form_errors.html", {"form": OneField(data={})})
    assert re.search(r'<a href="#id_answer">(.*?)</a>', html).group(1) == shown


@pytest.mark.parametrize(
    ("language", "summary"),
    [
        ("en", "replace my medical care. Please tick this box to go on."),
        ("es", "reemplaza mi atención médica. Por favor, marque esta casilla para seguir."),
    ],
)
def test_the_consent_page_error_has_no_double_punctuation(
    client, cast, program_version, language, summary
):
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, onboarded=False
    )
    client.force_login(cast.patient)
    page = client.post(reverse("onboarding_consent"), {"consent": "on"}).content.decode()
    assert summary in page
    assert ".:" not in page


@pytest.mark.parametrize(("language", "welcome"), [("en", "welcome"), ("es", "bienvenid")])
def test_a_new_patient_is_welcomed_once_on_the_first_page(client, cast, language, welcome):
    invite(cast, client)
    url = link_from_last_email()
    client.logout()
    client.cookies["django_language"] = language
    client.get(path_of(url), HTTP_ACCEPT_LANGUAGE=language)
    response = accept(client, url)
    page = client.get(response.url, follow=True, HTTP_ACCEPT_LANGUAGE=language)
    assert page.redirect_chain[-1][0] == reverse("onboarding")
    html = page.content.decode()
    main = re.sub(r"<[^>]*>", " ", html[html.index("<main") : html.index("</main>")])
    assert f'<html lang="{language}">' in html
    assert len(re.findall(welcome, main, flags=re.IGNORECASE)) == 1, main
