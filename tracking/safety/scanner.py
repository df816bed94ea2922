"""Free-text crisis-word scanning: every text a patient writes goes through `scan`.

`scan(enrollment, source=…, texts=[…])` normalises each text, looks for the built-in
crisis words (tracking.rules' DEFAULT_CRISIS_WORDS and DEFAULT_CRISIS_WORDS_ES, always)
and the practice's own additions (PracticeSettings.crisis_words), as whole words, and
on a hit raises the same URGENT self-harm alert as PHQ-9 item 9, through the one alert
service. A practice's list only adds: it can never switch the built-in lists off.

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
    punctuation (hyphens, dots, emoji) and any run of whitespace made one space, and
    short forms spelt out (tracking.rules.CONTRACTIONS).

    "I  DON’T want to be hère—anymore!" → "i do not want to be here anymore".
    """
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _APOSTROPHE_RE.sub("", text.casefold())
    words = _NON_WORD_RE.sub(" ", text).split()
    return " ".join(rules.CONTRACTIONS.get(w, w) for w in words)


# Sentence punctuation: a break the exceptions of rules.NOT_CRISIS do not cross.
_BREAK_RE = re.compile(r"[.,;:!?\u00a1\u00bf]+")
_BREAK = "."
# Between two words of a phrase: a space, or a sentence break ("I want to... die").
_GAP = r" (?:\. )?"
_END = r"(?![0-9a-z])"


def _words_pattern(phrase: str) -> str:
    # Each verb of rules.WORD_FORMS in any of its forms: "end my life" finds "ending my life".
    return _GAP.join(
        "(?:" + "|".join(map(re.escape, (w, *rules.WORD_FORMS[w]))) + ")"
        if w in rules.WORD_FORMS
        else re.escape(w)
        for w in phrase.split()
    )


def _not_followed_by(phrase: str) -> str:
    # rules.NOT_CRISIS: the endings that spare a phrase ending in one of its keys, when
    # they come right after it (a sentence break in between and they do not).
    endings = sorted(
        {
            ending
            for key, after in rules.NOT_CRISIS.items()
            if phrase == key or phrase.endswith(" " + key)
            for ending in after
        }
    )
    if not endings:
        return ""
    return "(?! (?:" + "|".join(map(re.escape, endings)) + ")" + _END + ")"


def _whole_words(phrases: Iterable[str]) -> re.Pattern[str] | None:
    normal = sorted({normalise(p) for p in phrases if isinstance(p, str)} - {""})
    if not normal:
        return None
    # Whole words: a phrase is matched between spaces or the ends of the checked form.
    alternatives = "|".join(_words_pattern(p) + _not_followed_by(p) for p in normal)
    return re.compile(r"(?<![0-9a-z])(?:" + alternatives + ")" + _END)


@lru_cache(maxsize=256)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    return _whole_words(words)


def _checked_form(text: str) -> str:
    """The normal form with each sentence break (.,;:!? and ¡¿) kept as a "." word, so
    an exception of rules.NOT_CRISIS never reaches across one: "tired of living. With
    all this pain" → "tired of living . with all this pain"."""
    parts = _BREAK_RE.split(unicodedata.normalize("NFKD", text or ""))
    return f" {_BREAK} ".join(p for p in map(normalise, parts) if p)


def crisis_words_of(settings: PracticeSettings) -> tuple[str, ...]:
    """What a practice's patients' writing is checked for: the built-in English and
    Spanish lists, always, and the practice's own additions."""
    own = tuple(w for w in (settings.crisis_words or []) if isinstance(w, str) and w.strip())
    return (*rules.builtin_crisis_words(), *own)


def finds_crisis_words(texts: Iterable[str | None], words: Iterable[str]) -> bool:
    """Any of `texts` holds one of `words`, both normalised, as whole words."""
    pattern = _pattern(tuple(words))
    if pattern is None:
        return False
    return any(pattern.search(_checked_form(t)) for t in texts if t)


def holds_crisis_words(texts: Iterable[str | None], settings: PracticeSettings) -> bool:
    """Any of `texts` holds one of the built-in crisis words (English or Spanish) or
    one the practice added."""
    return finds_crisis_words(texts, crisis_words_of(settings))


def scan(
    enrollment: Enrollment,
    *,
    source: str,
    texts: Iterable[str | None],
    settings: PracticeSettings | None = None,
) -> Alert | None:
    """Scan what the patient just wrote; on a crisis phrase raise the URGENT self-harm
    alert, unless this entry (`source`, e.g. "reflection:12") has one still open or
    acknowledged: saving it again then raises nothing new. Once that alert is resolved,
    a crisis phrase in the entry saved again raises a new one, so the care team hears of
    every save that holds one, as the patient is told. Returns the new alert, or None
    (no hit, or one not yet resolved).

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
    crisis phrase, also when this entry's alert is still open (the patient is shown
    the crisis panel each time; the care team has it, open or new)."""
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
        again_after_resolved=True,
    )
