"""The progress charts' words and numbers are readable on a phone: every label drawn in
a chart renders at least MIN_PX tall at phone widths (they were 9–10 px at 390px wide:
the SVG's 12-unit text shrank with the drawing), and stay within the drawing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser import helpers
from tests.clinical_data import build_history

pytestmark = pytest.mark.browser

# The smallest text the app sets elsewhere is about 15px (hints, badges: 0.85–0.9rem of
# an 18px body); chart labels may be a little smaller, never below this.
MIN_PX = 14
SIZES = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const box = svg.getBoundingClientRect();
    return [...svg.querySelectorAll('text')].map(t => {
        const r = t.getBoundingClientRect();
        return [svg.classList[1], t.getAttribute('class'), t.textContent,
                Math.round(parseFloat(getComputedStyle(t).fontSize) * scale * 10) / 10,
                r.left >= box.left - 1 && r.right <= box.right + 1];
    });
})"""


@pytest.mark.parametrize("width", [320, 360, 390, 414])
def test_chart_text_is_readable_on_a_phone(live_server, cast, enrollment, new_context, width):
    build_history(enrollment, weeks=8, missed_weeks=(5,))
    page = new_context(**{**helpers.PHONE, "viewport": {"width": width, "height": 844}}).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/progress/")
    if width == 390 and os.environ.get("CHART_SHOT"):  # to look at it (before/after)
        page.locator(".chart-card").first.screenshot(path=str(Path(os.environ["CHART_SHOT"])))
    labels = page.evaluate(SIZES)
    assert len(labels) > 20, labels
    small = [label for label in labels if label[3] < MIN_PX]
    assert not small, small
    outside = [label for label in labels if not label[4]]
    assert not outside, outside


def test_chart_text_is_not_oversized_on_a_desktop(live_server, cast, enrollment, new_context):
    build_history(enrollment, weeks=8)
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/progress/")
    sizes = [label[3] for label in page.evaluate(SIZES)]
    assert sizes and min(sizes) >= MIN_PX and max(sizes) <= 22, sizes
