"""Long text boxes on a phone: pasted text over the limit is kept whole, a plain count
says so beside the box, and sending is refused with the text still there (messages and
a lesson reflection, English and Spanish). Under the real CSP; axe-clean.

Screenshots: test-artifacts/screenshots/long-text-*.png.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from programs.models import Reflection
from tests.browser import helpers
from tracking.messaging.models import Message

pytestmark = pytest.mark.browser


def test_a_pasted_message_over_the_limit_is_kept_and_counted(
    live_server, cast, enrollment, new_context
):
    context = new_context(**helpers.PHONE)
    watch = helpers.CspWatch.attach(context)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("messages"))
    box = page.get_by_label("Your message")
    count = page.locator("#id_body_count")
    expect(count).to_be_hidden()  # far from the limit: nothing to say
    # The limit itself is said from the start, under the box.
    expect(page.locator("#id_body_limit")).to_have_text("Up to 2000 characters.")
    expect(page.locator("#id_body_limit")).to_be_visible()

    box.fill("a" * 1880)
    expect(count).to_have_text("120 characters left")
    expect(box).to_have_attribute(
        "aria-describedby", "id_body_limit id_body_helptext id_body_count"
    )

    text = ("My back was stiff this morning, then it eased. " * 43).strip()  # 2,020
    box.fill(text)
    expect(box).to_have_value(text)  # all of it: nothing cut at 2,000
    expect(count).to_have_text("Over the limit by 20 characters — please shorten it")
    expect(count).to_have_class("char-count char-count--over")
    expect(page.locator("[data-char-count-live]")).to_have_text(
        "Over the limit by 20 characters — please shorten it"
    )

    page.get_by_role("button", name="Send message").click()
    expect(page.locator("#id_body_error")).to_contain_text(
        "Please keep a message under 2000 characters"
    )
    expect(page.get_by_label("Your message")).to_have_value(text)
    # The refusal says it once; the count comes back with the next edit.
    expect(page.locator("#id_body_count")).to_be_hidden()
    page.get_by_label("Your message").press("End")
    page.get_by_label("Your message").press("Backspace")
    expect(page.locator("#id_body_count")).to_have_text(
        "Over the limit by 19 characters — please shorten it"
    )
    assert not Message.objects.exists()
    helpers.assert_no_csp_violations(watch, page, "messages")

    # A screenshot leaves style="" on elements, which htmx's next swap would copy: no
    # more htmx on this page after it.
    helpers.screenshot(page, "long-text-message-over-390")

    # The diary's "What I told myself" has the same count, before it is sent.
    page.goto(live_server.url + reverse("diary_new"))
    thoughts = page.get_by_label("What I told myself")
    thoughts.fill("c" * 2030)
    expect(page.locator("#id_self_talk_count")).to_have_text(
        "Over the limit by 30 characters — please shorten it"
    )
    expect(thoughts).to_have_value("c" * 2030)


def test_a_long_reflection_in_spanish_is_counted_and_kept(
    live_server, cast, enrollment, new_context
):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    reflection = (
        enrollment.program_version.weeks.get(number=2).activities.filter(kind="reflection").first()
    )
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("activity", args=[reflection.slug]))
    box = page.locator("textarea[name=text]")
    count = page.locator("#id_text_count")

    box.fill("b" * 4999)
    expect(count).to_have_text("Queda 1 carácter")
    text = ("Estrés en el trabajo y una mudanza. " * 140).strip()  # 5,039 characters
    box.fill(text)
    expect(box).to_have_value(text)
    expect(count).to_have_text("Tiene 39 caracteres de más. Por favor, acórtelo")
    helpers.check_axe(page, "long-text-reflection-es-over")
    helpers.screenshot(page, "long-text-reflection-es-over-390")

    box.locator("xpath=ancestor::form").locator("button[type=submit]").first.click()
    expect(page.locator("#id_text_error")).to_have_text(
        "Por favor, escriba menos de 5000 caracteres."
    )
    expect(page.locator("textarea[name=text]")).to_have_value(text)
    expect(page.locator("#id_text_count")).to_be_hidden()  # the refusal says it once
    page.locator("textarea[name=text]").press("End")
    page.locator("textarea[name=text]").press("Backspace")
    expect(page.locator("#id_text_count")).to_have_text(
        "Tiene 38 caracteres de más. Por favor, acórtelo"
    )
    assert not Reflection.objects.exists()
