"""Each role lands on its own home; other roles and other practices get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from painapp.accounts.models import Membership

ROLE_PAGES = {
    "today": "patient",
    "caseload": "clinician",
    "practice_overview": "admin",
    "invitation_list": "admin",
    "invitation_create": "admin",
}


def test_anonymous_people_are_sent_to_log_in(client, db):
    response = client.get(reverse("home"))
    assert response.url == reverse("account_login")
    for name in ROLE_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize(
    ("who", "home"),
    [("patient", "today"), ("clinician", "caseload"), ("admin", "practice_overview")],
)
def test_it_routes_each_role_home(cast, client, who, home):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("home"))
    assert response.url == reverse(home)
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize("who", ["patient", "clinician", "admin"])
def test_other_roles_pages_are_404(cast, client, who):
    client.force_login(getattr(cast, who))
    for name, role in ROLE_PAGES.items():
        expected = 200 if role == who else 404
        assert client.get(reverse(name)).status_code == expected, name


def test_a_person_without_membership_gets_a_clear_page(cast, client):
    Membership.objects.filter(user=cast.patient).update(is_active=False)
    client.force_login(cast.patient)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert b"not linked to a practice" in response.content
    assert client.get(reverse("today")).url == reverse("home")


def test_the_admin_overview_counts_only_its_own_practice(cast, client):
    client.force_login(cast.outsider_admin)
    page = client.get(reverse("practice_overview")).content.decode()
    assert "Elsewhere" in page and "Riverside" not in page


def test_login_page_has_no_signup_and_logs_in_by_email(cast, client):
    page = client.get(reverse("account_login")).content.decode()
    assert "sign up" not in page.lower()
    response = client.post(
        reverse("account_login"),
        {"login": cast.patient.email, "password": "a-long-test-password-1"},
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("today")


def test_signup_is_closed(client, db):
    response = client.get(reverse("account_signup"))
    assert b"You join by invitation" in response.content


def test_password_reset_sends_an_email_without_revealing_accounts(cast, client, mailoutbox):
    known = client.post(reverse("account_reset_password"), {"email": cast.patient.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert [m.to for m in mailoutbox if "password" in m.subject.lower()][0] == [cast.patient.email]


def test_error_pages_are_plain_with_a_request_id(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "We could not find that page" in body
    assert response["X-Request-ID"] in body
