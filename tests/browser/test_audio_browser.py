"""Recorded audio in real Chromium.

- A practice admin (1280 px) uploads a file that only pretends to be audio: a plain
  message, the transcript kept; then a real WAV (written in the test with `wave`): it
  is listed with a player; then deleted. axe-clean at each stage.
- A patient (390 px phone) opens somatic tracking: the step with a recording has an
  <audio> element that plays the uploaded file (decoded by the browser, fetched with a
  Range request), its transcript on show and no read-aloud button; the next step,
  without one, keeps the device's read-aloud voice. The 5-minute guided session plays
  from the same page. Keyboard reaches the players; axe-clean; no CSP violation.

Screenshots: test-artifacts/screenshots/audio-*.png.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from programs.audio.models import Recording
from tests import audio_files
from tests.browser import helpers

pytestmark = pytest.mark.browser

TRANSCRIPT = "Find a position that feels okay for now. Take a few slow breaths."


@pytest.fixture
def recordings(cast, enrollment):
    """The practice's own recording of step 1 and a 5-minute guided session (3 s each)."""
    from django.core.files.base import ContentFile

    made = {}
    for slot, words in (("step:settle", TRANSCRIPT), ("session:5", "Five calm minutes.")):
        content = audio_files.wav(seconds=3)
        recording = Recording(
            practice=cast.practice,
            slot=slot,
            language="en",
            content_type="audio/wav",
            size=len(content),
            transcript=words,
        )
        recording.file.save("r.wav", ContentFile(content), save=False)
        recording.save()
        made[slot] = recording
    return made


def test_an_admin_uploads_replaces_and_deletes_a_recording(
    live_server, new_context, cast, program_version, tmp_path
):
    context = new_context(bypass_csp=True, **helpers.DESKTOP)
    page = context.new_page()
    helpers.login(page, live_server, cast.admin)
    page.goto(live_server.url + reverse("practice_overview"))
    page.get_by_role("link", name=re.compile("Recorded audio")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recorded audio")
    expect(page.locator("#audio-count")).to_have_text("0 of 20 recorded.")
    helpers.check_axe(page, "audio-admin-empty")

    fake = tmp_path / "settle.mp3"
    fake.write_text("These are words, not a recording.\n" * 50)
    page.get_by_label("Which part").select_option(label="Step: Settle in")
    page.get_by_label("Language").select_option("en")
    page.get_by_label(re.compile("^Transcript")).fill(TRANSCRIPT)
    page.get_by_label("Audio file").set_input_files(str(fake))
    page.get_by_role("button", name="Upload recording").click()
    expect(page.locator(".error-summary")).to_contain_text("is not a recording we can play")
    expect(page.get_by_label(re.compile("^Transcript"))).to_have_value(TRANSCRIPT)
    helpers.check_axe(page, "audio-admin-refused")
    helpers.screenshot(page, "audio-admin-refused")

    real = tmp_path / "settle.wav"
    real.write_bytes(audio_files.wav(seconds=2))
    page.get_by_label("Which part").select_option(label="Step: Settle in")
    page.get_by_label("Audio file").set_input_files(str(real))
    page.get_by_role("button", name="Upload recording").click()
    expect(page.get_by_text("Recording added: Step: Settle in (English).")).to_be_visible()
    expect(page.locator("#audio-count")).to_have_text("1 of 20 recorded.")
    row = page.locator('[data-slot="step:settle"][data-language="en"]')
    recording = Recording.objects.get()
    expect(row.locator("audio")).to_have_attribute(
        "src", reverse("audio_file", args=[recording.pk])
    )
    helpers.check_axe(page, "audio-admin-listed")
    helpers.screenshot(page, "audio-admin-listed")

    # Replace: the row's link fills in the part and language; a new file and words.
    row.get_by_role("link", name=re.compile("^Replace")).click()
    expect(page.get_by_label("Which part")).to_have_value("step:settle")
    page.get_by_label(re.compile("^Transcript")).fill("Settle in. Breathe out slowly.")
    page.get_by_label("Audio file").set_input_files(str(real))
    page.get_by_role("button", name="Upload recording").click()
    expect(page.get_by_text("Recording replaced: Step: Settle in (English).")).to_be_visible()
    assert Recording.objects.get().transcript == "Settle in. Breathe out slowly."

    row = page.locator('[data-slot="step:settle"][data-language="en"]')
    row.get_by_role("button", name=re.compile("^Delete")).click()
    expect(page.get_by_text(re.compile("Recording deleted."))).to_be_visible()
    expect(page.locator("#audio-count")).to_have_text("0 of 20 recorded.")
    assert not Recording.objects.exists()


def test_a_patient_hears_the_recording_and_keeps_read_aloud_elsewhere(
    live_server, new_context, cast, recordings
):
    context = new_context(bypass_csp=True, **helpers.PHONE)
    page = context.new_page()
    audio_responses = []
    page.on(
        "response",
        lambda r: audio_responses.append(r) if "/audio/" in r.url else None,
    )
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("practice"))
    page.locator("label[for=id_pain_before_5]").click()
    page.locator("label[for=id_threat_before_4]").click()
    page.get_by_role("button", name="Next").click()

    step = page.locator("[data-panel]:visible")
    expect(step.get_by_role("heading", name="Settle in")).to_be_visible()
    audio = page.locator('[data-step="1"] audio[data-step-audio]')
    expect(audio).to_have_attribute(
        "src", reverse("audio_file", args=[recordings["step:settle"].pk])
    )
    expect(step.locator(".transcript")).to_contain_text(TRANSCRIPT)
    expect(step.get_by_role("button", name="Read aloud")).to_have_count(0)
    # Keyboard: Tab reaches the player.
    step.get_by_role("heading", name="Settle in").focus()
    for _ in range(10):
        if audio.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    assert audio.evaluate("el => el === document.activeElement")

    # It plays the uploaded file: the browser decodes it (3 s of tone) and time moves.
    audio.evaluate("el => el.play()")
    page.wait_for_function(
        "el => el.readyState >= 2 && el.currentTime > 0", arg=audio.element_handle()
    )
    assert abs(audio.evaluate("el => el.duration") - 3.0) < 0.1
    assert any(r.status == 206 for r in audio_responses), [r.status for r in audio_responses]
    assert all("private" in (r.headers.get("cache-control") or "") for r in audio_responses)
    helpers.check_axe(page, "audio-player-step")
    helpers.screenshot(page, "audio-player-step")

    # Moving on stops it; step 2 has no recording: the device's read-aloud voice.
    page.get_by_role("button", name="Next").click()
    assert audio.evaluate("el => el.paused")
    step = page.locator("[data-panel]:visible")
    expect(step.get_by_role("heading", name="Find the feeling")).to_be_visible()
    expect(step.locator("audio")).to_have_count(0)
    expect(step.get_by_role("button", name="Read aloud")).to_be_visible()

    # The 5-minute guided session plays from the same page; no 10- or 15-minute one.
    sessions = page.locator("#guided-sessions")
    expect(sessions.get_by_role("heading", name="5-minute guided session")).to_be_visible()
    expect(sessions.get_by_role("heading", name="10-minute guided session")).to_have_count(0)
    session_audio = sessions.locator("audio")
    session_audio.evaluate("el => el.play()")
    page.wait_for_function("el => el.currentTime > 0", arg=session_audio.element_handle())
    sessions.get_by_text("Read the words (transcript)").click()
    expect(sessions.get_by_text("Five calm minutes.")).to_be_visible()
    helpers.check_axe(page, "audio-player-sessions")
    sessions.scroll_into_view_if_needed()
    helpers.screenshot(page, "audio-player-sessions")


