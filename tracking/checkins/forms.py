"""The check-in form, built from the check-in's instruments.

Fields only carry what was typed; the checking (range, whole numbers, causes) is the
instrument's own, in tracking.instruments.scoring.clean_answers, and its messages are
put back on the fields with `apply_errors`. Field names are
``<instrument>__<item>`` (a cause has ``…__text`` and ``…__category``), so two
instruments with the same item keys (PHQ-9 and PHQ-2) never collide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programs.forms import patient_category_choices
from tracking import rules
from tracking.instruments import registry
from tracking.models import Instrument

CATEGORY_CHOICES = [("", "Choose a category")] + patient_category_choices()
SEP = "__"
# Up to this many options, each fully labelled, show as a list of labelled choices
# (PHQ, GAD); longer scales show as a row of numbers with their end labels (0–10).
LIST_MAX_OPTIONS = 5

# The days the shipped measures ask about ("Think about the last 7 days", "Over the last
# 2 weeks"): the form's intro names those of the check-in's instruments only (the extra
# PHQ-9 check-in has no pain questions). Other instruments say so in their own group.
ASKS_LAST_WEEK = frozenset({rules.PAIN_AVG, rules.PAIN_WORST, rules.FEAR_MOVEMENT})
ASKS_LAST_2_WEEKS = frozenset({rules.PHQ9, rules.PHQ2, rules.GAD7, rules.GAD2, rules.WEEKLY_SAFETY})
# (asks about the last week, asks about the last 2 weeks) → the intro's sentence.
RECALL_NOTES = {
    (True, True): _(
        "Each group says which days to think about: the last week for pain, the last 2 "
        "weeks for mood."
    ),
    (True, False): _("Each group says which days to think about: the last week for pain."),
    (False, True): _("Each group says which days to think about: the last 2 weeks for mood."),
}


def field_name(instrument_key: str, item_key: str) -> str:
    return f"{instrument_key}{SEP}{item_key}"


@dataclass
class Question:
    number: int
    instrument: Instrument
    item: dict
    kind: str  # "scale" | "cause"
    fields: list = field(default_factory=list)  # bound fields
    layout: str = "grid"  # "grid" | "list"
    hint: str = ""
    ends: tuple[str, str] | None = None
    errors: list[str] = field(default_factory=list)
    # After a refused stale save (painapp.edit_version): (bound field, what is saved
    # now) for each of its boxes where that differs from what was sent.
    saved: list = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.item.get("text", "")

    @property
    def field(self):
        return self.fields[0]

    @property
    def anchor(self) -> str:
        """Where an error summary link should take the keyboard."""
        bound = self.fields[0]
        return f"{bound.auto_id}_0" if self.kind == "scale" else bound.auto_id

    @property
    def safety(self) -> str:
        """ "self_harm" for a questionnaire's safety item (PHQ-9 item 9), "new_symptoms"
        for a weekly red-flag question, "" otherwise: these answers act at once."""
        if self.item.get("key") == (self.instrument.scoring or {}).get("safety_item"):
            return "self_harm"
        if self.symptom_group:
            return "new_symptoms"
        return ""

    @property
    def symptom_group(self) -> str:
        """A weekly red-flag question's group (tracking.rules.WEEKLY_SYMPTOM_ITEMS: the
        emergency signs, the signs for a doctor soon, or version 1's both), else "": its
        panel says where to get care for that group."""
        if self.instrument.key != rules.NEW_SYMPTOMS:
            return ""
        question = rules.WEEKLY_SYMPTOM_ITEMS.get(self.item.get("key") or "")
        return question.group if question else ""

    @property
    def symptom_guidance(self) -> rules.SymptomGuidance:
        """What the panel beside a weekly red-flag question says on a yes to it."""
        return rules.symptom_guidance([self.symptom_group] if self.symptom_group else [])

    @property
    def panel_id(self) -> str:
        """The id of the panel a safety answer shows beside the question."""
        return f"safety-{self.number}"

    @property
    def hint_id(self) -> str:
        return f"{self.fields[0].auto_id}_hint"

    @property
    def error_id(self) -> str:
        return f"{self.fields[0].auto_id}_error"

    @property
    def required(self) -> bool:
        """Must be answered before Next moves on (the same rule the submit checks in
        scoring.clean_answers: every cause, and every scale item not marked optional)."""
        return self.kind == "cause" or not self.item.get("optional")

    @property
    def missing_id(self) -> str:
        """The id of the note Next shows beside a required question left blank."""
        return f"{self.fields[0].auto_id}_missing"


@dataclass
class Section:
    instrument: Instrument
    questions: list[Question]
    # The instrument's heading for the patient ("Your mood", registry.patient_title_in),
    # its title as cited ("PHQ-2", in "Where these questions come from") and its
    # instructions, in the language it is shown in.
    title: str = ""
    source_title: str = ""
    instructions: str = ""
    citation: str = ""


def _labels(item: dict) -> dict[int, str]:
    return {int(k): v for k, v in (item.get("labels") or {}).items()}


def _as_list(item: dict) -> bool:
    lo, hi = int(item.get("min", 0)), int(item.get("max", 10))
    labels = _labels(item)
    return hi - lo + 1 <= LIST_MAX_OPTIONS and all(n in labels for n in range(lo, hi + 1))


def _scale_hint(item: dict) -> str:
    labels = _labels(item)
    if not labels:
        return gettext("Choose a number from %(min)s to %(max)s.") % {
            "min": item.get("min", 0),
            "max": item.get("max", 10),
        }
    return " ".join(
        gettext("%(number)s means %(label)s.") % {"number": n, "label": text.lower()}
        for n, text in sorted(labels.items())
    )


def posted_answers(data, instruments: list[Instrument]) -> dict[str, dict]:
    """What was sent, by instrument and item, untouched (clean_answers checks it).

    The same as ``CheckInForm(data, instruments=…).answers()`` without building the
    form's fields: a submit only needs the form again to show errors."""
    result: dict[str, dict] = {}
    for instrument in instruments:
        raw: dict = {}
        for item in instrument.items:
            name = field_name(instrument.key, item["key"])
            if item.get("type") == "cause":
                raw[item["key"]] = {
                    "text": data.get(name + SEP + "text", ""),
                    "category": data.get(name + SEP + "category", ""),
                }
            elif name in data:
                raw[item["key"]] = data.get(name)
        result[instrument.key] = raw
    return result


