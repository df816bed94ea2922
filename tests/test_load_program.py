"""load_program is idempotent, versions changed content and keeps enrollments pinned."""

from __future__ import annotations

import shutil
from datetime import date

from django.core.management import call_command

from programs.content import CONTENT_ROOT
from programs.models import Activity, Program, ProgramVersion
from programs.services import enrollment_create


def test_loading_twice_changes_nothing(db):
    call_command("load_program", "--all")
    counts = (ProgramVersion.objects.count(), Activity.objects.count())
    call_command("load_program", "--all")
    assert (ProgramVersion.objects.count(), Activity.objects.count()) == counts
    # One version per program and language (the Spanish twins live in <slug>.es/).
    assert sorted(ProgramVersion.objects.values_list("program__slug", "language")) == [
        ("prt-back-4wk", "en"),
        ("prt-back-4wk", "es"),
        ("prt-back-8wk", "en"),
        ("prt-back-8wk", "es"),
    ]
    version = ProgramVersion.objects.get(program__slug="prt-back-8wk", language="en")
    assert version.number == 1 and version.weeks.count() == 8
    assert version.tracking_guide["steps"][0]["key"] == "settle"


def test_a_changed_file_makes_a_new_version_and_enrollments_stay_on_theirs(cast, tmp_path):
    folder = tmp_path / "prt-back-8wk"
    shutil.copytree(CONTENT_ROOT / "prt-back-8wk", folder)
    call_command("load_program", "--path", str(folder))
    v1 = ProgramVersion.objects.get()
    enrollment = enrollment_create(
        patient=cast.patient,
        practice=cast.practice,
        clinician=cast.clinician,
        program_version=v1,
        start_date=date(2026, 1, 5),
    )
    lesson = folder / "week-01" / "01-how-pain-works.md"
    lesson.write_text(
        lesson.read_text().replace("Pain is made by your brain", "Your brain makes pain", 1)
    )
    call_command("load_program", "--path", str(folder))
    call_command("load_program", "--path", str(folder))
    program = Program.objects.get()
    assert list(program.versions.values_list("number", flat=True).order_by("number")) == [1, 2]
    enrollment.refresh_from_db()
    assert enrollment.program_version_id == v1.pk
    v2 = program.latest_version
    old = v1.weeks.get(number=1).activities.get(order=1).body_md
    new = v2.weeks.get(number=1).activities.get(order=1).body_md
    assert old != new


def test_bad_content_is_reported_plainly(db, tmp_path, capsys):
    folder = tmp_path / "broken"
    shutil.copytree(CONTENT_ROOT / "prt-back-8wk", folder)
    bad = folder / "week-02" / "01-looking-for-clues.md"
    bad.write_text(bad.read_text().replace("kind: lesson", "kind: lecture"))
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="kind must be one of"):
        call_command("load_program", "--path", str(folder))
    assert not ProgramVersion.objects.exists()
