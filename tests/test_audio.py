"""Recorded audio: what counts as audio, the size limit, who may hear a recording
(its practice's patients and staff only), Range requests, the admin's list, replace and
delete (audited as settings changes), and the player choosing a recording over the
read-aloud voice."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from programs.audio import sniff
from programs.audio.models import Recording
from tests import audio_files
from tests.audio_files import make_recording

URL = reverse("admin_audio")
TRANSCRIPT = "Find a position that feels okay for now. Take a few slow breaths."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin_client(client, cast, program_version):
    client.force_login(cast.admin)
    return client


def upload(name: str, content: bytes, content_type: str = "audio/mpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def post(
    client,
    *,
    content: bytes,
    name: str = "settle.wav",
    content_type: str = "audio/wav",
    slot: str = "step:settle",
    language: str = "en",
    transcript: str = TRANSCRIPT,
):
    return client.post(
        URL,
        {
            "slot": slot,
            "language": language,
            "transcript": transcript,
            "file": upload(name, content, content_type),
        },
    )


def add_recording(client, **kwargs) -> Recording:
    response = post(client, content=kwargs.pop("content", audio_files.wav()), **kwargs)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Recording.objects.get(
        slot=kwargs.get("slot", "step:settle"), language=kwargs.get("language", "en")
    )


# ---------------------------------------------------------------- what counts as audio

REAL = [
    ("wav", audio_files.wav, sniff.WAV),
    ("mp3", audio_files.mp3, sniff.MP3),
    ("mp3 with an ID3 tag", lambda: audio_files.mp3(id3=True), sniff.MP3),
    ("ogg opus", audio_files.opus, sniff.OGG),
    ("ogg vorbis", audio_files.vorbis, sniff.OGG),
    ("m4a", audio_files.m4a, sniff.M4A),
    ("mp4 audio (mp42)", lambda: audio_files.m4a(b"mp42"), sniff.M4A),
    ("aac adts", audio_files.adts, sniff.AAC),
]

FAKES = [
    ("text named .mp3", b"This is not a recording, just words.\n" * 20),
    ("html named .mp3", b"<!doctype html><script>alert(1)</script>" * 10),
    ("png named .mp3", b"\x89PNG\r\n\x1a\n" + bytes(200)),
    ("pdf named .mp3", b"%PDF-1.7\n" + bytes(200)),
    (
        "wav header without a format chunk",
        b"RIFF\x24\x00\x00\x00WAVEdata\x00\x00\x00\x00" + bytes(64),
    ),
    ("riff but not wave (avi)", b"RIFF\x24\x00\x00\x00AVI LIST" + bytes(64)),
    ("id3 tag then junk", b"ID3\x04\x00\x00\x00\x00\x00\x0a" + bytes(10) + b"junk" * 100),
    ("one mp3 frame header then junk", audio_files.MP3_HEADER + b"\x01" * 1000),
    ("mp3 header with a bad bit rate", b"\xff\xfb\xf0\x64" + bytes(2000)),
    ("ogg carrying video (theora)", audio_files.ogg(b"\x80theora" + bytes(30))),
    ("mp4 video brand", audio_files.m4a(b"qt  ")[:8] + b"qt  " + bytes(4) + b"qt  "),
    ("empty-ish", b"\x00" * 16),
]


@pytest.mark.parametrize(("label", "make", "expected"), REAL, ids=[r[0] for r in REAL])
def test_it_recognises_real_audio(label, make, expected):
    assert sniff.sniff(io.BytesIO(make())) == expected


@pytest.mark.parametrize(("label", "content"), FAKES, ids=[f[0] for f in FAKES])
def test_it_refuses_files_that_only_pretend_to_be_audio(label, content):
    assert sniff.sniff(io.BytesIO(content)) is None


@pytest.mark.parametrize(("label", "content"), FAKES[:4], ids=[f[0] for f in FAKES[:4]])
def test_it_refuses_a_fake_upload_plainly_and_keeps_the_transcript(admin_client, label, content):
    response = post(admin_client, content=content, name="step.mp3", content_type="audio/mpeg")
    assert response.status_code == 422
    page = response.content.decode()
    assert "is not a recording we can play" in page
    assert "Your transcript is still here." in page
    assert TRANSCRIPT in page  # the words as typed, back in the textarea
    assert not Recording.objects.exists()


def test_it_stores_what_the_file_is_not_what_the_browser_said(admin_client, cast):
    recording = add_recording(
        admin_client, content=audio_files.mp3(), name="settle.wav", content_type="text/plain"
    )
    assert recording.content_type == "audio/mpeg"
    assert recording.file.name.startswith(f"audio/{cast.practice.pk}/")
    assert recording.file.name.endswith(".mp3")
    assert "settle" not in recording.file.name  # never the uploader's file name


def test_it_requires_a_transcript(admin_client):
    response = post(admin_client, content=audio_files.wav(), transcript="   ")
    assert response.status_code == 422
    assert "Type the words the recording says" in response.content.decode()
    assert not Recording.objects.exists()


def test_it_refuses_a_slot_that_does_not_exist(admin_client, program_version):
    response = post(admin_client, content=audio_files.wav(), slot="step:../../etc")
    assert response.status_code == 422
    assert not Recording.objects.exists()


# ---------------------------------------------------------------- size limit


def test_it_refuses_a_file_over_the_size_limit_and_keeps_the_transcript(
    admin_client, settings, program_version
):
    settings.AUDIO_MAX_UPLOAD_MB = 1
    big = audio_files.mp3(frames=(1024 * 1024) // audio_files.MP3_FRAME + 2)
    assert len(big) > 1024 * 1024
    response = post(admin_client, content=big, name="long.mp3", content_type="audio/mpeg")
    assert response.status_code == 422
    page = response.content.decode()
    # 1.0 MB and a little: never "That file is 1.0 MB; the most it can be is 1.0 MB".
    assert "That file is just over 1.0\xa0MB; the most it can be is 1.0\xa0MB." in page
    assert TRANSCRIPT in page
    assert not Recording.objects.exists()


def test_a_file_well_over_the_limit_gets_its_own_size(admin_client, settings, program_version):
    settings.AUDIO_MAX_UPLOAD_MB = 1
    big = audio_files.mp3(frames=(3 * 1024 * 1024) // (2 * audio_files.MP3_FRAME))
    response = post(admin_client, content=big, name="long.mp3", content_type="audio/mpeg")
    assert response.status_code == 422
    assert "That file is 1.5\xa0MB; the most it can be is 1.0\xa0MB." in response.text


def test_a_file_just_under_the_limit_is_taken(admin_client, settings, program_version):
    settings.AUDIO_MAX_UPLOAD_MB = 1
    fits = audio_files.mp3(frames=(1024 * 1024) // audio_files.MP3_FRAME - 1)
    recording = add_recording(admin_client, content=fits, name="a.mp3")
    assert recording.size == len(fits)


def test_the_default_limit_is_20_mb():
    from django.conf import settings

    assert settings.AUDIO_MAX_UPLOAD_MB == 20


# ---------------------------------------------------------------- who may hear it


@pytest.fixture
def recording(admin_client, program_version, cast):
    made = add_recording(admin_client)
    admin_client.logout()
    return made


def test_its_own_patient_hears_it(client, cast, recording):
    client.force_login(cast.patient)
    response = client.get(reverse("audio_file", args=[recording.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert b"".join(response.streaming_content) == audio_files.wav()
    assert response["Cache-Control"] == "private, no-store"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Disposition"] == "inline"


@pytest.mark.parametrize("who", ["other_patient", "clinician", "other_clinician", "admin"])
def test_every_member_of_the_practice_hears_it(client, cast, recording, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("audio_file", args=[recording.pk])).status_code == 200


@pytest.mark.parametrize("who", ["outsider_patient", "outsider_clinician", "outsider_admin"])
def test_another_practice_gets_a_404(client, cast, recording, who):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("audio_file", args=[recording.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_id=str(recording.pk)).exists()


def test_anonymous_is_sent_to_log_in(client, recording):
    response = client.get(reverse("audio_file", args=[recording.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_there_is_no_public_media_url(client, cast, recording):
    assert client.get("/" + recording.file.name).status_code == 404
    assert client.get("/media/" + recording.file.name).status_code == 404


# ---------------------------------------------------------------- Range


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-50", None, None)],
)
def test_it_answers_a_range_request(client, cast, recording, header, first, last):
    whole = audio_files.wav()
    client.force_login(cast.patient)
    response = client.get(reverse("audio_file", args=[recording.pk]), HTTP_RANGE=header)
    assert response.status_code == 206
    body = b"".join(response.streaming_content)
    expected = (
        whole[-50:] if first is None else whole[first : (last + 1) if last is not None else None]
    )
    assert body == expected
    start = len(whole) - 50 if first is None else first
    assert response["Content-Range"] == f"bytes {start}-{start + len(expected) - 1}/{len(whole)}"
    assert response["Content-Length"] == str(len(expected))
    assert response["Cache-Control"] == "private, no-store"


def test_a_range_past_the_end_is_416(client, cast, recording):
    client.force_login(cast.patient)
    size = len(audio_files.wav())
    response = client.get(reverse("audio_file", args=[recording.pk]), HTTP_RANGE=f"bytes={size}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize(
    "header",
    [
        "bytes=" + "9" * 5000 + "-",  # int() refuses over 4,300 digits
        "bytes=0-" + "9" * 5000,
        "bytes=-" + "9" * 5000,
        "bytes=" + "1" * 19 + "-",  # past what a 64-bit position holds
        "bytes=0-" + "0" * 40 + "1",
    ],
)
def test_a_range_with_an_absurdly_long_number_is_ignored_not_a_500(client, cast, recording, header):
    client.force_login(cast.patient)
    response = client.get(reverse("audio_file", args=[recording.pk]), HTTP_RANGE=header)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == audio_files.wav()
    assert response["Content-Length"] == str(len(audio_files.wav()))


def test_the_longest_position_we_read_still_works(client, cast, recording):
    client.force_login(cast.patient)
    size = len(audio_files.wav())
    url = reverse("audio_file", args=[recording.pk])
    response = client.get(url, HTTP_RANGE="bytes=" + "9" * 18 + "-")
    assert response.status_code == 416 and response["Content-Range"] == f"bytes */{size}"
    response = client.get(url, HTTP_RANGE="bytes=0-" + "9" * 18)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-{size - 1}/{size}"


def test_several_ranges_get_the_whole_file(client, cast, recording):
    client.force_login(cast.patient)
    response = client.get(reverse("audio_file", args=[recording.pk]), HTTP_RANGE="bytes=0-1,5-6")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == audio_files.wav()


# ---------------------------------------------------------------- the admin's page


def test_it_lists_every_step_and_session_in_both_languages(admin_client, program_version):
    page = admin_client.get(URL).content.decode()
    for title in ("Settle in", "Find the feeling", "Rate and note"):
        assert f"Step: {title}" in page
    for minutes in (5, 10, 15):
        assert f"Guided session, {minutes} minutes" in page
    assert "0 of 20 recorded." in page  # 7 steps + 3 sessions, in 2 languages


def test_it_adds_replaces_and_deletes_with_an_audit_trail(
    admin_client, cast, program_version, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    first = add_recording(admin_client)
    first_name = first.file.name
    assert default_storage.exists(first_name)
    event = AuditEvent.objects.get(action="practice_audio.changed")
    assert event.practice == cast.practice and event.actor == cast.admin
    assert event.changes["step:settle|en"][0] is None
    assert event.changes["step:settle|en"][1]["transcript"] == TRANSCRIPT

    page = admin_client.get(URL).content.decode()
    assert "1 of 20 recorded." in page
    assert reverse("audio_file", args=[first.pk]) in page

    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            admin_client, content=audio_files.mp3(), name="new.mp3", transcript="New words."
        )
    assert response.status_code == 302
    replaced = Recording.objects.get()
    assert replaced.pk == first.pk and replaced.transcript == "New words."
    assert replaced.content_type == "audio/mpeg"
    assert not default_storage.exists(first_name)  # the old file left storage
    assert default_storage.exists(replaced.file.name)
    change = AuditEvent.objects.filter(action="practice_audio.changed").latest("pk")
    before, after = change.changes["step:settle|en"]
    assert before["transcript"] == TRANSCRIPT and after["transcript"] == "New words."

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin_audio_delete", args=[replaced.pk]))
    assert response.status_code == 302
    assert not Recording.objects.exists()
    assert not default_storage.exists(replaced.file.name)
    deleted = AuditEvent.objects.get(action="practice_audio.deleted")
    assert deleted.changes["step:settle|en"][1] is None


def test_spanish_and_english_are_separate_recordings(admin_client, program_version):
    add_recording(admin_client, language="en")
    add_recording(admin_client, language="es", transcript="Busque una postura cómoda.")
    assert Recording.objects.count() == 2


def test_an_admin_of_another_practice_cannot_delete(client, cast, recording):
    client.force_login(cast.outsider_admin)
    assert client.post(reverse("admin_audio_delete", args=[recording.pk])).status_code == 404
    assert Recording.objects.filter(pk=recording.pk).exists()


def test_the_admin_page_query_count_holds(admin_client, cast, django_assert_num_queries):
    # Session, user, membership, MFA, the program versions' steps, the recordings (the
    # menu's badges from the cache after the first page: painapp.accounts.badges).
    add_recording(admin_client)
    add_recording(admin_client, slot="session:10")
    admin_client.get(URL)
    with django_assert_num_queries(6):
        admin_client.get(URL)
    for minutes in (5, 15):
        add_recording(admin_client, slot=f"session:{minutes}", language="es")
    # The page after an upload shows its "saved" message, kept in the session: once.
    admin_client.get(URL)
    with django_assert_num_queries(6):
        admin_client.get(URL)


def test_the_page_speaks_spanish(admin_client, cast, program_version):
    cast.admin.language = "es"
    cast.admin.save(update_fields=["language"])
    page = admin_client.get(URL).content.decode()
    assert "Audio grabado" in page
    assert "Paso: Acomódese" in page or "Paso: " in page
    assert "Sesión guiada, 5 minutos" in page


# ---------------------------------------------------------------- the player


def test_the_player_uses_a_recording_where_there_is_one(client, cast, enrollment):
    client.force_login(cast.admin)
    settle = add_recording(client)
    session = add_recording(client, slot="session:5", transcript="Five calm minutes.")
    client.force_login(cast.patient)
    page = client.get(reverse("practice")).content.decode()
    # Step 1 has the recording and its words; no read-aloud button there.
    step_one = page.split('data-step="1"')[1].split('data-step="2"')[0]
    assert f'src="{reverse("audio_file", args=[settle.pk])}"' in step_one
    assert TRANSCRIPT in step_one
    assert "data-speak-controls" not in step_one
    # Step 2 has none: the device's voice, as before.
    step_two = page.split('data-step="2"')[1].split('data-step="3"')[0]
    assert "<audio" not in step_two
    assert "data-speak-controls" in step_two
    # The 5-minute guided session, with its transcript; no 10- or 15-minute one.
    assert "5-minute guided session" in page
    assert "Five calm minutes." in page
    assert f'src="{reverse("audio_file", args=[session.pk])}"' in page
    assert "10-minute guided session" not in page


def test_the_player_takes_the_patients_language(client, cast, enrollment):
    client.force_login(cast.admin)
    add_recording(client, language="es", transcript="Busque una postura cómoda.")
    client.force_login(cast.patient)
    assert "<audio" not in client.get(reverse("practice")).content.decode()
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    assert "Busque una postura cómoda." in client.get(reverse("practice")).content.decode()


def test_another_practices_recordings_never_reach_the_player(client, cast, enrollment):
    client.force_login(cast.outsider_admin)
    add_recording(client, transcript="Elsewhere's words.")
    client.force_login(cast.patient)
    page = client.get(reverse("practice")).content.decode()
    assert "<audio" not in page
    assert "Elsewhere's words." not in page


def test_a_recording_whose_file_is_gone_is_a_404_not_a_500(client, cast, recording):
    from django.core.files.storage import default_storage

    default_storage.delete(recording.file.name)
    client.force_login(cast.patient)
    assert client.get(reverse("audio_file", args=[recording.pk])).status_code == 404


def test_a_recording_of_a_step_the_guide_no_longer_has_is_still_listed(
    admin_client, cast, program_version
):
    gone = make_recording(cast.practice, "step:retired")
    page = admin_client.get(URL).content.decode()
    assert "step:retired" in page
    assert reverse("admin_audio_delete", args=[gone.pk]) in page


def test_a_spanish_patient_hears_and_reads_it_in_spanish(client, cast, enrollment):
    make_recording(cast.practice, "step:settle", "es", transcript="Busque una postura cómoda.")
    make_recording(cast.practice, "session:5", "es", transcript="Cinco minutos de calma.")
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    page = client.get(reverse("practice")).content.decode()
    for words in (
        "Escuche este paso",
        "Lo que dice la grabación",
        "Busque una postura cómoda.",
        "Sesiones guiadas para escuchar",
        "Sesión guiada de 5 minutos",
        "Leer las palabras (transcripción)",
    ):
        assert words in page, words


def test_the_players_query_count_does_not_grow_with_recordings(
    client, cast, enrollment, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.patient)
    client.get(reverse("practice"))  # warm the per-process curriculum cache
    with CaptureQueriesContext(connection) as none:
        client.get(reverse("practice"))
    for slot in ("step:settle", "step:locate", "step:describe", "session:5", "session:15"):
        make_recording(cast.practice, slot)
    # The recordings are one read whether there are none or many.
    with django_assert_num_queries(len(none.captured_queries)):
        page = client.get(reverse("practice")).content.decode()
    assert page.count("<audio") == 5


def test_a_head_request_gives_the_size_without_the_body(client, cast, recording):
    client.force_login(cast.patient)
    response = client.head(reverse("audio_file", args=[recording.pk]))
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(audio_files.wav()))
    assert response["Accept-Ranges"] == "bytes"
