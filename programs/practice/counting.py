"""When a somatic-tracking session counts toward practice figures.

A session shorter than the practice's minimum (two minutes unless the practice sets
another) is kept in the patient's log and listed for their clinician, labelled, but
is not counted in the clinician's session counts, the patient's summary figures or the
outcomes report's adherence (`Enrollment.practice_sessions_logged`): a page opened and
closed after a few seconds is not practice (clinical review, issue 16).

The rule is pure and lives here, beside the player, because `programs` keeps the
count (`practice_session_record`) and may not import `tracking`; `tracking.rules`
re-exports it, as it does program weeks, so every reader still asks `rules`; standard
library only for that reason. The per-practice minimum is a practice setting
(`tracking.models.PracticeSettings.min_practice_seconds`), which tracking provides to
programs through `programs.practice.services.min_practice_seconds_source` (an
extension point, painapp/accounts/extensions.py).
"""

from __future__ import annotations

DEFAULT_MIN_PRACTICE_SECONDS = 120
"""A somatic-tracking session counts toward practice figures from this many seconds
(PRT_NOTES: a session is 3–10 minutes; two minutes leaves room for a short one)."""


def counts_toward_practice(duration_seconds: int, *, min_seconds: int) -> bool:
    """A session of `duration_seconds` counts when it lasted at least `min_seconds`
    (120 s counts, 119 s does not). A minimum of 0 counts every session, including
    those saved from the page without JavaScript, which cannot time itself (0 s)."""
    return duration_seconds >= min_seconds
