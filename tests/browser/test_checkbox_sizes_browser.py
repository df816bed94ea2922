"""Every tick box keeps its full size on a phone, however long the words beside it: a
long label wraps, the box does not shrink (the weekly check-in's box on the Reminders
page was squeezed to about half its width at 390px)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import helpers

pytestmark = pytest.mark.browser


def test_the_reminders_pages_tick_boxes_are_all_full_size_on_a_phone(
    live_server, cast, enrollment, new_context
):
    page = new_context(**helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/reminders/")
    expect(page.get_by_role("heading", name="Weekly check-in")).to_be_visible()
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('main input[type=checkbox]')]
            .filter(box => box.offsetParent)
            .map(box => { const r = box.getBoundingClientRect();
                          return [box.name, Math.round(r.width), Math.round(r.height)]; })"""
    )
    assert any(name == "checkin_enabled" for name, _, _ in sizes), sizes
    squeezed = [(name, w, h) for name, w, h in sizes if w != h or w < 20]
    assert not squeezed, squeezed
