"""A long activity name with no spaces does not push the phone page sideways: the
walk-through's 200-character ladder step made /today/ and /exposure/ ~2,600 px wide on
a 390 px screen. Long words in what people wrote wrap (static/css/base.css); new step
names are 100 characters at most, but older ones can be up to 200."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from programs.exposure.services import exposure_create, fear_item_create
from tests.browser import helpers

pytestmark = pytest.mark.browser

LONG = "Carrying" + "x" * 192  # 200 characters, no spaces


def test_a_long_unbroken_step_name_fits_a_phone(live_server, cast, enrollment, new_context):
    enrollment.start_date = enrollment.local_date() - timedelta(days=7 * 4 + 2)  # week 5
    enrollment.save()
    rung = fear_item_create(enrollment=enrollment, label=LONG, harm_rating=30)
    planned = exposure_create(
        enrollment=enrollment, fear_item=rung, activity="", predicted_pain=4, predicted_harm=30
    )
    page = new_context(**helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    for url in (
        reverse("today"),
        reverse("exposure"),
        reverse("exposure_detail", args=[planned.pk]),
        reverse("fear_edit", args=[rung.pk]),
    ):
        page.goto(live_server.url + url)
        assert page.get_by_text(LONG[:40]).count()  # the name is on the page
        helpers.assert_fits_width(page)
