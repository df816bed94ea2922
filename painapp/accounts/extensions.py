"""Extension points: how an app lets the apps above it add to one of its features.

The apps depend one way, `tracking -> programs -> painapp.accounts`: a lower app may
not import a higher one. When one of its features needs something from above (the
Today page shows tracking's open check-in; a patient's data export holds tracking's
rows), the lower app declares an `ExtensionPoint` beside the feature, and the higher
app registers its provider in its AppConfig.ready, importing the point in the allowed
direction. This is the project's one mechanism for such hooks:

- `painapp.accounts.data_rights.personal_data`: what each app keeps about a person,
  for the export and the deletion of their account;
- `painapp.accounts.management.commands.seed_demo.demo_seeders`: each app's part of
  the demo practice;
- `programs.views.today.today_cards`: cards other apps add to the patient's Today page;
- `programs.views.lengths.checkin_lessons`: the check-in a check-in lesson stands for,
  the patient's own of that week: how long it is (tracking.checkins.services.checkin_length)
  and which one the lesson's button opens;
- `programs.checkins_done.checkins_done`: which check-in lessons are done (their own
  check-in was submitted), as SQL read in the one query of what is done;
- `painapp.accounts.views.practice.overview_warnings`: warnings on the admin's
  overview (tracking's safety setup: an empty escalation chain, no safety contact, a
  step or safety contact whose person is switched off);
- `painapp.accounts.views.data_rights.crisis_help`: the patient's crisis numbers on
  the page that says their account cannot be deleted yet (tracking.safety.resources);
- `painapp.accounts.views.practice.overview_active_patients`: the admin's overview's
  count of patients with an active enrollment (programs);
- `programs.gates.date_of_birth_checks`: a date of birth an admin enters on the
  invitation, checked against the practice's age range (tracking.screening);
- `painapp.accounts.views.language.language_notes`: what the language page tells a
  patient about their lessons' language (programs);
- `painapp.accounts.views.language.language_followers`: what follows a language the
  person sets, on the language page or by accepting an invitation in it
  (`language_follow`; programs: a patient's lessons move to their program in it);
- `programs.tailoring.switching.program_switchers`: the whole program switch, with the
  check-ins and reminders it moves (tracking.clinic.tailoring.program_switch), for a
  switch programs starts (the patient's change of language);
- `painapp.accounts.timezones.timezone_followers`: what must be recomputed, in the
  same transaction, when a person's time zone changes (tracking's reminder schedules).
- `programs.practice.minimum.min_practice_seconds_source` and
  `min_practice_seconds_sql_source`: a practice's minimum somatic-tracking session
  length (tracking's PracticeSettings), as a number and as SQL, so programs' session
  count and the patient's own figures count with the clinician's rule.

So every cross-app hook of an app is listed in its apps.py, each registration is an
import that import-linter checks, and a renamed function or enum fails at start-up
rather than silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, Protocol, TypeVar

P = TypeVar("P")


class Notice(Protocol):
    """What a provider tells an admin about their practice's setup, and where to put it
    right: a sentence, a link and its words (the enrollment gates' reasons, the
    overview's warnings)."""

    @property
    def message(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def link_text(self) -> str: ...


class ExtensionPoint(Generic[P]):
    """The providers registered for one feature, in the order they registered (the
    order of INSTALLED_APPS, as each app's ready() runs)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._providers: list[P] = []

    def register(self, provider: P) -> P:
        """Add `provider` (once: a second registration of the same one is ignored).
        Returns it, so it can decorate a function."""
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def __iter__(self) -> Iterator[P]:
        return iter(tuple(self._providers))

    def __len__(self) -> int:
        return len(self._providers)

    def __repr__(self) -> str:
        return f"<ExtensionPoint {self.name}: {len(self._providers)} provider(s)>"
