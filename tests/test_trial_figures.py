"""The PRT trial's figures never appear as if they were this app's results.

The trial (Ashar et al., JAMA Psychiatry 2022) gave PRT as 1 physician visit plus 8
one-to-one therapist sessions over 4 weeks, to 50 of its 151 people; this app is a
self-guided program that has not itself been tested in a trial (PRT_NOTES.md, issue 16).
So wherever a patient, clinician or reader meets the 66% "pain-free or nearly" figure,
or the 2023 attribution figures (about 10% mind-brain causes before PRT, about half
after), the same passage must say both things: how the trial delivered PRT, and that
the app has not been tested.

Scanned: the curriculum, every template, the README and docs, and the string literals of
the Python packages (docstrings and comments are for developers and are left out).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# How near (in characters, after collapsing whitespace) the caveat must be to a figure:
# about two or three sentences, so it sits in the same paragraph, not on another page.
NEAR = 700

TRIAL_RESULT = re.compile(
    r"\b66\s?(?:%|percent|per cent|por ciento)"
    # The Spanish curriculum (prt-back-8wk.es): "66 de cada 100", "dos de cada tres".
    r"|\b66 de cada 100\b"
    r"|\b(?:dos|2) de cada (?:tres|3)\b"
    r"|\bdos tercios\b"
    r"|\b66 (?:out )?of (?:every )?100\b"
    r"|\b33 (?:out )?of (?:the )?50\b"
    # "two in three people", not "2 out of 3 questions" or a mind-brain score.
    r"|\b(?:two|2) (?:out of|in) (?:three|3) (?:people|patients|adults|participants|who|of)\b"
    r"|\btwo[- ]thirds\b",
    re.IGNORECASE,
)
# The 2023 finding is a pair: a "before" share near an "after" share, about mind or brain.
MIND_BRAIN_BEFORE = re.compile(
    r"\b(?:10\s?(?:%|percent|per cent)|1 in 10|one in ten|10 (?:out )?of (?:every )?100)"
    r"|\b(?:1|una?) de cada (?:10|diez)\b|\b10 de cada 100\b|\b10\s?por ciento",
    re.IGNORECASE,
)
MIND_BRAIN_AFTER = re.compile(
    r"\b51\s?(?:%|percent|per cent)|~\s?50\s?%|\b50\s?(?:%|percent|per cent)|\bhalf\b"
    r"|\bla mitad\b|\b50\s?(?:por ciento)",
    re.IGNORECASE,
)
NOT_TESTED = re.compile(
    r"ha(?:s|ve) not (?:itself |themselves )?been tested in a trial"
    r"|no se ha (?:puesto a prueba|probado) en un ensayo",
    re.IGNORECASE,
)
TRIAL_DOSE = re.compile(r"\b8 one-to-one\b|\b8 sesiones individuales\b", re.IGNORECASE)


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def figures_without_caveat(text: str) -> list[str]:
    """Each trial figure in `text` that has no caveat within NEAR characters, quoted."""
    text = _collapse(text)
    hits = [m.span() for m in TRIAL_RESULT.finditer(text)]
    for before in MIND_BRAIN_BEFORE.finditer(text):
        span = text[before.start() : before.end() + 300]
        after = MIND_BRAIN_AFTER.search(span, before.end() - before.start())
        if after and re.search(r"mind|brain|mente|cerebro", span, re.IGNORECASE):
            hits.append((before.start(), before.start() + after.end()))
    missing = []
    for start, end in hits:
        around = text[max(0, start - NEAR) : end + NEAR]
        if not (NOT_TESTED.search(around) and TRIAL_DOSE.search(around)):
            missing.append(text[max(0, start - 60) : end + 60])
    return missing


def python_strings(path: Path) -> str:
    """The file's string literals in source order, docstrings left out. Joined, so a
    caveat in the next literal (the next sentence appended) still counts as near."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    strings = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]
    strings.sort(key=lambda n: (n.lineno, n.col_offset))
    return " ".join(n.value for n in strings)


def shipped_texts() -> list[tuple[str, str]]:
    paths = [
        *sorted((ROOT / "programs" / "content").rglob("*.md")),
        *sorted((ROOT / "templates").rglob("*.html")),
        *sorted((ROOT / "templates").rglob("*.txt")),
        ROOT / "README.md",
        *sorted((ROOT / "docs").rglob("*.md")),
    ]
    texts = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in paths]
    for package in ("painapp", "programs", "tracking"):
        for path in sorted((ROOT / package).rglob("*.py")):
            texts.append((str(path.relative_to(ROOT)), python_strings(path)))
    return texts


# ------------------------------------------------------------ the checker itself

