"""The diary form: one episode, in the patient's own time zone. Every message says
what to do, in plain words, and what the patient typed stays on the page."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from painapp.edit_version import VersionedForm
from painapp.formats.clock import clock_time
from painapp.submit_once import SubmitOnceForm
from painapp.widgets import ClockTimeField, LongTextarea
from programs.models import Reflection
from programs.safety import PatientTextForm
from tracking import rules
from tracking.diary.models import Activity, DiaryEntry, Place, Sleep
from tracking.diary.selectors import Clue
from tracking.diary.services import Episode

SCALE = [(str(n), str(n)) for n in range(11)]


def _scale(label, hint, message, *, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=hint,
        choices=SCALE,
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class DiaryEntryForm(PatientTextForm, SubmitOnceForm, VersionedForm):
    """One episode: a new one (once: painapp.submit_once), or one edited in place
    (made with `row`: painapp.edit_version)."""

    day = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the day it happened."),
            "invalid": _("Enter the day as year-month-day, for example 2026-03-14."),
        },
    )
    # Its "invalid" message is set as the form is made: an example on the patient's clock.
    at = ClockTimeField(
        label=_("Time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": _("Enter about what time it happened.")},
    )
    pain = _scale(
        _("How strong was the pain?"),
        _("0 means no pain. 10 means the worst pain you can imagine."),
        _("Choose a number from 0 to 10 for how strong the pain was."),
    )
    fear = _scale(
        _("How afraid or worried did you feel?"),
        _("0 means not at all. 10 means very afraid."),
        _("Choose a number from 0 to 10 for how afraid you felt."),
    )
    activity = forms.ChoiceField(
        label=_("What were you doing?"),
        choices=[("", _("Choose if you like")), *Activity.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose one of the activities in the list.")},
    )
    activity_note = forms.CharField(
        label=_("Anything to add about what you were doing"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Keep this under 200 characters.")},
    )
    place = forms.ChoiceField(
        label=_("Where were you?"),
        choices=[("", _("Choose if you like")), *Place.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose one of the places in the list.")},
    )
    sleep = forms.ChoiceField(
        label=_("How did you sleep the night before?"),
        choices=[("", _("Choose if you like")), *Sleep.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose one of the answers in the list.")},
    )
    stress = _scale(
        _("How stressed did you feel?"),
        _("0 means calm. 10 means very stressed. You can skip this."),
        _("Choose a number from 0 to 10 for how stressed you felt, or leave it empty."),
        required=False,
    )
    self_talk = forms.CharField(
        label=_("What I told myself"),
        max_length=2000,
        required=False,
        widget=LongTextarea(attrs={"rows": 3}),
        help_text=_(
            'The thoughts you had about the pain. For example: "I must have hurt my back '
            'again" or "This is my brain being careful. I am safe."'
        ),
        error_messages={"max_length": _("Keep this under 2,000 characters.")},
    )
    clue = forms.ChoiceField(
        label=_("Does this fit one of your clues?"),
        required=False,
        help_text=_("Clues you ticked in your lessons that your pain is a stuck alarm."),
        error_messages={"invalid_choice": _("Choose one of your clues in the list.")},
    )

    def __init__(self, *args, tz: ZoneInfo, now: datetime, clues: list[Clue], **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.now = now
        local = now.astimezone(tz)
        self.fields["day"].initial = local.date()
        self.fields["at"].initial = local.time().replace(second=0, microsecond=0)
        self.fields["at"].error_messages["invalid"] = gettext(
            "Enter the time in hours and minutes: %(time)s, for example."
        ) % {"time": clock_time(time(14, 30))}
        clue_field = cast(forms.ChoiceField, self.fields["clue"])
        if clues:
            clue_field.choices = [("", _("No clue linked")), *[(c.value, c.text) for c in clues]]
        else:
            del self.fields["clue"]

    @classmethod
    def initial_for(cls, entry: DiaryEntry, tz: ZoneInfo) -> dict:
        local = entry.occurred_at.astimezone(tz)
        return {
            "day": local.date(),
            "at": local.time().replace(second=0, microsecond=0),
            "pain": entry.pain,
            "fear": entry.fear,
            "activity": entry.activity,
            "activity_note": entry.activity_note,
            "place": entry.place,
            "sleep": entry.sleep,
            "stress": entry.stress,
            "self_talk": entry.self_talk,
            "clue": f"{entry.clue_reflection_id}:{entry.clue_key}"
            if entry.clue_reflection_id
            else "",
        }

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        day, at = data.get("day"), data.get("at")
        if isinstance(day, date) and isinstance(at, time):
            # The patient's wall clock in their zone; an hour the clocks skip or repeat
            # reads as the first valid reading (zoneinfo, fold=0).
            occurred = datetime.combine(day, at, tzinfo=self.tz)
            problem = rules.diary_time_problem(occurred, self.now)
            if problem == "future" and day > self.now.astimezone(self.tz).date():
                # The day is what is wrong: say so beside the day, not beside the time.
                self.add_error("day", _("That day has not come yet. Enter the day it happened."))
            elif problem == "future":
                self.add_error("at", _("That time has not come yet. Enter when it happened."))
            elif problem == "too_old":
                self.add_error("day", _("Enter a day within the last year."))
            else:
                data["occurred_at"] = occurred
        return data

    def clue_choice(self) -> tuple[int, str] | None:
        """The linked clue as (checklist id, clue key), or None. The id is one the form
        offered (the patient's own); the view reads the checklist scoped to them."""
        value = self.cleaned_data.get("clue") or ""
        if not value:
            return None
        reflection_id, key = value.split(":", 1)
        return int(reflection_id), key

    def episode(self, clue_reflection: Reflection | None) -> Episode:
        d = self.cleaned_data
        choice = self.clue_choice()
        return Episode(
            occurred_at=d["occurred_at"],
            pain=d["pain"],
            fear=d["fear"],
            activity=d.get("activity", ""),
            activity_note=d.get("activity_note", ""),
            place=d.get("place", ""),
            sleep=d.get("sleep", ""),
            stress=d.get("stress"),
            self_talk=d.get("self_talk", ""),
            clue_reflection=clue_reflection if choice else None,
            clue_key=choice[1] if choice and clue_reflection else "",
        )
