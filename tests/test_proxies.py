"""The client's address and scheme behind a reverse proxy (painapp/proxies.py).

X-Forwarded-For and X-Forwarded-Proto are believed only from a peer inside
TRUSTED_PROXIES. From anyone else they are ignored, so a client cannot give itself a
fresh address for every guess, or claim HTTPS. Behind a trusted proxy each client is
known by its own address: rate limits count clients separately (not the whole clinic
as the proxy's one address) and the audit trail records who read what from where.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from painapp.accounts import services
from painapp.accounts.models import AuditEvent, Role
from painapp.proxies import client_from_forwarded_for, parse_address
from tests.factories import PASSWORD
from tests.test_settings import PROD_ENV, ROOT

PROXY = "10.20.0.2"  # the TLS proxy, as painapp sees it
STRANGER = "203.0.113.50"  # anyone who reaches port 8000 directly
LOCKED = "Too many failed login attempts. Try again later."
NOT_CORRECT = "The email address or the password is not right. Please check both and try again."
WRONG = "not-the-password-0"


@pytest.fixture(autouse=True)
def trusted_proxies(settings):
    # What settings.py makes of TRUSTED_PROXIES=10.20.0.0/24 (checked below).
    settings.TRUSTED_PROXIES = ["10.20.0.0/24"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def via_proxy(client_ip: str) -> Client:
    """A browser at `client_ip` behind our proxy, which appends it to X-Forwarded-For."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{client_ip}")


def log_in(browser: Client, email: str, password: str = WRONG) -> list[str]:
    response = browser.post(reverse("account_login"), {"login": email, "password": password})
    if response.status_code == 302:
        return ["logged in"]
    return list(response.context["form"].non_field_errors())


