"""The clinician's forms for tailoring one patient's program (tracking.clinic.tailoring).

Each form names its fields; the choices come from the patient's own program, so a
hand-edited id of another program's activity or version is refused as an invalid
choice. Every change carries a short reason, which the patient is shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from painapp.widgets import LongTextarea
from programs.models import ProgramVersion
from programs.tailoring.models import REASON_MAX, AdjustmentAction, SwitchStart
from tracking.clinic.tailoring import TailoringPage

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def reason_field(help_text: StrOrPromise) -> forms.CharField:
    """The reason every change carries. Each form gives an example that fits its own
    change: "You know this one well already" reads oddly under a new exercise."""
    return forms.CharField(
        label=_("Reason, shown to the patient"),
        max_length=REASON_MAX,
        help_text=help_text,
        error_messages={
            "required": _("Write a short reason for the patient."),
            "max_length": _("Keep the reason to 200 characters or fewer."),
        },
    )


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _week_choices(page: TailoringPage) -> list[tuple[str, str]]:
    return [(str(row.week.number), f"{row.week.number}: {row.week.title}") for row in page.weeks]


class _OnePage(forms.Form):
    """The four forms share one page: each gets its own element ids (their field
    names stay plain, so a posted form reads the same with or without JavaScript)."""

    id_prefix = ""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class AdjustForm(_OnePage):
    id_prefix = "adjust"
    activity = forms.TypedChoiceField(
        label=_("Lesson or activity"),
        coerce=int,
        error_messages={
            "required": _("Choose a lesson or activity."),
            "invalid_choice": _("Choose a lesson or activity of this program."),
        },
    )
    action = forms.ChoiceField(
        label=_("Change"),
        choices=AdjustmentAction.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what to change."),
            "invalid_choice": _("Choose what to change."),
        },
    )
    to_week = forms.TypedChoiceField(
        label=_("Move to week"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Only for “Move to another week”."),
        error_messages={"invalid_choice": _("Choose a week of this program.")},
    )
    reason = reason_field(_("One short, kind sentence, e.g. “You know this one well already.”"))

    def __init__(self, *args, page: TailoringPage, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Grouped by week, and each option says its week too: the same daily practice
        # is in every week, and a closed select (or a phone's picker) shows only the
        # option, not its group.
        _choice(self, "activity").choices = [("", _("Choose…"))] + [
            (
                _("Week %(number)s") % {"number": row.week.number},
                # The weekly check-in is tracking's schedule, not a lesson to move.
                [
                    (
                        str(a.pk),
                        # Done ones say so: a done activity cannot be skipped.
                        (
                            _("Week %(number)s · %(title)s · done")
                            if a.pk in page.done
                            else _("Week %(number)s · %(title)s")
                        )
                        % {"number": row.week.number, "title": a.title},
                    )
                    for a, _change in row.activities
                    if a.kind != "checkin"
                ],
            )
            for row in page.weeks
        ]
        _choice(self, "to_week").choices = [("", "—"), *_week_choices(page)]

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("action") == AdjustmentAction.MOVE and not cleaned.get("to_week"):
            self.add_error("to_week", _("Choose the week to move it to."))
        return cleaned


class CustomExerciseForm(_OnePage):
    id_prefix = "exercise"
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        error_messages={
            "required": _("Give the exercise a short title."),
            "max_length": _("Keep the title to 120 characters or fewer."),
        },
    )
    instructions = forms.CharField(
        label=_("What to do"),
        max_length=3000,
        widget=LongTextarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write what the patient should do."),
            "max_length": _("Keep the instructions to 3,000 characters or fewer."),
        },
    )
    week = forms.TypedChoiceField(
        label=_("Show in week"),
        coerce=int,
        error_messages={
            "required": _("Choose a week of this program."),
            "invalid_choice": _("Choose a week of this program."),
        },
    )
    minutes = forms.IntegerField(
        label=_("About how many minutes"),
        min_value=1,
        max_value=120,
        initial=10,
        error_messages={
            key: _("Choose between 1 and 120 minutes.")
            for key in ("required", "invalid", "min_value", "max_value")
        },
    )
    reason = reason_field(
        _("One short, kind sentence, e.g. “This brings your practice into a walk you enjoy.”")
    )

    def __init__(self, *args, page: TailoringPage, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "week").choices = _week_choices(page)
        self.fields["week"].initial = str(max(page.current_week, 1))


class SuggestionForm(_OnePage):
    id_prefix = "suggestion"
    label = forms.CharField(
        label=_("Step for the fear ladder"),
        max_length=200,
        help_text=_("Be specific, for example “carry one bag of shopping from the car”."),
        error_messages={
            "required": _("Write the activity in a few words."),
            "max_length": _("Keep it to 200 characters or fewer."),
        },
    )
    reason = reason_field(
        _("One short, kind sentence, e.g. “You have climbed the first steps well.”")
    )


def _version_label(version: ProgramVersion, language: str) -> str:
    """A program to switch to: its title and version, and its language when it is not
    the patient's program's (the same program in the language the patient reads)."""
    if version.language == language:
        return f"{version.title} (v{version.number})"
    name = get_language_info(version.language)["name_translated"]
    return f"{version.title} (v{version.number}, {name})"


class SwitchForm(_OnePage):
    id_prefix = "switch"
    to_version = forms.TypedChoiceField(
        label=_("Switch to"),
        coerce=int,
        error_messages={
            "required": _("Choose a program."),
            "invalid_choice": _("Choose one of the programs listed."),
        },
    )
    start = forms.ChoiceField(
        label=_("Where the patient starts in the new program"),
        choices=SwitchStart.choices,
        initial=SwitchStart.CALENDAR,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Keeping the calendar is not possible if the patient is already past the new "
            "program's last week."
        ),
        error_messages={"invalid_choice": _("Choose where the patient starts.")},
    )
    reason = reason_field(
        _("One short, kind sentence, e.g. “Two sessions a week may suit your week better.”")
    )

    def __init__(self, *args, page: TailoringPage, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "to_version").choices = [("", _("Choose…"))] + [
            (str(v.pk), _version_label(v, page.language)) for v in page.targets
        ]
        # Keeping the calendar is offered only where it is possible: not at all when
        # the patient is past the end of every program listed (the notes above the
        # form say why), and said where it is not when only some of them.
        closed = page.past_end_titles
        self.calendar_offered = len(closed) < len(page.targets)
        start = _choice(self, "start")
        if not self.calendar_offered:
            start.choices = [c for c in SwitchStart.choices if c[0] != SwitchStart.CALENDAR]
            start.initial = None
            start.help_text = _(
                "Keeping their calendar is not offered: the patient is already past the "
                "last week of the new program."
            )
        elif closed:
            start.choices = [
                (
                    value,
                    _("%(option)s (not for %(programs)s: the patient is past its last week)")
                    % {"option": label, "programs": ", ".join(f"“{t}”" for t in closed)}
                    if value == SwitchStart.CALENDAR
                    else label,
                )
                for value, label in SwitchStart.choices
            ]

    def clean_start(self) -> str:
        # Not sent (an older page, or a client that posts only the program): the
        # calendar is kept, as it always was by default, where it is offered.
        start = self.cleaned_data.get("start")
        if not start and not self.calendar_offered:
            raise forms.ValidationError(_("Choose where the patient starts."))
        return start or SwitchStart.CALENDAR