class CheckInForm(forms.Form):
    def __init__(
        self,
        data=None,
        *,
        instruments: list[Instrument],
        draft: dict | None = None,
        language: str | None = None,
        answered_before: dict | None = None,
    ):
        super().__init__(data)
        self.instruments = instruments
        # Each question in the patient's language (the active one: User.language) where
        # the instrument version has it, else in English.
        self.language = language or translation.get_language()
        # Questions answered before (CheckIn.answered_before) are not asked again.
        before = answered_before or {}
        self.items = {
            i.key: [
                item
                for item in registry.items_in(i, self.language)
                if item["key"] not in (before.get(i.key) or {})
            ]
            for i in instruments
        }
        draft = draft or {}
        for instrument in instruments:
            saved = draft.get(instrument.key) or {}
            for item in self.items[instrument.key]:
                name = field_name(instrument.key, item["key"])
                value = saved.get(item["key"])
                if item.get("type") == "cause":
                    value = value or {}
                    self.fields[name + SEP + "text"] = forms.CharField(
                        label=_("In a few words"),
                        required=False,
                        initial=value.get("text", ""),
                        widget=forms.TextInput(attrs={"maxlength": 300, "autocomplete": "off"}),
                    )
                    self.fields[name + SEP + "category"] = forms.CharField(
                        label=_("What kind of cause is it?"),
                        required=False,
                        initial=value.get("category", ""),
                        widget=forms.Select(choices=CATEGORY_CHOICES),
                    )
                    continue
                lo, hi = int(item.get("min", 0)), int(item.get("max", 10))
                labels = _labels(item)
                as_list = _as_list(item)
                choices = [(str(n), labels[n] if as_list else str(n)) for n in range(lo, hi + 1)]
                self.fields[name] = forms.CharField(
                    label=item.get("text", ""),
                    required=False,
                    initial=None if value is None else str(value),
                    widget=forms.RadioSelect(choices=choices),
                )

    def answers(self) -> dict[str, dict]:
        """What was sent, by instrument and item, untouched (clean_answers checks it)."""
        return posted_answers(self.data, self.instruments)

    def apply_errors(self, errors: dict[str, dict[str, str]]) -> None:
        """Show each instrument's messages next to its questions."""
        self.is_valid()  # every field is optional: this only prepares cleaned_data
        for instrument_key, item_errors in errors.items():
            for item_key, message in item_errors.items():
                name = field_name(instrument_key, item_key)
                if name in self.fields:
                    self.add_error(name, message)
                elif message == gettext("Choose a category from the list."):
                    self.add_error(name + SEP + "category", message)
                else:
                    self.add_error(name + SEP + "text", message)

    def sections(self) -> list[Section]:
        sections = []
        number = 0
        for instrument in self.instruments:
            questions = []
            for item in self.items[instrument.key]:
                number += 1
                name = field_name(instrument.key, item["key"])
                if item.get("type") == "cause":
                    pair = [self[name + SEP + "text"], self[name + SEP + "category"]]
                    # An ErrorList yields its messages (str() also settles lazy ones).
                    questions.append(
                        Question(
                            number=number,
                            instrument=instrument,
                            item=item,
                            kind="cause",
                            fields=pair,
                            errors=[str(e) for b in pair for e in b.errors],
                        )
                    )
                    continue
                bound = self[name]
                labels = _labels(item)
                lo, hi = int(item.get("min", 0)), int(item.get("max", 10))
                layout = "list" if _as_list(item) else "grid"
                ends = None
                if layout == "grid" and (lo in labels or hi in labels):
                    ends = (
                        f"{lo} = {labels.get(lo, '')}".rstrip(" ="),
                        f"{hi} = {labels.get(hi, '')}".rstrip(" ="),
                    )
                questions.append(
                    Question(
                        number=number,
                        instrument=instrument,
                        item=item,
                        kind="scale",
                        fields=[bound],
                        layout=layout,
                        hint=item.get("hint") or ("" if layout == "list" else _scale_hint(item)),
                        ends=ends,
                        errors=[str(e) for e in bound.errors],
                    )
                )
            sections.append(
                Section(
                    instrument=instrument,
                    questions=questions,
                    title=registry.patient_title_in(instrument, self.language),
                    source_title=registry.title_in(instrument, self.language),
                    instructions=registry.instructions_in(instrument, self.language),
                    citation=registry.citation_in(instrument, self.language),
                )
            )
        return sections

    @property
    def question_count(self) -> int:
        return sum(len(items) for items in self.items.values())

    @property
    def recall_note(self) -> str:
        """Which days the check-in's groups ask about, for its intro; "" when none of
        its instruments is one of ours with a set time (each group says its own)."""
        keys = {instrument.key for instrument in self.instruments}
        found = (bool(keys & ASKS_LAST_WEEK), bool(keys & ASKS_LAST_2_WEEKS))
        return str(RECALL_NOTES[found]) if found in RECALL_NOTES else ""
