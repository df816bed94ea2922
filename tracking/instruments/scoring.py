"""Validating and scoring answers. Pure functions over an instrument's data."""

from __future__ import annotations

from dataclasses import dataclass

# The messages are the patient's: in their language (the active one), shown beside the
# question by CheckInForm.apply_errors.
from django.utils.translation import gettext as _

MIND_BRAIN_CATEGORIES = {"stress", "psychological", "brain"}
CAUSE_CATEGORIES = {
    "spinal",
    "injury",
    "activity",
    "sedentary",
    "posture",
    "age",
    "hereditary",
    "negligence",
    "stress",
    "psychological",
    "brain",
    "other",
}


class AnswerError(ValueError):
    """Answers that cannot be scored; `errors` maps item key → a plain message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class InstrumentSpec:
    key: str
    version: int
    items: list[dict]
    scoring: dict


def clean_answers(spec: InstrumentSpec, raw: dict, *, allow_missing: bool = False) -> dict:
    """Check each answer is a whole number in its item's range (or a valid cause).

    Returns {item_key: int or {"text", "category"}}; missing items are omitted when
    `allow_missing` (drafts), otherwise reported.
    """
    errors: dict[str, str] = {}
    clean: dict = {}
    for item in spec.items:
        key = item["key"]
        value = raw.get(key)
        if item.get("type") == "cause":
            value = value or {}
            text = str(value.get("text", "")).strip()
            category = str(value.get("category", "")).strip()
            if not text and not category:
                if not allow_missing:
                    errors[key] = _("Write this cause in a few words and choose a category.")
                continue
            if not text:
                errors[key] = _("Write this cause in a few words.")
            elif len(text) > 300:
                errors[key] = _("Please keep each cause under 300 characters.")
            elif category not in CAUSE_CATEGORIES:
                errors[key] = _("Choose a category from the list.")
            else:
                clean[key] = {"text": text, "category": category}
            continue
        if value is None or value == "":
            # An optional item (PHQ-9's difficulty question) may be left blank.
            if not allow_missing and not item.get("optional"):
                errors[key] = _("Please choose an answer.")
            continue
        lo, hi = int(item.get("min", 0)), int(item.get("max", 10))
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            errors[key] = _("Choose a whole number from %(lo)s to %(hi)s.") % {"lo": lo, "hi": hi}
            continue
        if not lo <= number <= hi:
            errors[key] = _("Choose a number from %(lo)s to %(hi)s.") % {"lo": lo, "hi": hi}
            continue
        clean[key] = number
    if errors:
        raise AnswerError(errors)
    return clean


def _band(total: float | None, bands: list[dict]) -> str | None:
    if total is None:
        return None
    for band in bands:
        if band["min"] <= total <= band["max"]:
            return band["label"]
    return None


def score(spec: InstrumentSpec, answers: dict) -> dict:
    """Compute the scores of one response.

    sum:  total of the scored items. Missing items beyond `max_missing` give no total;
          within it, the total is prorated (mean of answered items × item count),
          rounded to the nearest whole number — the usual rule for PHQ/GAD.
    mean: mean of the answered items (at most `max_missing` missing).
    raw:  the single item's value.
    mind_brain: how many of the three causes are in stress/psychological/brain.
    Subscales ({"name": [keys]}) are summed the same way.
    """
    rules = spec.scoring or {}
    method = rules.get("method", "sum")
    result: dict = {}
    if method == "mind_brain":
        causes = [answers[k] for k in (i["key"] for i in spec.items) if k in answers]
        result["total"] = (
            sum(1 for c in causes if c["category"] in MIND_BRAIN_CATEGORIES)
            if len(causes) == len(spec.items)
            else None
        )
        return result
    keys = rules.get("items") or [i["key"] for i in spec.items]
    result["total"] = _aggregate(method, keys, answers, int(rules.get("max_missing", 0)))
    for name, sub_keys in (rules.get("subscales") or {}).items():
        result[name] = _aggregate(
            method if method != "raw" else "sum",
            sub_keys,
            answers,
            int(rules.get("max_missing", 0)),
        )
    result["band"] = _band(result["total"], rules.get("bands", []))
    return result


def _aggregate(method: str, keys: list[str], answers: dict, max_missing: int):
    values = [answers[k] for k in keys if isinstance(answers.get(k), int)]
    missing = len(keys) - len(values)
    if not values or missing > max_missing:
        return None
    if method == "raw":
        return values[0]
    if method == "mean":
        return round(sum(values) / len(values), 2)
    total = sum(values)
    if missing:
        total = round(total / len(values) * len(keys))
    return total
