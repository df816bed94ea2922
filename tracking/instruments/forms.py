"""The practice admin's instrument import: one JSON definition, checked thoroughly.

`validate_definition` turns the parsed JSON into a definition `instrument_save` accepts,
or a list of plain-language problems. Nothing is stored unless there are none.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tracking.instruments import registry
from tracking.instruments.shipped import SHIPPED

MAX_BYTES = 200_000
METHODS = {"sum", "mean", "raw"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# A practice may store its own version of one of ours (a licensed translation of the
# FABQ, say) if it asks the same questions: the same question keys, so scores, charts
# and reports read it as they read ours. Its version then replaces ours for the practice.
SHIPPED_ITEM_KEYS = {
    d["key"]: {(d.get("item_defaults", {}) | i)["key"] for i in d["items"]} for d in SHIPPED
}
TRANSLATION_FIELDS = ("title", "patient_title", "instructions", "citation", "licence_note")


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def validate_definition(data) -> tuple[dict | None, list[str]]:
    """Check one instrument definition. Returns (definition, []) or (None, problems)."""
    if not isinstance(data, dict):
        return None, [
            gettext(
                "The file must hold one questionnaire: a JSON object that starts "
                "with { and ends with }."
            )
        ]
    errors: list[str] = []
    key, title = _text(data.get("key")), _text(data.get("title"))
    if not key:
        errors.append(gettext('The questionnaire needs a "key": a short name like "my_scale".'))
    elif not SLUG.match(key):
        errors.append(
            gettext(
                'The key "%(key)s" can only use small letters, numbers, _ and -, '
                "start with a letter or number, and be at most 64 characters."
            )
            % {"key": key}
        )
    elif key in registry.SHIPPED_KEYS and _item_keys(data) != SHIPPED_ITEM_KEYS[key]:
        errors.append(
            gettext(
                'The key "%(key)s" is already used by a questionnaire we provide. '
                "Please choose another key. (To add your own version of ours, such as a "
                "licensed translation, use exactly the same question keys as ours.)"
            )
            % {"key": key}
        )
    if not title:
        errors.append(gettext('The questionnaire needs a "title".'))
    elif len(title) > 200:
        errors.append(gettext("Please keep the title under 200 characters."))
    for field in ("patient_title", "instructions", "citation", "licence_note"):
        if field in data and not isinstance(data[field], str):
            errors.append(gettext('"%(field)s" must be text.') % {"field": field})
    if len(_text(data.get("patient_title"))) > 200:
        errors.append(gettext("Please keep the patient title under 200 characters."))

    defaults = data.get("item_defaults", {})
    if not isinstance(defaults, dict):
        errors.append(gettext('"item_defaults" must be an object like {"min": 0, "max": 4}.'))
        defaults = {}
    raw_items = data.get("items")
    items: list[dict] = []
    if not isinstance(raw_items, list) or not raw_items:
        errors.append(
            gettext('The questionnaire needs "items": a list with at least one question.')
        )
        raw_items = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_items, start=1):
        if not isinstance(raw, dict):
            errors.append(
                gettext("Question %(n)s must be an object with a key and text.") % {"n": n}
            )
            continue
        item = {**defaults, **raw}
        item_key, text = _text(item.get("key")), _text(item.get("text"))
        if not item_key:
            errors.append(gettext('Question %(n)s needs a "key".') % {"n": n})
        elif not SLUG.match(item_key):
            errors.append(
                gettext(
                    'Question %(n)s: the key "%(key)s" can only use small letters, '
                    "numbers, _ and -."
                )
                % {"n": n, "key": item_key}
            )
        elif item_key in seen:
            errors.append(
                gettext('Question %(n)s: the key "%(key)s" is used twice.')
                % {"n": n, "key": item_key}
            )
        seen.add(item_key)
        if not text:
            errors.append(
                gettext('Question %(n)s needs a "text": the words the patient reads.') % {"n": n}
            )
        lo, hi = item.get("min", 0), item.get("max", 10)
        if not _whole(lo) or not _whole(hi):
            errors.append(
                gettext('Question %(n)s: "min" and "max" must be whole numbers, like 0 and 4.')
                % {"n": n}
            )
        elif lo >= hi:
            errors.append(
                gettext('Question %(n)s: "min" (%(min)s) must be smaller than "max" (%(max)s).')
                % {"n": n, "min": lo, "max": hi}
            )
        labels = item.get("labels", {})
        if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
            errors.append(
                gettext('Question %(n)s: "labels" must look like {"0": "Not at all"}.') % {"n": n}
            )
            labels = {}
        items.append(
            {
                "key": item_key,
                "text": text,
                "min": lo,
                "max": hi,
                "labels": {str(k): v for k, v in labels.items()},
            }
        )

    scoring = data.get("scoring", {"method": "sum"})
    if not isinstance(scoring, dict):
        errors.append(gettext('"scoring" must be an object like {"method": "sum"}.'))
        scoring = {}
    method = scoring.get("method", "sum")
    if method not in METHODS:
        errors.append(
            gettext(
                'The scoring method "%(method)s" is not one we know. Use "sum", "mean" or "raw".'
            )
            % {"method": method}
        )
    for k in scoring.get("items") or []:
        if k not in seen:
            errors.append(
                gettext(
                    'Scoring uses the question "%(key)s", which is not in the list of questions.'
                )
                % {"key": k}
            )
    subscales = scoring.get("subscales") or {}
    if not isinstance(subscales, dict):
        errors.append(gettext('"subscales" must look like {"name": ["q1", "q2"]}.'))
        subscales = {}
    for name, keys in subscales.items():
        if not isinstance(keys, list) or not keys:
            errors.append(
                gettext('The subscale "%(name)s" needs a list of question keys.') % {"name": name}
            )
            continue
        for k in keys:
            if k not in seen:
                errors.append(
                    gettext(
                        'The subscale "%(name)s" uses the question "%(key)s", which is not '
                        "in the list of questions."
                    )
                    % {"name": name, "key": k}
                )
    max_missing = scoring.get("max_missing", 0)
    if not _whole(max_missing) or max_missing < 0:
        errors.append(gettext('"max_missing" must be a whole number, 0 or more.'))
    bands = scoring.get("bands") or []
    if not isinstance(bands, list):
        errors.append(
            gettext('"bands" must be a list like [{"min": 0, "max": 4, "label": "Low"}].')
        )
        bands = []
    for n, band in enumerate(bands, start=1):
        if (
            not isinstance(band, dict)
            or not _number(band.get("min"))
            or not _number(band.get("max"))
        ):
            errors.append(gettext('Band %(n)s: "min" and "max" must be numbers.') % {"n": n})
        elif band["min"] > band["max"]:
            errors.append(gettext('Band %(n)s: "min" must not be bigger than "max".') % {"n": n})
        elif not _text(band.get("label")):
            errors.append(gettext('Band %(n)s needs a "label", like "Mild".') % {"n": n})

    translations = _translations(data.get("translations", {}), seen, errors)

    shipped = None
    if key in registry.SHIPPED_KEYS and not errors:
        # A practice's own version of one of ours (item keys checked above).
        shipped = registry.shipped_definition(key)
        raw_scoring = data.get("scoring")
        stated: dict = raw_scoring if isinstance(raw_scoring, dict) else {}
        errors += _differs_from_shipped(key, data, stated, shipped)

    if errors:
        return None, errors
    definition = {
        "key": key,
        "title": title,
        "patient_title": _text(data.get("patient_title")),
        "instructions": _text(data.get("instructions")),
        "citation": _text(data.get("citation")),
        "licence_note": _text(data.get("licence_note")),
        "items": items,
        "scoring": {},
        "translations": translations,
    }
    if shipped is not None:
        # Its wording is the practice's; how it is scored, its safety question and the
        # bands that alert the clinician stay ours (registry.keep_shipped_rules, the
        # rule every read of it follows too).
        return registry.keep_shipped_rules(definition), []
    clean_scoring = {"method": method, "max_missing": max_missing}
    if scoring.get("items"):
        clean_scoring["items"] = list(scoring["items"])
    if subscales:
        clean_scoring["subscales"] = {str(k): list(v) for k, v in subscales.items()}
    if bands:
        clean_scoring["bands"] = [
            {"min": b["min"], "max": b["max"], "label": _text(b["label"])} for b in bands
        ]
    return {**definition, "scoring": clean_scoring}, []


def _differs_from_shipped(key: str, data: dict, scoring: dict, shipped: dict) -> list[str]:
    """What an upload for one of our keys states that differs from our scoring: each a
    plain message. What it leaves out is taken from ours."""
    ours = shipped["scoring"]
    problems: list[str] = []
    if "method" in scoring and scoring["method"] != ours.get("method"):
        problems.append(
            gettext(
                "“%(key)s” is one of our questionnaires: its scoring method must stay "
                "“%(method)s”, so its scores and alerts mean the same. Leave out "
                "“scoring” and ours is used."
            )
            % {"key": key, "method": ours.get("method")}
        )
    stated_safety = [
        v for v in (data.get("safety_item"), scoring.get("safety_item")) if v is not None
    ]
    if any(v != ours.get("safety_item") for v in stated_safety):
        problems.append(
            gettext(
                "“%(key)s” is one of our questionnaires: its safety question must stay "
                "“%(item)s”. Any answer above 0 to it alerts the clinician at once."
            )
            % {"key": key, "item": ours.get("safety_item") or "—"}
            if ours.get("safety_item")
            else gettext(
                "“%(key)s” is one of our questionnaires: it has no safety question, so "
                "please leave out “safety_item”."
            )
            % {"key": key}
        )
    if "bands" in scoring and _thresholds(scoring.get("bands")) != _thresholds(ours.get("bands")):
        problems.append(
            gettext(
                "“%(key)s” is one of our questionnaires: its score bands must stay as "
                "ours (%(bands)s), as they decide when the clinician is alerted. Leave "
                "out “bands” and ours are used."
            )
            % {
                "key": key,
                "bands": ", ".join(f"{lo}–{hi}" for lo, hi in _thresholds(ours.get("bands")))
                or "—",
            }
        )
    same = {
        "items": lambda v: sorted(v or []) == sorted(ours.get("items") or []),
        "max_missing": lambda v: v == ours.get("max_missing", 0),
        "subscales": lambda v: (v or {}) == (ours.get("subscales") or {}),
    }
    if any(f in scoring and not check(scoring[f]) for f, check in same.items()):
        problems.append(
            gettext(
                "“%(key)s” is one of our questionnaires: the questions added into its "
                "score, its subscales and the answers it may miss must stay as ours. "
                "Leave them out and ours are used."
            )
            % {"key": key}
        )
    raw_defaults = data.get("item_defaults")
    defaults: dict = raw_defaults if isinstance(raw_defaults, dict) else {}
    by_key = {i["key"]: i for i in shipped["items"]}
    for n, raw in enumerate(data.get("items") or [], start=1):
        item = {**defaults, **raw}
        our = by_key.get(item.get("key"))
        if our is None or "type" in our:
            continue
        if any(f in item and item[f] != our.get(f) for f in ("min", "max")):
            problems.append(
                gettext(
                    "Question %(n)s: “%(key)s” is one of our questionnaires, so its "
                    "answers must stay from %(min)s to %(max)s."
                )
                % {"n": n, "key": key, "min": our.get("min"), "max": our.get("max")}
            )
    return problems


def _thresholds(bands) -> list[tuple]:
    return [(b.get("min"), b.get("max")) for b in (bands or []) if isinstance(b, dict)]


def _item_keys(data: dict) -> set:
    defaults = data.get("item_defaults")
    items = data.get("items")
    if not isinstance(defaults, dict):
        defaults = {}
    if not isinstance(items, list):
        items = []
    return {({**defaults, **i}).get("key") for i in items if isinstance(i, dict)}


def _translations(raw, item_keys: set[str], errors: list[str]) -> dict:
    """Optional wording in other languages: {"es": {"title": …, "instructions": …,
    "items": {"q1": {"text": …, "labels": {"0": …}}}}}. A language counts as a version
    the patient can be asked in only when every question has its text in it
    (registry.has_version_in)."""
    languages = {code for code, _ in settings.LANGUAGES} - {"en"}
    if not isinstance(raw, dict):
        errors.append(
            gettext('"translations" must look like {"es": {"title": "…", "items": {…}}}.')
        )
        return {}
    clean: dict[str, dict] = {}
    for lang, words in raw.items():
        if lang not in languages:
            errors.append(
                gettext(
                    '"translations": "%(lang)s" is not a language of the app '
                    "(use one of: %(languages)s)."
                )
                % {"lang": lang, "languages": ", ".join(sorted(languages))}
            )
            continue
        if not isinstance(words, dict):
            errors.append(gettext('"translations": "%(lang)s" must be an object.') % {"lang": lang})
            continue
        entry: dict[str, Any] = {
            f: _text(words.get(f)) for f in TRANSLATION_FIELDS if _text(words.get(f))
        }
        items = words.get("items") or {}
        if not isinstance(items, dict):
            errors.append(
                gettext('"translations": the "items" of "%(lang)s" must be an object by key.')
                % {"lang": lang}
            )
            items = {}
        entry_items = {}
        for item_key, tr in items.items():
            if item_key not in item_keys:
                errors.append(
                    gettext(
                        '"translations": "%(lang)s" words the question "%(key)s", which is '
                        "not in the list of questions."
                    )
                    % {"lang": lang, "key": item_key}
                )
                continue
            labels = tr.get("labels", {}) if isinstance(tr, dict) else None
            if (
                not isinstance(tr, dict)
                or not _text(tr.get("text"))
                or not isinstance(labels, dict)
            ):
                errors.append(
                    gettext(
                        '"translations": question "%(key)s" in "%(lang)s" needs a "text" '
                        '(and "labels", if any, like {"0": "…"}).'
                    )
                    % {"key": item_key, "lang": lang}
                )
                continue
            entry_items[item_key] = {
                "text": _text(tr["text"]),
                "labels": {str(k): v for k, v in labels.items() if isinstance(v, str)},
            }
        entry["items"] = entry_items
        clean[lang] = entry
    return clean


class InstrumentImportForm(forms.Form):
    file = forms.FileField(
        required=False,
        label=_("JSON file"),
        help_text=_("A .json file with one questionnaire. Or paste the text below."),
    )
    text = forms.CharField(
        required=False,
        label=_("Or paste the JSON here"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )
    licence = forms.BooleanField(
        label=_("I confirm our practice holds a licence to use this questionnaire"),
        error_messages={
            "required": _("Please confirm your practice holds a licence to use this questionnaire.")
        },
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        upload, text = cleaned.get("file"), (cleaned.get("text") or "").strip()
        if upload:
            if upload.size > MAX_BYTES:
                self.add_error(
                    "file",
                    gettext("This file is too big. A questionnaire file should be under 200 KB."),
                )
                return cleaned
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error(
                    "file",
                    gettext("We could not read this file. Save it as UTF-8 text and try again."),
                )
                return cleaned
        field = "file" if upload else "text"
        if not text:
            self.add_error("file", gettext("Choose a JSON file, or paste the JSON in the box."))
            return cleaned
        if upload:
            # A file cannot be chosen again for the admin: its text goes in the box, so
            # a refused one can be fixed there and sent again.
            kept = QueryDict(mutable=True)
            kept.update(self.data)
            kept["text"] = text
            self.data = kept
        try:
            data = json.loads(text)
        except ValueError as exc:
            self.add_error(
                field,
                gettext(
                    "This is not valid JSON (line %(line)s). Check for a missing comma, "
                    "quote or bracket."
                )
                % {"line": getattr(exc, "lineno", "?")},
            )
            return cleaned
        definition, problems = validate_definition(data)
        for problem in problems:
            self.add_error(field, problem)
        cleaned["definition"] = definition
        return cleaned
