"""Every page of the access matrix is valid HTML, by the W3C's Nu HTML checker.

Each page is fetched as someone who may see it (the matrix's own fixture makes the
data), written to a file, and all of them are checked in one run of vnu.jar (one JVM
start). The only errors allowed are htmx's `hx-*` attributes, which HTML does not know
(we write `data-hx-*`, which it does).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import uuid
from html.parser import HTMLParser

from django.urls import reverse

from programs.exposure.services import exposure_complete, exposure_create, fear_item_create
from programs.models import Enrollment, Exposure
from programs.practice.services import practice_session_record
from tests.checkin_data import record_at_open
from tests.conftest import ROOT
from tests.test_access_matrix import (  # noqa: F401 (world is a fixture used below)
    EXPECTED,
    OK,
    all_url_names,
    kwargs_for,
    world,
)
from tracking.clinic.services import clinician_note_create
from tracking.models import CheckIn, Notification

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
HTMX_ATTRIBUTE = re.compile(r"Attribute “(data-)?hx-[a-z-]+” not allowed")
# Who looks at each page: the first of these the matrix lets in.
LOOKERS = ["patient", "clinician", "admin", "anonymous"]


def with_every_kind_of_timestamp(cast, data: dict) -> None:
    """The matrix's world plus one of each dated thing a page shows in a <time>: a
    practice session, a logged exposure, a clinician's note, a finished check-in, an
    in-app notification; and a second rung with an exposure (each written as the app
    writes it)."""
    enrollment = Enrollment.objects.get(pk=data["_enrollment"])
    practice_session_record(
        enrollment=enrollment,
        client_token=uuid.uuid4(),
        pain_before=6,
        threat_before=5,
        pain_after=4,
        threat_after=3,
    )
    exposure_complete(
        exposure=Exposure.objects.get(pk=data["exposure_detail"]["pk"]),
        actual_pain=3,
        actual_harm=10,
        fear_after=30,
    )
    # A second rung with its own exposure: each rung lists its exposures in a region.
    rung = fear_item_create(enrollment=enrollment, label="Carry the shopping", harm_rating=60)
    exposure_create(
        enrollment=enrollment, fear_item=rung, activity="", predicted_pain=5, predicted_harm=60
    )
    clinician_note_create(enrollment=enrollment, author=cast.clinician, body="Called today.")
    record_at_open(CheckIn.objects.get(pk=data["checkin_detail"]["pk"]))
    Notification.objects.create(
        user=cast.patient,
        title="Time for a few minutes of practice",
        url=reverse("practice"),
        audience=Notification.Audience.PATIENT,
        practice=cast.practice,
    )


def matrix_pages(client, cast, data: dict) -> dict[str, bytes]:
    """Every page of the matrix, fetched once as someone who may see it: {file: html}."""
    with_every_kind_of_timestamp(cast, data)
    users = {"patient": cast.patient, "clinician": cast.clinician, "admin": cast.admin}
    pages = {}
    for name, route in sorted(all_url_names().items()):
        looker = next((v for v in LOOKERS if EXPECTED[name][v] == OK), None)
        if looker is None:
            continue
        client.logout()
        if looker != "anonymous":
            client.force_login(users[looker])
        response = client.get(reverse(name, kwargs=kwargs_for(name, route, data)))
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages[f"{name}--{looker}.html"] = response.content
    # The error page people meet most, and the login page everyone meets first.
    client.force_login(cast.outsider_admin)
    pages["not-found.html"] = client.get(f"/patients/{data['_enrollment']}/").content
    client.logout()
    pages["login.html"] = client.get(reverse("account_login")).content
    assert len(pages) > 40, sorted(pages)  # the matrix's pages really were fetched
    return pages


def test_every_page_in_the_access_matrix_is_valid_html(client, cast, world, tmp_path):  # noqa: F811
    assert VNU.exists(), "run: npm ci (vnu-jar is pinned in package.json)"
    assert shutil.which("java"), "the Nu HTML checker needs Java 17"
    pages = matrix_pages(client, cast, world)
    for file_name, html in pages.items():
        (tmp_path / file_name).write_bytes(html)

    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            "--stdout",
            *sorted(str(tmp_path / f) for f in pages),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    messages = json.loads(result.stdout)["messages"]
    problems = sorted(
        f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        f" — {m.get('extract', '').strip()[:120]}"
        for m in messages
        if m.get("type") == "error" and not HTMX_ATTRIBUTE.search(m["message"])
    )
    assert not problems, "\n".join(problems)


class Landmarks(HTMLParser):
    """The page's labelled landmarks, as (role, accessible name): a region, navigation
    or aside named by aria-label or by the text of the elements aria-labelledby names."""

    ROLES = {"nav": "navigation", "aside": "complementary", "section": "region"}
    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[tuple[str, str, str]] = []  # role, aria-label, labelledby ids
        self.text: dict[str, list[str]] = {}
        self.open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        role = a.get("role") or self.ROLES.get(tag)
        if role in ("region", "navigation", "complementary", "search") and (
            a.get("aria-label") or a.get("aria-labelledby")
        ):
            self.pending.append((role, a.get("aria-label") or "", a.get("aria-labelledby") or ""))
        if tag not in self.VOID:
            self.open.append((tag, a.get("id")))
            if a.get("id"):
                self.text[a["id"]] = []

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _, element_id in self.open:
            if element_id:
                self.text[element_id].append(data)

    def named(self) -> list[tuple[str, str]]:
        return [
            (
                role,
                " ".join(
                    (label or " ".join("".join(self.text.get(i, [])) for i in ids.split())).split()
                ),
            )
            for role, label, ids in self.pending
        ]


def test_no_page_repeats_a_region_label(client, cast, world):  # noqa: F811
    """Two regions (or navs) with one name cannot be told apart in a screen reader's
    list of landmarks (axe: landmark-unique)."""
    repeated = []
    for file_name, html in sorted(matrix_pages(client, cast, world).items()):
        parser = Landmarks()
        parser.feed(html.decode())
        named = parser.named()
        repeated += [
            f"{file_name}: {role} “{name}” ×{named.count((role, name))}"
            for role, name in sorted(set(named))
            if named.count((role, name)) > 1
        ]
    assert not repeated, "\n".join(repeated)
