"""Which check-in lessons (kind: checkin) are done: a check-in lesson is done when the
patient's own check-in it stands for was submitted (programs.views.lengths: the check-in
of that week, tracking.checkins.schedule.week_checkin_slots). There is no
ActivityCompletion for it: the patient never marks it done, they answer the check-in.

Check-ins live in tracking, which programs may not import: tracking registers its
reader here in its AppConfig.ready (painapp/accounts/extensions.py). The read is SQL
(`sql`, a correlated subquery), so `programs.selectors.done_activity_ids` reads it in
its one query, whichever page asks (the week page, Today, the progress figures).
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db.models import OuterRef, Subquery

from painapp.accounts.extensions import ExtensionPoint


class CheckInsDone(Protocol):
    def sql(self, enrollment_id: OuterRef) -> Subquery:
        """The enrollment's check-ins as SQL (no query of its own)."""
        ...

    def weeks(self, value: Any, week_count: int) -> set[int]:
        """The program weeks (of `week_count`) whose own check-in was submitted, from
        what `sql` read."""
        ...


checkins_done: ExtensionPoint[CheckInsDone] = ExtensionPoint("check-in lessons done")
