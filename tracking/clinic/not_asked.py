"""What the clinician is told about questionnaires a patient is not asked.

A check-in leaves out any questionnaire with no version in the patient's language
(tracking.instruments.registry.asked_of, the one rule). Its scores are then missing,
not zero; this says so in plain words on the patient's record."""

from __future__ import annotations

from django.utils.text import get_text_list
from django.utils.translation import get_language, gettext

from programs.models import Enrollment
from tracking.checkins.schedule import checkin_config
from tracking.instruments import registry
from tracking.instruments.registry import LANGUAGE_NAMES


def not_asked_note(enrollment: Enrollment) -> str:
    """ "Not asked: … (no version in Spanish, this patient's language)", or "" when the
    patient is asked every questionnaire of their program (always in English: no query
    then; otherwise one read of the current versions)."""
    language = registry.base_language(enrollment.patient.language)
    if language == "en":
        return ""
    cfg = checkin_config(enrollment.program_version)
    keys: list[str] = []
    for part in ("baseline", "weekly", "end", "followup"):
        keys += [k for k in cfg.get(part) or [] if k not in keys]
    found = registry.current_instruments(keys, enrollment.practice_id)
    left_out = registry.not_asked_in([found[k] for k in keys], language)
    if not left_out:
        return ""
    reader = get_language()
    titles = get_text_list([registry.title_in(i, reader) for i in left_out], gettext("and"))
    return gettext(
        "Not asked: %(titles)s. There is no version in %(language)s, this patient's "
        "language, so their check-ins leave it out. Those scores are missing, not zero."
    ) % {"titles": titles, "language": LANGUAGE_NAMES.get(language, language)}
