"""A practice admin in real Chromium: invites a clinician, bulk-imports enrollments
from a CSV file (fixing nothing, confirming the good rows), and opens the outcomes
report; then looks at an enrollment, a confirmation page and the audit trail.

Every screen is checked with axe-core (WCAG 2.2 A/AA), saved as a screenshot under
test-artifacts/screenshots/admin-*, and on a phone checked for sideways scrolling and
44px tap targets. The same journey runs under the real CSP without a violation.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from painapp.accounts.models import Invitation
from programs.models import Enrollment
from tests.browser import helpers
from tests.test_outcomes_report import hand_computed  # noqa: F401  (a fixture)
from tracking.practice_admin.report_csv import CSV_HEADER

pytestmark = pytest.mark.browser

FORM_FACTORS = {"desktop": helpers.DESKTOP, "phone": helpers.PHONE}
Checkpoint = Callable[[Page, str], None]


def import_file() -> bytes:
    today = timezone.localdate().isoformat()
    rows = [
        "full_name,email,clinician_email,start_date,timezone,program",
        f"Sam Rivera,sam@example.org,clin@riverside.test,{today},Europe/London,",
        f"Ada Obi,ada@example.org,clin2@riverside.test,{today},America/New_York,",
        f"Lee Park,lee@example.org,clin@riverside.test,{today},Asia/Seoul,",
        "No Date,nodate@example.org,clin@riverside.test,31/12/2026,Europe/London,",
        f"Twice,sam@example.org,clin@riverside.test,{today},Europe/London,",
    ]
    return ("\n".join(rows) + "\n").encode()


def nav(page: Page, name: str) -> None:
    helpers.nav_link(page, name).click()  # on a phone, most links wait under "More"


def run_admin_journey(live_server, mailoutbox, cast, page: Page, checkpoint: Checkpoint) -> None:
    helpers.login(page, live_server, cast.admin)

    # 1. Invite a clinician.
    nav(page, "Clinicians")
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinicians")
    expect(page.get_by_role("heading", name="Dr Kim")).to_be_visible()
    checkpoint(page, "01-clinicians")
    page.get_by_role("link", name="Invite a clinician").click()
    page.get_by_label("Full name").fill("Dr Jo Lane")
    page.get_by_label("Email address").fill("jo.lane@riverside.test")
    page.get_by_label("Role").select_option("clinician")
    page.get_by_role("button", name=re.compile("Send invitation")).click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to jo.lane@riverside.test")
    assert [m.to for m in mailoutbox] == [["jo.lane@riverside.test"]]
    checkpoint(page, "02-clinician-invited")

    # 2. Bulk import: a dry run first, then confirm.
    nav(page, "Enrollments")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrollments")
    checkpoint(page, "03-enrollments")
    page.get_by_role("link", name="Import from a file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import enrollments from a file")
    checkpoint(page, "04-import-upload")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "spring-intake.csv", "mimeType": "text/csv", "buffer": import_file()}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your import")
    expect(page.locator("main")).to_contain_text("3 rows ready to import")
    expect(page.locator("main")).to_contain_text("“31/12/2026” is not a date we can read")
    expect(page.locator("main")).to_contain_text("this email is also on line 2")
    assert not Enrollment.objects.filter(patient__email="sam@example.org").exists()
    checkpoint(page, "05-import-dry-run")
    page.get_by_role("button", name="Create 3 enrollments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import finished")
    expect(page.get_by_role("status")).to_contain_text("3 patients enrolled")
    assert (
        Enrollment.objects.filter(
            patient__email__in=["sam@example.org", "ada@example.org", "lee@example.org"]
        ).count()
        == 3
    )
    assert Invitation.objects.filter(membership__user__email="lee@example.org").exists()
    checkpoint(page, "06-import-done")

    # 3. The outcomes report, filtered, and its CSV.
    nav(page, "Outcomes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes report")
    # Pain-free or nearly at the end: of those with a score, and of everyone counted.
    pain_free = page.get_by_role("row", name=re.compile("^Pain-free or nearly")).first
    expect(pain_free).to_contain_text("1 of 4 (25%)")
    expect(pain_free).to_contain_text("1 of 5 (20%)")
    checkpoint(page, "07-outcomes")
    page.get_by_label("Clinician").select_option(label=cast.other_clinician.display_name)
    page.get_by_role("button", name="Show").click()
    pain_free = page.get_by_role("row", name=re.compile("^Pain-free or nearly")).first
    expect(pain_free).to_contain_text("0 of 2 (0%)")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the rows as CSV").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    # One pseudonymous row per cohort enrollment of that clinician (P3 and P9).
    assert rows[0] == CSV_HEADER and len(rows) == 3
    checkpoint(page, "08-outcomes-filtered")

    # 4. One enrollment, a confirmation page, and the audit trail.
    nav(page, "Enrollments")
    page.get_by_label("Status").select_option("invited")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="Lee Park").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lee Park")
    checkpoint(page, "09-enrollment")
    page.get_by_role("link", name="Withdraw").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Withdraw this patient from the program?"
    )
    checkpoint(page, "10-withdraw-confirm")
    page.get_by_role("link", name="Cancel").click()
    # Back on the enrollment before using the menu, as a person would be: acting while
    # the page still changes opened "More" on the page being left (a flaky run).
    expect(page.get_by_role("heading", level=1)).to_have_text("Lee Park")
    nav(page, "Audit trail")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    expect(page.locator("main")).to_contain_text("Imported enrollments from a file")
    checkpoint(page, "11-audit")


@pytest.mark.parametrize("form_factor", FORM_FACTORS)
def test_an_admin_invites_a_clinician_imports_enrollments_and_reads_the_report(
    live_server,
    mailoutbox,
    cast,
    hand_computed,  # noqa: F811 (the fixture imported above)
    new_context,
    form_factor,
):
    page = new_context(bypass_csp=True, **FORM_FACTORS[form_factor]).new_page()

    def checkpoint(page: Page, name: str) -> None:
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        helpers.screenshot(page, f"admin-{form_factor}-{name}")
        helpers.check_axe(page, f"admin-{form_factor}-{name}")
        helpers.assert_clean_text(page)
        helpers.assert_fits_width(page)
        if form_factor == "phone":
            helpers.assert_tap_targets(page)

    run_admin_journey(live_server, mailoutbox, cast, page, checkpoint)


def test_the_admin_journey_has_no_csp_violation(
    live_server,
    mailoutbox,
    cast,
    hand_computed,  # noqa: F811 (the fixture imported above)
    strict,
):
    def checkpoint(page: Page, name: str) -> None:
        strict.assert_no_csp_violations(name)

    run_admin_journey(live_server, mailoutbox, cast, strict.page, checkpoint)
