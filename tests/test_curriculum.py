"""The shipped curriculum: every lesson readable (grade 8 or lower) and 600–1,200 words."""

from __future__ import annotations

import re

import pytest
import textstat

from programs.content import CONTENT_ROOT, read_program

PROGRAM = read_program(CONTENT_ROOT / "prt-back-8wk")
LESSONS = [(w.number, a) for w in PROGRAM.weeks for a in w.activities if a.kind == "lesson"]


def plain_text(markdown: str) -> str:
    text = re.sub(r"^\s*(#+|>|[-*+]|\d+\.)\s*", "", markdown, flags=re.MULTILINE)
    return re.sub(r"[*_`]", "", text)


@pytest.mark.parametrize(("week", "lesson"), LESSONS, ids=[a.slug for _, a in LESSONS])
def test_every_lesson_is_plain_and_the_right_length(week, lesson):
    text = plain_text(lesson.body_md)
    words = len(text.split())
    assert 600 <= words <= 1200, f"{lesson.slug}: {words} words"
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= 8.0, f"{lesson.slug}: grade {grade}"


def test_every_week_has_a_lesson_daily_practice_and_a_checkin():
    assert len(PROGRAM.weeks) == 8
    for week in PROGRAM.weeks:
        kinds = [a.kind for a in week.activities]
        assert "lesson" in kinds, week.number
        assert kinds.count("practice") == 1 and kinds.count("checkin") == 1, week.number
        assert any(a.daily for a in week.activities if a.kind == "practice")


def test_the_program_follows_the_prt_structure():
    kinds_by_week = {w.number: {a.kind for a in w.activities} for w in PROGRAM.weeks}
    assert {n for n, kinds in kinds_by_week.items() if "attribution" in kinds} == {1, 4, 8}
    assert "evidence" in kinds_by_week[1] and "evidence" in kinds_by_week[2]
    assert all("exposure" in kinds_by_week[n] for n in range(3, 9))
    steps = [s["key"] for s in PROGRAM.tracking_guide["steps"]]
    assert steps == ["settle", "locate", "describe", "safety", "outcome", "widen", "rate"]


def test_the_trial_is_cited_and_fear_before_pain_is_explained():
    everything = " ".join(a.body_md for w in PROGRAM.weeks for a in w.activities)
    assert "JAMA Psychiatry" in everything
    assert re.search(r"fear (usually |often )?(falls|drops|goes down|eases)[^.]*before[^.]*pain",
                     everything, flags=re.IGNORECASE)


def test_no_lesson_tells_anyone_to_stop_medical_care():
    everything = " ".join(a.body_md for w in PROGRAM.weeks for a in w.activities).lower()
    for phrase in ("stop taking your medic", "stop your medic", "stop seeing your doctor",
                   "you don't need your doctor", "you do not need your doctor"):
        assert phrase not in everything
