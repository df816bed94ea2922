"""The strict Content Security Policy, and templates that live within it.

The browser journey (tests/browser/test_invite_journey.py) proves real pages raise
no violation; these fast checks catch the usual slips in every template at once.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
# Emails are not served by us, so the page CSP does not apply (mail clients need inline
# style): ours in templates/emails/, allauth's (our wording) in templates/account/email/.
EMAILS = (("emails",), ("account", "email"))
TEMPLATES = sorted(
    p
    for p in (ROOT / "templates").rglob("*.html")
    if not any(
        p.relative_to(ROOT / "templates").parts[: len(folder)] == folder for folder in EMAILS
    )
)

SLIPS = {
    "an inline <script> (put JavaScript in static/js/ and load it with src)": re.compile(
        r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE
    ),
    "a <style> block (put CSS in static/css/)": re.compile(r"<style\b", re.IGNORECASE),
    'a style="" attribute (use a class)': re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an on…= event handler attribute (use static/js/)": re.compile(
        r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE
    ),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "an hx-* attribute (write data-hx-*)": re.compile(r"<[^>]*\shx-[a-z]", re.IGNORECASE),
    "a {# comment #} split over lines (Django prints it; use {% comment %})": re.compile(
        r"\{#(?:(?!#\}).)*$", re.MULTILINE
    ),
}


def test_it_sends_a_strict_policy(client):
    response = client.get(reverse("account_login"))
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_it_keeps_templates_within_the_policy(template: Path):
    source = template.read_text()
    found = []
    jinja2 = "jinja2" in template.relative_to(ROOT / "templates").parts
    for what, pattern in SLIPS.items():
        if jinja2 and what.startswith("a {# comment #}"):
            continue  # Jinja2's {# #} comments may span lines (templates/jinja2/)
        for match in pattern.finditer(source):
            line = source.count("\n", 0, match.start()) + 1
            found.append(f"line {line}: {what}: {match.group(0)[:80]!r}")
    assert not found, f"{template.relative_to(ROOT)}:\n" + "\n".join(found)
