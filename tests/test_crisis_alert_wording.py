"""Staff are told where a patient wrote the words that raised a self-harm alert, in
plain words, from one place (tracking.alerts.wording): the urgent email, the alert page
and the patient overview name the entry ("in a message to the care team", "in a lesson
answer", …), never a check-in unless it was one, and never the words themselves."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.test_alerts_factories import make_checkin, phq9, run_outbox
from tests.test_free_text_scanning import CRISIS, WRITERS
from tests.test_i18n import english_in
from tests.test_i18n_clinic import names
from tracking.alerts.evaluate import evaluate_checkin
from tracking.alerts.services import alert_raise
from tracking.alerts.wording import WRITTEN_WHERE, written_where
from tracking.models import Alert

# Then when: its due time (tests/test_alert_due_wording.py).
URGENT = "Urgent: a patient needs a call %(when)s"

# (the patient's writer in tests.test_free_text_scanning, where staff are told it was)
SOURCES = [
    ("tracking.Message.body", "in a message to the care team"),
    ("tracking.DiaryEntry.self_talk", "in a pain and fear diary entry"),
    ("programs.Reflection.text", "in a lesson answer"),
    ("programs.PracticeSession.note", "in a practice-session note"),
    ("programs.FearItem.label", "on their fear ladder"),
    ("programs.Exposure.note", "in a note after an exposure"),
    ("programs.AttributionCause.text", "in their answer about the causes of their pain"),
    ("programs.CustomExercise.patient_note", "in a note on an exercise their clinician set"),
    ("tracking.SafetyPlan.coping", "in their safety plan"),
]


def text_of(page: str) -> str:
    """The page's words, without tags, one space between them."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def urgent_email(mailoutbox, language="en"):
    run_outbox()
    with translation.override(language):
        subject = translation.gettext(URGENT).split("%(when)s")[0]
    [email] = [m for m in mailoutbox if m.subject.startswith(subject)]
    return email.body, text_of(email.alternatives[0][0])


@pytest.mark.parametrize(("field", "where"), SOURCES)
def test_email_page_and_overview_name_where_it_was_written(
    cast, client, enrollment, mailoutbox, field, where
):
    WRITERS[field](enrollment, CRISIS)
    alert = Alert.objects.get(enrollment=enrollment, kind=Alert.Kind.SELF_HARM)

    for body in urgent_email(mailoutbox):
        assert f"wrote something {where} that means they need a call from you " in body
        assert "They have been shown your practice's crisis resources." in body
        assert "check-in" not in body.lower()
        assert "want to die" not in body.lower()  # never the patient's words

    client.force_login(cast.clinician)
    page = text_of(client.get(reverse("alert_detail", args=[alert.pk])).content.decode())
    assert f"Something they wrote {where} included words your practice" in page
    assert "wrote in a check-in" not in page
    assert "want to die" not in page.lower()

    overview = text_of(client.get(reverse("patient_detail", args=[enrollment.pk])).content.decode())
    assert f"They wrote words your practice marked for follow-up {where}." in overview
    assert "Check-in text included" not in overview


def test_a_check_in_alert_still_says_check_in(cast, client, enrollment, mailoutbox):
    checkin = make_checkin(enrollment, "baseline", answers={"phq9": phq9(item9=1)})
    evaluate_checkin(checkin)
    alert = Alert.objects.get(kind=Alert.Kind.SELF_HARM)
    text, _ = urgent_email(mailoutbox)
    assert "gave an answer in their check-in that means they need a call" in text
    # Crisis words typed in a check-in's text are said to be in a check-in.
    alert.details = {"crisis_words": True}
    alert.save(update_fields=["details"])
    client.force_login(cast.clinician)
    page = text_of(client.get(reverse("alert_detail", args=[alert.pk])).content.decode())
    assert "Something they wrote in a check-in included words your practice" in page
    overview = text_of(client.get(reverse("patient_detail", args=[enrollment.pk])).content.decode())
    assert "They wrote words your practice marked for follow-up in a check-in." in overview


def test_an_entry_kind_not_named_yet_gets_a_plain_fallback(enrollment):
    alert = alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.SELF_HARM,
        severity=Alert.Severity.URGENT,
        source="something_new:4",
        details={"crisis_words": True, "entry": "something_new"},
    )
    assert written_where(alert) == "in something they wrote in the app"


def test_every_kind_the_scanner_is_called_with_is_named():
    # The `source` prefixes of every scan / patient_wrote call in the code.
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    kinds = set()
    for path in [
        *root.joinpath("tracking").rglob("*.py"),
        *root.joinpath("programs").rglob("*.py"),
    ]:
        kinds |= set(re.findall(r'source=f"([a-z_-]+):\{', path.read_text()))
    kinds -= {"missed"}  # missed check-ins: not a self-harm alert
    assert kinds and kinds <= set(WRITTEN_WHERE), kinds - set(WRITTEN_WHERE)


def test_a_spanish_clinician_reads_where_in_spanish(cast, client, enrollment, mailoutbox):
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    WRITERS["tracking.Message.body"](enrollment, CRISIS)
    alert = Alert.objects.get(kind=Alert.Kind.SELF_HARM)
    for body in urgent_email(mailoutbox, "es"):
        assert "escribió algo en un mensaje a su equipo de atención que indica" in body
        assert "control" not in body
        assert english_in(body, allowed=names(cast, "painapp")) == []
    client.force_login(cast.clinician)
    page = text_of(client.get(reverse("alert_detail", args=[alert.pk])).content.decode())
    assert "Algo que escribió en un mensaje a su equipo de atención incluía palabras" in page
    overview = text_of(client.get(reverse("patient_detail", args=[enrollment.pk])).content.decode())
    assert "Escribió en un mensaje a su equipo de atención palabras que su consultorio" in overview
