"""How late an alert is (tracking.rules.alert_clock): against its FIRST due time while
open, however far up the escalation chain it has climbed since; against its resolve
time once acknowledged. An escalation step's own due time is only when it moves on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracking import rules

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
OCT = datetime(2026, 10, 12, 15, 0, tzinfo=UTC)  # a first due time weeks ago

CASES = [
    # (case, acknowledged, first_due_at, due_at, resolve_by, chain_exhausted,
    #  expected deadline, overdue, next escalation)
    ("open, due later", False, NOW + 2 * H, NOW + 2 * H, None, False, NOW + 2 * H, False, None),
    ("open, due this minute", False, NOW, NOW, None, False, NOW, True, None),
    ("open, late, not moved on yet", False, NOW - H, NOW - H, None, False, NOW - H, True, None),
    # The tester's case: raised in October, escalated, the step's time 8 hours ahead.
    ("escalated weeks ago", False, OCT, NOW + 8 * H, None, False, OCT, True, NOW + 8 * H),
    ("escalated, step's time passed", False, OCT, NOW - H, None, False, OCT, True, None),
    ("whole chain gone through", False, OCT, NOW + 8 * H, None, True, OCT, True, None),
    # Its clinician could not be reached: moved on before its first due time.
    ("moved on early", False, NOW + H, NOW + 8 * H, None, False, NOW + H, False, NOW + 8 * H),
    ("old row without a first due time", False, None, NOW - H, None, False, NOW - H, True, None),
    ("no due time at all", False, None, None, None, False, None, False, None),
    # Acknowledged: the first deadline was met; late against the resolve time only.
    ("acknowledged, resolve later", True, OCT, OCT, NOW + H, False, NOW + H, False, None),
    ("acknowledged, resolve passed", True, OCT, OCT, NOW - H, False, NOW - H, True, None),
    ("acknowledged, old row", True, OCT, OCT, None, False, None, False, None),
]


@pytest.mark.parametrize(
    ("case", "acked", "first", "due", "resolve_by", "exhausted", "deadline", "overdue", "nxt"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_how_late_an_alert_is(
    case, acked, first, due, resolve_by, exhausted, deadline, overdue, nxt
):
    clock = rules.alert_clock(
        acknowledged=acked,
        first_due_at=first,
        due_at=due,
        resolve_by=resolve_by,
        chain_exhausted=exhausted,
        now=NOW,
    )
    assert (clock.deadline, clock.overdue, clock.next_escalation_at) == (
        deadline,
        overdue,
        nxt,
    ), case
