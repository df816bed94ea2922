"""The reminder settings page in Spanish holds no English help text: a model's help text
("Pause every reminder.") reaches a patient's form unless the form gives its own, so
no patient form may show a help text that is not translated."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms
from django.urls import reverse
from django.utils.functional import Promise

from tests.test_i18n import english_in
from tests.test_i18n_tracking_patient import NAMES, _spanish_enrollment, page
from tracking.reminders.forms import ReminderPreferencesForm


@pytest.fixture
def spanish(cast):
    """cast.patient, enrolled in the Spanish program (as in test_i18n_tracking_patient)."""
    return _spanish_enrollment(cast)


@pytest.mark.usefixtures("spanish")
def test_the_spanish_reminders_page_has_no_english_help_text(client, cast):
    client.force_login(cast.patient)
    html = page(client.get(reverse("reminder_settings")))
    assert "Pause every reminder" not in html
    assert "Pausar todos los recordatorios por ahora" in html  # the one label says it
    assert english_in(html, allowed=NAMES) == []


def test_the_pause_box_has_no_help_text_repeating_its_label():
    assert ReminderPreferencesForm.base_fields["paused"].help_text == ""


def _model_forms() -> list[type[forms.ModelForm]]:
    for package in ("painapp", "programs", "tracking"):
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            if module.name.endswith(".forms"):
                importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return sorted(
        {
            f
            for f in subclasses(forms.ModelForm)
            if f.__module__.startswith(("painapp", "prog", "tr"))
        },
        key=lambda f: f"{f.__module__}.{f.__name__}",
    )


@pytest.mark.parametrize("form", _model_forms(), ids=lambda f: f.__name__)
def test_every_help_text_a_form_shows_is_translated(form):
    """A model's help_text (a note for developers, in English only) must not reach a
    form: each field's help text is empty or marked for translation."""
    untranslated = {
        name: field.help_text
        for name, field in form.base_fields.items()
        if field.help_text and not isinstance(field.help_text, Promise)
    }
    assert untranslated == {}
