"""Free-text crisis-word scanning: every text a patient writes goes through `scan`.

`scan(enrollment, source=…, texts=[…])` normalises each text, looks for the built-in
crisis words (tracking.rules' DEFAULT_CRISIS_WORDS and DEFAULT_CRISIS_WORDS_ES, always)
and the practice's own additions (PracticeSettings.crisis_words), as whole words, and
on a hit raises the same URGENT self-harm alert as PHQ-9 item 9, through the one alert
service. A practice's list only adds: it can never switch the built-in lists off.

An entry the patient edits in place (the safety plan, a reflection, a diary entry)
raises a new alert after its last one was resolved only when the words of its fields
that hold a crisis phrase changed since that alert (tracking.rules'
`crisis_alert_decision`, the one rule, with what follows for a new entry not saved):
a safety plan that says "when I think I'd be better off dead, I call Sam" does not
raise an urgent alert at every save about words the clinician has already handled.
Every new entry of a kind not saved yet shares one source (`new_entry(kind)`), so
there a resolved alert never silences words: they may be another submission.

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
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from programs.models import Enrollment
from programs.safety import NEW_ENTRY, Crisis, Found, emergency_signs_written, new_entry
from tracking import rules
from tracking.alerts.services import alert_again, alert_raise
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


def _words_pattern(phrase: str, forms: Mapping[str, tuple[str, ...]]) -> str:
    # Each verb of `forms` in any of its forms: "end my life" finds "ending my life".
    return _GAP.join(
        "(?:" + "|".join(map(re.escape, (w, *forms[w]))) + ")" if w in forms else re.escape(w)
        for w in phrase.split()
    )


def _not_followed_by(phrase: str, guards: Mapping[str, tuple[str, ...]]) -> str:
    # `guards` (rules.NOT_CRISIS, rules.NOT_EMERGENCY_SIGN): the endings that spare a
    # phrase ending in one of its keys, when they come right after it (a sentence break
    # in between and they do not).
    endings = sorted(
        {
            ending
            for key, after in guards.items()
            if phrase == key or phrase.endswith(" " + key)
            for ending in after
        }
    )
    if not endings:
        return ""
    return "(?! (?:" + "|".join(map(re.escape, endings)) + ")" + _END + ")"


# The named group of a match spared by a word before it (`_spared_after`).
_SPARED = "spared"


def _spared_after(
    negations: Iterable[str],
    gap: int,
    fillers: Iterable[str],
    not_negations: Iterable[str],
    subject_starts: Iterable[str],
) -> str:
    """An optional lead-in: one of `negations` that does not start one of
    `not_negations` ("without warning", "sin querer"), then at most `gap` of `fillers`
    ("had", "any"), and no phrase starting with one of `subject_starts` ("my legs…")
    after it. A match that has it is spared (`_unspared`): "no numbness between my
    legs", "not lost control of my bladder", "have not had any numbness…"."""

    def either(words: Iterable[str]) -> str:
        return "|".join(map(re.escape, sorted({normalise(w) for w in words} - {""})))

    never = rf"(?!(?:{either(not_negations)}){_END})"
    subject = rf"(?!(?:{either(subject_starts)}){_END})"
    return (
        rf"(?P<{_SPARED}>{never}(?:{either(negations)}) "
        rf"(?:(?:{either(fillers)}) ){{0,{gap}}}{subject})?"
    )


def _whole_words(
    phrases: Iterable[str],
    *,
    forms: Mapping[str, tuple[str, ...]] = rules.WORD_FORMS,
    guards: Mapping[str, tuple[str, ...]] = rules.NOT_CRISIS,
    lead_in: str = "",
) -> re.Pattern[str] | None:
    normal = sorted({normalise(p) for p in phrases if isinstance(p, str)} - {""})
    if not normal:
        return None
    # Whole words: a phrase is matched between spaces or the ends of the checked form.
    alternatives = "|".join(_words_pattern(p, forms) + _not_followed_by(p, guards) for p in normal)
    return re.compile(r"(?<![0-9a-z])" + lead_in + "(?:" + alternatives + ")" + _END)


@lru_cache(maxsize=256)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    return _whole_words(words)


@lru_cache(maxsize=1)
def _emergency_sign_pattern() -> re.Pattern[str] | None:
    """rules.emergency_sign_words with their rule (tracking.rules.symptom_words)."""
    return _whole_words(
        rules.emergency_sign_words(),
        forms={},
        guards=rules.NOT_EMERGENCY_SIGN,
        lead_in=_spared_after(
            rules.SIGN_NEGATIONS,
            rules.SIGN_NEGATION_GAP,
            rules.SIGN_NEGATION_FILLERS,
            rules.SIGN_NOT_NEGATIONS,
            rules.SIGN_SUBJECT_STARTS,
        ),
    )


