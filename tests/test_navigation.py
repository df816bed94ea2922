"""The header's main menu: which links show on a phone, which wait under "More"."""

from __future__ import annotations

from painapp.accounts.templatetags.navigation import build_nav


def labels(items):
    return [item.label for item in items]


def test_a_patient_sees_the_daily_links_and_the_rest_under_more():
    nav = build_nav("patient", "today")
    assert labels(nav.primary) == ["Today", "Program", "Check-in"]
    assert labels(nav.extra) == ["Fear ladder", "Progress", "My log", "Reminders", "Account"]
    assert nav.more and not nav.more_current
    assert [i.current for i in nav.primary] == ["page", None, None]


def test_more_is_current_when_the_page_is_inside_it():
    nav = build_nav("patient", "exposure_plan")
    assert nav.more_current
    assert [i.label for i in nav.extra if i.current] == ["Fear ladder"]
    assert not any(i.current for i in nav.primary)


def test_a_clinician_needs_no_more_unless_there_is_a_practice_to_switch():
    nav = build_nav("clinician", "patient_detail")
    assert labels(nav.primary + nav.extra) == ["Caseload", "Account"]
    assert not nav.more
    assert nav.primary[0].current == "true"  # inside the caseload, not the list itself
    several = build_nav("clinician", "caseload", several_practices=True)
    assert labels(several.extra) == ["Switch practice", "Account"]
    assert several.more


def test_an_admin_keeps_overview_and_invitations_in_the_row():
    nav = build_nav("admin", "admin_import_upload")
    assert labels(nav.primary) == ["Overview", "Invitations"]
    assert labels(nav.extra)[:5] == ["Clinicians", "Enrollments", "Outcomes", "Questionnaires",
                                     "Audit trail"]
    assert nav.more and nav.more_current
    assert [i.label for i in nav.extra if i.current] == ["Enrollments"]
