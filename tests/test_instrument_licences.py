"""Only questionnaires we may ship are shipped, each saying where its licence comes from
(PRT_NOTES.md; issue 16, Build 8: a function or interference measure only if its
licence clearly allows shipping it in software, otherwise documented for practices)."""

from __future__ import annotations

from pathlib import Path

from tracking.instruments.shipped import SHIPPED

ROOT = Path(__file__).resolve().parent.parent
# Licensed or of unclear licence: practices add these under their own licence.
NOT_OURS = ("peg", "bpi", "rmdq", "roland", "odi", "oswestry", "promis", "tsk", "pseq", "pcs")


def test_every_shipped_questionnaire_has_a_citation_and_a_licence_note():
    for d in SHIPPED:
        assert d.get("citation") and d.get("licence_note"), d["key"]


def test_no_licensed_function_measure_is_shipped():
    for d in SHIPPED:
        words = f"{d['key']} {d['title']}".lower()
        assert not any(name in words for name in NOT_OURS), d["key"]


def test_the_way_to_add_one_is_documented_with_its_sources():
    doc = " ".join((ROOT / "docs" / "function-measures.md").read_text().split())
    for words in (
        "PEG-3",
        "Roland-Morris",
        "Oswestry",
        "PROMIS Pain Interference",
        "all its derivatives in any language",  # the BPI's terms, which cover the PEG
        "Integration into proprietary technology requires written permission",
        "Add or update a questionnaire",
        "I confirm our practice holds a licence to use this questionnaire",
        "checkins:",
    ):
        assert words in doc, words
    assert "docs/function-measures.md" in (ROOT / "README.md").read_text()
