"""Crisis numbers a phone can dial with one tap: every bold number in a crisis list is a
`tel:` link (or `sms:` where the line is text-only), wherever a patient sees the list:
the Get help page, the panel after a crisis phrase in a message, and the check-in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tracking.models import CrisisResource
from tracking.safety.resources import DEFAULTS, DEFAULTS_ES, crisis_html


def links(html: str) -> list[str]:
    import re

    return re.findall(r'<a href="((?:tel|sms):[^"]+)">([^<]+)</a>', str(html))


def test_it_makes_each_bold_number_a_link_the_phone_can_dial():
    assert links(crisis_html(DEFAULTS["GB"].body_md)) == [
        ("tel:999", "999"),
        ("tel:111", "111"),
        ("tel:116123", "116 123"),
    ]
    assert ("tel:988", "9-8-8") in links(crisis_html(DEFAULTS["CA"].body_md))


def test_a_text_only_line_opens_messages_and_call_or_text_dials():
    assert links(crisis_html(DEFAULTS["NZ"].body_md)) == [
        ("tel:111", "111"),
        ("tel:1737", "1737"),  # "Call or text 1737"
        ("tel:0800543354", "0800 543 354"),  # "Or call Lifeline on …"
        ("sms:4357", "4357"),  # "…, or text 4357"
    ]
    assert ("sms:50808", "50808") in links(crisis_html(DEFAULTS["IE"].body_md))
    assert ("sms:0477131114", "0477 13 11 14") in links(crisis_html(DEFAULTS_ES["AU"].body_md))


@pytest.mark.parametrize("country", sorted(DEFAULTS))
def test_every_reviewed_list_has_a_number_to_tap(country):
    for lists in (DEFAULTS, DEFAULTS_ES):
        assert any(
            href.startswith("tel:") for href, _ in links(crisis_html(lists[country].body_md))
        )


def test_it_leaves_plain_numbers_hours_and_entities_alone():
    html = crisis_html("Open 9:00–17:00 since 2023, call 0800 123. **Call 24/7** &#8212; **A&E**")
    assert links(html) == []


def test_the_get_help_page_links_the_patients_numbers(client, cast, enrollment):
    CrisisResource.objects.update_or_create(
        practice=cast.practice, country="US", defaults={"body_md": "Call **0800 123 456** now."}
    )
    client.force_login(cast.patient)
    body = client.get(reverse("get_help")).content.decode()
    assert '<strong><a href="tel:0800123456">0800 123 456</a></strong>' in body


def test_the_help_after_a_crisis_message_links_the_numbers(client, cast, enrollment):
    client.force_login(cast.patient)
    response = client.post(
        reverse("messages"), {"body": "Some days I want to die."}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert '<a href="tel:988">988</a>' in response.content.decode()