def test_the_player_with_recordings_breaks_no_csp(live_server, strict, cast, recordings):
    helpers.login(strict.page, live_server, cast.patient)
    strict.page.goto(live_server.url + reverse("practice"))
    strict.page.locator("#guided-sessions audio").evaluate("el => el.play()")
    strict.page.wait_for_function(
        "el => el.currentTime > 0",
        arg=strict.page.locator("#guided-sessions audio").element_handle(),
    )
    strict.assert_no_csp_violations("somatic tracking with recordings")


def test_without_recordings_the_player_is_as_before(live_server, new_context, cast, enrollment):
    page = new_context(**helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("practice"))
    expect(page.locator("audio")).to_have_count(0)
    expect(page.locator("#guided-sessions")).to_have_count(0)
    page.locator("label[for=id_pain_before_5]").click()
    page.locator("label[for=id_threat_before_4]").click()
    page.get_by_role("button", name="Next").click()
    expect(
        page.locator("[data-panel]:visible").get_by_role("button", name="Read aloud")
    ).to_be_visible()


def test_in_spanish_the_admin_page_and_the_player_are_spanish_and_axe_clean(
    live_server, new_context, cast, enrollment
):
    from tests.audio_files import make_recording

    make_recording(cast.practice, "step:settle", "es", transcript="Busque una postura cómoda.")
    make_recording(cast.practice, "session:10", "es", transcript="Diez minutos de calma.")
    for person in (cast.admin, cast.patient):
        person.language = "es"
        person.save(update_fields=["language"])

    admin = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(admin, live_server, cast.admin)
    admin.goto(live_server.url + reverse("admin_audio"))
    expect(admin.get_by_role("heading", level=1)).to_have_text("Audio grabado")
    expect(admin.locator("#audio-count")).to_have_text("2 de 20 grabadas.")
    helpers.assert_fits_width(admin)
    helpers.check_axe(admin, "audio-admin-es")
    helpers.screenshot(admin, "audio-admin-es-phone")

    patient = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(patient, live_server, cast.patient)
    patient.goto(live_server.url + reverse("practice"))
    expect(patient.get_by_role("heading", name="Sesión guiada de 10 minutos")).to_be_visible()
    patient.locator("label[for=id_pain_before_5]").click()
    patient.locator("label[for=id_threat_before_4]").click()
    patient.get_by_role("button", name="Siguiente").click()
    expect(patient.locator('[data-step="1"] .transcript')).to_contain_text("Busque una postura")
    helpers.assert_fits_width(patient)
    helpers.check_axe(patient, "audio-player-es")
    helpers.screenshot(patient, "audio-player-es-phone")
