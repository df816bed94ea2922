"""The header's main menu: which links show on a phone, which wait under "More"."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from painapp.accounts.models import Membership, Role
from painapp.accounts.templatetags.navigation import build_nav


def labels(items):
    return [item.label for item in items]


def test_a_patient_sees_the_daily_links_and_the_rest_under_more():
    nav = build_nav("patient", "today")
    assert labels(nav.primary) == ["Today", "Program", "Check-in"]
    assert labels(nav.extra) == [
        "Fear ladder",
        "Progress",
        "My diary",
        "My log",
        "Reminders",
        "Safety plan",
        "Account",
    ]
    assert nav.more and not nav.more_current
    assert [i.current for i in nav.primary] == ["page", None, None]


def test_more_is_current_when_the_page_is_inside_it():
    nav = build_nav("patient", "exposure_plan")
    assert nav.more_current
    assert [i.label for i in nav.extra if i.current] == ["Fear ladder"]
    assert not any(i.current for i in nav.primary)


def test_a_clinicians_row_holds_the_caseload_and_alerts_and_more_holds_the_rest():
    nav = build_nav("clinician", "patient_detail")
    assert labels(nav.primary) == ["Caseload", "Alerts"]
    assert labels(nav.extra) == ["Code causes", "Account"]
    assert nav.more  # phones: Caseload, Alerts and More, on one row
    assert nav.primary[0].current == "true"  # inside the caseload, not the list itself


def test_an_admin_keeps_overview_and_invitations_in_the_row():
    nav = build_nav("admin", "admin_import_upload")
    assert labels(nav.primary) == ["Overview", "Invitations"]
    assert labels(nav.extra) == [
        "Alerts",
        "Clinicians",
        "Enrollments",
        "Outcomes",
        "Audit trail",
        "Account",
    ]
    assert nav.more and nav.more_current
    assert [i.label for i in nav.extra if i.current] == ["Enrollments"]
    # With messaging on: the staff inbox, second under More (after Alerts).
    inbox = build_nav("admin", "message_inbox", messages_unread=3)
    assert labels(inbox.extra)[:3] == ["Alerts", "Messages", "Clinicians"]
    assert (inbox.extra[1].current, inbox.extra[1].badge) == ("page", 3)
    assert inbox.more_current


# ------------------------------------------------------------------ the menu as served
def main_menu_html(html: str) -> str:
    return html[html.index('<nav aria-label="Main">') : html.index("</nav>")]


def main_menu(response) -> str:
    return main_menu_html(response.content.decode())


def current_links(menu: str) -> list[tuple[str, str]]:
    """The links marked current, once each (a link under More is also in the wide row)."""
    return sorted(set(re.findall(r'<a href="[^"]*" aria-current="(\w+)">([^<]+)</a>', menu)))


def test_the_menu_marks_the_page_you_are_on_whichever_menu_was_shown_before(
    client, cast, enrollment
):
    client.force_login(cast.clinician)
    detail = reverse("patient_detail", args=[enrollment.pk])
    for _ in range(2):  # each page after another page's menu
        assert current_links(main_menu(client.get(reverse("caseload")))) == [("page", "Caseload")]
        assert current_links(main_menu(client.get(detail))) == [("true", "Caseload")]
        assert current_links(main_menu(client.get(reverse("account_change_password")))) == [
            ("page", "Account")
        ]


def test_log_out_works_from_every_menu_with_that_pages_own_token(cast, db):
    """Each page's Log out form (twice in the menu when phones fold it under More)
    carries the token of its own response, the one htmx sends too, and logs out."""
    tokens = []
    for user in (cast.patient, cast.patient, cast.admin):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        html = browser.get(reverse("home"), follow=True).content.decode()
        in_menu = re.findall(r'name="csrfmiddlewaretoken" value="(\w+)"', main_menu_html(html))
        assert len(in_menu) == 2  # the wide row's Log out, and the one under More
        assert set(in_menu) == set(re.findall(r'"X-CSRFToken": "(\w+)"', html))
        tokens.append(in_menu[0])
        response = browser.post(reverse("account_logout"), {"csrfmiddlewaretoken": in_menu[1]})
        assert response.status_code == 302
        assert "_auth_user_id" not in browser.session
    assert len(set(tokens)) == 3  # never a token of an earlier response


def test_someone_in_several_practices_sees_which_one_beside_the_brand(client, cast):
    """The practice they work in and "Switch practice" sit under the brand, not in the
    menu's row (full at 1,280 px); someone in one practice sees neither."""
    client.force_login(cast.clinician)
    html = client.get(reverse("caseload")).content.decode()
    assert "Switch practice" not in html
    assert 'class="practice-line"' not in html
    Membership.objects.create(
        user=cast.clinician, practice=cast.other_practice, role=Role.CLINICIAN, is_active=True
    )
    html = client.get(reverse("caseload")).content.decode()
    assert "Switch practice" not in main_menu_html(html)
    line = re.search(r'<p class="practice-line">(.*?)</p>', html, re.S)
    assert line, "no practice line in the header"
    assert cast.practice.name in line.group(1)  # the one chosen: the oldest membership
    assert f'href="{reverse("choose_practice")}"' in line.group(1)
    assert "Switch practice" in line.group(1)
    # After choosing the other practice, the header names it.
    other = Membership.objects.get(user=cast.clinician, practice=cast.other_practice)
    client.post(reverse("choose_practice"), {"membership": other.pk})
    html = client.get(reverse("caseload")).content.decode()
    line = re.search(r'<p class="practice-line">(.*?)</p>', html, re.S)
    assert cast.other_practice.name in line.group(1)
    assert cast.practice.name not in line.group(1)


def test_the_coding_queue_link_shows_how_many_causes_wait_when_the_page_knows():
    assert labels(build_nav("clinician", "caseload", uncoded=4).extra)[0] == "Code causes (4)"
    assert labels(build_nav("clinician", "caseload", uncoded=0).extra)[0] == "Code causes"
    # Admins reach the practice's queue from the outcomes report (the row is full).
    admin = build_nav("admin", "coding_queue", uncoded=2)
    assert not [i for i in admin.extra if i.label.startswith("Code")]
