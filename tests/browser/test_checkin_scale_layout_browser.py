"""The check-in's 0-10 scale lays out cleanly: on a phone (390 px) the numbers sit in two
rows, 0-5 then 6-10, "0 = …" above the 0 and "10 = …" ending under the 10 (it used to
sit at the right edge, past the 10); on a wide screen one row, each end label under its
own end. Real page, real CSS.

Screenshots: test-artifacts/screenshots/checkin-scale-*.png.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser import helpers
from tests.checkin_data import started_two_weeks_ago

pytestmark = pytest.mark.browser

# The numbers (their labels), then any element whose text is an end label ("0 = …").
BOXES = """el => [...el.querySelectorAll('label.ci-opt'),
  ...[...el.querySelectorAll('span')].filter(e => /^(0|10) = /.test(e.textContent.trim()))
].map(e => {
  const r = e.getBoundingClientRect();
  return {text: e.textContent.trim(), left: r.left, right: r.right, top: r.top, bottom: r.bottom};
})"""


@pytest.mark.parametrize("screen", ["phone", "wide"])
def test_the_end_labels_sit_by_their_own_ends(new_context, live_server, cast, enrollment, screen):
    slots = started_two_weeks_ago(enrollment)
    size = helpers.PHONE if screen == "phone" else helpers.DESKTOP
    page = new_context(bypass_csp=True, **size).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("checkin_detail", args=[slots["week-3"].pk]))
    scale = page.locator("fieldset.ci-scale--grid:visible").first
    scale.scroll_into_view_if_needed()
    helpers.screenshot(page, f"checkin-scale-{screen}")
    boxes = scale.evaluate(BOXES)
    numbers = [b for b in boxes if "=" not in b["text"]]
    low = next(b for b in boxes if b["text"].startswith("0 ="))
    high = next(b for b in boxes if b["text"].startswith("10 ="))
    assert [b["text"] for b in numbers] == [str(n) for n in range(11)]
    zero, ten = numbers[0], numbers[10]
    rows = sorted({round(b["top"]) for b in numbers})
    if screen == "phone":
        assert len(rows) == 2
        assert [round(b["top"]) for b in numbers] == [rows[0]] * 6 + [rows[1]] * 5
        assert low["bottom"] <= zero["top"]  # above the 0
    else:
        assert len(rows) == 1
        assert low["top"] >= zero["bottom"]  # under the 0
    assert abs(low["left"] - zero["left"]) < 1
    assert high["top"] >= ten["bottom"]  # under the 10, its right edge on the 10's
    assert abs(high["right"] - ten["right"]) < 1
