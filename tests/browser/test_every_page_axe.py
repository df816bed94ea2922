"""Every page, not only the ones a journey passes: for each kind of visitor, in English
and in Spanish (longer words, so more to wrap), every page of the access matrix they may
open is opened on a phone (390 px) in real Chromium, and axe-core finds no WCAG 2.2 A/AA
violation and nothing scrolls sideways.

The pages come from the access matrix (tests/test_access_matrix.py), so a new URL is
checked here as soon as it has its row there. Files and machine answers (CSV, FHIR,
health checks) and POST-only actions are not pages. The patient's baseline check-in is
done, so the clinician's and the patient's charts, measures and results have values.
Everyone here reads the patient's language, so no answer is marked "Answered in
Spanish": test_checkin_answers_phone_browser.py checks that page with such answers.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import test_access_matrix
from tests.browser import helpers
from tests.test_access_matrix import EXPECTED, OK, all_url_names, kwargs_for
from tests.test_i18n_sweep import NOT_PAGES

pytestmark = pytest.mark.browser

world = test_access_matrix.world


@pytest.fixture(params=["en", "es"])
def language(request) -> str:
    return request.param


@pytest.fixture
def program_version(db, cast, language):
    """The access matrix's world on the program in the visitors' language, everyone
    reading that language (the patient reads the Spanish program in Spanish)."""
    from programs.content import CONTENT_ROOT, read_program
    from programs.services import program_version_load

    for user in vars(cast).values():
        if hasattr(user, "language"):
            user.language = language
            user.save(update_fields=["language"])
    english, _ = program_version_load(read_program(CONTENT_ROOT / "prt-back-8wk"))
    if language == "en":
        return english
    spanish, _ = program_version_load(read_program(CONTENT_ROOT / "prt-back-8wk.es"))
    return spanish


@pytest.mark.parametrize("visitor", ["anonymous", "patient", "clinician", "admin"])
def test_every_page_a_visitor_may_open_passes_axe_and_fits_a_phone(
    live_server, cast, world, new_context, visitor, language
):
    from tests.checkin_data import record_at_open
    from tracking.models import CheckIn

    record_at_open(CheckIn.objects.get(enrollment_id=world["_enrollment"], slot="baseline"))
    # An anonymous visitor reads the browser's language; the others their account's
    # (they log in through the English form, helpers.login's).
    locale = language if visitor == "anonymous" else "en"
    page = new_context(bypass_csp=True, locale=locale, **helpers.PHONE).new_page()
    if visitor != "anonymous":
        helpers.login(page, live_server, getattr(cast, visitor))
    problems: list[str] = []
    seen: set[str] = set()
    for name, route in sorted(all_url_names().items()):
        if name in NOT_PAGES or EXPECTED[name][visitor] != OK:
            continue
        url = f"{live_server.url}{reverse(name, kwargs=kwargs_for(name, route, world))}"
        # Asked first without the browser (the same cookies): a POST-only action (405)
        # and a file are not pages.
        answer = page.request.get(url, max_redirects=0)
        if answer.status == 405 or "html" not in answer.headers.get("content-type", "html"):
            continue
        page.goto(url)
        if page.url in seen:  # a redirect to a page already checked
            continue
        seen.add(page.url)
        try:
            helpers.check_axe(page, f"every-page-{language}-{visitor}-{name}")
        except AssertionError as failure:
            problems.append(str(failure))
        try:
            helpers.assert_fits_width(page)
        except AssertionError as failure:
            problems.append(f"{name} ({page.url}) is wider than the phone: {failure}")
    assert len(seen) >= 3, seen
    assert not problems, "\n\n".join(problems)
