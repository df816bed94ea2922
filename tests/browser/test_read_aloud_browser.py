"""Read aloud in the somatic-tracking player, on a device that cannot speak (real
Chromium, a phone): instead of the button quietly going back to how it was, a short,
calm line says reading aloud isn't available here and the words are on the screen. In
English and in Spanish; without JavaScript nothing of it shows (the page is one form).

Screenshots: test-artifacts/screenshots/read-aloud-*.png.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import helpers

pytestmark = pytest.mark.browser

NONE = {
    "en": "Reading aloud isn't available on this device. The words are right here on the "
    "screen, to read at your own pace.",
    "es": "La lectura en voz alta no está disponible en este dispositivo. Las palabras están "
    "aquí en la pantalla, para leerlas a su ritmo.",
}
NEXT = {"en": "Next", "es": "Siguiente"}

# The device has the speech API but no voice at all (a phone without one installed).
NO_VOICES = """
(() => {
  if (!window.speechSynthesis) { return; }
  const synth = window.speechSynthesis;
  synth.getVoices = () => [];
  synth.speak = () => {};  // nothing is ever said, nothing ever ends
})();
"""

# A voice is listed, but speaking fails (what Chromium does when its engine is missing).
SPEAKING_FAILS = """
(() => {
  if (!window.speechSynthesis) { return; }
  const synth = window.speechSynthesis;
  synth.getVoices = () => [{ name: "Broken", lang: "en-US" }];
  synth.speak = (utterance) => setTimeout(() => {
    if (utterance.onerror) { utterance.onerror({ error: "synthesis-failed" }); }
  }, 10);
  synth.cancel = () => {};
})();
"""


def first_step(page, live_server, language: str):
    page.goto(live_server.url + reverse("practice"))
    page.locator("label[for=id_pain_before_5]").click()
    page.locator("label[for=id_threat_before_6]").click()
    page.get_by_role("button", name=NEXT[language]).click()
    return page.locator("[data-panel]:visible")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_device_with_no_voice_says_so_calmly(
    live_server, new_context, cast, enrollment, language
):
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    context = new_context(bypass_csp=True, **helpers.PHONE)  # for axe-core's script
    context.add_init_script(NO_VOICES)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    step = first_step(page, live_server, language)
    note = step.locator("[data-speak-note]")
    expect(note).to_be_hidden()  # nothing to say until they ask
    step.locator("[data-speak]").click()
    expect(note).to_have_text(NONE[language])
    expect(note).to_have_attribute("role", "status")
    expect(step.locator("[data-speak]")).to_be_visible()  # nothing else changed
    expect(step.locator("[data-speak-text]")).to_be_visible()  # the words are right there
    helpers.check_axe(page, f"read-aloud-none-{language}")
    helpers.screenshot(page, f"read-aloud-none-{language}")


def test_speaking_that_fails_says_so_too(live_server, new_context, cast, enrollment):
    context = new_context(**helpers.PHONE)
    context.add_init_script(SPEAKING_FAILS)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    step = first_step(page, live_server, "en")
    step.get_by_role("button", name="Read aloud").click()
    expect(step.locator("[data-speak-note]")).to_have_text(NONE["en"])
    expect(step.get_by_role("button", name="Read aloud")).to_be_visible()
    expect(step.get_by_role("button", name="Stop reading")).to_be_hidden()


def test_without_javascript_there_is_no_read_aloud_to_fail(
    live_server, new_context, cast, enrollment
):
    context = new_context(java_script_enabled=False, **helpers.PHONE)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("practice"))
    assert page.locator("[data-speak-note]").count() > 0
    for note in page.locator("[data-speak-note]").all():
        expect(note).to_be_hidden()
    expect(page.get_by_text(NONE["en"])).to_have_count(0)


# A device that speaks: each utterance's words and language are kept to look at.
SPEAKS = """
(() => {
  if (!window.speechSynthesis) { return; }
  const synth = window.speechSynthesis;
  window.__spoken = [];
  synth.getVoices = () => [{ name: "Any", lang: "en-US" }, { name: "Otra", lang: "es-ES" }];
  synth.cancel = () => {};
  synth.speak = (utterance) => {
    window.__spoken.push({ text: utterance.text, lang: utterance.lang });
    setTimeout(() => { if (utterance.onend) { utterance.onend({}); } }, 10);
  };
})();
"""


@pytest.mark.parametrize(("lessons", "reads"), [("en", "es"), ("es", "en")])
def test_it_reads_a_step_in_the_programs_language_not_the_pages(
    live_server, new_context, cast, lessons, reads
):
    """A Spanish reader on the English program hears the English step with an English
    voice (and the reverse): the voice follows the words' own lang, not <html lang>."""
    from django.core.management import call_command

    from programs.models import Program
    from tests.factories import make_enrollment

    call_command("load_program", "prt-back-8wk")
    cast.patient.language = lessons
    cast.patient.save(update_fields=["language"])
    version = Program.objects.get().current_version(lessons)
    make_enrollment(cast.patient, cast.clinician, cast.practice, version=version)
    cast.patient.language = reads
    cast.patient.save(update_fields=["language"])

    context = new_context(bypass_csp=True, **helpers.PHONE)  # for axe-core's script
    context.add_init_script(SPEAKS)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    step = first_step(page, live_server, reads)
    expect(page.locator("html")).to_have_attribute("lang", reads)
    expect(step.locator("[data-speak-text]")).to_have_attribute("lang", lessons)
    step.locator("[data-speak]").click()
    expect(step.locator("[data-speak]")).to_be_visible()  # read to the end
    spoken = page.evaluate("window.__spoken")
    words = step.locator("[data-speak-text]").inner_text()
    assert spoken and words.split(".")[0].strip() in " ".join(s["text"] for s in spoken)
    assert {s["lang"] for s in spoken} == {lessons}
    helpers.check_axe(page, f"read-aloud-{lessons}-in-{reads}")