def _unspared(pattern: re.Pattern[str], checked: str) -> bool:
    """A match of `pattern` in the checked form that no lead-in spared."""
    return any(not m.groupdict().get(_SPARED) for m in pattern.finditer(checked))


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


def holds_emergency_signs(texts: Iterable[str | None]) -> bool:
    """Any of `texts` holds an emergency sign (rules.emergency_sign_words) that its rule
    does not spare (tracking.rules.symptom_words: a negation before it, a posture after)."""
    pattern = _emergency_sign_pattern()
    return pattern is not None and any(_unspared(pattern, _checked_form(t)) for t in texts if t)


def texts_with_emergency_signs(texts: Iterable[str | None]) -> list[str]:
    """Those of `texts` (each field of an entry on its own) that hold an emergency sign
    its rule does not spare (`holds_emergency_signs`)."""
    return [t for t in texts if t and holds_emergency_signs([t])]


def _hits(texts: list[str], settings: PracticeSettings) -> tuple[list[str], list[str]]:
    """One pass over `texts` (each field of an entry on its own, in its checked form
    once): those that hold a crisis phrase, and those that hold an emergency sign."""
    crisis, signs = _pattern(crisis_words_of(settings)), _emergency_sign_pattern()
    crisis_hits, sign_hits = [], []
    for text in texts:
        checked = _checked_form(text)
        if crisis is not None and crisis.search(checked):
            crisis_hits.append(text)
        if signs is not None and _unspared(signs, checked):
            sign_hits.append(text)
    return crisis_hits, sign_hits


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


def scan(
    enrollment: Enrollment,
    *,
    source: str,
    texts: Iterable[str | None],
    settings: PracticeSettings | None = None,
    unsaved: bool = False,
) -> Alert | None:
    """Scan what the patient just wrote; on a crisis phrase raise the URGENT self-harm
    alert, as rules.crisis_alert_decision says. Returns the new alert, or None (no hit, or
    nothing new to raise). `scan_text` says which.

    `source` names the entry ("<kind>:<pk>"); its kind goes in the alert's details so
    the clinician knows where to look. Call it after the text is saved, inside or
    outside the saving transaction. `unsaved`: the words were typed but not saved (the
    entry changed in another tab, or the form was sent back to fix: programs.safety
    .PatientTextForm, whose new entries have the source `new_entry(kind)`); the alert's
    details say so ({"unsaved": True}), so the clinician is not sent to look for words
    that are not there: this alert is all that was kept of them. An entry of the kind
    saved after with crisis words takes that alert over while nobody acknowledged it,
    whatever the words (a message cut to size), or with the same words (`_now_saved`):
    one alert.
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
    told again); with the alert raised now, if any. (It acts on emergency signs too:
    `scan_all`.)"""
    scanned = scan_all(enrollment, source=source, texts=texts, settings=settings, unsaved=unsaved)
    return scanned.found.crisis, scanned.crisis_alert


class Scanned(NamedTuple):
    """What `scan_all` found (Found: for crisis words and for emergency signs, NONE,
    TOLD or SEEN) and the alerts it raised now."""

    found: Found
    crisis_alert: Alert | None = None
    emergency_alert: Alert | None = None


def scan_all(
    enrollment: Enrollment,
    *,
    source: str,
    texts: Iterable[str | None],
    settings: PracticeSettings | None = None,
    unsaved: bool = False,
) -> Scanned:
    """The one scan of what the patient wrote: crisis words raise the URGENT self-harm
    alert, emergency signs (tracking.rules.symptom_words) the URGENT emergency-symptoms
    alert, each weighed on its own by the same rule for an entry edited or sent back
    (rules.crisis_alert_decision, with the fingerprint of the fields that hold its own
    kind of phrase). Both, when the text holds both."""
    written = [t for t in texts if t]
    if not written:
        return Scanned(Found())
    settings = settings or PracticeSettings.for_practice(enrollment.practice_id)
    crisis_hits, sign_hits = _hits(written, settings)
    crisis, crisis_alert = Crisis.NONE, None
    emergency, emergency_alert = Crisis.NONE, None
    entry = source.partition(":")[0]
    if crisis_hits:
        crisis, crisis_alert = _raise(
            enrollment,
            source,
            text_fingerprint(crisis_hits),
            Alert.Kind.SELF_HARM,
            {"crisis_words": True, "entry": entry},
            unsaved=unsaved,
        )
    if sign_hits:
        emergency, emergency_alert = _raise(
            enrollment,
            source,
            text_fingerprint(sign_hits),
            Alert.Kind.EMERGENCY_SYMPTOMS,
            # Written, and where; never the words (as for crisis words).
            {"emergency_signs": True, "written": True, "entry": entry},
            unsaved=unsaved,
        )
        emergency_signs_written(emergency, unsaved=unsaved)  # the guidance on their page
    return Scanned(Found(crisis, emergency), crisis_alert, emergency_alert)


