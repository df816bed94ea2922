"""Check-ins: the schedule of each enrollment, recording answers, and the reads for
the patient's check-in, results and progress pages.

The schedule (ProgramVersion.checkin_config, with DEFAULT_CONFIG for what it leaves
out):

- ``baseline`` opens on the start date (or on the day it is scheduled, if that is
  later: an enrollment scheduled mid-program starts its measurement that day).
- ``week-N`` opens on week N's check-in day: the first date on or after the day week N
  opens that falls on ``enrollment.checkin_weekday``. A weekly check-in that would open
  before the baseline's window has closed is left out (with the check-in day on the
  start weekday, week 1 falls on the start date itself: the baseline *is* that
  check-in). So is one whose window would still be open when the end-of-program
  check-in opens (the end check-in asks the same questions a day or two later).
  Weeks listed in ``full_weeks`` ask the baseline's longer set of questions.
- ``end`` opens the day after the last week ends.
- ``followup-<m>m`` opens m calendar months after the end (1, 3, 6 and 12 by default).

Each check-in opens at local midnight of its due date in the patient's time zone and
closes ``window_days`` later (the program's, else the practice's setting). A check-in
not done by then is marked missed by the minute sweep, never dropped. Times are
stored in UTC.
"""
