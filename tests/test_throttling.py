"""Rate limits on the shared cache (Redis): failed logins per address and per (address,
account) — never per account alone, so nobody can lock its owner out —, password
resets, invitation links. Each one trips, lifts again once its window has passed, and
counts what it says it counts. Messages never tell whether an account exists.

The client's address is REMOTE_ADDR, for allauth (ALLAUTH_TRUSTED_PROXY_COUNT is 0) and
for our own limit (painapp.accounts.audit.client_ip): a client-sent X-Forwarded-For
header never gives an attacker a fresh address. Time is frozen at the start of a whole
hour and then runs on (allauth rolls a successful login's own count back by its time
stamp, which frozen time would make the same for every attempt), so fixed windows
(invitations) and sliding ones (allauth) start with the test.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from painapp.accounts import services
from painapp.accounts.models import Membership, Role
from tests.factories import PASSWORD

IP = "10.0.0.9"
WRONG = "not-the-password-0"
LOCKED = "Too many failed login attempts. Try again later."
NOT_CORRECT = "The email address or the password is not right. Please check both and try again."


@pytest.fixture
def clock():
    start = datetime.fromtimestamp((time.time() // 3600 + 1) * 3600, UTC)
    with time_machine.travel(start) as traveller:
        traveller.start = start
        yield traveller


def later(clock, **delta) -> None:
    clock.move_to(clock.start + timedelta(**delta))


def log_in(email: str, password: str = WRONG, ip: str = IP, **headers):
    """One login attempt from a fresh browser at `ip`."""
    return Client(REMOTE_ADDR=ip, **headers).post(
        reverse("account_login"), {"login": email, "password": password}
    )


def errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def logged_in(response) -> bool:
    return response.status_code == 302 and response.url == reverse("home")


# ---------------------------------------------------------------- login, per account
def test_failures_from_elsewhere_never_keep_the_owner_out(cast, clock):
    email = cast.patient.email
    # Five failures from each of ten addresses: far more than any limit per account.
    for place in range(10):
        for _ in range(5):
            assert errors(log_in(email, ip=f"10.0.1.{place}")) == [NOT_CORRECT]
    # The owner, from their own address, with the right password: in.
    assert logged_in(log_in(email, PASSWORD, ip="10.0.2.1"))
    # An address that failed five times on this account waits, even with the password…
    assert errors(log_in(email, PASSWORD, ip="10.0.1.0")) == [LOCKED]
    # …but only for this account: another account logs in from there.
    assert logged_in(log_in(cast.other_patient.email, PASSWORD, ip="10.0.1.0"))
    later(clock, minutes=5, seconds=5)
    assert logged_in(log_in(email, PASSWORD, ip="10.0.1.0"))


def test_staff_get_in_with_the_right_password_and_code_despite_failures(cast, clock):
    from tests.factories import form_login

    for place in range(10):
        for _ in range(5):
            log_in(cast.clinician.email, ip=f"10.0.1.{place}")
    browser = Client(REMOTE_ADDR="10.0.2.1")
    response = form_login(browser, cast.clinician)
    assert response.status_code == 302 and response.url == reverse("home")


def test_the_wait_grows_as_one_address_keeps_failing_on_one_account(cast, clock):
    email = cast.patient.email
    for burst in range(3):  # five failures, then the five-minute wait, three times over
        later(clock, minutes=6 * burst)
        for _ in range(5):
            assert errors(log_in(email)) == [NOT_CORRECT]
        assert errors(log_in(email, PASSWORD)) == [LOCKED]
    # Fifteen failures within the hour: the next five-minute mark no longer lets it in…
    later(clock, minutes=12 + 6)
    assert errors(log_in(email, PASSWORD)) == [LOCKED]
    # …the end of that hour does; the owner elsewhere was never kept out.
    assert logged_in(log_in(email, PASSWORD, ip="10.0.2.1"))
    later(clock, minutes=61)
    assert logged_in(log_in(email, PASSWORD))


def test_thirty_failures_in_a_day_from_one_address_wait_for_the_day(cast, clock):
    email = cast.patient.email
    for minute in (0, 6, 12, 70, 76, 82):  # 5 at a time: 15 in each of two hours
        later(clock, minutes=minute)
        for _ in range(5):
            assert errors(log_in(email)) == [NOT_CORRECT]
    later(clock, hours=5)
    assert errors(log_in(email, PASSWORD)) == [LOCKED]
    assert logged_in(log_in(email, PASSWORD, ip="10.0.2.1"))  # the owner, elsewhere
    later(clock, hours=24, minutes=1)
    assert logged_in(log_in(email, PASSWORD))


def test_it_does_not_count_a_successful_login_against_the_account(cast, clock):
    for _ in range(4):
        log_in(cast.patient.email, ip="10.0.1.1")
    for _ in range(3):
        assert logged_in(log_in(cast.patient.email, PASSWORD, ip="10.0.1.1"))
    assert errors(log_in(cast.patient.email, ip="10.0.1.1")) == [NOT_CORRECT]
    assert errors(log_in(cast.patient.email, PASSWORD, ip="10.0.1.1")) == [LOCKED]


# ---------------------------------------------------------------- login, per address
def test_it_limits_failed_logins_per_address_across_accounts(cast, clock):
    for n in range(10):
        assert errors(log_in(f"guess{n}@example.org")) == [NOT_CORRECT]
    # An account that never failed, with its right password, from that address: refused.
    assert errors(log_in(cast.other_patient.email, PASSWORD)) == [LOCKED]
    # A made-up X-Forwarded-For does not make it another address...
    assert errors(
        log_in(cast.other_patient.email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7")
    ) == [LOCKED]
    # ...while a really different address gets in, and so does this one a minute later.
    assert logged_in(log_in(cast.other_patient.email, PASSWORD, ip="10.0.0.10"))
    later(clock, seconds=50)
    assert errors(log_in(cast.patient.email, PASSWORD)) == [LOCKED]
    later(clock, seconds=65)
    assert logged_in(log_in(cast.patient.email, PASSWORD))


def test_a_hundred_failures_in_an_hour_from_one_address_wait_for_the_hour(cast, clock):
    # 10 a minute, each on another made-up account. The clock runs on while the ten
    # attempts are made (a second or more on a busy machine), so the bursts are 75 s
    # apart: the per-minute window (sliding) never holds two of them.
    for burst in range(10):
        later(clock, seconds=75 * burst)
        for n in range(10):
            assert errors(log_in(f"guess{burst}-{n}@example.org")) == [NOT_CORRECT]
    later(clock, minutes=14)
    assert errors(log_in(cast.patient.email, PASSWORD)) == [LOCKED]
    assert logged_in(log_in(cast.patient.email, PASSWORD, ip="10.0.0.10"))
    later(clock, minutes=62)
    assert logged_in(log_in(cast.patient.email, PASSWORD))


def test_it_limits_every_login_post_per_address(cast, clock):
    for _ in range(30):
        assert logged_in(log_in(cast.patient.email, PASSWORD))
    assert log_in(cast.patient.email, PASSWORD).status_code == 429
    assert logged_in(log_in(cast.patient.email, PASSWORD, ip="10.0.0.10"))
    later(clock, seconds=65)
    assert logged_in(log_in(cast.patient.email, PASSWORD))


# ---------------------------------------------------------------- no account enumeration
def test_it_answers_the_same_whether_or_not_the_account_exists(cast, clock):
    known, unknown = cast.patient.email, "nobody-here@example.org"
    for _ in range(5):
        a, b = log_in(known), log_in(unknown, ip="10.0.0.10")
        assert (a.status_code, errors(a)) == (b.status_code, errors(b)) == (200, [NOT_CORRECT])
    a, b = log_in(known), log_in(unknown, ip="10.0.0.10")
    assert (a.status_code, errors(a)) == (b.status_code, errors(b)) == (200, [LOCKED])
    # A switched-off account answers a wrong password in the same words.
    cast.other_patient.is_active = False
    cast.other_patient.save()
    c = log_in(cast.other_patient.email, ip="10.0.0.11")
    assert (c.status_code, errors(c)) == (200, [NOT_CORRECT])


# ---------------------------------------------------------------- password reset
def reset(email: str, ip: str = IP):
    return Client(REMOTE_ADDR=ip).post(reverse("account_reset_password"), {"email": email})


def test_a_reset_looks_the_same_for_an_unknown_address(cast, clock):
    known, unknown = reset(cast.patient.email), reset("nobody-here@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == reverse("account_reset_password_done")
    # Only the real account is sent a link.
    links = [m for m in mail.outbox if "/accounts/password/reset/key/" in m.body]
    assert [m.to for m in links] == [[cast.patient.email]]


def test_it_limits_resets_per_account(cast, clock):
    for n in range(5):
        assert reset(cast.patient.email, ip=f"10.0.1.{n}").status_code == 302
    assert reset(cast.patient.email, ip="10.0.2.1").status_code == 429
    assert reset("nobody-here@example.org", ip="10.0.2.1").status_code == 302
    later(clock, seconds=65)
    assert reset(cast.patient.email, ip="10.0.2.1").status_code == 302


def test_it_limits_resets_per_address(cast, clock):
    for n in range(20):
        assert reset(f"someone{n}@example.org").status_code == 302
    assert reset(cast.patient.email).status_code == 429
    assert reset(cast.patient.email, ip="10.0.0.10").status_code == 302
    later(clock, seconds=65)
    assert reset(cast.other_patient.email).status_code == 302


def test_it_limits_guesses_at_a_reset_link_per_address(cast, clock):
    url = reverse("account_reset_password_from_key", args=["2", "made-up-key"])
    attempt = {"password1": "calm-river-stones-42", "password2": "calm-river-stones-42"}
    for _ in range(20):
        assert Client(REMOTE_ADDR=IP).post(url, attempt).status_code != 429
    assert Client(REMOTE_ADDR=IP).post(url, attempt).status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.10").post(url, attempt).status_code != 429
    later(clock, seconds=65)
    assert Client(REMOTE_ADDR=IP).post(url, attempt).status_code != 429


# ---------------------------------------------------------------- invitation links
@pytest.fixture
def invitation_path(cast, clock):
    invitation = services.invitation_create(
        practice=cast.practice,
        invited_by=cast.admin,
        send=False,
        request=services.InvitationRequest(
            email="newbie@example.org", full_name="New", role=Role.CLINICIAN
        ),
    )
    return reverse("invitation_accept", args=[services.invitation_token(invitation)])


def test_it_limits_invitation_links_per_address_for_five_minutes(invitation_path, clock):
    browser = Client(REMOTE_ADDR=IP)
    assert [browser.get(invitation_path).status_code for _ in range(20)] == [200] * 20
    assert browser.get(invitation_path).status_code == 429
    # Guessing at other links from the same address counts too.
    assert browser.get(invitation_path[:-4] + "xyz/").status_code == 429
    spoofed = Client(REMOTE_ADDR=IP, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert spoofed.get(invitation_path).status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.10").get(invitation_path).status_code == 200
    later(clock, minutes=4, seconds=50)
    assert browser.get(invitation_path).status_code == 429
    later(clock, minutes=5)
    assert browser.get(invitation_path).status_code == 200


def test_the_invitation_limit_holds_for_someone_accepting(invitation_path, clock):
    browser = Client(REMOTE_ADDR=IP)
    for _ in range(20):
        browser.get(invitation_path)
    response = browser.post(
        invitation_path,
        {
            "password1": "calm-river-stones-42",
            "password2": "calm-river-stones-42",
            "timezone": "UTC",
        },
    )
    assert response.status_code == 429
    assert b"too many attempts" in response.content
    assert not Membership.objects.get(user__email="newbie@example.org").is_active