def scan_patient_text(
    enrollment: Enrollment,
    *,
    source: str,
    texts: Iterable[str | None],
    unsaved: bool = False,
) -> Found:
    """programs.safety.patient_wrote's scanner: `scan_all`'s answer (the patient is
    shown the crisis panel for any crisis phrase, the emergency guidance for any
    emergency sign; each says whether the team is told)."""
    return scan_all(enrollment, source=source, texts=texts, unsaved=unsaved).found


def _raise(
    enrollment: Enrollment,
    source: str,
    fingerprint: str,
    kind: str,
    details: dict[str, object],
    *,
    unsaved: bool = False,
) -> tuple[Crisis, Alert | None]:
    """The URGENT alert of `kind` (self-harm, emergency symptoms) for words at `source`,
    as rules.crisis_alert_decision says."""
    entry_id = source.partition(":")[2]
    if unsaved:  # typed but refused (e.g. a stale tab's save): this alert is all that was kept
        details["unsaved"] = True
    if entry_id == NEW_ENTRY:
        return _new_entry_words(enrollment, kind, source, fingerprint, details)
    if not unsaved and _now_saved(enrollment, kind, source, fingerprint):
        return Crisis.TOLD, None
    return self_harm_alert_unless_seen(
        enrollment, source=source, fingerprint=fingerprint, details=details, kind=kind
    )


def _self_harm_alerts(enrollment: Enrollment, source: str, kind: str = Alert.Kind.SELF_HARM):
    return Alert.objects.filter(enrollment=enrollment, kind=kind, source=source)


def _new_entry_words(
    enrollment: Enrollment, kind: str, source: str, fingerprint: str, details: dict
) -> tuple[Crisis, Alert | None]:
    """Crisis words in a new entry not saved (`source` is `new_entry(kind)`, shared by
    every new entry of the kind), as rules.crisis_alert_decision says (CrisisSource.NEW):
    its pending alert, open and not acknowledged, takes the newest words' fingerprint
    (so the saved entry takes it over); else a new alert. One a person acknowledged
    leaves the pending source to the new one (`_retire`): it stays as it is otherwise."""
    alerts = _self_harm_alerts(enrollment, source, kind)
    pending = alerts.exclude(status=Alert.Status.RESOLVED).first()
    resolved = alerts.filter(status=Alert.Status.RESOLVED).exists()
    decision = rules.crisis_alert_decision(
        source=rules.CrisisSource.NEW,
        status=pending.status if pending else (Alert.Status.RESOLVED if resolved else None),
        same_words=pending is not None and pending.details.get(FINGERPRINT) == fingerprint,
    )
    absorbed = {**(pending.details if pending else {}), FINGERPRINT: fingerprint}
    if (
        decision == rules.CrisisDecision.ABSORB
        and pending is not None
        and _update(pending, source=source, details=absorbed)
    ):
        return Crisis.TOLD, None
    if pending is not None and pending.status == Alert.Status.ACKNOWLEDGED:
        _retire(pending)
    return Crisis.TOLD, _raise_urgent(
        enrollment, source, {**details, FINGERPRINT: fingerprint}, kind
    )


def _raise_urgent(
    enrollment: Enrollment, source: str, details: dict, kind: str = Alert.Kind.SELF_HARM
) -> Alert | None:
    """The URGENT alert of `kind` for words at `source`; None when another save raised
    it a moment ago (the database's one-open-alert-per-source constraint), or when the
    patient's other alert of the kind, nobody having acknowledged it yet, takes this hit
    as "again at …" (rules.repeat_crisis_decision): one alert, one email."""
    other = (
        Alert.objects.filter(enrollment=enrollment, kind=kind)
        .exclude(status=Alert.Status.RESOLVED)
        .exclude(source=source)
        .order_by("-created_at", "-pk")
        .first()
    )
    decision = rules.repeat_crisis_decision(open_alert_status=other.status if other else None)
    if (
        decision == rules.RepeatDecision.ATTACH
        and other is not None
        and alert_again(alert=other, source=source, entry=str(details.get("entry", "")))
    ):
        return None
    return alert_raise(
        enrollment=enrollment,
        kind=kind,
        severity=Alert.Severity.URGENT,
        source=source,
        details=details,
        again_after_resolved=True,
    )


