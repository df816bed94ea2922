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
from typing import Any, TypeGuard

from django.db import connection

from tracking import rules
from tracking.models import CheckIn, Response

# The full forms whose band the overview shows, and the short forms (the first two items
# of the PHQ and GAD questionnaires, the same questions in the short and the full form).
BANDED = (rules.PHQ9, rules.GAD7)
SHORT_FORMS = ("phq", "gad")
EMPTY: dict[str, dict] = {"totals": {}, "bands": {}, "short": {}}


def _is_int(value: Any) -> TypeGuard[int]:
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


def _short_sql(prefix: str) -> str:
    """The short form's sum as figures_of takes it, over one check-in's responses `r`."""
    first, second = f"r.answers->'{prefix}1'", f"r.answers->'{prefix}2'"
    whole = " AND ".join(
        f"jsonb_typeof({item}) = 'number' AND ({item})::text ~ '^-?[0-9]+$'"
        for item in (first, second)
    )
    return (
        f"(array_agg(({first})::text::bigint + ({second})::text::bigint ORDER BY r.id)"
        f" FILTER (WHERE r.instrument_key LIKE '{prefix}%%' AND {whole}))[1]"
    )


def refresh_sql(checkin_table: str, response_table: str, where: str = "") -> str:
    """One statement recomputing from their responses the figures of every completed
    check-in (`where`: a condition on them, aliased `rc`). Table names are arguments so
    migration 0009 can fill in with its own."""
    return f"""
UPDATE {checkin_table} c SET figures = f.figures
FROM (
  SELECT r.checkin_id, jsonb_build_object(
      'totals', jsonb_object_agg(r.instrument_key, r.scores->'total'),
      'bands', COALESCE(jsonb_object_agg(r.instrument_key, r.scores->'band')
                        FILTER (WHERE r.instrument_key IN ('{BANDED[0]}', '{BANDED[1]}')),
                        '{{}}'::jsonb),
      'short', jsonb_strip_nulls(jsonb_build_object(
          '{SHORT_FORMS[0]}', {_short_sql(SHORT_FORMS[0])},
          '{SHORT_FORMS[1]}', {_short_sql(SHORT_FORMS[1])}))) AS figures
  FROM {response_table} r
  JOIN {checkin_table} rc ON rc.id = r.checkin_id{f" WHERE {where}" if where else ""}
  GROUP BY r.checkin_id) f
WHERE c.id = f.checkin_id"""  # noqa: S608 (names and constants ours)


# The given enrollments' check-ins (the ids are a parameter).
_REFRESH_SQL = refresh_sql(
    CheckIn._meta.db_table, Response._meta.db_table, "rc.enrollment_id = ANY(%s)"
)


def figures_refresh(*, enrollment_ids: Iterable[int]) -> None:
    """Recompute the figures of these enrollments' check-ins from their responses: one
    statement.

    The same figures as `figures_of`, computed by Postgres (tests/test_figures.py holds
    the two equal, odd answers included). Written out because this runs over whole data
    sets (the demo, the bench, a restore): for 1,000 patients with a year of weekly
    check-ins it takes ~4 s; reading the responses into Python for figures_of and
    writing the results back took ~70 s with bulk_update and ~30 s with one UPDATE.
    """
    ids = sorted({int(pk) for pk in enrollment_ids})
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(_REFRESH_SQL, [ids])
