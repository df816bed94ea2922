"""The searchable time-zone picker (issue 19, point 8): a text box with a list of zones
to pick from (a datalist: no JavaScript needed), common zones first, forgiving of case
and spaces, validated on the server with a plain message that keeps what was typed."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from painapp.accounts.forms import COMMON_ZONES, TimeZoneForm, resolve_timezone, timezone_choices


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("America/New_York", "America/New_York"),
        ("america/new york", "America/New_York"),
        ("  Europe/London ", "Europe/London"),
        ("London", "Europe/London"),
        ("utc", "UTC"),
        ("Mars/Olympus", None),
        ("", None),
        ("York", None),
    ],
)
def test_it_understands_what_people_type(typed, zone):
    assert resolve_timezone(typed) == zone


def test_the_list_has_every_zone_once_common_ones_first():
    html = TimeZoneForm()["timezone"].as_widget()
    listed = re.findall(r'<option value="([^"]+)">', html)
    assert listed[: len(COMMON_ZONES)] == list(COMMON_ZONES)
    assert sorted(listed) == sorted(z for z, _ in timezone_choices())
    assert 'list="id_timezone_zones"' in html and '<datalist id="id_timezone_zones">' in html
    assert "<select" not in html


def test_a_no_javascript_post_saves_a_typed_zone(client, cast):
    client.force_login(cast.patient)
    response = client.post(reverse("account_time_zone"), {"timezone": "america/los angeles"})
    assert response.status_code == 302
    cast.patient.refresh_from_db()
    assert cast.patient.timezone == "America/Los_Angeles"


@pytest.mark.parametrize("typed", ["", "Atlantis", "x" * 80])
def test_a_bad_zone_gets_a_plain_message_and_keeps_what_was_typed(client, cast, typed):
    client.force_login(cast.patient)
    response = client.post(reverse("account_time_zone"), {"timezone": typed})
    body = response.content.decode()
    assert response.status_code == 200
    assert "for example Europe/London" in body
    if typed and len(typed) <= 64:
        assert f'value="{typed}"' in body
    cast.patient.refresh_from_db()
    assert cast.patient.timezone == "UTC"


def test_the_browser_zone_is_offered_only_until_one_is_chosen(client, cast):
    client.force_login(cast.patient)
    body = client.get(reverse("account_time_zone")).content.decode()
    assert 'data-tz-browser="fill"' in body and "js/timezone.js" in body
    client.post(reverse("account_time_zone"), {"timezone": "Europe/Madrid"})
    body = client.get(reverse("account_time_zone")).content.decode()
    assert 'data-tz-browser="fill"' not in body and 'value="Europe/Madrid"' in body
