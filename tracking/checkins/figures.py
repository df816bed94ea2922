"""Each completed check-in's figures, kept on the check-in for the patient overview.

The clinician's overview charts six measures over every check-in (a year of weekly
check-ins is 52 of them, each with half a dozen responses). Reading every response's
scores and answers for that, and picking the figures out in Python, was most of the
overview's remaining cost (bench: ~0.2 ms of Postgres building 28 KB of JSON, ~0.25 ms
of Python decoding it). A completed check-in carries them instead, in `CheckIn.figures`:

    {"totals": {instrument key: its score's total, …},   every response
     "bands":  {"phq9": band, "gad7": band},              those answered
     "short":  {"phq": first two items' sum, "gad": …}}   PHQ-2 / GAD-2, from either form

Derived data, with the rule tracking.summaries keeps: `checkin_record` (the only
writer of responses in the app) writes a check-in's figures in the transaction that
writes its responses; data written directly (the demo, the bench, test helpers) goes
through `summaries_refresh`, which recomputes them with `figures_refresh`; so did the
migration that added them. Responses are never changed once written. A check-in not
completed has none (NULL).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tracking import rules
from tracking.models import CheckIn, Response

# The full forms whose band the overview shows, and the short forms (the first two items
# of the PHQ and GAD questionnaires, the same questions in the short and the full form).
BANDED = (rules.PHQ9, rules.GAD7)
SHORT_FORMS = ("phq", "gad")
EMPTY: dict[str, dict] = {"totals": {}, "bands": {}, "short": {}}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def figures_of(responses: Iterable[tuple[str, dict | None, dict | None]]) -> dict:
    """A check-in's figures from its responses, as (key, scores, answers), in the order
    they were written (a short form is taken from the first response that has both of
    its items as whole numbers)."""
    totals: dict[str, Any] = {}
    bands: dict[str, Any] = {}
    short: dict[str, int] = {}
    for key, scores, answers in responses:
        scores, answers = scores or {}, answers or {}
        totals[key] = scores.get("total")
        if key in BANDED:
            bands[key] = scores.get("band")
        for prefix in SHORT_FORMS:
            if prefix in short or not key.startswith(prefix):
                continue
            first, second = answers.get(f"{prefix}1"), answers.get(f"{prefix}2")
            if _is_int(first) and _is_int(second):
                short[prefix] = first + second
    return {"totals": totals, "bands": bands, "short": short}


def figures_refresh(*, enrollment_ids: Iterable[int]) -> None:
    """Recompute the figures of these enrollments' check-ins from their responses, with
    `figures_of` (the one definition): one read of the responses, then one UPDATE per
    batch of check-ins."""
    ids = sorted({int(pk) for pk in enrollment_ids})
    if not ids:
        return
    by_checkin: dict[int, list[tuple]] = {}
    for checkin_id, key, scores, answers in (
            Response.objects.filter(checkin__enrollment_id__in=ids).order_by("pk")
            .values_list("checkin_id", "instrument_key", "scores", "answers")):
        by_checkin.setdefault(checkin_id, []).append((key, scores, answers))
    CheckIn.objects.bulk_update(
        [CheckIn(pk=checkin_id, figures=figures_of(responses))
         for checkin_id, responses in by_checkin.items()],
        ["figures"], batch_size=_BATCH)


# Check-ins per UPDATE in a refresh (bulk_update writes a CASE over the batch's ids).
_BATCH = 500