CAVEAT = (
    "The 50 people who had PRT got 1 doctor visit and 8 one-to-one sessions with a "
    "therapist over 4 weeks, and this app has not itself been tested in a trial."
)


@pytest.mark.parametrize(
    "claim",
    [
        "After PRT, 66% were pain-free.",
        "66 out of every 100 people in the PRT group were pain-free or nearly pain-free.",
        "In a large study, two out of three people who had PRT ended up with no pain.",
        "About two in three people reached this range by the end.",
        "Two-thirds of patients were pain-free.",
        "Before PRT, about 1 in 10 causes were about the mind or brain. After it, about half were.",
        "About 10% of causes were mind or brain causes before PRT and 51% after.",
    ],
)
def test_it_catches_a_trial_figure_without_its_caveat(claim):
    assert figures_without_caveat(claim)
    assert figures_without_caveat(f"{claim} This app has not been tested in a trial.")
    assert figures_without_caveat(f"{claim} {'Filler words here. ' * 50}{CAVEAT}")
    assert not figures_without_caveat(f"{claim} {CAVEAT}")
    assert not figures_without_caveat(f"{CAVEAT}\n\n{claim}")


CAVEAT_ES = (
    "Las 50 personas que recibieron PRT tuvieron 1 consulta médica y 8 sesiones "
    "individuales con un terapeuta en 4 semanas, y esta aplicación no se ha probado en un "
    "ensayo."
)


@pytest.mark.parametrize(
    "claim",
    [
        "Después de la PRT, el 66 % no tenía dolor.",
        "El 66% quedó sin dolor o casi sin dolor.",
        "Dos de cada tres personas que hicieron PRT quedaron sin dolor.",
        "Antes de la PRT, 1 de cada 10 causas era de la mente o el cerebro. Después, era la mitad.",
    ],
)
def test_it_catches_a_spanish_trial_figure_without_its_caveat(claim):
    assert figures_without_caveat(claim)
    assert figures_without_caveat(f"{claim} Esta aplicación no se ha probado en un ensayo.")
    assert not figures_without_caveat(f"{claim} {CAVEAT_ES}")


def test_it_leaves_other_numbers_alone():
    for text in (
        "A drop of 2 points, or of 30% or more, is one people notice.",
        "In the usual care group, it was 10 out of 100.",
        "You answered 2 out of 3 questions.",
        "Rate how harmful it feels from 0 to 100. About half of your ladder is done.",
    ):
        assert not figures_without_caveat(text), text


def test_it_reads_python_strings_but_not_docstrings(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        '"""66% of the PRT group: a note for developers."""\n'
        "def words():\n"
        '    """Two in three, in a docstring."""\n'
        '    return "Two-thirds were pain-free."\n'
    )
    text = python_strings(module)
    assert text == "Two-thirds were pain-free."
    assert figures_without_caveat(text)

    # The caveat may be the next literal, as when results text appends one sentence more.
    module.write_text(
        "def words():\n"
        '    out = ["In the PRT study, about two in three people got there."]\n'
        f'    out.append("{CAVEAT}")\n'
        "    return out\n"
    )
    assert not figures_without_caveat(python_strings(module))


# ------------------------------------------------------------ what ships


def test_no_trial_figure_ships_without_its_caveat():
    missing = {
        name: found for name, text in shipped_texts() if (found := figures_without_caveat(text))
    }
    assert not missing, (
        "A PRT trial figure appears without the sentence saying how the trial gave PRT "
        "(1 physician visit + 8 one-to-one therapist sessions over 4 weeks, 151 people, "
        f"50 had PRT) and that this app has not been tested in a trial: {missing}"
    )


def test_the_figures_the_program_quotes_are_still_found():
    # Guards the scan itself: if the patterns drift, these known passages stop matching
    # and the test above would pass on nothing.
    lesson = (ROOT / "programs/content/prt-back-8wk/week-01/01-how-pain-works.md").read_text()
    road_ahead = (
        ROOT / "programs/content/prt-back-8wk/week-08/02-flares-and-the-road-ahead.md"
    ).read_text()
    assert TRIAL_RESULT.search(lesson)
    assert MIND_BRAIN_BEFORE.search(_collapse(road_ahead))
    spanish = ROOT / "programs/content/prt-back-8wk.es"
    if spanish.exists():
        es_lesson = (spanish / "week-01/01-how-pain-works.md").read_text()
        assert TRIAL_RESULT.search(_collapse(es_lesson))
    for name, text in shipped_texts():
        if name.endswith(
            (
                "01-how-pain-works.md",
                "02-flares-and-the-road-ahead.md",
                "program.md",
                "about.html",
                "README.md",
            )
        ):
            assert NOT_TESTED.search(_collapse(text)), name
