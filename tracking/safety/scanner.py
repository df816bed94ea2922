"""Free-text crisis-word scanning: every text a patient writes goes through `scan`.

`scan(enrollment, source=…, texts=[…])` normalises each text, looks for the built-in
crisis words (tracking.rules' DEFAULT_CRISIS_WORDS and DEFAULT_CRISIS_WORDS_ES, always)
and the practice's own additions (PracticeSettings.crisis_words), as whole words, and
on a hit raises the same URGENT self-harm alert as PHQ-9 item 9, through the one alert
service. A practice's list only adds: it can never switch the built-in lists off.

An entry the patient edits in place (the safety plan, a reflection, a diary entry)
raises a new alert after its last one was resolved only when the words of its fields
that hold a crisis phrase changed since that alert (`crisis_alert_decision`, the one
rule): a safety plan that says "when I
think I'd be better off dead, I call Sam" does not raise an urgent alert at every save
about words the clinician has already handled.

Privacy: neither the text nor the phrase that matched goes anywhere: the alert's
details say only that a crisis phrase was found, in what kind of entry, and a keyed
fingerprint of the words (`text_fingerprint`, an HMAC: it tells "the same words" from
"changed" and cannot be turned back into them), and nothing here logs. The clinician
opens the patient's record (audited) to read the entry itself, unless it is a private
reflection, whose text staff never see.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache

from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from programs.models import Enrollment
from programs.safety import NEW_ENTRY, Crisis, new_entry
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


def texts_with_crisis_words(texts: Iterable[str | None], settings: PracticeSettings) -> list[str]:
    """Those of `texts` (each field of an entry on its own) that hold a crisis phrase."""
    words = crisis_words_of(settings)
    return [t for t in texts if t and finds_crisis_words([t], words)]


# The alert's details key holding `text_fingerprint` of the words it was raised for.
FINGERPRINT = "text_fingerprint"
# The HMAC's salt names its one purpose, so the fingerprint is worth nothing elsewhere.
_FINGERPRINT_SALT = "painapp.tracking.safety.scanner.crisis-alert-text-fingerprint"


def text_fingerprint(texts: Iterable[str | None]) -> str:
    """A keyed fingerprint (django.utils.crypto.salted_hmac, SHA-256, with the site's
    secret key) of the normal form of `texts`, in order: the same for the same words
    whatever their case, accents, punctuation or spacing, different when a word changed.
    The scanner passes the fields of an entry that hold a crisis phrase, so a change
    elsewhere in it (a phone number in the safety plan's "people to call") is no change.
    It cannot be turned back into the words. (A new secret key changes every
    fingerprint: the next save then raises a new alert, the safe side.)"""
    normal = "\n".join(normalise(t) for t in texts if t)
    return salted_hmac(_FINGERPRINT_SALT, normal, algorithm="sha256").hexdigest()


class Decision(StrEnum):
    RAISE = "raise"  # a new urgent alert: the care team is told now
    OPEN = "open"  # the entry's alert is not resolved yet: the team has it already
    SEEN = "seen"  # the same words as its newest resolved alert: nothing new is raised


def crisis_alert_decision(
    *, unresolved: bool, resolved_fingerprint: str | None, fingerprint: str
) -> Decision:
    """The rule, for an entry saved holding a crisis phrase: while its alert is open or
    acknowledged, nothing new (the care team is working on it). Else a new alert, unless
    its newest resolved alert was raised for these very words (`resolved_fingerprint`,
    None when it has none: no resolved alert, or one stored before fingerprints, which
    counts as changed)."""
    if unresolved:
        return Decision.OPEN
    if resolved_fingerprint is not None and resolved_fingerprint == fingerprint:
        return Decision.SEEN
    return Decision.RAISE


def scan(
    enrollment: Enrollment,
    *,
    source: str,
    texts: Iterable[str | None],
    settings: PracticeSettings | None = None,
    unsaved: bool = False,
) -> Alert | None:
    """Scan what the patient just wrote; on a crisis phrase raise the URGENT self-harm
    alert, as `crisis_alert_decision` says. Returns the new alert, or None (no hit, or
    nothing new to raise). `scan_text` says which.

    `source` names the entry ("<kind>:<pk>"); its kind goes in the alert's details so
    the clinician knows where to look. Call it after the text is saved, inside or
    outside the saving transaction. `unsaved`: the words were typed but not saved (the
    entry changed in another tab, or the form was sent back to fix: programs.safety
    .PatientTextForm, whose new entries have the source `new_entry(kind)`); the alert's
    details say so ({"unsaved": True}), so the clinician is not sent to look for words
    that are not there: this alert is all that was kept of them. A new entry saved
    after with the same words takes that alert over (`_now_saved`): one alert.
    """
    return scan_text(enrollment, source=source, texts=texts, settings=settings, unsaved=unsaved)[1]


def scan_text(
    enrollment: Enrollment,
    *,
    source: str,
    texts: Iterable[str | None],
    settings: PracticeSettings | None = None,
    unsaved: bool = False,
) -> tuple[Crisis, Alert | None]:
    """`scan`, and what the patient may be told: Crisis.NONE (no crisis phrase),
    Crisis.TOLD (the care team has an alert not yet resolved for this entry, raised now
    or before) or Crisis.SEEN (the same words as an alert already resolved: nobody is
    told again); with the alert raised now, if any."""
    texts = [t for t in texts if t]
    if not texts:
        return Crisis.NONE, None
    settings = settings or PracticeSettings.for_practice(enrollment.practice_id)
    hits = texts_with_crisis_words(texts, settings)
    if not hits:
        return Crisis.NONE, None
    return _raise(enrollment, source, text_fingerprint(hits), unsaved=unsaved)


def scan_patient_text(
    enrollment: Enrollment,
    *,
    source: str,
    texts: Iterable[str | None],
    unsaved: bool = False,
) -> Crisis:
    """programs.safety.patient_wrote's scanner: `scan_text`'s answer (the patient is
    shown the crisis panel for any crisis phrase; it says whether the team is told)."""
    return scan_text(enrollment, source=source, texts=texts, unsaved=unsaved)[0]


def _raise(
    enrollment: Enrollment, source: str, fingerprint: str, *, unsaved: bool = False
) -> tuple[Crisis, Alert | None]:
    kind, _, entry_id = source.partition(":")
    details: dict[str, object] = {"crisis_words": True, "entry": kind}
    if unsaved:  # typed but refused (e.g. a stale tab's save): this alert is all that was kept
        details["unsaved"] = True
    elif entry_id != NEW_ENTRY and _now_saved(enrollment, source, fingerprint):
        return Crisis.TOLD, None
    return self_harm_alert_unless_seen(
        enrollment, source=source, fingerprint=fingerprint, details=details
    )


def _now_saved(enrollment: Enrollment, source: str, fingerprint: str) -> bool:
    """The very words of a form sent back before (programs.safety.PatientTextForm), or
    of a refused save, now saved: their alert, not resolved yet, is the one for these
    words, so nothing new is raised (one submission, one alert), and it no longer says
    the words were not saved. For a new entry that alert is its kind's pending one
    (`new_entry(kind)`), which becomes the entry's. False when there is no such alert
    (the usual rule applies)."""
    alerts = Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.SELF_HARM).exclude(
        status=Alert.Status.RESOLVED
    )
    alert = (
        alerts.filter(source=source).first()
        or alerts.filter(source=new_entry(source.partition(":")[0])).first()
    )
    details = alert.details if alert is not None else {}
    if alert is None or not details.get("unsaved") or details.get(FINGERPRINT) != fingerprint:
        return False
    details = {k: v for k, v in details.items() if k != "unsaved"}
    try:
        with transaction.atomic():
            return bool(
                Alert.objects.filter(pk=alert.pk, source=alert.source)
                .exclude(status=Alert.Status.RESOLVED)
                .update(source=source, details=details)
            )
    except IntegrityError:  # the entry's own alert was raised a moment ago
        return False


def self_harm_alert_unless_seen(
    enrollment: Enrollment, *, source: str, fingerprint: str, details: dict
) -> tuple[Crisis, Alert | None]:
    """Raise the URGENT self-harm alert for `source` as `crisis_alert_decision` says,
    the fingerprint kept in its details: Crisis.TOLD (an alert not resolved yet, raised
    now or before) or Crisis.SEEN (its newest resolved alert was for this very
    `fingerprint`: nobody is told again), with the alert raised now, if any. The
    scanner's entries pass the words' fingerprint; a check-in (tracking.alerts.evaluate)
    passes its safety answers' and crisis words' fingerprint."""
    alerts = Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.SELF_HARM, source=source)
    newest_resolved = (
        alerts.filter(status=Alert.Status.RESOLVED)
        .order_by("-created_at", "-pk")
        .values_list("details", flat=True)
        .first()
    )
    decision = crisis_alert_decision(
        unresolved=alerts.exclude(status=Alert.Status.RESOLVED).exists(),
        resolved_fingerprint=(newest_resolved or {}).get(FINGERPRINT),
        fingerprint=fingerprint,
    )
    if decision == Decision.SEEN:
        return Crisis.SEEN, None
    if decision == Decision.OPEN:
        return Crisis.TOLD, None
    alert = alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.SELF_HARM,
        severity=Alert.Severity.URGENT,
        source=source,
        details={**details, FINGERPRINT: fingerprint},
        again_after_resolved=True,
    )
    # None: another save raised it a moment ago (the database's one-open constraint).
    return Crisis.TOLD, alert