# ---------------------------------------------------------------- rate limits
def test_a_stranger_cannot_dodge_the_login_limit_with_x_forwarded_for(cast):
    for n in range(10):
        spoofed = Client(REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        assert log_in(spoofed, f"guess{n}@example.org") == [NOT_CORRECT]
    fresh_claim = Client(REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert log_in(fresh_claim, cast.patient.email, PASSWORD) == [LOCKED]


def test_behind_the_proxy_each_client_has_its_own_login_limit(cast):
    for n in range(10):
        assert log_in(via_proxy("198.51.100.7"), f"guess{n}@example.org") == [NOT_CORRECT]
    assert log_in(via_proxy("198.51.100.7"), cast.patient.email, PASSWORD) == [LOCKED]
    # Someone else at the clinic, through the same proxy: not locked out.
    assert log_in(via_proxy("198.51.100.8"), "guess@example.org") == [NOT_CORRECT]
    assert log_in(via_proxy("198.51.100.8"), cast.patient.email, PASSWORD) == ["logged in"]


def test_a_client_cannot_prepend_an_address_through_the_proxy(cast):
    """A client that sends its own X-Forwarded-For through the proxy only adds to the
    left of what the proxy appends: the address the proxy saw still counts."""
    for n in range(10):
        browser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7")
        assert log_in(browser, f"guess{n}@example.org") == [NOT_CORRECT]
    assert log_in(via_proxy("198.51.100.7"), cast.patient.email, PASSWORD) == [LOCKED]


@pytest.fixture
def invitation_path(cast):
    invitation = services.invitation_create(
        practice=cast.practice,
        invited_by=cast.admin,
        send=False,
        request=services.InvitationRequest(
            email="newbie@example.org", full_name="New", role=Role.CLINICIAN
        ),
    )
    return reverse("invitation_accept", args=[services.invitation_token(invitation)])


def test_our_own_throttle_counts_clients_behind_the_proxy_separately(invitation_path):
    first = via_proxy("198.51.100.7")
    assert [first.get(invitation_path).status_code for _ in range(21)] == [200] * 20 + [429]
    assert via_proxy("198.51.100.8").get(invitation_path).status_code == 200


def test_our_own_throttle_ignores_x_forwarded_for_from_a_stranger(invitation_path):
    codes = [
        Client(REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        .get(invitation_path)
        .status_code
        for n in range(21)
    ]
    assert codes == [200] * 20 + [429]


# ---------------------------------------------------------------- audit trail
def test_the_audit_trail_records_the_client_behind_the_proxy(cast, enrollment):
    clinician = via_proxy("198.51.100.7")
    clinician.force_login(cast.clinician)
    response = clinician.get(reverse("patient_detail", args=[enrollment.pk]))
    assert response.status_code == 200
    events = AuditEvent.objects.filter(request_id=response["X-Request-ID"])
    assert events and {e.ip for e in events} == {"198.51.100.7"}


def test_the_audit_trail_records_a_strangers_own_address_not_its_claim(cast, enrollment):
    clinician = Client(REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR="198.51.100.7")
    clinician.force_login(cast.clinician)
    response = clinician.get(reverse("patient_detail", args=[enrollment.pk]))
    events = AuditEvent.objects.filter(request_id=response["X-Request-ID"])
    assert events and {e.ip for e in events} == {STRANGER}


# ---------------------------------------------------------------- HTTPS
def test_x_forwarded_proto_counts_only_from_the_proxy(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    login = reverse("account_login")
    stranger = Client(REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_PROTO="https")
    assert stranger.get(login).status_code == 301  # still plain HTTP: sent to https://
    proxied = Client(
        REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7", HTTP_X_FORWARDED_PROTO="https"
    )
    assert proxied.get(login).status_code == 200
    assert Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="http").get(login).status_code == 301


# ---------------------------------------------------------------- parsing
NETS = [ipaddress.ip_network("10.20.0.0/24"), ipaddress.ip_network("fd00::/8")]


@pytest.mark.parametrize(("header", "client"), [
    ("198.51.100.7", "198.51.100.7"),
    ("192.0.2.1, 198.51.100.7", "198.51.100.7"),  # the left part is the client's own
    ("198.51.100.7, 10.20.0.9", "198.51.100.7"),  # through two of our proxies
    ("198.51.100.7:51234", "198.51.100.7"),
    ("[2001:db8::7]:443, fd00::3", "2001:db8::7"),
    ("::ffff:198.51.100.7", "198.51.100.7"),
    ("10.20.0.9, 10.20.0.8", "10.20.0.9"),  # all ours: a probe from inside
    ("198.51.100.7, unknown", None),  # not an address: keep the peer's
    ("", None),
])  # fmt: skip
def test_it_reads_the_client_from_the_right(header, client):
    found = client_from_forwarded_for(header, NETS)
    assert (str(found) if found else None) == client


def test_it_parses_the_addresses_proxies_write():
    assert str(parse_address(" 2001:db8::1 ")) == "2001:db8::1"
    assert parse_address("not-an-ip") is None


# ---------------------------------------------------------------- settings
def settings_of(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.TRUSTED_PROXIES, s.SECURE_PROXY_SSL_HEADER]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**PROD_ENV, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_read_trusted_proxies_and_only_then_believe_x_forwarded_proto():
    result = settings_of(TRUSTED_PROXIES="10.0.0.0/8, 172.18.0.1,fd00::/8")
    assert json.loads(result.stdout) == [
        ["10.0.0.0/8", "172.18.0.1/32", "fd00::/8"],
        ["HTTP_X_FORWARDED_PROTO", "https"],
    ]
    assert json.loads(settings_of().stdout) == [[], None]


@pytest.mark.parametrize("value", ["*", "10.0.0.5/24", "proxy.internal"])
def test_settings_refuse_a_trusted_proxy_that_is_not_a_network(value):
    result = settings_of(TRUSTED_PROXIES=value)
    assert result.returncode != 0
    assert f"TRUSTED_PROXIES: {value!r} is not an IP address or network" in result.stderr


def test_the_old_blanket_switch_stops_start_up_with_what_to_do_instead():
    result = settings_of(TRUST_X_FORWARDED_PROTO="true")
    assert result.returncode != 0
    assert "TRUST_X_FORWARDED_PROTO is replaced by TRUSTED_PROXIES" in result.stderr


def test_gunicorn_trusts_forwarded_headers_only_from_the_same_proxies():
    web = (ROOT / "docker" / "web.sh").read_text()
    assert '--forwarded-allow-ips "${TRUSTED_PROXIES:-}"' in web
    assert '"*"' not in web
