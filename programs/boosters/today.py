"""The booster card on the patient's Today page (programs.views.today.today_cards,
registered in ProgramsConfig.ready)."""

from __future__ import annotations

from django.http import HttpRequest

from programs.boosters.selectors import boosters_for
from programs.models import Enrollment


def booster_card(request: HttpRequest, enrollment: Enrollment) -> dict | None:
    """This month's booster once the program is over. No query: Today has counted the
    weeks already, and the boosters come with the program's cached outline."""
    boosters = boosters_for(enrollment)
    if boosters is None or boosters.current is None:
        return None
    flare = next((s for s in boosters.open if s.booster.month == 1), None)
    return {
        "template": "programs/boosters/today_card.html",
        "boosters": boosters,
        "current": boosters.current,
        # The flare refresher stays one tap away once it has opened: a flare does not
        # wait for its month.
        "flare": flare if flare is not boosters.current else None,
    }
