"""Long text boxes never cut what was typed or pasted (painapp.widgets.LongTextarea):
no HTML maxlength, the count partial under each box, and the server refuses text over
the limit with a plain message and the whole text still in the box (no JavaScript)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django import forms
from django.urls import reverse
from django.utils.html import escape

from painapp.widgets import LongTextarea
from programs.forms import EvidenceForm, ReflectionForm
from programs.models import Reflection
from tracking.messaging.models import MESSAGE_MAX_LENGTH, Message

ROOT = Path(__file__).resolve().parent.parent


def _all_forms() -> list[type[forms.Form]]:
    for path in ROOT.glob("*/**/forms.py"):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    seen, todo = [], [forms.Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            seen.append(sub)
            todo.append(sub)
    return [f for f in seen if f.__module__.split(".")[0] in ("painapp", "programs", "tracking")]


def test_every_text_box_with_a_limit_is_a_long_text_box():
    found = []
    for form in _all_forms():
        for name, field in form.base_fields.items():
            if isinstance(field.widget, forms.Textarea) and getattr(field, "max_length", None):
                assert isinstance(field.widget, LongTextarea), f"{form.__name__}.{name}"
                found.append(name)
    assert len(found) > 10


def test_no_template_writes_a_textarea_with_maxlength():
    for path in (ROOT / "templates").rglob("*.html"):
        for tag in re.findall(r"<textarea[^>]*>", path.read_text()):
            assert "maxlength" not in tag, path


def test_the_box_has_no_maxlength_and_its_count_is_under_it():
    html = str(ReflectionForm()["text"])
    assert "<textarea" in html and "maxlength" not in html
    assert 'id="id_text_count" data-char-count="id_text" data-char-max="5000"' in html
    assert "{n} characters left" in html
    # The count is hidden until the script shows it near the limit.
    assert re.search(r'<p class="char-count"[^>]* hidden>', html)


def test_a_too_long_optional_note_is_refused_plainly():
    form = EvidenceForm({"text": "x" * 2001}, items=[])
    assert not form.is_valid()
    assert form.errors["text"] == [
        "Please shorten this to 2000 characters or fewer. It has 2001 now."
    ]


@pytest.fixture
def patient_client(client, cast, enrollment):
    client.force_login(cast.patient)
    return client


def test_a_too_long_message_comes_back_whole_with_its_count(patient_client):
    text = "My back was stiff this morning, then it eased. " * 50  # 2,350 characters
    assert len(text.strip()) > MESSAGE_MAX_LENGTH
    response = patient_client.post(reverse("messages"), {"body": text})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Please keep a message under 2000 characters" in page
    assert escape(text.strip()) in page  # all of it, not cut at the limit
    textarea = re.search(r"<textarea[^>]*>", page).group(0)
    assert "maxlength" not in textarea
    assert 'data-char-count="id_body" data-char-max="2000"' in page
    assert not Message.objects.exists()


def test_a_too_long_reflection_comes_back_whole_in_spanish(patient_client, cast, enrollment):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    reflection = (
        enrollment.program_version.weeks.get(number=2).activities.filter(kind="reflection").first()
    )
    text = "Estrés en el trabajo y una mudanza. " * 150  # 5,400 characters
    response = patient_client.post(reverse("activity", args=[reflection.slug]), {"text": text})
    page = response.content.decode()
    assert "Por favor, escriba menos de 5000 caracteres." in page
    assert escape(text.strip()) in page
    assert "Quedan {n} caracteres" in page
    assert not Reflection.objects.exists()


def test_every_patient_text_box_with_a_limit_has_the_shared_count(patient_client):
    """The diary's "What I told myself" and the safety plan's parts carry the same
    count as messages (partials/char_count.html via LongTextarea), not a copy."""
    pages = {
        reverse("diary_new"): {"id_self_talk": 2000},
        reverse("safety_plan"): {"id_warning_signs": 3000, "id_professionals": 3000},
        reverse("messages"): {"id_body": MESSAGE_MAX_LENGTH},
    }
    for url, boxes in pages.items():
        page = patient_client.get(url).content.decode()
        for box, limit in boxes.items():
            assert f'id="{box}_count" data-char-count="{box}" data-char-max="{limit}"' in page
        # Every text box on the page has its count.
        for box in re.findall(r'<textarea[^>]* id="([^"]+)"', page):
            assert f'data-char-count="{box}"' in page, (url, box)
