"""The rules for a change of the escalation chain (tracking.rules): which steps an alert
has reached or passed, and whom a change adds to them, who are then told of it at once
(tracking.alerts.chain_edits)."""

from __future__ import annotations

import pytest

from tracking import rules


@pytest.mark.parametrize(
    ("position", "reached", "through", "passed"),
    [
        # Still with the patient's clinician: no step is behind it.
        (1, None, False, False),
        # The step it went to, and every one before it.
        (2, 2, False, True),
        (1, 2, False, True),
        # A later step: its clock will bring it there.
        (3, 2, False, False),
        # Through the whole chain (the safety contact was told): every step is behind
        # it, one added at the end since too, even with no step ever reached (an empty
        # chain sends it straight to the safety contact).
        (4, 3, True, True),
        (1, None, True, True),
    ],
)
def test_which_steps_an_alert_has_reached_or_passed(position, reached, through, passed):
    assert rules.step_passed(position, reached=reached, through=through) is passed


# A chain as the sweep reads it: (position, the active people the step names now). The
# patient's clinician is 7; 8 is the on-call clinician; 9 is someone new; 1 and 2 are
# the admins.
CHAIN = [(1, [7]), (2, [8]), (3, [1, 2])]


@pytest.mark.parametrize(
    ("before", "after", "reached", "through", "holding", "expected"),
    [
        # Someone added at the end of a chain the alert went all the way through.
        (CHAIN, [*CHAIN, (4, [9])], 3, True, {7, 8, 1, 2}, [9]),
        # … but an alert not through it yet will reach them on its clock.
        (CHAIN, [*CHAIN, (4, [9])], 2, False, {7, 8}, []),
        # Moved up into the place of the step the alert is at.
        ([(1, [7]), (2, [8]), (3, [9])], [(1, [7]), (2, [9]), (3, [8])], 2, False, {7, 8}, [9]),
        # Moved up, but still ahead of the alert.
        ([(1, [7]), (2, [8]), (3, [9])], [(1, [7]), (2, [9]), (3, [8])], 1, False, {7}, []),
        # A step removed: the one after it takes its place, behind the alert.
        ([(1, [7]), (2, [8]), (3, [9])], [(1, [8]), (2, [9])], 2, False, {7, 8}, [9]),
        # Someone taken off a step: nobody new, and nothing is taken back.
        ([(1, [7]), (2, [8])], [(1, [7])], 2, False, {7, 8}, []),
        # Still with the patient's clinician: a new first step waits for the clock.
        ([(1, [7])], [(1, [9]), (2, [7])], None, False, set(), []),
        # Nobody is told twice: 9 acknowledged it (or was told) already.
        ([(1, [7]), (2, [8]), (3, [9])], [(1, [7]), (2, [9]), (3, [8])], 2, False, {7, 8, 9}, []),
        # Only whom the change adds: admin 2 was on a passed step before (switched off
        # when the alert got there, say), so this edit is not what adds them.
        ([(1, [1, 2])], [(1, [1, 2]), (2, [9])], 1, True, {1}, [9]),
        # In the chain's order, each once (9 is named and an admin too).
        ([(1, [7])], [(1, [7]), (2, [9]), (3, [9, 4])], 1, True, {7}, [9, 4]),
        # A "the patient's clinician" step moved behind the alert: not the clinician
        # emailed as it was raised (in `holding`) …
        ([(1, [8]), (2, [7])], [(1, [7]), (2, [8])], 1, False, {7, 8}, []),
        # … but a clinician who was not (a routine alert): that step is their email.
        ([(1, [8]), (2, [7])], [(1, [7]), (2, [8])], 1, False, {8}, [7]),
        # The chain emptied: nobody to add.
        (CHAIN, [], 3, True, {7, 8, 1, 2}, []),
    ],
)
def test_whom_a_change_of_the_chain_adds_behind_an_alert(
    before, after, reached, through, holding, expected
):
    assert (
        rules.chain_newcomers(before, after, reached=reached, through=through, holding=holding)
        == expected
    )
