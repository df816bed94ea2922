"""A second program version for tailoring tests: a 4-week program whose weeks are the
shipped program's first four (so their lessons share slugs), in English."""

from __future__ import annotations

from dataclasses import replace

from programs.models import ProgramVersion
from programs.services import program_version_load
from tests.factories import shipped_program_data


def make_trial_version(
    slug: str = "prt-trial-test", language: str = "en", weeks: int = 4
) -> ProgramVersion:
    data = shipped_program_data()
    version, _ = program_version_load(
        replace(
            data,
            slug=slug,
            title="Trial dose (test)",
            weeks=data.weeks[:weeks],
            content_hash=f"{slug}-{language}".ljust(64, "0")[:64],
            checkin_config={**data.checkin_config, "full_weeks": [3]},
            language=language,
        )
    )
    return version


def make_custom_exercise(enrollment):
    """A custom exercise the patient's clinician added for week 1."""
    from programs.tailoring.services import custom_exercise_add

    return custom_exercise_add(
        enrollment=enrollment,
        week=1,
        title="Walk to the corner",
        instructions="Walk slowly and notice your feet.",
        reason="A small step for this week.",
        by=enrollment.clinician,
    )
