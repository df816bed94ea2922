"""Alert rules, the self-harm safety workflow and the clinicians' daily digest.

Rules (thresholds per practice, `PracticeSettings`):
- self-harm: the safety item of a questionnaire (PHQ-9 item 9) above 0, or one of the
  practice's crisis words in free text → URGENT alert, clinician told at once;
- pain up: average pain ≥ baseline + `pain_rise_points` on `pain_rise_checkins`
  check-ins in a row → HIGH;
- fear high: fear of movement ≥ `fear_high_threshold` → ROUTINE (a treatment target,
  not a danger: it goes in the digest);
- missed: the last `missed_in_a_row` closed check-ins all missed → ROUTINE;
- red flag at screening: raised by the screening view (HIGH, clinician told at once).

Every alert, of any severity, has a due time (due.py) and climbs the practice's
escalation chain while nobody acknowledges it (chain.py walks it, escalation.py sweeps;
docs/escalation.md); the daily digest is digest.py and every alert email emails.py.
Alert lifecycle writes (raise, acknowledge, resolve with a documented contact) live in
services.py.
Emails never carry health data or the patient's name: they say something needs a
look and link to the app, where access is checked and audited.
"""

from __future__ import annotations