def _retire(alert: Alert) -> None:
    """An acknowledged pending alert gives its kind's pending source up (one alert not
    resolved per source) for one of its own, "<kind>:new-<pk>": still its kind's, still
    marked unsaved, and no entry is ever taken over into it."""
    Alert.objects.filter(pk=alert.pk, source=alert.source, status=alert.status).update(
        source=f"{alert.source}-{alert.pk}"
    )


def _update(alert: Alert, *, source: str, details: dict) -> bool:
    """`alert`, still not resolved and still at its source, moved to `source` with
    `details`; False when it changed in between or `source` has its own alert now."""
    try:
        with transaction.atomic():
            return bool(
                Alert.objects.filter(pk=alert.pk, source=alert.source)
                .exclude(status=Alert.Status.RESOLVED)
                .update(source=source, details=details)
            )
    except IntegrityError:  # the entry's own alert was raised a moment ago
        return False


def _now_saved(enrollment: Enrollment, kind: str, source: str, fingerprint: str) -> bool:
    """Crisis words now saved in the entry `source`, after words that were not (a form
    sent back: programs.safety.PatientTextForm, or a refused save): the alert for those,
    not resolved yet, becomes this entry's as rules.crisis_alert_decision says, so
    nothing new is raised (one submission, one alert), and it no longer says the words
    were not saved. That alert is the entry's own one marked unsaved
    (CrisisSource.SAVED_OWN), else its kind's pending one (`new_entry(kind)`,
    CrisisSource.SAVED_NEW). False when there is none to take over (the entry's rule)."""
    alerts = Alert.objects.filter(enrollment=enrollment, kind=kind).exclude(
        status=Alert.Status.RESOLVED
    )
    own = alerts.filter(source=source).first()
    if own is not None and not own.details.get("unsaved"):
        return False
    alert = own or alerts.filter(source=new_entry(source.partition(":")[0])).first()
    if alert is None:
        return False
    decision = rules.crisis_alert_decision(
        source=rules.CrisisSource.SAVED_OWN if own else rules.CrisisSource.SAVED_NEW,
        status=alert.status,
        same_words=alert.details.get(FINGERPRINT) == fingerprint,
    )
    if decision != rules.CrisisDecision.TAKE_OVER:
        return False
    details = {k: v for k, v in alert.details.items() if k != "unsaved"}
    return _update(alert, source=source, details={**details, FINGERPRINT: fingerprint})


def self_harm_alert_unless_seen(
    enrollment: Enrollment,
    *,
    source: str,
    fingerprint: str,
    details: dict,
    kind: str = Alert.Kind.SELF_HARM,
) -> tuple[Crisis, Alert | None]:
    """Raise the URGENT self-harm alert for `source` as rules.crisis_alert_decision says
    (CrisisSource.ENTRY), the fingerprint kept in its details: Crisis.TOLD (an alert not
    resolved yet, raised now or before) or Crisis.SEEN (its newest resolved alert was for
    this very `fingerprint`: nobody is told again), with the alert raised now, if any.
    The scanner's entries pass the words' fingerprint; a check-in
    (tracking.alerts.evaluate) passes its safety answers' and crisis words' fingerprint."""
    alerts = _self_harm_alerts(enrollment, source, kind)
    unresolved = alerts.exclude(status=Alert.Status.RESOLVED).values_list("status", flat=True)
    newest_resolved = (
        alerts.filter(status=Alert.Status.RESOLVED)
        .order_by("-created_at", "-pk")
        .values_list("details", flat=True)
        .first()
    )
    status = unresolved.first() or (Alert.Status.RESOLVED if newest_resolved is not None else None)
    decision = rules.crisis_alert_decision(
        source=rules.CrisisSource.ENTRY,
        status=status,
        same_words=(newest_resolved or {}).get(FINGERPRINT) == fingerprint,
    )
    if decision == rules.CrisisDecision.SEEN:
        return Crisis.SEEN, None
    if decision == rules.CrisisDecision.OPEN:
        return Crisis.TOLD, None
    return Crisis.TOLD, _raise_urgent(
        enrollment, source, {**details, FINGERPRINT: fingerprint}, kind
    )
