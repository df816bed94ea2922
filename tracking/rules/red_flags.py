"""Red flags: the signs that need a doctor first, and the age gates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from tracking.rules.screening import (
    NEW_SYMPTOMS_DOCTOR_ITEM,
    NEW_SYMPTOMS_EMERGENCY_ITEM,
    NEW_SYMPTOMS_ITEM,
    SEVERITY_HIGH,
    SEVERITY_URGENT,
    is_new_symptoms_answer,
)

# ====================================================================== red flags
# The onboarding screen's red flags (PRT_NOTES.md, "Safety"), each defined once: its
# stored key, the plain words the patient reads, and what it means for them. URGENT
# flags are signs of cauda equina compression, which needs the emergency department the
# same day; the rest mean "see your doctor before you start". Every flag holds the
# program and raises a red-flag alert (tracking.lifecycle.screening_submit), whose
# severity is red_flags_alert_severity below: this table is the one place that says
# which signs are emergencies, for the patient's page and the clinician's alert alike.
# Keys are stored on the enrollment and in alerts: never rename one; wording may improve.
RED_FLAG_URGENT = "urgent"
"""Go to the emergency department today, or call the local emergency number."""
RED_FLAG_SEE_DOCTOR = "see_doctor"
"""See a doctor before starting the program."""


class RedFlag(NamedTuple):
    key: str
    label: str | Promise  # translated (gettext_lazy): str() it in the reader's language
    action: str  # RED_FLAG_URGENT or RED_FLAG_SEE_DOCTOR
    asked: bool = True  # False: worked out from other answers, never a tick-box


RED_FLAGS: tuple[RedFlag, ...] = (
    # Cauda equina: the emergency department today.
    RedFlag(
        "bladder_bowel",
        gettext_lazy("New trouble controlling your bladder or bowels"),
        RED_FLAG_URGENT,
    ),
    RedFlag(
        "saddle_numbness",
        gettext_lazy("Numbness between your legs or around your bottom (the 'saddle' area)"),
        RED_FLAG_URGENT,
    ),
    RedFlag(
        "sexual_changes",
        gettext_lazy(
            "New loss of feeling in your genitals, or new problems with sex (such as erections "
            "or feeling)"
        ),
        RED_FLAG_URGENT,
    ),
    RedFlag(
        "both_legs",
        gettext_lazy("Pain, numbness, tingling or weakness in both legs"),
        RED_FLAG_URGENT,
    ),
    RedFlag(
        "leg_weakness",
        gettext_lazy("Weakness in a leg that is getting worse, or a foot that drags or flops"),
        RED_FLAG_URGENT,
    ),
    # Infection, cancer, fracture and other causes: see a doctor before starting.
    RedFlag(
        "fever_unwell",
        gettext_lazy("Fever, or feeling generally unwell, along with your back pain"),
        RED_FLAG_SEE_DOCTOR,
    ),
    RedFlag(
        "immunosuppression",
        gettext_lazy(
            "A weak immune system, for example from HIV, cancer treatment (chemotherapy), or "
            "taking steroid tablets for a long time"
        ),
        RED_FLAG_SEE_DOCTOR,
    ),
    RedFlag(
        "iv_drug_use",
        gettext_lazy("Injecting drugs into a vein, now or in the past year"),
        RED_FLAG_SEE_DOCTOR,
    ),
    RedFlag(
        "spinal_procedure_or_infection",
        gettext_lazy(
            "An operation, injection or other procedure on your spine in the last year, or an "
            "infection in your spine"
        ),
        RED_FLAG_SEE_DOCTOR,
    ),
    RedFlag("weight_loss", gettext_lazy("Losing weight without trying"), RED_FLAG_SEE_DOCTOR),
    RedFlag("cancer_history", gettext_lazy("Having had cancer at any time"), RED_FLAG_SEE_DOCTOR),
    RedFlag(
        "recent_trauma",
        gettext_lazy("A recent serious fall, accident or injury"),
        RED_FLAG_SEE_DOCTOR,
    ),
    RedFlag(
        "minor_trauma_fragile_bones",
        gettext_lazy(
            "A small fall, bump or strain before the pain, if you have thin bones (osteoporosis) "
            "or take steroid tablets for a long time"
        ),
        RED_FLAG_SEE_DOCTOR,
    ),
    RedFlag(
        "thoracic_pain",
        gettext_lazy(
            "Pain mainly in your upper or middle back (between or around your shoulder blades)"
        ),
        RED_FLAG_SEE_DOCTOR,
    ),
    RedFlag(
        "constant_night_pain",
        gettext_lazy("Pain that never lets up in any position, even at night"),
        RED_FLAG_SEE_DOCTOR,
    ),
    # Worked out from the date of birth and when the pain started (back_pain_onset_flag).
    RedFlag(
        "onset_after_50",
        gettext_lazy("Back pain that first started when you were 50 or older"),
        RED_FLAG_SEE_DOCTOR,
        asked=False,
    ),
    RedFlag(
        "onset_before_20",
        gettext_lazy("Back pain that first started before you were 20"),
        RED_FLAG_SEE_DOCTOR,
        asked=False,
    ),
)
RED_FLAGS_BY_KEY = {flag.key: flag for flag in RED_FLAGS}

# Who reads a flag's words: the patient (RED_FLAGS' labels, "your bladder") or staff.
AUDIENCE_PATIENT = "patient"
AUDIENCE_STAFF = "staff"

# The same flags in the words staff read (the clinician's patient pages, the hold
# review, the printed summary and the alert page): third person and clinical, where
# RED_FLAGS holds the words the patient ticked. Every flag has both (tests/test_rules).
RED_FLAG_STAFF_LABELS: dict[str, Promise] = {
    "bladder_bowel": gettext_lazy("New bladder or bowel dysfunction (retention or incontinence)"),
    "saddle_numbness": gettext_lazy("Saddle anaesthesia (perineal or perianal numbness)"),
    "sexual_changes": gettext_lazy("New genital numbness or new sexual dysfunction"),
    "both_legs": gettext_lazy("Bilateral leg pain, numbness, tingling or weakness"),
    "leg_weakness": gettext_lazy("Progressive leg weakness or foot drop"),
    "fever_unwell": gettext_lazy("Fever or feeling systemically unwell, with back pain"),
    "immunosuppression": gettext_lazy(
        "Immunosuppression (e.g. HIV, chemotherapy, long-term oral steroids)"
    ),
    "iv_drug_use": gettext_lazy("Intravenous drug use, current or in the past year"),
    "spinal_procedure_or_infection": gettext_lazy(
        "Spinal surgery, injection or other procedure in the past year, or spinal infection"
    ),
    "weight_loss": gettext_lazy("Unexplained weight loss"),
    "cancer_history": gettext_lazy("History of cancer"),
    "recent_trauma": gettext_lazy("Recent significant trauma (serious fall, accident or injury)"),
    "minor_trauma_fragile_bones": gettext_lazy(
        "Minor trauma or strain before onset, with osteoporosis or long-term oral steroids"
    ),
    "thoracic_pain": gettext_lazy("Predominantly thoracic pain (upper or mid back)"),
    "constant_night_pain": gettext_lazy("Constant, non-mechanical pain, including at night"),
    "onset_after_50": gettext_lazy("Back pain onset at age 50 or older"),
    "onset_before_20": gettext_lazy("Back pain onset before age 20"),
}


def red_flag_label(key: str, *, audience: str = AUDIENCE_PATIENT) -> str:
    """A stored key's words for `audience` (AUDIENCE_PATIENT: the plain words they
    ticked; AUDIENCE_STAFF: RED_FLAG_STAFF_LABELS), or the key itself for one retired
    since."""
    if audience == AUDIENCE_STAFF:
        staff = RED_FLAG_STAFF_LABELS.get(key)
        return str(staff) if staff is not None else key
    flag = RED_FLAGS_BY_KEY.get(key)
    return str(flag.label) if flag else key


def emergency_red_flags(keys: Iterable[str]) -> list[str]:
    """The flags among `keys` that mean the emergency department today (the patient is
    told so on the safety-hold page), in their order. A retired key is none."""
    return [
        k for k in keys if k in RED_FLAGS_BY_KEY and RED_FLAGS_BY_KEY[k].action == RED_FLAG_URGENT
    ]


def red_flags_urgent(keys: Iterable[str]) -> bool:
    """Whether any of these flags means the emergency department today."""
    return bool(emergency_red_flags(keys))


def red_flags_alert_severity(keys: Iterable[str]) -> str | None:
    """The severity of the clinician's alert for a screening's red flags (Alert.Severity's
    values), or None for no flag.

    Any flag the patient is told means the emergency department today → URGENT: the
    clock and escalation of a self-harm alert (the practice's urgent response time), so
    the clinic looks while the patient may still be on their way there. Any other red
    flag → HIGH: a doctor's check before starting, within the practice's HIGH response
    time."""
    keys = list(keys)
    if not keys:
        return None
    return SEVERITY_URGENT if red_flags_urgent(keys) else SEVERITY_HIGH


# ====================================================================== weekly new symptoms
# The weekly check-in's "any new symptoms?" (tracking.instruments.shipped, NEW_SYMPTOMS)
# asks again the red flags that can be new since the last week (PRT_NOTES.md, "Safety"),
# one question per group, so an emergency sign is told apart from a sign for a doctor
# soon. Each question's group, and the red flags it asks about (RED_FLAGS' keys: the
# emergency question holds exactly the URGENT ones, as the onboarding screen acts on
# them; tests/test_rules.py holds the two tables together).
SYMPTOMS_EMERGENCY = "emergency"
"""Signs of cauda equina: the emergency department today, an URGENT alert."""
SYMPTOMS_DOCTOR_SOON = "doctor_soon"
"""Other red-flag signs: see a doctor soon (today or in the next day or two), HIGH."""
SYMPTOMS_EITHER = "either"
"""A yes to version 1's one question over both groups: which is not known, so the
patient is shown both kinds of guidance and the clinician asks (HIGH, as then)."""


class SymptomQuestion(NamedTuple):
    group: str
    flags: tuple[str, ...]  # RED_FLAGS keys


WEEKLY_SYMPTOM_ITEMS: dict[str, SymptomQuestion] = {
    NEW_SYMPTOMS_EMERGENCY_ITEM: SymptomQuestion(
        SYMPTOMS_EMERGENCY,
        ("bladder_bowel", "saddle_numbness", "sexual_changes", "both_legs", "leg_weakness"),
    ),
    NEW_SYMPTOMS_DOCTOR_ITEM: SymptomQuestion(
        SYMPTOMS_DOCTOR_SOON, ("fever_unwell", "weight_loss", "constant_night_pain")
    ),
    NEW_SYMPTOMS_ITEM: SymptomQuestion(
        SYMPTOMS_EITHER,
        (
            "bladder_bowel",
            "saddle_numbness",
            "sexual_changes",
            "both_legs",
            "leg_weakness",
            "fever_unwell",
            "weight_loss",
            "constant_night_pain",
        ),
    ),
}
SYMPTOM_GROUPS = (SYMPTOMS_EMERGENCY, SYMPTOMS_DOCTOR_SOON, SYMPTOMS_EITHER)

SYMPTOM_GROUP_SEVERITY: dict[str, str] = {
    # The onboarding screen's emergency signs' severity (red_flags_alert_severity): the
    # clinic looks within its urgent response time, while the patient may be on their way.
    SYMPTOMS_EMERGENCY: SEVERITY_URGENT,
    SYMPTOMS_DOCTOR_SOON: SEVERITY_HIGH,
    SYMPTOMS_EITHER: SEVERITY_HIGH,
}


def new_symptom_groups(answers: Mapping[str, object]) -> tuple[str, ...]:
    """The groups (SYMPTOM_GROUPS, in that order) of a new-symptoms response's answers
    (its item key → answer) that were answered yes. Any version: version 1's one
    question gives SYMPTOMS_EITHER. An unknown question is none."""
    yes = {
        question.group
        for item, question in WEEKLY_SYMPTOM_ITEMS.items()
        if is_new_symptoms_answer(answers.get(item))
    }
    return tuple(g for g in SYMPTOM_GROUPS if g in yes)


def new_symptoms_alert_severity(group: str) -> str:
    """The severity of the clinician's alert for a yes in `group`: an emergency sign →
    URGENT (as at onboarding, tracking.rules.red_flags_alert_severity); a sign for a
    doctor soon → HIGH; version 1's single question (either) → HIGH, as it was then."""
    return SYMPTOM_GROUP_SEVERITY[group]


class SymptomGuidance(NamedTuple):
    """What the patient is told after a yes to weekly new-symptoms questions: the
    emergency department today (`emergency`), a doctor soon (`doctor_soon`), or, for
    version 1's one question that cannot say which (`either`), both in one."""

    emergency: bool
    doctor_soon: bool
    either: bool


def symptom_guidance(groups: Iterable[str]) -> SymptomGuidance:
    """The guidance for a yes in these groups (new_symptom_groups), in any number."""
    found = set(groups)
    return SymptomGuidance(
        emergency=SYMPTOMS_EMERGENCY in found,
        doctor_soon=SYMPTOMS_DOCTOR_SOON in found,
        either=SYMPTOMS_EITHER in found,
    )


# ====================================================================== results after safety
# What a check-in's results page shows after a safety result: the help first, in the
# order it is needed, and nothing that can wait. Read by tracking.checkins.views.
RESULTS_SYMPTOMS = "symptoms"
"""The new-symptoms box (where to get care)."""
RESULTS_CRISIS = "crisis"
"""The crisis box (self-harm: crisis numbers, then what happens next)."""


class ResultsAfterSafety(NamedTuple):
    # The help boxes shown, first first (RESULTS_SYMPTOMS, RESULTS_CRISIS).
    order: tuple[str, ...]
    # Whether the new-symptoms box says what happens next itself; not when the crisis
    # box follows with the same urgent promise (said once, after the crisis help).
    symptoms_next: bool
    # The offer of extra questions and the progress cards: they can come later.
    extras: bool


def results_after_safety(*, self_harm: bool, guidance: SymptomGuidance) -> ResultsAfterSafety:
    """The results page's layout after a self-harm answer (`self_harm`) and a yes to
    weekly new-symptoms questions (`guidance`, symptom_guidance). An emergency sign
    comes first: the emergency department today is the time-critical step; then the
    crisis help, then what happens next. After a self-harm answer or a sign that may be
    an emergency (`emergency`, or version 1's `either`, which names the emergency
    department too) the page shows nothing else (no extra questionnaire, no progress)."""
    symptoms = guidance.emergency or guidance.doctor_soon or guidance.either
    order: tuple[str, ...] = ()
    if self_harm:
        order = (RESULTS_CRISIS,)
    if symptoms:
        order = (RESULTS_SYMPTOMS, *order) if guidance.emergency else (*order, RESULTS_SYMPTOMS)
    return ResultsAfterSafety(
        order=order,
        symptoms_next=not (self_harm and guidance.emergency),
        extras=not (self_harm or guidance.emergency or guidance.either),
    )


ONSET_AGE_OLDER = 50
"""Back pain that first started at this age or older needs a medical check first
(cancer, fracture and infection are commoner)."""
ONSET_AGE_YOUNGER = 20
"""Back pain that first started before this age needs a medical check first
(inflammatory and structural causes are commoner)."""


def age_on(date_of_birth: date, on: date) -> int:
    """Completed years of age on `on`. Someone born on 29 February has their birthday
    on 1 March in a year without one (they are not a year older on 28 February)."""
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - before_birthday


def age_in_range(age: int, *, age_min: int, age_max: int) -> bool:
    """The practice's age range for the program, both ends included."""
    return age_min <= age <= age_max


def back_pain_onset_flag(*, date_of_birth: date, onset_year: int) -> str | None:
    """The onset red flag from the year the back pain first started, or None.

    Only the year is asked, so the age then is one of two (before or after that year's
    birthday): the rule errs toward asking for a check, flagging if either could be 50
    or over, or under 20."""
    oldest = onset_year - date_of_birth.year
    youngest = oldest - 1
    if oldest >= ONSET_AGE_OLDER:
        return "onset_after_50"
    if youngest < ONSET_AGE_YOUNGER:
        return "onset_before_20"
    return None
