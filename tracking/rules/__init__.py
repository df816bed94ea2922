"""Every clinical definition and threshold of painapp, each defined once.

What counts as pain-free, as a real improvement, which program week a patient is in,
whether a check-in is open, how a PHQ-9 is banded, when an alert is raised: each rule
is a named constant or a small pure function here, and everything else asks it. The
numbers come from the published trial and the measurement literature summarised in
the team's clinical notes (PRT_NOTES.md); each docstring says where a number comes
from and who reads it.

Plain values in, plain values out: no model, no query, no clock. So the same rule
serves a model method, a service, a selector holding numbers from a SQL row, and the
wording of a template. Where SQL has to filter or sort by a rule, the service that owns
the data stores the rule's result in a column and SQL reads the column (issue 13):
nothing here is written a second time in SQL.

This module imports only the standard library and programs.weeks (itself standard
library only): tracking.models takes its default thresholds from here, so it may not
import a model. The status words below are the
values of `CheckIn.Status` and `EnrollmentStatus`; tests/test_rules.py holds them equal.

Scores are whole numbers today (every shipped 0–10 item is answered with a whole
number, and a practice cannot reuse a shipped key), but the summary keeps them as
floats and a practice's own instrument may average. The arithmetic below is exact for
any of them: a float is read as the decimal it prints as (7.3 is 73/10), so 30% of 10
is 3, not 3.0000000000000004.

The rules live in one module per subject (measures, screening, alerts, outcomes, red
flags, crisis words, due times, records and the practice calendar); this package is their one
face: every reader imports `from tracking import rules` and asks `rules.<name>`.
"""

from tracking.rules._base import Score as Score
from tracking.rules.alerts import *  # noqa: F403
from tracking.rules.crisis_words import *  # noqa: F403
from tracking.rules.due_times import *  # noqa: F403
from tracking.rules.measures import *  # noqa: F403
from tracking.rules.outcomes import *  # noqa: F403
from tracking.rules.records import *  # noqa: F403
from tracking.rules.red_flags import *  # noqa: F403
from tracking.rules.screening import *  # noqa: F403
from tracking.rules.symptom_words import *  # noqa: F403
