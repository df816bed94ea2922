#!/usr/bin/env python
"""Readability and shape check for program content.

Usage:
    .venv/bin/python tools/readability_check.py [content_dir]

For every ``kind: lesson`` file it prints the word count and the
Flesch-Kincaid grade (textstat) of the body, after stripping the front matter
and Markdown syntax the same way the app's test does: drop the front matter,
remove ``#``, ``*``, ``_``, ``>`` and list markers, then join the lines.

It also checks the grade of every other activity body, every ``prompt``,
every evidence item, every somatic-tracking step ``text``, and the basic
shape of the files (keys, word ranges, one daily practice and one check-in
per week, unique slugs). Exit status is 1 if anything fails.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import textstat
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "programs" / "content" / "prt-back-8wk"

MAX_GRADE = 8.0
LESSON_WORDS = (600, 1200)
OTHER_WORDS = (40, 250)
KINDS = {"lesson", "practice", "exposure", "reflection", "attribution", "evidence", "checkin"}
STEP_KEYS = ["settle", "locate", "describe", "safety", "outcome", "widen", "rate"]
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ACTIVITY_FILE_RE = re.compile(r"^(\d\d)-([a-z0-9-]+)\.md$")
FRONT_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?(.*)\Z", re.S)
LIST_MARKER_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
FORBIDDEN_RE = re.compile(r"<[a-zA-Z/!][^>]*>|!\[|\]\(|https?://")


def split_front_matter(raw: str) -> tuple[dict, str]:
    m = FRONT_RE.match(raw)
    if not m:
        raise ValueError("missing front matter")
    return yaml.safe_load(m.group(1)) or {}, m.group(2)


def strip_markdown(body: str) -> str:
    lines = []
    for line in body.splitlines():
        line = LIST_MARKER_RE.sub("", line)
        line = re.sub(r"[#*_>]", "", line).strip()
        if line:
            lines.append(line)
    return " ".join(lines)


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(text)


def words(text: str) -> int:
    return textstat.lexicon_count(text)


class Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.slugs: dict[str, Path] = {}

    def fail(self, where: Path | str, msg: str) -> None:
        self.errors.append(f"{where}: {msg}")

    def check_grade(self, where, label: str, text: str) -> float:
        g = grade(text)
        if g > MAX_GRADE:
            self.fail(where, f"{label} grade {g:.1f} > {MAX_GRADE}: {text[:70]!r}")
        return g

    def check_body(self, path: Path, body: str) -> None:
        if FORBIDDEN_RE.search(body):
            self.fail(path, "body contains raw HTML, an image or a link")
        for line in body.splitlines():
            if re.match(r"^#\s", line):
                self.fail(path, "top-level '#' heading; use '##' or lower")

    def program(self, d: Path) -> None:
        p = d / "program.md"
        fm, body = split_front_matter(p.read_text())
        for k in ("slug", "title", "summary", "weeks"):
            if k not in fm:
                self.fail(p, f"missing {k}")
        text = strip_markdown(body)
        n = words(text)
        if not 150 <= n <= 300:
            self.fail(p, f"overview is {n} words (150-300)")
        self.check_body(p, body)
        self.check_grade(p, "overview", text)
        print(f"{'program.md':45} {n:5d} words  grade {grade(text):4.1f}")

    def somatic(self, d: Path) -> None:
        p = d / "somatic-tracking.md"
        fm, body = split_front_matter(p.read_text())
        steps = fm.get("steps") or []
        keys = [s.get("key") for s in steps]
        if keys != STEP_KEYS:
            self.fail(p, f"step keys {keys} != {STEP_KEYS}")
        for s in steps:
            for k in ("title", "seconds", "text"):
                if k not in s:
                    self.fail(p, f"step {s.get('key')} missing {k}")
            text = str(s.get("text", ""))
            n_sent = len(re.findall(r"[.!?]+(?:\s|$)", text))
            if not 2 <= n_sent <= 5:
                self.fail(p, f"step {s.get('key')} has {n_sent} sentences (2-5)")
            if FORBIDDEN_RE.search(text) or re.search(r"[*_#`]", text):
                self.fail(p, f"step {s.get('key')} text must be plain text")
            g = self.check_grade(p, f"step {s.get('key')}", text)
            print(f"  step {s.get('key'):10} {words(text):4d} words  grade {g:4.1f}")
        sw = fm.get("sensation_words") or []
        if not 12 <= len(sw) <= 20:
            self.fail(p, f"{len(sw)} sensation words (~16 expected)")
        text = strip_markdown(body)
        n = words(text)
        if not 100 <= n <= 200:
            self.fail(p, f"intro is {n} words (100-200)")
        self.check_body(p, body)
        g = self.check_grade(p, "intro", text)
        print(f"{'somatic-tracking.md intro':45} {n:5d} words  grade {g:4.1f}")

    def week(self, wd: Path, number: int) -> list[tuple]:
        rows = []
        wp = wd / "week.md"
        fm, body = split_front_matter(wp.read_text())
        if fm.get("number") != number:
            self.fail(wp, f"number {fm.get('number')} != {number}")
        for k in ("title", "theme"):
            if not fm.get(k):
                self.fail(wp, f"missing {k}")
        self.check_grade(wp, "week intro", strip_markdown(body))
        self.check_grade(wp, "theme", str(fm.get("theme", "")))
        kinds = []
        files = sorted(f for f in wd.glob("*.md") if f.name != "week.md")
        for i, f in enumerate(files, start=1):
            m = ACTIVITY_FILE_RE.match(f.name)
            if not m or int(m.group(1)) != i:
                self.fail(f, f"file name should be {i:02d}-<slug>.md")
            fm, body = split_front_matter(f.read_text())
            kind = fm.get("kind")
            kinds.append(kind)
            if kind not in KINDS:
                self.fail(f, f"bad kind {kind!r}")
            slug = fm.get("slug", "")
            if not SLUG_RE.match(str(slug)):
                self.fail(f, f"bad slug {slug!r}")
            if slug in self.slugs:
                self.fail(f, f"duplicate slug {slug!r} (also {self.slugs[slug]})")
            self.slugs[slug] = f
            if not fm.get("title"):
                self.fail(f, "missing title")
            if not isinstance(fm.get("minutes"), int):
                self.fail(f, "minutes must be an int")
            if (kind == "practice") != (fm.get("daily") is True):
                self.fail(f, "daily: true only (and always) for practice")
            if kind == "reflection" and not fm.get("prompt"):
                self.fail(f, "reflection needs a prompt")
            if fm.get("prompt"):
                self.check_grade(f, "prompt", str(fm["prompt"]))
            if kind == "evidence":
                items = fm.get("items") or []
                if not 8 <= len(items) <= 10:
                    self.fail(f, f"{len(items)} evidence items (8-10)")
                for it in items:
                    if not SLUG_RE.match(str(it.get("key", ""))) or not it.get("text"):
                        self.fail(f, f"bad evidence item {it!r}")
                    else:
                        self.check_grade(f, f"item {it['key']}", str(it["text"]))
            elif "items" in fm:
                self.fail(f, "items only allowed on evidence activities")
            self.check_body(f, body)
            text = strip_markdown(body)
            n = words(text)
            lo, hi = LESSON_WORDS if kind == "lesson" else OTHER_WORDS
            if not lo <= n <= hi:
                self.fail(f, f"{kind} body is {n} words ({lo}-{hi})")
            g = self.check_grade(f, f"{kind} body", text)
            rows.append((f"{wd.name}/{f.name}", kind, n, g))
        if "lesson" not in kinds:
            self.fail(wd, "no lesson")
        if kinds.count("practice") != 1:
            self.fail(wd, "needs exactly one practice")
        if kinds.count("checkin") != 1:
            self.fail(wd, "needs exactly one checkin")
        if number >= 3 and "exposure" not in kinds:
            self.fail(wd, "weeks 3-8 need an exposure activity")
        return rows

    def run(self, d: Path) -> int:
        self.program(d)
        self.somatic(d)
        weeks = sorted(p for p in d.glob("week-*") if p.is_dir())
        if [w.name for w in weeks] != [f"week-{i:02d}" for i in range(1, 9)]:
            self.fail(d, f"weeks found: {[w.name for w in weeks]}")
        rows = []
        for i, wd in enumerate(weeks, start=1):
            rows += self.week(wd, i)
        print()
        print("LESSONS")
        lessons = [r for r in rows if r[1] == "lesson"]
        for name, _, n, g in lessons:
            ok = LESSON_WORDS[0] <= n <= LESSON_WORDS[1] and g <= MAX_GRADE
            flag = "" if ok else "  <-- FAIL"
            print(f"  {name:45} {n:5d} words  grade {g:4.1f}{flag}")
        print(f"  {len(lessons)} lessons")
        print()
        print("OTHER ACTIVITIES")
        for name, kind, n, g in rows:
            if kind != "lesson":
                print(f"  {name:45} {kind:11} {n:4d} words  grade {g:4.1f}")
        print()
        if self.errors:
            print(f"{len(self.errors)} PROBLEM(S):")
            for e in self.errors:
                print("  " + e)
            return 1
        print("All checks passed.")
        return 0


def main(argv: list[str]) -> int:
    d = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    return Checker().run(d)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
