"""The practice's escalation setting says truthfully where an urgent alert goes: the
next step of the practice's chain (which may name a clinician first), not straight to
the admins. In English and Spanish."""

from __future__ import annotations

import pytest
from django.utils import translation

from tracking.models import PracticeSettings


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("en", "it goes to the next step of the practice's escalation chain"),
        ("es", "pasa al siguiente paso de la cadena de escalamiento del consultorio"),
    ],
)
def test_escalation_minutes_help_names_the_chain(language: str, says: str) -> None:
    field = PracticeSettings._meta.get_field("escalation_minutes")
    with translation.override(language):
        help_text = str(field.help_text)
    assert says in help_text
    assert "to practice admins if" not in help_text
