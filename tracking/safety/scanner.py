"""Free-text crisis-word scanning: every text a patient writes goes through `scan`.

`scan(enrollment, source=…, texts=[…])` normalises each text, looks for the
practice's crisis words (PracticeSettings.crisis_words; tracking.rules'
DEFAULT_CRISIS_WORDS when the practice's list is empty), and always the Spanish
DEFAULT_CRISIS_WORDS_ES, as whole words, and on a hit
raises the same URGENT self-harm alert as PHQ-9 item 9, through the one alert service.

Privacy: neither the text nor the phrase that matched goes anywhere: the alert's
details say only that a crisis phrase was found and in what kind of entry, and
nothing here logs. The clinician opens the patient's record (audited) to read the
entry itself, unless it is a private reflection, whose text staff never see.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from programs.models import Enrollment
from tracking import rules
from tracking.alerts.services import alert_raise
from tracking.models import Alert, PracticeSettings

# Apostrophes (straight, curly, modifier, backtick, acute) are dropped, so "don't",
# "don’t" and "dont" read the same; every other non-letter, non-digit is a space.
_APOSTROPHES = "'\u2019\u2018\u02bc\u0060\u00b4\u2032"
_APOSTROPHE_RE = re.compile("[" + re.escape(_APOSTROPHES) + "]")
_NON_WORD_RE = re.compile(r"[^0-9a-z]+")


def normalise(text: str) -> str:
    """Lower case, accents and diacritics removed, apostrophes dropped, any other
    punctuation (hyphens, dots, emoji) and any run of whitespace made one space.

    "I  DON’T want to be hère—anymore!" → "i dont want to be here anymore".
    """
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _APOSTROPHE_RE.sub("", text.casefold())
    return _NON_WORD_RE.sub(" ", text).strip()


@lru_cache(maxsize=256)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    phrases = sorted({normalise(w) for w in words if isinstance(w, str)} - {""})
    if not phrases:
        return None
    # Whole words: a phrase is matched between spaces or the ends of the normal form.
    return re.compile(r"(?<![0-9a-z])(?:" + "|".join(map(re.escape, phrases)) + r")(?![0-9a-z])")


def crisis_words_of(settings: PracticeSettings) -> tuple[str, ...]:
    """The practice's list, or the default list when it is empty (a practice cannot
    turn scanning off by clearing its list)."""
    words = tuple(w for w in (settings.crisis_words or []) if isinstance(w, str) and w.strip())
    return words or rules.DEFAULT_CRISIS_WORDS


def finds_crisis_words(texts: Iterable[str | None], words: Iterable[str]) -> bool:
    """Any of `texts` holds one of `words`, both normalised, as whole words."""
    pattern = _pattern(tuple(words))
    if pattern is None:
        return False
    return any(pattern.search(normalise(t)) for t in texts if t)


def holds_crisis_words(texts: Iterable[str | None], settings: PracticeSettings) -> bool:
    """Any of `texts` holds one of the practice's crisis words (or the default list)
    or the Spanish ones."""
    return finds_crisis_words(texts, (*crisis_words_of(settings), *rules.DEFAULT_CRISIS_WORDS_ES))


def scan(
    enrollment: Enrollment,
    *,
    source: str,
    texts: Iterable[str | None],
    settings: PracticeSettings | None = None,
) -> Alert | None:
    """Scan what the patient just wrote; on a crisis phrase raise the URGENT self-harm
    alert (once per `source`, e.g. "reflection:12": editing the same entry again
    raises nothing new). Returns the new alert, or None (no hit, or already raised).

    `source` names the entry ("<kind>:<pk>"); its kind goes in the alert's details so
    the clinician knows where to look. Call it after the text is saved, inside or
    outside the saving transaction.
    """
    texts = [t for t in texts if t]
    if not texts:
        return None
    settings = settings or PracticeSettings.for_practice(enrollment.practice_id)
    if not holds_crisis_words(texts, settings):
        return None
    return _raise(enrollment, source)


def scan_patient_text(enrollment: Enrollment, *, source: str, texts: Iterable[str | None]) -> bool:
    """programs.safety.patient_wrote's scanner: `scan`, and whether the text held a
    crisis phrase, also when this entry raised its alert before (the patient is shown
    the crisis panel each time)."""
    texts = [t for t in texts if t]
    if not texts or not holds_crisis_words(
        texts, PracticeSettings.for_practice(enrollment.practice_id)
    ):
        return False
    _raise(enrollment, source)
    return True


def _raise(enrollment: Enrollment, source: str) -> Alert | None:
    return alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.SELF_HARM,
        severity=Alert.Severity.URGENT,
        source=source,
        details={"crisis_words": True, "entry": source.split(":", 1)[0]},
    )
