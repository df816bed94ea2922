"""Fixtures for browser tests (real Chromium via pytest-playwright, against live_server).

- `page` / `context`: ready for axe-core, i.e. made with `bypass_csp=True` (the strict
  CSP would block the injected axe script). Use `new_context(bypass_csp=True, ...)` for
  more such contexts (a second person, a phone viewport).
- `strict`: a context and page under the app's real CSP, with a `CspWatch` attached;
  call `strict.assert_no_csp_violations()` after the steps you care about.
- `login_as(page, user)`, `axe(page, name)`, `shoot(page, name)`: the helpers in
  tests/browser/helpers.py with the live server filled in.
- `caseload`: a clinician's patients, one of them with an alert and a course of PRT
  sessions (the clinician journey, the Spanish summary).

The Chromium binary and launch flags come from tests/conftest.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page

from tests.browser import helpers
from tests.clinical_data import add_alert, build_history
from tests.factories import Role, make_enrollment, make_member
from tracking.models import Alert
from tracking.session_notes.services import SessionRecord, session_note_create


@pytest.fixture
def context(new_context) -> BrowserContext:
    return new_context(bypass_csp=True)


@dataclass
class Strict:
    context: BrowserContext
    page: Page
    watch: helpers.CspWatch

    def assert_no_csp_violations(self, where: str = "") -> None:
        helpers.assert_no_csp_violations(self.watch, self.page, where)


@pytest.fixture
def strict(new_context) -> Strict:
    """A browser context under the real CSP (no bypass), watching for violations."""
    context = new_context()
    watch = helpers.CspWatch.attach(context)
    return Strict(context=context, page=context.new_page(), watch=watch)


@pytest.fixture
def login_as(live_server):
    def _login(page: Page, user, password: str = helpers.PASSWORD) -> None:
        helpers.login(page, live_server, user, password)

    return _login


@pytest.fixture
def axe():
    return helpers.check_axe


@pytest.fixture
def shoot(artifacts_dir):
    return helpers.screenshot


@pytest.fixture
def caseload(cast, enrollment, program_version):
    """Pat One (6 weeks in, pain 7 → 4, an urgent alert, a course of 9 PRT sessions) and
    five calmer patients."""
    build_history(enrollment, weeks=6, pain_start=7, pain_end=4, missed_weeks=(3,))
    for week in range(9):
        session_note_create(
            enrollment=enrollment,
            author=cast.clinician,
            record=SessionRecord(
                session_date=timezone.localdate() - timedelta(days=3 * (9 - week)),
                minutes=50,
                mode=["in_person", "video", "phone"][week % 3],
                components=["education", "evidence", "somatic_tracking", "exposure"][
                    : week % 4 + 1
                ],
                risk_identified=False,
                homework="Somatic tracking once a day; notice one moment of safety",
                notes="Working note, never printed",
            ),
        )
    alert = add_alert(enrollment, Alert.Kind.SELF_HARM, Alert.Severity.URGENT, details={"item9": 1})
    for n, (name, pains) in enumerate(
        [
            ("Ana Ruiz", (6, 2)),
            ("Ben Ode", (8, 7)),
            ("Cleo Ng", (5, 1)),
            ("Dev Shah", (7, 6)),
            ("Eli Moss", (6, 3)),
        ]
    ):
        user = make_member(cast.practice, Role.PATIENT, f"p{n}@riverside.test", name=name)
        other = make_enrollment(user, cast.clinician, cast.practice, version=program_version)
        build_history(
            other, weeks=n + 2, pain_start=pains[0], pain_end=pains[1], practice_per_week=n % 4
        )
    return alert
