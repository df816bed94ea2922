"""Instruments in the database: the shipped ones kept in sync, practice-added ones,
and the current version of each key for a practice."""

from __future__ import annotations

import copy
from functools import cache

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy

from tracking.instruments.scoring import InstrumentSpec
from tracking.instruments.shipped import SHIPPED, definition_for
from tracking.models import Instrument

_CONTENT_FIELDS = (
    "title",
    "patient_title",
    "instructions",
    "citation",
    "licence_note",
    "items",
    "scoring",
    "translations",
)


def normalise(definition: dict) -> dict:
    """Fill each item with the instrument's item defaults (range, labels)."""
    defaults = definition.get("item_defaults", {})
    items = [{**defaults, **item} for item in definition["items"]]
    scoring = dict(definition.get("scoring", {}))
    if definition.get("safety_item"):
        scoring["safety_item"] = definition["safety_item"]
    return {
        "key": definition["key"],
        "title": definition["title"],
        "patient_title": definition.get("patient_title", ""),
        "instructions": definition.get("instructions", ""),
        "citation": definition.get("citation", ""),
        "licence_note": definition.get("licence_note", ""),
        "items": items,
        "scoring": scoring,
        "translations": definition.get("translations", {}),
    }


# What a practice's own version of one of our questionnaires keeps from ours on each
# question: its range (the safety rule reads PHQ-9 item 9 > 0), whether it may be left
# blank, whether it is added in, and a cause's kind. Its wording is the practice's.
SHIPPED_ITEM_FIELDS = ("min", "max", "optional", "scored", "type")
SHIPPED_KEYS = frozenset(d["key"] for d in SHIPPED)


@cache
def shipped_definition(key: str) -> dict:
    """Our own definition of `key`, normalised (the code's, not a stored row). Shared:
    copy before changing."""
    return normalise(definition_for(key))


# Set on a practice's question whose own range was not ours: its labels are ours.
OUR_LABELS = "our_labels"


def _answer_range(item: dict) -> tuple:
    """A question's answers as the check-in form reads them (checkins.forms)."""
    return (item.get("min", 0), item.get("max", 10))


def our_labels_in(key: str, item_key: str, language: str | None) -> dict:
    """Our answer labels for question `item_key` of our questionnaire `key`, in
    `language` where we have it, else English."""
    ours = shipped_definition(key)
    english = next((i.get("labels") or {} for i in ours["items"] if i["key"] == item_key), {})
    words = (ours["translations"].get(base_language(language)) or {}).get("items") or {}
    return dict((words.get(item_key) or {}).get("labels") or english)


def keep_shipped_rules(definition: dict) -> dict:
    """The one rule for a practice's own version of one of our questionnaires (same
    key): its words stay its own, but how it is scored stays ours, taken from our
    definition every time: the safety question, the method, the questions added in,
    the subscales, the bands that alert the clinician, and each question's answer
    range (SHIPPED_ITEM_FIELDS). So PHQ-9 item 9 above 0 alerts whoever's wording was
    asked. Used by the import (instruments.forms) and on every read of a stored version
    (`with_shipped_rules`), so a version stored before this rule, with other rules or
    none, is harmless. Any other key is returned as it is."""
    key = definition.get("key")
    if key not in SHIPPED_KEYS:
        return definition
    ours = shipped_definition(key)
    by_key = {item["key"]: item for item in ours["items"]}
    items = []
    for item in definition.get("items") or []:
        our = by_key.get(item.get("key"))
        if our is None:
            items.append(item)
            continue
        kept = {f: v for f, v in item.items() if f not in SHIPPED_ITEM_FIELDS}
        kept.update({f: copy.deepcopy(our[f]) for f in SHIPPED_ITEM_FIELDS if f in our})
        if _answer_range(item) == _answer_range(our) and item.get("labels"):
            kept["labels"] = item["labels"]
        else:
            # Its labels were keyed to its own answers (1–4, say): beside our range they
            # would name the wrong answer ("Not at all" on 1, which alerts). Ours, then,
            # in the reader's language (`items_in`).
            kept["labels"] = copy.deepcopy(our.get("labels") or {})
            if _answer_range(item) != _answer_range(our):
                kept[OUR_LABELS] = True
        items.append(kept)
    return {**definition, "items": items, "scoring": copy.deepcopy(ours["scoring"])}


