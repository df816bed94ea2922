"""Wording that depends on whether the patient's back pain was medically assessed.

Program content may say "a doctor has checked your back" only when a clinician has
recorded a medical assessment for the enrollment (programs.models.MedicalAssessment,
"primary chronic back pain, red flags excluded"). In the Markdown and the script's
steps, such a sentence is wrapped in a condition:

    [if assessed]A doctor has checked your back.[else]If you have not yet had your
    back checked by a doctor, please ask for a check.[end]

    [if not assessed]Please ask your doctor to check your back.[end]

`[else]` is optional. Conditions do not nest. Text without a condition is returned as
it is, without asking the database (`assessed` is only called when needed).

Wording that depends on the program's length. A lesson written for the 8-week program
may also be used by a shorter one (programs/content/prt-back-4wk/ uses the 8-week
lessons, session by session): where it names a week or the length, it says so once
for each:

    Over the next [if 4 weeks]four[else]eight[end] weeks, ...

These are settled when the program is read (`resolve_weeks`, programs.content), since
the length is known then: the stored text holds no length condition.
"""

from __future__ import annotations

import re
from collections.abc import Callable

CONDITION = re.compile(
    r"\[if (?P<negated>not )?assessed\](?P<then>.*?)(?:\[else\](?P<otherwise>.*?))?\[end\]",
    re.DOTALL,
)


def has_condition(text: str) -> bool:
    return "[if " in (text or "")


def resolve(text: str, *, assessed: bool | Callable[[], bool]) -> str:
    """`text` with each condition replaced by the branch that applies."""
    if not has_condition(text):
        return text or ""
    is_assessed = assessed() if callable(assessed) else assessed

    def branch(match: re.Match[str]) -> str:
        holds = is_assessed != bool(match["negated"])
        return match["then"] if holds else (match["otherwise"] or "")

    return CONDITION.sub(branch, text)


WEEKS_CONDITION = re.compile(
    r"\[if (?P<weeks>\d+) weeks\](?P<then>.*?)(?:\[else\](?P<otherwise>.*?))?\[end\]",
    re.DOTALL,
)


def resolve_weeks(text: str, *, weeks: int) -> str:
    """`text` with each "[if N weeks]" condition replaced by the branch for a program
    of `weeks` weeks."""
    if "[if " not in text:
        return text

    def branch(match: re.Match[str]) -> str:
        holds = int(match["weeks"]) == weeks
        return match["then"] if holds else (match["otherwise"] or "")

    return WEEKS_CONDITION.sub(branch, text)
