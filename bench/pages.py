"""The pages `make bench` measures: one entry each in PAGES.

Each page names its URL (candidates, first that resolves wins), the role that uses it,
the budgets from issue 7, and who visits it at a *small* and a *large* size (query
counts compare the two; the HTTP load uses the large one). A page whose URL name does
not resolve yet is reported as "not available" and skipped, so the harness runs while
screens are still being built.

To add a page: add a Page to PAGES and, if nobody below fits, a `targets_*` function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

import bench

# Each virtual user cycles through this many different patients on the detail page.
DETAIL_PATIENTS_PER_USER = 25
# Open check-ins made for each check-in-submit user (each POST uses one up).
SUBMITS_PER_USER = 1500


# A hot page's p95 may be this many times the baseline's (issue 13 raised it from 3 when
# the second, hand-written SQL implementation of each hot read was deleted).
PAGE_P95_RATIO = 3.5


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """One person and the requests they make, in a loop."""

    email: str
    role: str
    requests: list[Request]
    note: str = ""
    one_use: bool = False  # each request may be made once (a check-in is submitted once)


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    role: str
    url_names: tuple[str, ...]
    targets: Callable[[str, str, int], list[Target]]  # (url_name, size, count)
    method: str = "GET"
    expect: int = 200
    p95_ratio_budget: float | None = None  # × the baseline's p95
    p95_ms_budget: float | None = None
    queries_budget: int | None = 12
    # Sizes, smallest first, and what each means. Query counts are taken at every
    # size; the HTTP load uses "large".
    sizes: dict[str, str] = field(default_factory=dict)

    def url_name(self) -> tuple[str | None, str]:
        """The first URL name that exists, or None with the reason."""
        for name in self.url_names:
            try:
                reverse(name)
            except NoReverseMatch as error:
                # "… with no arguments not found" means it exists and wants arguments.
                if "is not a valid view function or pattern name" in str(error):
                    continue
            return name, ""
        return None, f"no URL named {' or '.join(self.url_names)} yet"


# ---------------------------------------------------------------- who visits what


def _layout(where: str, params: list | None = None) -> list[dict]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT b.enrollment_id, b.patient_id, b.clinician_id, b.practice_id, b.practice_no,"
            " b.patient_no, b.weeks, u.email AS patient_email, c.email AS clinician_email"
            " FROM bench_layout b JOIN accounts_user u ON u.id = b.patient_id"
            " JOIN accounts_user c ON c.id = b.clinician_id"
            f" WHERE {where} ORDER BY b.patient_no, b.practice_no",
            params or [],
        )
        cols = [c.name for c in cursor.description]
        return [dict(zip(cols, row, strict=True)) for row in cursor.fetchall()]


def _spread(rows: list[dict], count: int) -> list[dict]:
    """`count` rows, one practice after another, so users differ whenever possible."""
    return [rows[i % len(rows)] for i in range(count)] if rows else []


def _patients(size: str, first_no: int) -> list[dict]:
    if size == "small":  # clinician c1's patients: 5 weeks of history
        return _layout("b.clinician_no = 1")
    return _layout("b.clinician_no >= 2 AND b.patient_no >= %s", [first_no])


def targets_patient_page(first_no: int):
    def build(url_name: str, size: str, count: int) -> list[Target]:
        return [
            Target(
                r["patient_email"],
                "patient",
                [Request("GET", reverse(url_name))],
                note=f"{r['weeks']} weeks of history",
            )
            for r in _spread(_patients(size, first_no), count)
        ]

    return build


def targets_checkin_submit(url_name: str, size: str, count: int) -> list[Target]:
    rows = _spread(_patients(size, 600), count)
    per_user = SUBMITS_PER_USER if count > 2 else 3
    out = []
    for r in {r["enrollment_id"]: r for r in rows}.values():
        ids = open_checkins(r["enrollment_id"], per_user)
        data = checkin_answers()
        out.append(
            Target(
                r["patient_email"],
                "patient",
                [Request("POST", reverse(url_name, args=[pk]), data) for pk in ids],
                note=f"{r['weeks']} weeks of history",
                one_use=True,
            )
        )
    return out


def _clinicians(clinician_no: int) -> list[dict]:
    rows = _layout("b.clinician_no = %s", [clinician_no])
    seen, out = set(), []
    for r in sorted(rows, key=lambda r: (r["practice_no"], r["patient_no"])):
        if r["clinician_email"] not in seen:
            seen.add(r["clinician_email"])
            out.append(r)
    return out


def targets_caseload(url_name: str, size: str, count: int) -> list[Target]:
    c = 1 if size == "small" else 0
    n = 5 if c == 1 else 200
    return [
        Target(
            r["clinician_email"],
            "clinician",
            [Request("GET", reverse(url_name))],
            note=f"caseload of {n}",
        )
        for r in _spread(_clinicians(c), count)
    ]


def targets_patient_detail(url_name: str, size: str, count: int) -> list[Target]:
    c = 1 if size == "small" else 0
    rows = _layout("b.clinician_no = %s", [c])
    by_clinician: dict[str, list[dict]] = {}
    for r in sorted(rows, key=lambda r: (r["practice_no"], r["patient_no"])):
        by_clinician.setdefault(r["clinician_email"], []).append(r)
    clinicians = list(by_clinician)
    out = []
    for i in range(min(count, len(clinicians)) if clinicians else 0):
        patients = by_clinician[clinicians[i]][:DETAIL_PATIENTS_PER_USER]
        out.append(
            Target(
                clinicians[i],
                "clinician",
                [Request("GET", reverse(url_name, args=[p["enrollment_id"]])) for p in patients],
                note=f"{patients[0]['weeks']} weeks of history",
            )
        )
    return [out[i % len(out)] for i in range(count)] if out else []


def targets_outcomes(url_name: str, size: str, count: int) -> list[Target]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.email,"
            " (SELECT DISTINCT b.clinician_id FROM bench_layout b"
            "   WHERE b.practice_id = m.practice_id AND b.clinician_no = 1),"
            " (SELECT DISTINCT b.clinician_id FROM bench_layout b"
            "   WHERE b.practice_id = m.practice_id AND b.clinician_no = 0)"
            " FROM accounts_membership m JOIN accounts_user u ON u.id = m.user_id"
            " WHERE m.role = 'admin' AND u.email LIKE %s ORDER BY m.practice_id",
            [f"%@{bench.EMAIL_DOMAIN}"],
        )
        admins = cursor.fetchall()
    out = []
    for email, small_clinician, big_clinician in admins:
        path = reverse(url_name)
        if size == "small":  # the report for one clinician's 5 patients
            path += "?" + urlencode({"clinician": small_clinician})
        elif size == "medium":  # … and for one clinician's 200
            path += "?" + urlencode({"clinician": big_clinician})
        out.append(
            Target(
                email,
                "admin",
                [Request("GET", path)],
                note={"small": "5 patients", "medium": "200 patients"}.get(size, "1,000 patients"),
            )
        )
    return [out[i % len(out)] for i in range(count)] if out else []


PAGES: list[Page] = [
    Page(
        "baseline",
        "Baseline: minimal view, full middleware",
        "patient",
        ("bench_baseline",),
        targets_patient_page(400),
        queries_budget=None,
        sizes={"small": "patient, 5 weeks", "large": "patient, 52 weeks"},
    ),
    Page(
        "today",
        "Patient Today",
        "patient",
        ("today",),
        targets_patient_page(205),
        p95_ratio_budget=PAGE_P95_RATIO,
        sizes={"small": "5 weeks of history", "large": "52 weeks"},
    ),
    Page(
        "checkin_submit",
        "Check-in submit",
        "patient",
        ("checkin_detail",),
        targets_checkin_submit,
        method="POST",
        expect=302,
        p95_ratio_budget=PAGE_P95_RATIO,
        sizes={"small": "5 weeks of history", "large": "52 weeks"},
    ),
    Page(
        "caseload",
        "Clinician caseload (200 patients)",
        "clinician",
        ("caseload",),
        targets_caseload,
        p95_ratio_budget=PAGE_P95_RATIO,
        sizes={"small": "5 patients", "large": "200 patients"},
    ),
    Page(
        "patient_detail",
        "Patient detail (52 weeks)",
        "clinician",
        ("patient_detail", "caseload_patient", "clinician_patient", "patient"),
        targets_patient_detail,
        p95_ratio_budget=PAGE_P95_RATIO,
        sizes={"small": "5 weeks of history", "large": "52 weeks"},
    ),
    Page(
        "outcomes_report",
        "Practice outcomes report (1,000 patients)",
        "admin",
        ("admin_outcomes",),
        targets_outcomes,
        p95_ms_budget=250,
        sizes={
            "small": "5 patients (one clinician's)",
            "medium": "200 (one clinician's)",
            "large": "1,000 patients (the practice)",
        },
    ),
]


def selected() -> list[Page]:
    """PAGES, or only those named in BENCH_PAGES (comma-separated keys; the baseline is
    always kept, every ratio needs it)."""
    import os

    keys = {k.strip() for k in (os.environ.get("BENCH_PAGES") or "").split(",") if k.strip()}
    return [p for p in PAGES if not keys or p.key in keys or p.key == "baseline"]


# ---------------------------------------------------------------- check-ins to submit


BENCH_SLOT = "bench-"


def open_checkins(enrollment_id: int, count: int) -> list[int]:
    """`count` fresh open weekly check-ins for one enrollment (slots bench-N), replacing
    any left from an earlier run. Each submit in the load test uses one up."""
    from django.utils import timezone

    from programs.models import Enrollment
    from tracking.checkins.schedule import checkin_config
    from tracking.models import CheckIn

    CheckIn.objects.filter(enrollment_id=enrollment_id, slot__startswith=BENCH_SLOT).delete()
    now = timezone.now()
    enrollment = Enrollment.objects.select_related("program_version").get(pk=enrollment_id)
    keys = checkin_config(enrollment.program_version)["weekly"]
    # Each opens a microsecond before the previous one and they are submitted in that
    # order (newest first), all after the real history: every submit then sees the same
    # history (the real 52 weeks, none of the bench ones already done), as the alert
    # rules read "this check-in and the ones before it".
    rows = [
        CheckIn(
            enrollment_id=enrollment_id,
            slot=f"{BENCH_SLOT}{i}",
            kind=CheckIn.Kind.WEEKLY,
            week=8,
            due_date=(now - timedelta(days=1)).date(),
            opens_at=now - timedelta(hours=1) - timedelta(microseconds=i),
            closes_at=now + timedelta(days=7),
            status=CheckIn.Status.OPEN,
            instrument_keys=keys,
        )
        for i in range(count)
    ]
    CheckIn.objects.bulk_create(rows, batch_size=2000)
    return list(
        CheckIn.objects.filter(enrollment_id=enrollment_id, slot__startswith=BENCH_SLOT)
        .order_by("-opens_at")
        .values_list("pk", flat=True)
    )


def remove_bench_checkins() -> int:
    from tracking.models import Alert, CheckIn

    ids = list(CheckIn.objects.filter(slot__startswith=BENCH_SLOT).values_list("pk", flat=True))
    Alert.objects.filter(source__in=[f"checkin:{pk}" for pk in ids]).delete()
    deleted, _ = CheckIn.objects.filter(pk__in=ids).delete()
    return deleted


def checkin_answers() -> dict:
    """A complete, calm weekly check-in as the form posts it (fields
    ``<instrument>__<item>``): moderate pain and fear, no low mood, so no alert rule
    fires and every submit takes the same path."""
    from programs.models import ProgramVersion
    from tracking.checkins.forms import field_name
    from tracking.checkins.schedule import checkin_config
    from tracking.models import Instrument

    version = ProgramVersion.objects.filter(language="en").order_by("-pk").first()
    keys = checkin_config(version)["weekly"]
    data = {"action": "submit"}
    for instrument in Instrument.objects.filter(
        key__in=keys, practice__isnull=True, is_current=True
    ):
        for item in instrument.items:
            lo, hi = int(item.get("min", 0)), int(item.get("max", 10))
            data[field_name(instrument.key, item["key"])] = str(lo + 3 if hi - lo >= 10 else lo)
    return data