def with_shipped_rules(instrument: Instrument) -> Instrument:
    """A stored version as it is used: a practice's own version of one of our keys
    scored by our rules (`keep_shipped_rules`). Changes the instance just read, before
    anyone shares it; our own versions are left as stored (each old one scores its own
    responses)."""
    if instrument.practice_id is not None and instrument.key in SHIPPED_KEYS:
        kept = keep_shipped_rules(
            {"key": instrument.key, "items": instrument.items, "scoring": instrument.scoring}
        )
        instrument.items, instrument.scoring = kept["items"], kept["scoring"]
    return instrument


@transaction.atomic
def instrument_save(*, definition: dict, practice=None) -> tuple[Instrument, bool]:
    """Store a definition as the current version of its key (for `practice`, or shipped).

    Unchanged content changes nothing; changed content makes version + 1 and keeps the
    old version (old responses are scored by their own version).
    """
    data = normalise(definition)
    if practice is not None:
        data = keep_shipped_rules(data)
    # Two servers storing the same key at once: with no row yet, select_for_update below
    # locks nothing, so serialise on the key itself for the rest of the transaction.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))",
            [f"instrument:{getattr(practice, 'pk', None)}:{data['key']}"],
        )
    current = (
        Instrument.objects.select_for_update()
        .filter(practice=practice, key=data["key"])
        .order_by("-version")
        .first()
    )
    if current is not None and all(getattr(current, f) == data[f] for f in _CONTENT_FIELDS):
        return current, False
    Instrument.objects.filter(practice=practice, key=data["key"]).update(is_current=False)
    instrument = Instrument.objects.create(
        practice=practice,
        key=data["key"],
        version=(current.version + 1) if current else 1,
        is_current=True,
        **{f: data[f] for f in _CONTENT_FIELDS},
    )
    return instrument, True


def sync_shipped() -> int:
    """Make sure every shipped instrument is stored at its current wording."""
    return sum(1 for d in SHIPPED if instrument_save(definition=d)[1])


def _current_rows(keys: list[str], practice_id: int | None) -> list[Instrument]:
    # One WHERE with an OR, not two querysets joined with `|` (cheaper to compile).
    where = Q(practice__isnull=True)
    if practice_id:
        where |= Q(practice_id=practice_id)
    rows = Instrument.objects.filter(where, key__in=keys, is_current=True)
    return [with_shipped_rules(row) for row in rows]


def current_instruments(keys: list[str], practice_id: int | None) -> dict[str, Instrument]:
    """The current version of each key: the practice's own if it has one, else ours."""
    rows = _current_rows(keys, practice_id)
    if {r.key for r in rows} != set(keys):
        sync_shipped()
        rows = _current_rows(keys, practice_id)
    found: dict[str, Instrument] = {}
    for row in rows:
        if row.key not in found or row.practice_id is not None:
            found[row.key] = row
    missing = set(keys) - set(found)
    if missing:
        raise KeyError(f"Unknown instruments: {sorted(missing)}")
    return found


# Instrument versions read so far, by id. A version's content never changes (a change
# is a new row, instrument_save), so each is read once per process; which version is
# current is always asked of the database. Shared by every request: nothing may be set
# on these instances, and their `is_current` is only what it was when first read.
_versions: dict[int, Instrument] = {}
_VERSIONS_MAX = 1000


def instruments_by_id(ids: list[int]) -> list[Instrument]:
    """These instrument versions (the ones that exist), read only if not yet seen."""
    missing = [pk for pk in ids if pk not in _versions]
    if missing:
        if len(_versions) + len(missing) > _VERSIONS_MAX:
            _versions.clear()
        _versions.update(
            (pk, with_shipped_rules(row)) for pk, row in Instrument.objects.in_bulk(missing).items()
        )
    return [_versions[pk] for pk in ids if pk in _versions]


def spec_of(instrument: Instrument) -> InstrumentSpec:
    return InstrumentSpec(
        key=instrument.key,
        version=instrument.version,
        items=instrument.items,
        scoring=instrument.scoring,
    )


# ---------------------------------------------------------------- languages
# The name of each language, in the reader's language.
LANGUAGE_NAMES = {"en": gettext_lazy("English"), "es": gettext_lazy("Spanish")}


def base_language(language: str | None) -> str:
    """ "es-mx" → "es"; nothing → "en"."""
    return (language or "en").split("-")[0].lower() or "en"


def shown_language(instrument: Instrument, language: str | None) -> str:
    """The language `instrument` is asked in for someone reading `language`: theirs
    if this version has it, else English (the original wording)."""
    lang = base_language(language)
    return lang if lang in (instrument.translations or {}) else "en"


def has_version_in(instrument: Instrument, language: str | None) -> bool:
    """Whether this version can be asked in `language`: English, every instrument's own
    wording, or a language the version carries (`translations`)."""
    lang = base_language(language)
    if lang == "en":
        return True
    # Every question worded in it: a title or a licence note alone is not a version.
    words = ((instrument.translations or {}).get(lang) or {}).get("items") or {}
    return all((words.get(item["key"]) or {}).get("text") for item in instrument.items)


def asked_of(instruments: list[Instrument], language: str | None) -> list[Instrument]:
    """Which of a check-in's instruments a patient reading `language` is asked: the one
    rule, used by the check-in form, its save and its submit. An instrument with no
    version in their language is left out, not shown in another language (the FABQ has
    no licensed Spanish version in the app; a practice that adds one is asked it, as its
    own version of the key wins: `current_instruments`). The clinician is told which
    were left out (`not_asked_in`)."""
    return [i for i in instruments if has_version_in(i, language)]


def question_count(instruments: list[Instrument]) -> int:
    """How many questions these instruments ask (the check-in form numbers each)."""
    return sum(len(i.items) for i in instruments)


def not_asked_in(instruments: list[Instrument], language: str | None) -> list[Instrument]:
    """The instruments `asked_of` leaves out for `language`."""
    return [i for i in instruments if not has_version_in(i, language)]


def title_in(instrument: Instrument, language: str | None) -> str:
    lang = shown_language(instrument, language)
    if lang == "en":
        return instrument.title
    return instrument.translations[lang].get("title") or instrument.title


def patient_title_in(instrument: Instrument, language: str | None) -> str:
    """The heading a patient reads: the plain one ("Your mood") where this version has
    one in the language it is shown in, else its title ("PHQ-2" stays a clinician's
    word: they read `title_in`)."""
    lang = shown_language(instrument, language)
    if lang == "en":
        plain = instrument.patient_title
    else:
        plain = instrument.translations[lang].get("patient_title") or ""
    return plain or title_in(instrument, language)


def instructions_in(instrument: Instrument, language: str | None) -> str:
    lang = shown_language(instrument, language)
    if lang == "en":
        return instrument.instructions
    return instrument.translations[lang].get("instructions") or instrument.instructions


def citation_in(instrument: Instrument, language: str | None) -> str:
    """The citation and credit line in `language` where this version has it."""
    lang = shown_language(instrument, language)
    if lang == "en":
        return instrument.citation
    return instrument.translations[lang].get("citation") or instrument.citation


def licence_note_in(instrument: Instrument, language: str | None) -> str:
    lang = shown_language(instrument, language)
    if lang == "en":
        return instrument.licence_note
    return instrument.translations[lang].get("licence_note") or instrument.licence_note


def items_in(instrument: Instrument, language: str | None) -> list[dict]:
    """The instrument's items with their wording (text, labels, hint) in `language`
    where this version has it. Keys, ranges and every scoring field stay the same."""
    lang = shown_language(instrument, language)
    version = {} if lang == "en" else (instrument.translations or {}).get(lang) or {}
    words = version.get("items") or {}
    items = []
    for item in instrument.items:
        if item.get(OUR_LABELS):
            # A practice's question asked on our range (keep_shipped_rules): our labels,
            # in the reader's language, never its own keyed to other answers.
            labels = our_labels_in(instrument.key, item["key"], language)
        else:
            tr_labels = (words.get(item["key"]) or {}).get("labels") or {}
            labels = {**(item.get("labels") or {}), **tr_labels}
        tr = words.get(item["key"]) or {}
        items.append(
            {**item, **{k: tr[k] for k in ("text", "hint") if tr.get(k)}, "labels": labels}
        )
    return items
